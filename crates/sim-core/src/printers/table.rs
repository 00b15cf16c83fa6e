//! Server-side tables: the columns and cells the API server computes for each
//! resource type (pkg/printers/internalversion/printers.go, `AddHandlers` and the
//! `printXxx` functions). Cells are always computed wide, as the server does
//! (`TableConvertor` calls `GenerateTable` with `Wide: true`); kubectl hides the
//! priority-1 columns unless `-o wide`.
//!
//! Besides the kinds the store holds, the workload kinds the course may show
//! (StatefulSet, DaemonSet, Job, ReplicationController, Secret) have printers too,
//! reachable through [`row_for_json`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, Endpoints, Event, Namespace, Node, Pod, PodTemplateSpec, ReplicationController, Secret,
    Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::chrono::{DateTime, Utc};
use serde_json::Value;

use super::duration::{age, human_duration_ns, write_age};
use super::tabwriter::Cells;
use crate::labels;
use crate::resources::Kind;
use crate::store::Object;

/// A column definition: its name as the server sends it and its priority
/// (0 = always shown, 1 = only with `-o wide`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub priority: u8,
}

const fn col(name: &'static str) -> Column {
    Column { name, priority: 0 }
}

const fn wide(name: &'static str) -> Column {
    Column { name, priority: 1 }
}

const POD: &[Column] = &[
    col("Name"), col("Ready"), col("Status"), col("Restarts"), col("Age"),
    wide("IP"), wide("Node"), wide("Nominated Node"), wide("Readiness Gates"),
];
const SERVICE: &[Column] = &[
    col("Name"), col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), col("Age"), wide("Selector"),
];
const DEPLOYMENT: &[Column] = &[
    col("Name"), col("Ready"), col("Up-to-date"), col("Available"), col("Age"),
    wide("Containers"), wide("Images"), wide("Selector"),
];
const REPLICASET: &[Column] = &[
    col("Name"), col("Desired"), col("Current"), col("Ready"), col("Age"),
    wide("Containers"), wide("Images"), wide("Selector"),
];
const STATEFULSET: &[Column] = &[col("Name"), col("Ready"), col("Age"), wide("Containers"), wide("Images")];
const DAEMONSET: &[Column] = &[
    col("Name"), col("Desired"), col("Current"), col("Ready"), col("Up-to-date"), col("Available"),
    col("Node Selector"), col("Age"), wide("Containers"), wide("Images"), wide("Selector"),
];
const JOB: &[Column] = &[
    col("Name"), col("Status"), col("Completions"), col("Duration"), col("Age"),
    wide("Containers"), wide("Images"), wide("Selector"),
];
const ENDPOINTS: &[Column] = &[col("Name"), col("Endpoints"), col("Age")];
const ENDPOINTSLICE: &[Column] = &[col("Name"), col("AddressType"), col("Ports"), col("Endpoints"), col("Age")];
const NODE: &[Column] = &[
    col("Name"), col("Status"), col("Roles"), col("Age"), col("Version"),
    wide("Internal-IP"), wide("External-IP"), wide("OS-Image"), wide("Kernel-Version"), wide("Container-Runtime"),
];
const INGRESS: &[Column] = &[col("Name"), col("Class"), col("Hosts"), col("Address"), col("Ports"), col("Age")];
const INGRESSCLASS: &[Column] = &[col("Name"), col("Controller"), col("Parameters"), col("Age")];
const NAMESPACE: &[Column] = &[col("Name"), col("Status"), col("Age")];
/// `printEvent` writes SUBOBJECT and SOURCE between OBJECT and MESSAGE.
const EVENT: &[Column] = &[
    col("Last Seen"), col("Type"), col("Reason"), col("Object"), wide("Subobject"), wide("Source"), col("Message"),
    wide("First Seen"), wide("Count"), wide("Name"),
];
const CONFIGMAP: &[Column] = &[col("Name"), col("Data"), col("Age")];
const SECRET: &[Column] = &[col("Name"), col("Type"), col("Data"), col("Age")];

/// The columns of a resource type's table, in server order.
pub fn columns(kind: Kind) -> &'static [Column] {
    match kind {
        Kind::ConfigMap => CONFIGMAP,
        Kind::Endpoints => ENDPOINTS,
        Kind::Event => EVENT,
        Kind::Namespace => NAMESPACE,
        Kind::Node => NODE,
        Kind::Pod => POD,
        Kind::Service => SERVICE,
        Kind::Deployment => DEPLOYMENT,
        Kind::ReplicaSet => REPLICASET,
        Kind::EndpointSlice => ENDPOINTSLICE,
        Kind::Ingress => INGRESS,
        Kind::IngressClass => INGRESSCLASS,
    }
}

/// The cells of one object's row, wide (all columns), in [`columns`] order.
pub fn row(object: &Object, now: DateTime<Utc>) -> Vec<String> {
    match object {
        Object::ConfigMap(o) => configmap_row(o, now),
        Object::Endpoints(o) => endpoints_row(o, now),
        Object::Event(o) => event_row(o, now),
        Object::Namespace(o) => namespace_row(o, now),
        Object::Node(o) => node_row(o, now),
        Object::Pod(o) => pod_row(o, now),
        Object::Service(o) => service_row(o, now),
        Object::Deployment(o) => deployment_row(o, now),
        Object::ReplicaSet(o) => replicaset_row(o, now),
        Object::EndpointSlice(o) => endpointslice_row(o, now),
        Object::Ingress(o) => ingress_row(o, now),
        Object::IngressClass(o) => ingressclass_row(o, now),
    }
}

/// A table's columns and one row's cells.
pub type Row = (&'static [Column], Vec<String>);

/// The columns and cells for an object given as JSON and named by its resource
/// (`pods`, `jobs`, ...), including kinds the store does not hold. `None` when no
/// printer exists for the resource; `Some(Err)` when the JSON does not fit.
pub fn row_for_json(resource: &str, value: Value, now: DateTime<Utc>) -> Option<Result<Row, String>> {
    fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }
    let plural = resource.split('.').next().unwrap_or(resource);
    let result = match plural {
        "statefulsets" => typed::<StatefulSet>(value).map(|o| (STATEFULSET, statefulset_row(&o, now))),
        "daemonsets" => typed::<DaemonSet>(value).map(|o| (DAEMONSET, daemonset_row(&o, now))),
        "jobs" => typed::<Job>(value).map(|o| (JOB, job_row(&o, now))),
        "replicationcontrollers" => typed::<ReplicationController>(value).map(|o| (REPLICASET, replicationcontroller_row(&o, now))),
        "secrets" => typed::<Secret>(value).map(|o| (SECRET, secret_row(&o, now))),
        _ => {
            let rt = crate::resources::lookup(plural)?;
            let mut value = value;
            if let Some(map) = value.as_object_mut() {
                map.insert("apiVersion".into(), Value::String(rt.api_version()));
                map.insert("kind".into(), Value::String(rt.kind_name.to_string()));
            }
            Object::from_json(value).map(|o| (columns(rt.kind), row(&o, now))).map_err(|e| format!("{e:?}"))
        }
    };
    Some(result)
}

fn name(meta: &ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

fn created(meta: &ObjectMeta, now: DateTime<Utc>) -> String {
    age(meta.creation_timestamp.as_ref().map(|t| t.0), now)
}

/// `translateTimestampSince` of an optional time.
fn since(t: Option<&Time>, now: DateTime<Utc>) -> String {
    age(t.map(|t| t.0), now)
}

/// `layoutContainerCells`: names and images, each joined with `,`.
fn container_cells(containers: &[Container]) -> (String, String) {
    let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<&str> = containers.iter().map(|c| c.image.as_deref().unwrap_or("")).collect();
    (names.join(","), images.join(","))
}

fn template_containers(template: Option<&PodTemplateSpec>) -> &[Container] {
    template.and_then(|t| t.spec.as_ref()).map(|s| s.containers.as_slice()).unwrap_or(&[])
}

/// `printPod`.
pub fn pod_row(pod: &Pod, now: DateTime<Utc>) -> Vec<String> {
    let mut cells = Cells::new();
    write_pod_cells(pod, now, &mut cells);
    cells.end_row();
    cells.row(0).map(str::to_string).collect()
}

/// [`pod_row`]'s cells written into a table buffer (the row left open): `kubectl get
/// pods` of a big cluster computes this for every pod, so it borrows what it can
/// from the pod and formats the rest straight into the buffer.
pub fn write_pod_cells(pod: &Pod, now: DateTime<Utc>, cells: &mut Cells) {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let containers = spec.map(|s| s.containers.as_slice()).unwrap_or(&[]);
    let init_containers = spec.and_then(|s| s.init_containers.as_deref()).unwrap_or(&[]);
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or_default();
    let status_reason = status.and_then(|s| s.reason.as_deref()).unwrap_or_default();

    let mut restarts: i64 = 0;
    let mut restartable_init_restarts: i64 = 0;
    let mut total = containers.len();
    let mut ready = 0usize;
    let mut last_restart: Option<DateTime<Utc>> = None;
    let mut last_restartable_init_restart: Option<DateTime<Utc>> = None;

    let mut reason: Cow<str> = Cow::Borrowed(if status_reason.is_empty() { phase } else { status_reason });
    // A pod held by scheduling gates says so instead of its phase.
    if conditions.iter().any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated")) {
        reason = Cow::Borrowed("SchedulingGated");
    }

    // Sidecars (init containers with restartPolicy Always) count as containers.
    let is_restartable = |name: &str| {
        init_containers.iter().any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
    };
    total += init_containers.iter().filter(|c| c.restart_policy.as_deref() == Some("Always")).count();

    let later = |current: Option<DateTime<Utc>>, t: Option<DateTime<Utc>>| match (current, t) {
        (Some(c), Some(t)) if t > c => Some(t),
        (None, t) => t,
        (c, _) => c,
    };

    let mut initializing = false;
    let init_statuses = status.and_then(|s| s.init_container_statuses.as_deref()).unwrap_or(&[]);
    for (i, container) in init_statuses.iter().enumerate() {
        restarts += i64::from(container.restart_count);
        let finished = container.last_state.as_ref().and_then(|s| s.terminated.as_ref()).and_then(|t| t.finished_at.as_ref()).map(|t| t.0);
        let last_terminated = container.last_state.as_ref().and_then(|s| s.terminated.as_ref());
        if last_terminated.is_some() {
            last_restart = later(last_restart, finished);
        }
        let restartable = is_restartable(&container.name);
        if restartable {
            restartable_init_restarts += i64::from(container.restart_count);
            if last_terminated.is_some() {
                last_restartable_init_restart = later(last_restartable_init_restart, finished);
            }
        }
        let state = container.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting = state.and_then(|s| s.waiting.as_ref());
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if restartable && container.started == Some(true) {
            if container.ready {
                ready += 1;
            }
            continue;
        }
        reason = Cow::Owned(if let Some(t) = terminated {
            match t.reason.as_deref() {
                Some(r) if !r.is_empty() => format!("Init:{r}"),
                _ if t.signal.unwrap_or(0) != 0 => format!("Init:Signal:{}", t.signal.unwrap_or(0)),
                _ => format!("Init:ExitCode:{}", t.exit_code),
            }
        } else if let Some(r) = waiting.and_then(|w| w.reason.as_deref()).filter(|r| !r.is_empty() && *r != "PodInitializing") {
            format!("Init:{r}")
        } else {
            format!("Init:{i}/{}", init_containers.len())
        });
        initializing = true;
        break;
    }

    let initialized = conditions.iter().any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = restartable_init_restarts;
        last_restart = last_restartable_init_restart;
        let mut has_running = false;
        let statuses = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or(&[]);
        // From last to first, so that the first container's reason wins.
        for container in statuses.iter().rev() {
            restarts += i64::from(container.restart_count);
            if let Some(t) = container.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
                last_restart = later(last_restart, t.finished_at.as_ref().map(|t| t.0));
            }
            let state = container.state.as_ref();
            let waiting_reason = state.and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.as_deref()).filter(|r| !r.is_empty());
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if let Some(r) = waiting_reason {
                reason = Cow::Borrowed(r);
            } else if let Some(t) = terminated {
                reason = match t.reason.as_deref() {
                    Some(r) if !r.is_empty() => Cow::Borrowed(r),
                    _ if t.signal.unwrap_or(0) != 0 => Cow::Owned(format!("Signal:{}", t.signal.unwrap_or(0))),
                    _ => Cow::Owned(format!("ExitCode:{}", t.exit_code)),
                };
            } else if container.ready && state.and_then(|s| s.running.as_ref()).is_some() {
                has_running = true;
                ready += 1;
            }
        }
        // A pod whose finished container says Completed but with one still
        // running is shown as Running (or NotReady).
        if reason == "Completed" && has_running {
            let pod_ready = conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
            reason = Cow::Borrowed(if pod_ready { "Running" } else { "NotReady" });
        }
    }

    if pod.metadata.deletion_timestamp.is_some() && status_reason == "NodeLost" {
        reason = Cow::Borrowed("Unknown");
    } else if pod.metadata.deletion_timestamp.is_some() && phase != "Succeeded" && phase != "Failed" {
        reason = Cow::Borrowed("Terminating");
    }

    fn none_if_empty(s: Option<&str>) -> &str {
        s.filter(|s| !s.is_empty()).unwrap_or("<none>")
    }
    let node_name = none_if_empty(spec.and_then(|s| s.node_name.as_deref()));
    let nominated = none_if_empty(status.and_then(|s| s.nominated_node_name.as_deref()));
    let ip = none_if_empty(status.and_then(|s| s.pod_ips.as_ref()).and_then(|ips| ips.first()).map(|ip| ip.ip.as_str()));
    let gates = spec.and_then(|s| s.readiness_gates.as_deref()).unwrap_or(&[]);

    // Writing into the table buffer cannot fail.
    cells.push(pod.metadata.name.as_deref().unwrap_or_default());
    let _ = write!(cells, "{ready}/{total}");
    cells.end_cell();
    cells.push(&reason);
    match last_restart {
        Some(t) if restarts != 0 => {
            let _ = write!(cells, "{restarts} (");
            write_age(Some(t), now, cells);
            cells.push_str(" ago)");
        }
        _ => {
            let _ = write!(cells, "{restarts}");
        }
    }
    cells.end_cell();
    write_age(pod.metadata.creation_timestamp.as_ref().map(|t| t.0), now, cells);
    cells.end_cell();
    cells.push(ip);
    cells.push(node_name);
    cells.push(nominated);
    if gates.is_empty() {
        cells.push("<none>");
    } else {
        let true_count = gates
            .iter()
            .filter(|g| conditions.iter().find(|c| c.type_ == g.condition_type).is_some_and(|c| c.status == "True"))
            .count();
        let _ = write!(cells, "{true_count}/{}", gates.len());
        cells.end_cell();
    }
}

/// One object's row (wide, every column) written into a table buffer, the row left
/// open: pods directly, the other kinds through [`row`].
pub fn write_row(object: &Object, now: DateTime<Utc>, cells: &mut Cells) {
    match object {
        Object::Pod(pod) => write_pod_cells(pod, now, cells),
        other => {
            for cell in row(other, now) {
                cells.push(&cell);
            }
        }
    }
}

/// `printService`.
pub fn service_row(svc: &Service, now: DateTime<Utc>) -> Vec<String> {
    let spec = svc.spec.as_ref();
    let svc_type = spec.and_then(|s| s.type_.clone()).unwrap_or_default();
    let cluster_ip = spec
        .and_then(|s| s.cluster_ips.as_ref())
        .and_then(|ips| ips.first().cloned())
        .unwrap_or_else(|| "<none>".to_string());
    let ports = spec.and_then(|s| s.ports.as_deref()).unwrap_or(&[]);
    let mut port_string = ports
        .iter()
        .map(|p| {
            let protocol = p.protocol.clone().unwrap_or_default();
            match p.node_port {
                Some(n) if n > 0 => format!("{}:{n}/{protocol}", p.port),
                _ => format!("{}/{protocol}", p.port),
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    if port_string.is_empty() {
        port_string = "<none>".to_string();
    }
    vec![
        name(&svc.metadata),
        svc_type,
        cluster_ip,
        service_external_ip(svc),
        port_string,
        created(&svc.metadata, now),
        labels::format_labels(spec.and_then(|s| s.selector.as_ref())),
    ]
}

/// `getServiceExternalIP`.
pub fn service_external_ip(svc: &Service) -> String {
    let spec = svc.spec.as_ref();
    let external_ips = spec.and_then(|s| s.external_ips.clone()).unwrap_or_default();
    match spec.and_then(|s| s.type_.as_deref()).unwrap_or("") {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".to_string()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            let lb = load_balancer_ingress_string(svc);
            if !external_ips.is_empty() {
                let mut results: Vec<String> = Vec::new();
                if !lb.is_empty() {
                    results.extend(lb.split(',').map(str::to_string));
                }
                results.extend(external_ips);
                results.join(",")
            } else if !lb.is_empty() {
                lb
            } else {
                "<pending>".to_string()
            }
        }
        "ExternalName" => spec.and_then(|s| s.external_name.clone()).unwrap_or_default(),
        _ => "<unknown>".to_string(),
    }
}

/// `loadBalancerStatusStringer` (wide): IPs, else hostnames, as a sorted set.
fn load_balancer_ingress_string(svc: &Service) -> String {
    let ingress = svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.as_deref()).unwrap_or(&[]);
    let mut set: Vec<String> = ingress
        .iter()
        .filter_map(|i| {
            i.ip.clone().filter(|s| !s.is_empty()).or_else(|| i.hostname.clone().filter(|s| !s.is_empty()))
        })
        .collect();
    crate::sort::sort(&mut set);
    set.dedup();
    set.join(",")
}

/// `printDeployment`.
pub fn deployment_row(d: &Deployment, now: DateTime<Utc>) -> Vec<String> {
    let spec = d.spec.as_ref();
    let status = d.status.as_ref();
    let desired = spec.and_then(|s| s.replicas).unwrap_or(0);
    let ready = status.and_then(|s| s.ready_replicas).unwrap_or(0);
    let updated = status.and_then(|s| s.updated_replicas).unwrap_or(0);
    let available = status.and_then(|s| s.available_replicas).unwrap_or(0);
    let (names, images) = container_cells(template_containers(spec.map(|s| &s.template)));
    let selector = match labels::label_selector_as_selector(spec.map(|s| &s.selector)) {
        Ok(s) => s.to_string(),
        Err(_) => "<invalid>".to_string(),
    };
    vec![
        name(&d.metadata),
        format!("{ready}/{desired}"),
        updated.to_string(),
        available.to_string(),
        created(&d.metadata, now),
        names,
        images,
        selector,
    ]
}

/// `printReplicaSet`.
pub fn replicaset_row(rs: &ReplicaSet, now: DateTime<Utc>) -> Vec<String> {
    let spec = rs.spec.as_ref();
    let status = rs.status.as_ref();
    let (names, images) = container_cells(template_containers(spec.and_then(|s| s.template.as_ref())));
    vec![
        name(&rs.metadata),
        spec.and_then(|s| s.replicas).unwrap_or(0).to_string(),
        status.map(|s| s.replicas).unwrap_or(0).to_string(),
        status.and_then(|s| s.ready_replicas).unwrap_or(0).to_string(),
        created(&rs.metadata, now),
        names,
        images,
        labels::format_label_selector(spec.map(|s| &s.selector)),
    ]
}

/// `printReplicationController`.
pub fn replicationcontroller_row(rc: &ReplicationController, now: DateTime<Utc>) -> Vec<String> {
    let spec = rc.spec.as_ref();
    let status = rc.status.as_ref();
    let (names, images) = container_cells(template_containers(spec.and_then(|s| s.template.as_ref())));
    vec![
        name(&rc.metadata),
        spec.and_then(|s| s.replicas).unwrap_or(0).to_string(),
        status.map(|s| s.replicas).unwrap_or(0).to_string(),
        status.and_then(|s| s.ready_replicas).unwrap_or(0).to_string(),
        created(&rc.metadata, now),
        names,
        images,
        labels::format_labels(spec.and_then(|s| s.selector.as_ref())),
    ]
}

/// `printStatefulSet`.
pub fn statefulset_row(s: &StatefulSet, now: DateTime<Utc>) -> Vec<String> {
    let spec = s.spec.as_ref();
    let desired = spec.and_then(|s| s.replicas).unwrap_or(0);
    let ready = s.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
    let (names, images) = container_cells(template_containers(spec.map(|s| &s.template)));
    vec![name(&s.metadata), format!("{ready}/{desired}"), created(&s.metadata, now), names, images]
}

/// `printDaemonSet`.
pub fn daemonset_row(d: &DaemonSet, now: DateTime<Utc>) -> Vec<String> {
    let spec = d.spec.as_ref();
    let status = d.status.as_ref();
    let template = spec.map(|s| &s.template);
    let (names, images) = container_cells(template_containers(template));
    let node_selector = template.and_then(|t| t.spec.as_ref()).and_then(|s| s.node_selector.as_ref());
    vec![
        name(&d.metadata),
        status.map(|s| s.desired_number_scheduled).unwrap_or(0).to_string(),
        status.map(|s| s.current_number_scheduled).unwrap_or(0).to_string(),
        status.map(|s| s.number_ready).unwrap_or(0).to_string(),
        status.and_then(|s| s.updated_number_scheduled).unwrap_or(0).to_string(),
        status.and_then(|s| s.number_available).unwrap_or(0).to_string(),
        labels::format_labels(node_selector),
        created(&d.metadata, now),
        names,
        images,
        labels::format_label_selector(spec.map(|s| &s.selector)),
    ]
}

/// `printJob`.
pub fn job_row(job: &Job, now: DateTime<Utc>) -> Vec<String> {
    let spec = job.spec.as_ref();
    let status = job.status.as_ref();
    let succeeded = status.and_then(|s| s.succeeded).unwrap_or(0);
    let completions = match spec.and_then(|s| s.completions) {
        Some(c) => format!("{succeeded}/{c}"),
        None => match spec.and_then(|s| s.parallelism).unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let start = status.and_then(|s| s.start_time.as_ref()).map(|t| t.0);
    let completion = status.and_then(|s| s.completion_time.as_ref()).map(|t| t.0);
    let duration = match (start, completion) {
        (None, _) => String::new(),
        (Some(s), None) => age(Some(s), now),
        (Some(s), Some(c)) => human_duration_ns(i128::from((c - s).num_milliseconds()) * 1_000_000),
    };
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    let has = |t: &str| conditions.iter().any(|c| c.type_ == t && c.status == "True");
    let state = if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if job.metadata.deletion_timestamp.is_some() {
        "Terminating"
    } else if has("Suspended") {
        "Suspended"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else if has("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    };
    let (names, images) = container_cells(template_containers(spec.map(|s| &s.template)));
    vec![
        name(&job.metadata),
        state.to_string(),
        completions,
        duration,
        created(&job.metadata, now),
        names,
        images,
        labels::format_label_selector(spec.and_then(|s| s.selector.as_ref())),
    ]
}

/// `formatEndpoints` with no port filter.
pub fn format_endpoints(ep: &Endpoints) -> String {
    let subsets = ep.subsets.as_deref().unwrap_or(&[]);
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in subsets {
        let addresses = ss.addresses.as_deref().unwrap_or(&[]);
        let ports = ss.ports.as_deref().unwrap_or(&[]);
        if ports.is_empty() {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(a.ip.clone());
            }
            continue;
        }
        for port in ports {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(join_host_port(&a.ip, port.port));
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - MAX)
    } else {
        joined
    }
}

/// Go's `net.JoinHostPort`: IPv6 hosts in brackets.
pub fn join_host_port(host: &str, port: i32) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn endpoints_row(ep: &Endpoints, now: DateTime<Utc>) -> Vec<String> {
    vec![name(&ep.metadata), format_endpoints(ep), created(&ep.metadata, now)]
}

/// `listWithMoreString`.
fn list_with_more(list: &[String], more: bool, count: usize, max: usize) -> String {
    let joined = list.join(",");
    if more {
        return format!("{joined} + {} more...", count - max);
    }
    if joined.is_empty() {
        "<unset>".to_string()
    } else {
        joined
    }
}

/// `printEndpointSlice` with `formatDiscoveryPorts` and `formatDiscoveryEndpoints`.
fn endpointslice_row(slice: &EndpointSlice, now: DateTime<Utc>) -> Vec<String> {
    const MAX: usize = 3;
    let mut ports = Vec::new();
    let mut more = false;
    let mut count = 0;
    for p in slice.ports.as_deref().unwrap_or(&[]) {
        if ports.len() < MAX {
            ports.push(match (p.port, &p.name) {
                (Some(n), _) => n.to_string(),
                (None, Some(name)) => name.clone(),
                (None, None) => "*".to_string(),
            });
        } else if ports.len() == MAX {
            more = true;
        }
        count += 1;
    }
    let ports_cell = list_with_more(&ports, more, count, MAX);
    let mut addresses = Vec::new();
    let mut more = false;
    let mut count = 0;
    for e in &slice.endpoints {
        for a in &e.addresses {
            if addresses.len() < MAX {
                addresses.push(a.clone());
            } else if addresses.len() == MAX {
                more = true;
            }
            count += 1;
        }
    }
    vec![
        name(&slice.metadata),
        slice.address_type.clone(),
        ports_cell,
        list_with_more(&addresses, more, count, MAX),
        created(&slice.metadata, now),
    ]
}

/// `printNode`.
pub fn node_row(node: &Node, now: DateTime<Utc>) -> Vec<String> {
    let status = node.status.as_ref();
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    let mut state = match conditions.iter().find(|c| c.type_ == "Ready") {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        state.push_str(",SchedulingDisabled");
    }
    let roles = node_roles(node.metadata.labels.as_ref());
    let roles = if roles.is_empty() { "<none>".to_string() } else { roles.join(",") };
    let info = status.and_then(|s| s.node_info.as_ref());
    let address = |t: &str| {
        status
            .and_then(|s| s.addresses.as_ref())
            .and_then(|a| a.iter().find(|a| a.type_ == t))
            .map(|a| a.address.clone())
            .unwrap_or_else(|| "<none>".to_string())
    };
    let info_field = |f: fn(&k8s_openapi::api::core::v1::NodeSystemInfo) -> &String| {
        info.map(f).filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "<unknown>".to_string())
    };
    vec![
        name(&node.metadata),
        state,
        roles,
        created(&node.metadata, now),
        info.map(|i| i.kubelet_version.clone()).unwrap_or_default(),
        address("InternalIP"),
        address("ExternalIP"),
        info_field(|i| &i.os_image),
        info_field(|i| &i.kernel_version),
        info_field(|i| &i.container_runtime_version),
    ]
}

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` keys and the
/// `kubernetes.io/role` value, sorted and de-duplicated.
pub fn node_roles(labels: Option<&BTreeMap<String, String>>) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in labels.into_iter().flatten() {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.push(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.push(v.clone());
        }
    }
    crate::sort::sort(&mut roles);
    roles.dedup();
    roles
}

/// `printIngress` with `formatHosts`, `formatPorts` and the (wide) load-balancer stringer.
fn ingress_row(ing: &Ingress, now: DateTime<Utc>) -> Vec<String> {
    let spec = ing.spec.as_ref();
    let class = spec.and_then(|s| s.ingress_class_name.clone()).unwrap_or_else(|| "<none>".to_string());
    let rules = spec.and_then(|s| s.rules.as_deref()).unwrap_or(&[]);
    const MAX: usize = 3;
    let mut hosts: Vec<String> = Vec::new();
    let mut more = false;
    for rule in rules {
        if hosts.len() == MAX {
            more = true;
        }
        if let Some(h) = rule.host.as_deref().filter(|h| !h.is_empty()) {
            if !more {
                hosts.push(h.to_string());
            }
        }
    }
    let hosts_cell = if hosts.is_empty() {
        "*".to_string()
    } else if more {
        format!("{} + {} more...", hosts.join(","), rules.len() - MAX)
    } else {
        hosts.join(",")
    };
    let mut addresses: Vec<String> = ing
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_deref())
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| i.ip.clone().filter(|s| !s.is_empty()).or_else(|| i.hostname.clone().filter(|s| !s.is_empty())))
        .collect();
    crate::sort::sort(&mut addresses);
    addresses.dedup();
    let ports = if spec.and_then(|s| s.tls.as_ref()).is_some_and(|t| !t.is_empty()) { "80, 443" } else { "80" };
    vec![name(&ing.metadata), class, hosts_cell, addresses.join(","), ports.to_string(), created(&ing.metadata, now)]
}

/// `printIngressClass`.
fn ingressclass_row(class: &IngressClass, now: DateTime<Utc>) -> Vec<String> {
    let spec = class.spec.as_ref();
    let parameters = match spec.and_then(|s| s.parameters.as_ref()) {
        None => "<none>".to_string(),
        Some(p) => {
            let mut kind = p.kind.clone();
            if let Some(group) = &p.api_group {
                kind = format!("{kind}.{group}");
            }
            format!("{kind}/{}", p.name)
        }
    };
    vec![
        name(&class.metadata),
        spec.and_then(|s| s.controller.clone()).unwrap_or_default(),
        parameters,
        created(&class.metadata, now),
    ]
}

/// `printNamespace`.
fn namespace_row(ns: &Namespace, now: DateTime<Utc>) -> Vec<String> {
    vec![
        name(&ns.metadata),
        ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
        created(&ns.metadata, now),
    ]
}

/// `printEvent`: LAST SEEN falls back to FIRST SEEN, which falls back to the
/// eventTime; a missing count means a singleton (1).
pub fn event_row(e: &Event, now: DateTime<Utc>) -> Vec<String> {
    let first = match &e.first_timestamp {
        Some(t) => since(Some(t), now),
        None => age(e.event_time.as_ref().map(|t| t.0), now),
    };
    let mut last = match &e.last_timestamp {
        Some(t) => since(Some(t), now),
        None => first.clone(),
    };
    let mut count = e.count.unwrap_or(0);
    if let Some(series) = &e.series {
        last = age(series.last_observed_time.as_ref().map(|t| t.0), now);
        count = series.count.unwrap_or(0);
    } else if count == 0 {
        count = 1;
    }
    let involved = &e.involved_object;
    let kind = involved.kind.clone().unwrap_or_default().to_lowercase();
    let target = match involved.name.as_deref() {
        Some(n) if !n.is_empty() => format!("{kind}/{n}"),
        _ => kind,
    };
    let source = event_source(e);
    vec![
        last,
        e.type_.clone().unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
        target,
        involved.field_path.clone().unwrap_or_default(),
        source,
        e.message.clone().unwrap_or_default().trim().to_string(),
        first,
        count.to_string(),
        name(&e.metadata),
    ]
}

/// `formatEventSource`: component (or reporting controller), then `, host`.
pub fn event_source(e: &Event) -> String {
    let component = e
        .source
        .as_ref()
        .and_then(|s| s.component.clone())
        .filter(|s| !s.is_empty())
        .or_else(|| e.reporting_component.clone())
        .unwrap_or_default();
    let host = e
        .source
        .as_ref()
        .and_then(|s| s.host.clone())
        .filter(|s| !s.is_empty())
        .or_else(|| e.reporting_instance.clone())
        .unwrap_or_default();
    if host.is_empty() {
        component
    } else {
        format!("{component}, {host}")
    }
}

/// `printConfigMap`.
fn configmap_row(cm: &ConfigMap, now: DateTime<Utc>) -> Vec<String> {
    let count = cm.data.as_ref().map_or(0, |d| d.len()) + cm.binary_data.as_ref().map_or(0, |d| d.len());
    vec![name(&cm.metadata), count.to_string(), created(&cm.metadata, now)]
}

/// `printSecret`.
fn secret_row(s: &Secret, now: DateTime<Utc>) -> Vec<String> {
    let count = s.data.as_ref().map_or(0, |d| d.len()) + s.string_data.as_ref().map_or(0, |d| d.len());
    vec![name(&s.metadata), s.type_.clone().unwrap_or_default(), count.to_string(), created(&s.metadata, now)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z").map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    fn cells(resource: &str, v: Value) -> Vec<String> {
        match row_for_json(resource, v, now()) {
            Some(Ok((_, cells))) => cells,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pod_crash_loop_shows_last_restart() {
        let c = cells(
            "pods",
            json!({"metadata": {"name": "p", "creationTimestamp": "2026-01-05T08:00:00Z"}, "spec": {"containers": [{"name": "c"}]},
                   "status": {"phase": "Running", "containerStatuses": [{"name": "c", "image": "x", "imageID": "", "ready": false, "restartCount": 5,
                   "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-05T08:35:00Z"}}}]}}),
        );
        assert_eq!(cells_prefix(&c, 5), ["p", "0/1", "CrashLoopBackOff", "5 (25m ago)", "60m"]);
    }

    fn cells_prefix(c: &[String], n: usize) -> Vec<&str> {
        c.iter().take(n).map(String::as_str).collect()
    }

    #[test]
    fn service_ports_and_external_ips() {
        let c = cells(
            "services",
            json!({"metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer", "clusterIPs": ["10.96.0.5"], "externalIPs": ["1.1.1.1"],
                   "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}], "selector": {"b": "2", "a": "1"}},
                   "status": {"loadBalancer": {"ingress": [{"ip": "9.9.9.9"}, {"hostname": "h"}]}}}),
        );
        assert_eq!(c, ["lb", "LoadBalancer", "10.96.0.5", "9.9.9.9,h,1.1.1.1", "80:30080/TCP", "<unknown>", "a=1,b=2"]);
    }

    #[test]
    fn event_falls_back_to_first_seen() {
        let c = cells(
            "events",
            json!({"metadata": {"name": "e1"}, "involvedObject": {"kind": "Pod", "name": "web"}, "type": "Normal", "reason": "Pulled",
                   "message": " done \n", "firstTimestamp": "2026-01-05T08:59:00Z", "source": {"component": "kubelet", "host": "n1"}}),
        );
        assert_eq!(c, ["60s", "Normal", "Pulled", "pod/web", "", "kubelet, n1", "done", "60s", "1", "e1"]);
    }
}
