//! `kubectl describe`: the describers of kubectl/pkg/describe/describe.go for
//! pods, deployments, replicasets, services, endpoints, nodes, ingresses and
//! namespaces.
//!
//! Each describer writes lines with tabs through a prefix writer (two spaces per
//! level), and the whole text is aligned by Go's text/tabwriter
//! ([`crate::printers::tabbed`]), flushed before the Events table as
//! `DescribeEvents` does. Objects are found by exact name, else by name prefix
//! (kubectl's "describe web" describes every pod starting with web), else every
//! object of the type; several objects are separated by two blank lines.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, Endpoints, Event, Namespace, Node, Pod, PodTemplateSpec, Service,
    Toleration, Volume,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::chrono::{DateTime, Utc};

use crate::cluster::Cluster;
use crate::labels;
use crate::printers::duration::age;
use crate::printers::table::{format_endpoints, join_host_port, node_roles};
use crate::printers::tabbed;
use crate::resources::Kind;
use crate::simulator::Output;
use crate::store::{Object, ObjectKey};

/// `kubectl describe ARGS`.
pub fn run(cluster: &mut Cluster, args: &[String], out: &mut Output) -> i32 {
    let flags = match super::flags::parse_or_report("describe", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if let Err(code) = super::flags::reject_unsimulated(&flags, "describe", &["filename", "kustomize", "recursive"], out) {
        return code;
    }
    if flags.positional.is_empty() {
        out.err("error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n");
        return 1;
    }
    let namespace = flags.namespace().filter(|n| !n.is_empty()).unwrap_or_else(|| "default".to_string());
    let all_namespaces = flags.bool("all-namespaces");
    let selector = match flags.value("selector") {
        Some(text) => match labels::parse(text) {
            Ok(s) => Some(s),
            Err(e) => {
                out.err(&format!("error: {e}\n"));
                return 1;
            }
        },
        None => None,
    };
    let show_events = flags.bool("show-events");
    let (requests, _) = match super::get::resolve_args(&flags.positional) {
        Ok(r) => r,
        Err(e) => {
            out.err(&format!("error: {}\n", e.replace("kubectl get", "kubectl describe")));
            return 1;
        }
    };
    let now = cluster.clock.now();
    let mut objects: Vec<Object> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for request in &requests {
        let rt = request.resource;
        if !describable(rt.kind) {
            out.err(&format!("kubesim: 'kubectl describe {}' is not simulated\n", rt.plural));
            return 1;
        }
        let ns = if rt.namespaced { namespace.as_str() } else { "" };
        let scope = if all_namespaces || !rt.namespaced { None } else { Some(ns) };
        match &request.names {
            Some(names) => {
                for name in names {
                    if let Some(o) = cluster.store.get(&ObjectKey::new(rt.kind, ns, name)) {
                        objects.push(o.clone());
                        continue;
                    }
                    // No exact match: every object whose name starts with it.
                    let prefixed: Vec<Object> =
                        cluster.store.list(rt.kind, scope).filter(|o| o.name().starts_with(name.as_str())).cloned().collect();
                    if prefixed.is_empty() {
                        errors.push(format!("Error from server (NotFound): {} \"{name}\" not found", rt.qualified_plural()));
                    }
                    objects.extend(prefixed);
                }
            }
            None => {
                objects.extend(
                    cluster
                        .store
                        .list(rt.kind, scope)
                        .filter(|o| selector.as_ref().is_none_or(|s| s.matches_opt(o.metadata().labels.as_ref())))
                        .cloned(),
                );
            }
        }
    }
    let mut text = String::new();
    for (i, object) in objects.iter().enumerate() {
        if i > 0 {
            text.push_str("\n\n");
        }
        text.push_str(&describe_object(cluster, object, show_events, now));
    }
    out.out(&text);
    for e in &errors {
        out.err(&format!("{e}\n"));
    }
    if objects.is_empty() && errors.is_empty() {
        let namespaced = !all_namespaces && requests.iter().all(|r| r.resource.namespaced);
        if namespaced {
            out.err(&format!("No resources found in {namespace} namespace.\n"));
        } else {
            out.err("No resources found\n");
        }
    }
    i32::from(!errors.is_empty())
}

fn describable(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pod
            | Kind::Deployment
            | Kind::ReplicaSet
            | Kind::Service
            | Kind::Endpoints
            | Kind::Node
            | Kind::Ingress
            | Kind::Namespace
            | Kind::ConfigMap
    )
}

/// The description of one object.
pub fn describe_object(cluster: &Cluster, object: &Object, show_events: bool, now: DateTime<Utc>) -> String {
    let events = if show_events { Some(events_for(cluster, object)) } else { None };
    let mut w = Writer::default();
    match object {
        Object::Service(s) => describe_service(cluster, s, &mut w),
        Object::Deployment(d) => describe_deployment(cluster, d, &mut w),
        Object::ReplicaSet(rs) => describe_replicaset(cluster, rs, &mut w),
        Object::Pod(p) => describe_pod(p, &mut w, now),
        Object::Endpoints(e) => describe_endpoints(e, &mut w),
        Object::Node(n) => describe_node(cluster, n, &mut w, now),
        Object::Ingress(i) => describe_ingress(cluster, i, &mut w),
        Object::ConfigMap(c) => describe_configmap(c, &mut w),
        Object::Namespace(n) => {
            describe_namespace(n, &mut w);
            return w.finish();
        }
        _ => {}
    }
    if let Some(events) = events {
        describe_events(&events, &mut w, now);
    }
    w.finish()
}

/// The events of an object, as `searchEvents` asks the server for them: same
/// namespace, `involvedObject.name` and `involvedObject.kind` (and uid when the
/// object has one), oldest last-seen first.
///
/// The reference vector `kubectl-describe-svc-web` shows a Deployment's event
/// under the Service of the same name: its stub API server ignored
/// `involvedObject.kind`. A real API server applies it (kubectl's `searchEvents`
/// always sends the kind), so kubesim follows the real server here.
fn events_for(cluster: &Cluster, object: &Object) -> Vec<Event> {
    let kind = object.resource_type().kind_name;
    let uid = object.metadata().uid.clone();
    let mut events: Vec<Event> = cluster
        .store
        .list(Kind::Event, Some(object.namespace()))
        .filter_map(|o| match o {
            Object::Event(e) => Some(&**e),
            _ => None,
        })
        .filter(|e| {
            let io = &e.involved_object;
            io.name.as_deref() == Some(object.name())
                && io.kind.as_deref() == Some(kind)
                && match (&uid, &io.uid) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        })
        .cloned()
        .collect();
    crate::sort::sort_by_key(&mut events, |e| e.last_timestamp.as_ref().map(|t| t.0));
    events
}

/// kubectl's prefix writer over one tabwriter; `flush` aligns what was written so
/// far on its own.
#[derive(Default)]
struct Writer {
    pending: String,
    done: String,
}

impl Writer {
    fn write(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.pending.push_str("  ");
        }
        self.pending.push_str(text);
    }

    fn flush(&mut self) {
        self.done.push_str(&tabbed::describe(&self.pending));
        self.pending.clear();
    }

    fn finish(mut self) -> String {
        self.flush();
        self.done
    }
}

fn rfc1123z(t: &DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A `metav1.Time` as describe formats it; an unset time is Go's zero time.
fn time_or_empty(t: Option<&Time>) -> String {
    t.map(|t| rfc1123z(&t.0)).unwrap_or_else(|| "Mon, 01 Jan 0001 00:00:00 +0000".to_string())
}

fn print_labels_multiline(w: &mut Writer, title: &str, labels: Option<&BTreeMap<String, String>>) {
    print_labels_with_indent(w, "", title, "\t", labels);
}

/// `printLabelsMultilineWithIndent`.
fn print_labels_with_indent(w: &mut Writer, initial: &str, title: &str, inner: &str, labels: Option<&BTreeMap<String, String>>) {
    w.write(0, &format!("{initial}{title}:{inner}"));
    let Some(labels) = labels.filter(|l| !l.is_empty()) else {
        w.write(0, "<none>\n");
        return;
    };
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(0, initial);
            w.write(0, inner);
        }
        w.write(0, &format!("{k}={v}\n"));
    }
}

/// `printAnnotationsMultiline`: last-applied-configuration skipped, long or
/// multi-line values on their own lines.
fn print_annotations_multiline(w: &mut Writer, title: &str, annotations: Option<&BTreeMap<String, String>>) {
    const MAX: usize = 140;
    w.write(0, &format!("{title}:\t"));
    let keys: Vec<(&String, &String)> = annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration")
        .collect();
    if keys.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    for (i, (k, v)) in keys.into_iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let value = v.strip_suffix('\n').unwrap_or(v);
        if value.len() + k.len() + 2 > MAX || value.contains('\n') {
            w.write(0, &format!("{k}:\n"));
            for line in value.split('\n') {
                let shown = if line.len() > MAX - 2 {
                    let cut: String = line.chars().take(MAX - 2).collect();
                    format!("{cut}...")
                } else {
                    line.to_string()
                };
                w.write(0, &format!("\t  {shown}\n"));
            }
        } else {
            w.write(0, &format!("{k}: {value}\n"));
        }
    }
}

/// `printTolerationsMultilineWithIndent`.
fn print_tolerations(w: &mut Writer, title: &str, tolerations: &[Toleration]) {
    w.write(0, &format!("{title}:\t"));
    if tolerations.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    let mut sorted: Vec<&Toleration> = tolerations.iter().collect();
    crate::sort::sort_by(&mut sorted, |a, b| a.key.cmp(&b.key));
    for (i, t) in sorted.into_iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let key = t.key.clone().unwrap_or_default();
        let value = t.value.clone().unwrap_or_default();
        let effect = t.effect.clone().unwrap_or_default();
        let mut line = key.clone();
        if !value.is_empty() {
            line.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            line.push_str(&format!(":{effect}"));
        }
        if t.operator.as_deref() == Some("Exists") && value.is_empty() {
            line.push_str(if !key.is_empty() || !effect.is_empty() { " op=Exists" } else { "op=Exists" });
        }
        if let Some(s) = t.toleration_seconds {
            line.push_str(&format!(" for {s}s"));
        }
        w.write(0, &format!("{line}\n"));
    }
}

/// `DescribeEvents`.
fn describe_events(events: &[Event], w: &mut Writer, now: DateTime<Utc>) {
    if events.is_empty() {
        w.write(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(1, "----\t------\t----\t----\t-------\n");
    for e in events {
        let first = match &e.event_time {
            Some(t) => age(Some(t.0), now),
            None => age(e.first_timestamp.as_ref().map(|t| t.0), now),
        };
        let count = e.count.unwrap_or(0);
        let interval = if let Some(series) = &e.series {
            format!("{} (x{} over {first})", age(series.last_observed_time.as_ref().map(|t| t.0), now), series.count.unwrap_or(0))
        } else if count > 1 {
            format!("{} (x{count} over {first})", age(e.last_timestamp.as_ref().map(|t| t.0), now))
        } else {
            first
        };
        let source = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| e.reporting_component.clone())
            .unwrap_or_default();
        w.write(
            1,
            &format!(
                "{}\t{}\t{interval}\t{source}\t{}\n",
                e.type_.clone().unwrap_or_default(),
                e.reason.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default().trim()
            ),
        );
    }
}

// ----------------------------------------------------------------------------- services

fn describe_service(cluster: &Cluster, svc: &Service, w: &mut Writer) {
    let meta = &svc.metadata;
    let spec = svc.spec.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()));
    w.write(0, &format!("Namespace:\t{}\n", meta.namespace.clone().unwrap_or_default()));
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
    w.write(0, &format!("Selector:\t{}\n", labels::format_labels(spec.selector.as_ref())));
    w.write(0, &format!("Type:\t{}\n", spec.type_.clone().unwrap_or_default()));
    if let Some(policy) = &spec.ip_family_policy {
        w.write(0, &format!("IP Family Policy:\t{policy}\n"));
    }
    match spec.ip_families.as_ref().filter(|f| !f.is_empty()) {
        Some(f) => w.write(0, &format!("IP Families:\t{}\n", f.join(","))),
        None => w.write(0, "IP Families:\t<none>\n"),
    }
    w.write(0, &format!("IP:\t{}\n", spec.cluster_ip.clone().unwrap_or_default()));
    match spec.cluster_ips.as_ref().filter(|f| !f.is_empty()) {
        Some(ips) => w.write(0, &format!("IPs:\t{}\n", ips.join(","))),
        None => w.write(0, "IPs:\t<none>\n"),
    }
    if let Some(ips) = spec.external_ips.as_ref().filter(|f| !f.is_empty()) {
        w.write(0, &format!("External IPs:\t{}\n", ips.join(",")));
    }
    if let Some(ip) = spec.load_balancer_ip.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Desired LoadBalancer IP:\t{ip}\n"));
    }
    if let Some(name) = spec.external_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("External Name:\t{name}\n"));
    }
    let ingress = svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.clone()).unwrap_or_default();
    if !ingress.is_empty() {
        let list: Vec<String> = ingress
            .iter()
            .map(|i| {
                let mut s = i.ip.clone().filter(|s| !s.is_empty()).or_else(|| i.hostname.clone()).unwrap_or_default();
                if let Some(mode) = &i.ip_mode {
                    s.push_str(&format!(" ({mode})"));
                }
                s
            })
            .collect();
        w.write(0, &format!("LoadBalancer Ingress:\t{}\n", list.join(", ")));
    }
    let namespace = svc.metadata.namespace.clone().unwrap_or_default();
    let service_name = svc.metadata.name.clone().unwrap_or_default();
    let slices: Vec<&EndpointSlice> = cluster
        .store
        .list(Kind::EndpointSlice, Some(&namespace))
        .filter_map(|o| match o {
            Object::EndpointSlice(s) => Some(&**s),
            _ => None,
        })
        .filter(|s| s.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name")) == Some(&service_name))
        .collect();
    for port in spec.ports.as_deref().unwrap_or(&[]) {
        let protocol = port.protocol.clone().unwrap_or_default();
        let name = port.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "<unset>".to_string());
        w.write(0, &format!("Port:\t{name}\t{}/{protocol}\n", port.port));
        match &port.target_port {
            Some(IntOrString::String(s)) => w.write(0, &format!("TargetPort:\t{s}/{protocol}\n")),
            Some(IntOrString::Int(i)) => w.write(0, &format!("TargetPort:\t{i}/{protocol}\n")),
            None => w.write(0, &format!("TargetPort:\t0/{protocol}\n")),
        }
        if let Some(node_port) = port.node_port.filter(|n| *n != 0) {
            w.write(0, &format!("NodePort:\t{name}\t{node_port}/{protocol}\n"));
        }
        w.write(0, &format!("Endpoints:\t{}\n", format_endpoint_slices(&slices, port.name.as_deref().unwrap_or(""))));
    }
    w.write(0, &format!("Session Affinity:\t{}\n", spec.session_affinity.clone().unwrap_or_default()));
    if let Some(p) = spec.external_traffic_policy.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("External Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = &spec.internal_traffic_policy {
        w.write(0, &format!("Internal Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = spec.health_check_node_port.filter(|p| *p != 0) {
        w.write(0, &format!("HealthCheck NodePort:\t{p}\n"));
    }
    if let Some(r) = spec.load_balancer_source_ranges.as_ref().filter(|r| !r.is_empty()) {
        w.write(0, &format!("LoadBalancer Source Ranges:\t{}\n", r.join(",")));
    }
}

/// `formatEndpointSlices`: ready endpoints (ready unset counts as ready) of the
/// slice ports named like the service port, first address each, at most three.
fn format_endpoint_slices(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    let ready = |e: &k8s_openapi::api::discovery::v1::Endpoint| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
    // kubectl's formatEndpointSlices: ready endpoints are counted; the first MAX
    // are listed, and once the list is full the rest only count.
    let mut add = |e: &k8s_openapi::api::discovery::v1::Endpoint, text: String| {
        if list.len() == MAX {
            more = true;
        }
        if !ready(e) {
            return;
        }
        if !more {
            list.push(text);
        }
        count += 1;
    };
    for slice in slices {
        let ports = slice.ports.as_deref().unwrap_or(&[]);
        if ports.is_empty() {
            for e in &slice.endpoints {
                add(e, e.addresses.first().cloned().unwrap_or_default());
            }
            continue;
        }
        for port in ports.iter().filter(|p| p.name.as_deref().unwrap_or("") == port_name) {
            for e in &slice.endpoints {
                add(e, join_host_port(e.addresses.first().map(String::as_str).unwrap_or(""), port.port.unwrap_or(0)));
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

// ----------------------------------------------------------------------------- workloads

fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.as_deref().unwrap_or(&[]).iter().find(|r| r.controller == Some(true))
}

/// `metav1.IsControlledBy`, by uid when both sides have one, else by kind and name.
fn controlled_by(meta: &ObjectMeta, owner: &ObjectMeta, kind: &str) -> bool {
    controller_of(meta).is_some_and(|r| match (&owner.uid, r.uid.is_empty()) {
        (Some(uid), false) => &r.uid == uid,
        _ => r.kind == kind && Some(&r.name) == owner.name.as_ref(),
    })
}

fn describe_deployment(cluster: &Cluster, d: &Deployment, w: &mut Writer) {
    let meta = &d.metadata;
    let spec = d.spec.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()));
    w.write(0, &format!("Namespace:\t{}\n", meta.namespace.clone().unwrap_or_default()));
    w.write(0, &format!("CreationTimestamp:\t{}\n", time_or_empty(meta.creation_timestamp.as_ref())));
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
    let selector = labels::label_selector_as_selector(Some(&spec.selector)).map(|s| s.to_string()).unwrap_or_default();
    w.write(0, &format!("Selector:\t{selector}\n"));
    w.write(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec.replicas.unwrap_or(0),
            status.updated_replicas.unwrap_or(0),
            status.replicas.unwrap_or(0),
            status.available_replicas.unwrap_or(0),
            status.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.write(0, &format!("StrategyType:\t{}\n", strategy.type_.clone().unwrap_or_default()));
    w.write(0, &format!("MinReadySeconds:\t{}\n", spec.min_ready_seconds.unwrap_or(0)));
    if let Some(ru) = &strategy.rolling_update {
        let text = |v: &Option<IntOrString>| match v {
            Some(IntOrString::Int(i)) => i.to_string(),
            Some(IntOrString::String(s)) => s.clone(),
            None => "0".to_string(),
        };
        w.write(0, &format!("RollingUpdateStrategy:\t{} max unavailable, {} max surge\n", text(&ru.max_unavailable), text(&ru.max_surge)));
    }
    describe_pod_template(&spec.template, w);
    if let Some(conditions) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.write(1, "----\t------\t------\n");
        for c in conditions {
            w.write(1, &format!("{} \t{}\t{}\n", c.type_, c.status, c.reason.clone().unwrap_or_default()));
        }
    }
    // The deployment's replica sets: the one whose template matches is new.
    let namespace = meta.namespace.clone().unwrap_or_default();
    let owned: Vec<&ReplicaSet> = cluster
        .store
        .list(Kind::ReplicaSet, Some(&namespace))
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) => Some(&**rs),
            _ => None,
        })
        .filter(|rs| controlled_by(&rs.metadata, meta, "Deployment"))
        .collect();
    let template_key = template_without_hash(Some(&spec.template));
    let mut new_rs: Vec<&ReplicaSet> = Vec::new();
    let mut old_rs: Vec<&ReplicaSet> = Vec::new();
    for rs in owned {
        if new_rs.is_empty() && template_without_hash(rs.spec.as_ref().and_then(|s| s.template.as_ref())) == template_key {
            new_rs.push(rs);
        } else {
            old_rs.push(rs);
        }
    }
    w.write(0, &format!("OldReplicaSets:\t{}\n", replica_sets_list(&old_rs)));
    w.write(0, &format!("NewReplicaSet:\t{}\n", replica_sets_list(&new_rs)));
}

fn template_without_hash(template: Option<&PodTemplateSpec>) -> serde_json::Value {
    let mut t = template.cloned().unwrap_or_default();
    if let Some(meta) = t.metadata.as_mut() {
        if let Some(labels) = meta.labels.as_mut() {
            labels.remove("pod-template-hash");
        }
    }
    serde_json::to_value(t).unwrap_or_default()
}

fn replica_sets_list(sets: &[&ReplicaSet]) -> String {
    if sets.is_empty() {
        return "<none>".to_string();
    }
    sets.iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name.clone().unwrap_or_default(),
                rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_replicaset(cluster: &Cluster, rs: &ReplicaSet, w: &mut Writer) {
    let meta = &rs.metadata;
    let spec = rs.spec.clone().unwrap_or_default();
    let status = rs.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()));
    w.write(0, &format!("Namespace:\t{}\n", meta.namespace.clone().unwrap_or_default()));
    w.write(0, &format!("Selector:\t{}\n", labels::format_label_selector(Some(&spec.selector))));
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
    if let Some(owner) = controller_of(meta) {
        w.write(0, &format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    w.write(0, &format!("Replicas:\t{} current / {} desired\n", status.replicas, spec.replicas.unwrap_or(0)));
    let selector = labels::label_selector_as_selector(Some(&spec.selector)).unwrap_or(labels::Selector::Nothing);
    let namespace = meta.namespace.clone().unwrap_or_default();
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for o in cluster.store.list(Kind::Pod, Some(&namespace)) {
        let Object::Pod(p) = o else { continue };
        if !selector.matches_opt(p.metadata.labels.as_ref()) || !controlled_by(&p.metadata, meta, "ReplicaSet") {
            continue;
        }
        match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => running += 1,
            Some("Pending") => waiting += 1,
            Some("Succeeded") => succeeded += 1,
            Some("Failed") => failed += 1,
            _ => {}
        }
    }
    w.write(0, "Pods Status:\t");
    w.write(0, &format!("{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"));
    if let Some(template) = &spec.template {
        describe_pod_template(template, w);
    } else {
        w.write(0, "Pod Template:\n");
        w.write(1, "<unset>");
    }
    if let Some(conditions) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.write(1, "----\t------\t------\n");
        for c in conditions {
            w.write(1, &format!("{} \t{}\t{}\n", c.type_, c.status, c.reason.clone().unwrap_or_default()));
        }
    }
}

/// `DescribePodTemplate` into a bare `PrefixWriter`, as `rollout undo --dry-run=client`
/// prints it: tabs as written, not aligned.
pub fn pod_template_text(template: &PodTemplateSpec) -> String {
    let mut w = Writer { pending: String::new(), done: String::new() };
    describe_pod_template(template, &mut w);
    w.pending
}

/// `DescribePodTemplate`.
fn describe_pod_template(template: &PodTemplateSpec, w: &mut Writer) {
    w.write(0, "Pod Template:\n");
    let meta = template.metadata.clone().unwrap_or_default();
    let spec = template.spec.clone().unwrap_or_default();
    print_labels_multiline(w, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        print_annotations_multiline(w, "  Annotations", meta.annotations.as_ref());
    }
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(1, &format!("Service Account:\t{sa}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        describe_containers("Init Containers", init, &[], w, "  ");
    }
    describe_containers("Containers", &spec.containers, &[], w, "  ");
    describe_volumes(spec.volumes.as_deref().unwrap_or(&[]), w, "  ");
    if let Some(pc) = spec.priority_class_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(1, &format!("Priority Class Name:\t{pc}\n"));
    }
    print_labels_multiline(w, "  Node-Selectors", spec.node_selector.as_ref());
    print_tolerations(w, "  Tolerations", spec.tolerations.as_deref().unwrap_or(&[]));
}

/// `describeContainers`.
fn describe_containers(label: &str, containers: &[Container], statuses: &[ContainerStatus], w: &mut Writer, space: &str) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in containers {
        let status = statuses.iter().find(|s| s.name == c.name);
        w.write(1, &format!("{name_indent}{}:\n", c.name));
        if let Some(s) = status {
            w.write(2, &format!("Container ID:\t{}\n", s.container_id.clone().unwrap_or_default()));
        }
        w.write(2, &format!("Image:\t{}\n", c.image.clone().unwrap_or_default()));
        if let Some(s) = status {
            w.write(2, &format!("Image ID:\t{}\n", s.image_id));
        }
        let ports = c.ports.as_deref().unwrap_or(&[]);
        // describeContainerPorts joins with ", " (kubectl 1.32; checked against the
        // real binary by the differential test).
        let port_string =
            ports.iter().map(|p| format!("{}/{}", p.container_port, p.protocol.clone().unwrap_or_default())).collect::<Vec<_>>().join(", ");
        if port_string.contains(',') {
            w.write(2, &format!("Ports:\t{port_string}\n"));
        } else {
            w.write(2, &format!("Port:\t{}\n", or_none(&port_string)));
        }
        let host_ports = ports
            .iter()
            .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), p.protocol.clone().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(", ");
        if host_ports.contains(',') {
            w.write(2, &format!("Host Ports:\t{host_ports}\n"));
        } else {
            w.write(2, &format!("Host Port:\t{}\n", or_none(&host_ports)));
        }
        if let Some(p) = &c.restart_policy {
            w.write(2, &format!("Restart Policy:\t{p}\n"));
        }
        if let Some(command) = c.command.as_ref().filter(|c| !c.is_empty()) {
            w.write(2, "Command:\n");
            for part in command {
                for line in part.split('\n') {
                    w.write(3, &format!("{line}\n"));
                }
            }
        }
        if let Some(args) = c.args.as_ref().filter(|c| !c.is_empty()) {
            w.write(2, "Args:\n");
            for part in args {
                for line in part.split('\n') {
                    w.write(3, &format!("{line}\n"));
                }
            }
        }
        if let Some(s) = status {
            describe_state("State", s.state.as_ref(), w);
            if let Some(last) = s.last_state.as_ref().filter(|l| l.terminated.is_some()) {
                describe_state("Last State", Some(last), w);
            }
            w.write(2, &format!("Ready:\t{}\n", if s.ready { "True" } else { "False" }));
            w.write(2, &format!("Restart Count:\t{}\n", s.restart_count));
        }
        if let Some(resources) = &c.resources {
            for (title, map) in [("Limits", &resources.limits), ("Requests", &resources.requests)] {
                if let Some(map) = map.as_ref().filter(|m| !m.is_empty()) {
                    w.write(2, &format!("{title}:\n"));
                    for (name, quantity) in map {
                        w.write(3, &format!("{name}:\t{}\n", quantity.0));
                    }
                }
            }
        }
        for (title, probe) in [("Liveness", &c.liveness_probe), ("Readiness", &c.readiness_probe), ("Startup", &c.startup_probe)] {
            if let Some(p) = probe {
                w.write(2, &format!("{title}:\t{}\n", describe_probe(p)));
            }
        }
        let env = c.env.as_deref().unwrap_or(&[]);
        w.write(2, &format!("Environment:{}\n", if env.is_empty() { "\t<none>" } else { "" }));
        for e in env {
            match &e.value_from {
                None => {
                    for (i, line) in e.value.clone().unwrap_or_default().split('\n').enumerate() {
                        if i == 0 {
                            w.write(3, &format!("{}:\t{line}\n", e.name));
                        } else {
                            w.write(3, &format!("\t{line}\n"));
                        }
                    }
                }
                Some(from) => {
                    if let Some(r) = &from.config_map_key_ref {
                        w.write(3, &format!("{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n", e.name, r.key, r.name, r.optional.unwrap_or(false)));
                    } else if let Some(r) = &from.secret_key_ref {
                        w.write(3, &format!("{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n", e.name, r.key, r.name, r.optional.unwrap_or(false)));
                    } else if let Some(r) = &from.field_ref {
                        w.write(3, &format!("{}:\t ({}:{})\n", e.name, r.api_version.clone().unwrap_or_else(|| "v1".into()), r.field_path));
                    } else {
                        w.write(3, &format!("{}:\t\n", e.name));
                    }
                }
            }
        }
        let mut mounts: Vec<_> = c.volume_mounts.clone().unwrap_or_default();
        w.write(2, &format!("Mounts:{}\n", if mounts.is_empty() { "\t<none>" } else { "" }));
        crate::sort::sort_by(&mut mounts, |a, b| a.mount_path.cmp(&b.mount_path));
        for m in mounts {
            let mut flags = vec![if m.read_only.unwrap_or(false) { "ro".to_string() } else { "rw".to_string() }];
            if let Some(sub) = m.sub_path.as_ref().filter(|s| !s.is_empty()) {
                flags.push(format!("path={sub:?}"));
            }
            w.write(3, &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")));
        }
    }
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s.to_string()
    }
}

/// `DescribeProbe`.
fn describe_probe(p: &k8s_openapi::api::core::v1::Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    );
    if let Some(exec) = &p.exec {
        return format!("exec {:?} {attrs}", exec.command.clone().unwrap_or_default()).replace("\", \"", "\" \"");
    }
    if let Some(http) = &p.http_get {
        let port = match &http.port {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::String(s) => s.clone(),
        };
        let scheme = http.scheme.clone().unwrap_or_else(|| "HTTP".into()).to_lowercase();
        let host = http.host.clone().unwrap_or_default();
        return format!("http-get {scheme}://{}{} {attrs}", join_host_port_text(&host, &port), http.path.clone().unwrap_or_default());
    }
    if let Some(tcp) = &p.tcp_socket {
        let port = match &tcp.port {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::String(s) => s.clone(),
        };
        return format!("tcp-socket {} {attrs}", join_host_port_text(&tcp.host.clone().unwrap_or_default(), &port));
    }
    format!("unknown {attrs}")
}

fn join_host_port_text(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `describeStatus`.
fn describe_state(title: &str, state: Option<&ContainerState>, w: &mut Writer) {
    let state = state.cloned().unwrap_or_default();
    if let Some(r) = &state.running {
        w.write(2, &format!("{title}:\tRunning\n"));
        w.write(3, &format!("Started:\t{}\n", time_or_empty(r.started_at.as_ref())));
    } else if let Some(wt) = &state.waiting {
        w.write(2, &format!("{title}:\tWaiting\n"));
        if let Some(reason) = wt.reason.as_ref().filter(|r| !r.is_empty()) {
            w.write(3, &format!("Reason:\t{reason}\n"));
        }
    } else if let Some(t) = &state.terminated {
        w.write(2, &format!("{title}:\tTerminated\n"));
        if let Some(reason) = t.reason.as_ref().filter(|r| !r.is_empty()) {
            w.write(3, &format!("Reason:\t{reason}\n"));
        }
        if let Some(message) = t.message.as_ref().filter(|r| !r.is_empty()) {
            w.write(3, &format!("Message:\t{message}\n"));
        }
        w.write(3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(signal) = t.signal.filter(|s| *s > 0) {
            w.write(3, &format!("Signal:\t{signal}\n"));
        }
        w.write(3, &format!("Started:\t{}\n", time_or_empty(t.started_at.as_ref())));
        w.write(3, &format!("Finished:\t{}\n", time_or_empty(t.finished_at.as_ref())));
    } else {
        w.write(2, &format!("{title}:\tWaiting\n"));
    }
}

/// `describeVolumes` for the volume kinds a course uses.
fn describe_volumes(volumes: &[Volume], w: &mut Writer, space: &str) {
    if volumes.is_empty() {
        w.write(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.write(1, &format!("{name_indent}{}:\n", v.name));
        if let Some(e) = &v.empty_dir {
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
            w.write(2, &format!("Medium:\t{}\n", e.medium.clone().unwrap_or_default()));
            w.write(2, &format!("SizeLimit:\t{}\n", e.size_limit.as_ref().map(|q| q.0.clone()).unwrap_or_else(|| "<unset>".into())));
        } else if let Some(c) = &v.config_map {
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
            w.write(2, &format!("Name:\t{}\n", c.name));
            w.write(2, &format!("Optional:\t{}\n", c.optional.unwrap_or(false)));
        } else if let Some(s) = &v.secret {
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n");
            w.write(2, &format!("SecretName:\t{}\n", s.secret_name.clone().unwrap_or_default()));
            w.write(2, &format!("Optional:\t{}\n", s.optional.unwrap_or(false)));
        } else if let Some(h) = &v.host_path {
            w.write(2, "Type:\tHostPath (bare host directory volume)\n");
            w.write(2, &format!("Path:\t{}\n", h.path));
            w.write(2, &format!("HostPathType:\t{}\n", h.type_.clone().unwrap_or_default()));
        } else if let Some(projected) = &v.projected {
            // printProjectedVolumeSource prints the optional flags with %v of a
            // *bool, hence `<nil>` when unset.
            let optional = |o: Option<bool>| o.map(|b| b.to_string()).unwrap_or_else(|| "<nil>".into());
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
            for source in projected.sources.as_deref().unwrap_or(&[]) {
                if let Some(s) = &source.secret {
                    w.write(2, &format!("SecretName:\t{}\n    SecretOptionalName:\t{}\n", s.name, optional(s.optional)));
                } else if source.downward_api.is_some() {
                    w.write(2, "DownwardAPI:\ttrue\n");
                } else if let Some(c) = &source.config_map {
                    w.write(2, &format!("ConfigMapName:\t{}\n    ConfigMapOptional:\t{}\n", c.name, optional(c.optional)));
                } else if let Some(t) = &source.service_account_token {
                    w.write(2, &format!("TokenExpirationSeconds:\t{}\n", t.expiration_seconds.unwrap_or(0)));
                }
            }
        } else {
            w.write(2, "<unknown>\n");
        }
    }
}

fn describe_pod(pod: &Pod, w: &mut Writer, now: DateTime<Utc>) {
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()));
    w.write(0, &format!("Namespace:\t{}\n", meta.namespace.clone().unwrap_or_default()));
    if let Some(p) = spec.priority {
        w.write(0, &format!("Priority:\t{p}\n"));
    }
    if let Some(pc) = spec.priority_class_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Priority Class Name:\t{pc}\n"));
    }
    if let Some(rc) = spec.runtime_class_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Runtime Class Name:\t{rc}\n"));
    }
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Service Account:\t{sa}\n"));
    }
    match spec.node_name.as_ref().filter(|s| !s.is_empty()) {
        None => w.write(0, "Node:\t<none>\n"),
        Some(n) => w.write(0, &format!("Node:\t{n}/{}\n", status.host_ip.clone().unwrap_or_default())),
    }
    if let Some(t) = &status.start_time {
        w.write(0, &format!("Start Time:\t{}\n", rfc1123z(&t.0)));
    }
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
    let phase = status.phase.clone().unwrap_or_default();
    match &meta.deletion_timestamp {
        Some(t) if phase != "Failed" && phase != "Succeeded" => {
            w.write(0, &format!("Status:\tTerminating (lasts {})\n", age(Some(t.0), now)));
            w.write(0, &format!("Termination Grace Period:\t{}s\n", meta.deletion_grace_period_seconds.unwrap_or(0)));
        }
        _ => w.write(0, &format!("Status:\t{phase}\n")),
    }
    if let Some(r) = status.reason.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Reason:\t{r}\n"));
    }
    if let Some(m) = status.message.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("Message:\t{m}\n"));
    }
    w.write(0, &format!("IP:\t{}\n", status.pod_ip.clone().unwrap_or_default()));
    match status.pod_ips.as_ref().filter(|ips| !ips.is_empty()) {
        None => w.write(0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.write(0, "IPs:\n");
            for ip in ips {
                w.write(1, &format!("IP:\t{}\n", ip.ip));
            }
        }
    }
    if let Some(owner) = controller_of(meta) {
        w.write(0, &format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    if let Some(n) = status.nominated_node_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("NominatedNodeName:\t{n}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        describe_containers("Init Containers", init, status.init_container_statuses.as_deref().unwrap_or(&[]), w, "");
    }
    describe_containers("Containers", &spec.containers, status.container_statuses.as_deref().unwrap_or(&[]), w, "");
    let conditions = status.conditions.clone().unwrap_or_default();
    if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        w.write(0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let s = conditions.iter().find(|c| c.type_ == g.condition_type).map(|c| c.status.clone()).unwrap_or_else(|| "<none>".into());
            w.write(1, &format!("{} \t{s} \n", g.condition_type));
        }
    }
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n  Type\tStatus\n");
        for c in &conditions {
            w.write(1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    describe_volumes(spec.volumes.as_deref().unwrap_or(&[]), w, "");
    w.write(0, &format!("QoS Class:\t{}\n", status.qos_class.clone().unwrap_or_else(|| qos_class(&spec.containers).to_string())));
    print_labels_multiline(w, "Node-Selectors", spec.node_selector.as_ref());
    print_tolerations(w, "Tolerations", spec.tolerations.as_deref().unwrap_or(&[]));
}

/// A pod's cpu (millicores) and memory and ephemeral-storage (bytes) requests and
/// limits, as `resourcehelper.PodRequestsAndLimits` sums them over its containers
/// (a request defaults to the limit when only the limit is set).
fn pod_resources(pod: &Pod) -> [i128; 6] {
    let mut sums = [0i128; 6];
    for c in pod.spec.as_ref().map(|s| s.containers.as_slice()).unwrap_or(&[]) {
        let r = c.resources.clone().unwrap_or_default();
        let limits = r.limits.unwrap_or_default();
        let requests = r.requests.unwrap_or_default();
        for (i, (name, parse)) in [("cpu", cpu_millis as fn(&str) -> i128), ("memory", memory_bytes), ("ephemeral-storage", memory_bytes)].into_iter().enumerate() {
            let limit = limits.get(name).map(|q| parse(&q.0)).unwrap_or(0);
            let request = requests.get(name).map(|q| parse(&q.0)).unwrap_or(limit);
            sums[2 * i] += request;
            sums[2 * i + 1] += limit;
        }
    }
    sums
}

/// A cpu quantity (`100m`, `1`, `0.5`) in millicores.
fn cpu_millis(q: &str) -> i128 {
    if let Some(m) = q.strip_suffix('m') {
        return m.parse().unwrap_or(0);
    }
    q.parse::<f64>().map(|v| (v * 1000.0).round() as i128).unwrap_or(0)
}

/// A byte quantity (`50Mi`, `1G`, `1024`) in bytes.
fn memory_bytes(q: &str) -> i128 {
    const SUFFIXES: &[(&str, i128)] = &[
        ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50),
        ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<f64>().map(|v| (v * *factor as f64).round() as i128).unwrap_or(0);
        }
    }
    q.parse::<f64>().map(|v| v.round() as i128).unwrap_or(0)
}

/// `Quantity.String()` of a cpu sum: whole cores plainly, else millicores.
fn format_cpu(millis: i128) -> String {
    if millis % 1000 == 0 {
        (millis / 1000).to_string()
    } else {
        format!("{millis}m")
    }
}

/// `Quantity.String()` of a binary-SI byte sum: the largest exact binary suffix.
fn format_memory(bytes: i128) -> String {
    if bytes == 0 {
        return "0".to_string();
    }
    for (suffix, factor) in [("Pi", 1i128 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
        if bytes % factor == 0 {
            return format!("{}{suffix}", bytes / factor);
        }
    }
    bytes.to_string()
}

/// `GetPodQOS` in short: no requests or limits anywhere is BestEffort; limits equal
/// to requests for cpu and memory in every container is Guaranteed.
fn qos_class(containers: &[Container]) -> &'static str {
    let mut any = false;
    let mut guaranteed = true;
    for c in containers {
        let r = c.resources.clone().unwrap_or_default();
        let limits = r.limits.unwrap_or_default();
        let requests = r.requests.unwrap_or_default();
        if !limits.is_empty() || !requests.is_empty() {
            any = true;
        }
        for res in ["cpu", "memory"] {
            let limit = limits.get(res);
            let request = requests.get(res).or(limit);
            if limit.is_none() || request != limit {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

fn describe_endpoints(ep: &Endpoints, w: &mut Writer) {
    let meta = &ep.metadata;
    w.write(0, &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()));
    w.write(0, &format!("Namespace:\t{}\n", meta.namespace.clone().unwrap_or_default()));
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
    w.write(0, "Subsets:\n");
    for subset in ep.subsets.as_deref().unwrap_or(&[]) {
        let join = |addrs: &Option<Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
            let s = addrs.as_deref().unwrap_or(&[]).iter().map(|a| a.ip.clone()).collect::<Vec<_>>().join(",");
            or_none(&s)
        };
        w.write(1, &format!("Addresses:\t{}\n", join(&subset.addresses)));
        w.write(1, &format!("NotReadyAddresses:\t{}\n", join(&subset.not_ready_addresses)));
        if let Some(ports) = subset.ports.as_ref().filter(|p| !p.is_empty()) {
            w.write(1, "Ports:\n");
            w.write(2, "Name\tPort\tProtocol\n");
            w.write(2, "----\t----\t--------\n");
            for p in ports {
                let name = p.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "<unset>".into());
                w.write(2, &format!("{name}\t{}\t{}\n", p.port, p.protocol.clone().unwrap_or_default()));
            }
        }
        w.write(0, "\n");
    }
}

/// `describeConfigMap`. kubectl ranges over Go maps here, so its key order is
/// random; kubesim prints keys sorted, one of the orders kubectl can print.
fn describe_configmap(cm: &k8s_openapi::api::core::v1::ConfigMap, w: &mut Writer) {
    let meta = &cm.metadata;
    w.write(0, &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()));
    w.write(0, &format!("Namespace:\t{}\n", meta.namespace.clone().unwrap_or_default()));
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
    w.write(0, "\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        w.write(0, &format!("{k}:\n----\n"));
        w.write(0, &format!("{v}\n"));
    }
    w.write(0, "\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        w.write(0, &format!("{k}: {} bytes\n", v.0.len()));
    }
    w.write(0, "\n");
}

fn describe_namespace(ns: &Namespace, w: &mut Writer) {
    let meta = &ns.metadata;
    w.write(0, &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()));
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
    w.write(0, &format!("Status:\t{}\n", ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()));
    // The simulator serves no ResourceQuota or LimitRange objects.
    w.write(0, "\nNo resource quota.\n");
    w.write(0, "\nNo LimitRange resource.\n");
}

fn describe_ingress(cluster: &Cluster, ing: &Ingress, w: &mut Writer) {
    let meta = &ing.metadata;
    let spec = ing.spec.clone().unwrap_or_default();
    let ns = meta.namespace.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()));
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    w.write(0, &format!("Namespace:\t{ns}\n"));
    let mut addresses: Vec<String> = ing
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.clone())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| i.ip.filter(|s| !s.is_empty()).or(i.hostname.filter(|s| !s.is_empty())))
        .collect();
    crate::sort::sort(&mut addresses);
    addresses.dedup();
    w.write(0, &format!("Address:\t{}\n", addresses.join(",")));
    w.write(0, &format!("Ingress Class:\t{}\n", spec.ingress_class_name.clone().unwrap_or_else(|| "<none>".into())));
    match &spec.default_backend {
        None => w.write(0, "Default backend:\t<default>\n"),
        Some(b) => w.write(0, &format!("Default backend:\t{}\n", describe_backend(cluster, &ns, b))),
    }
    if let Some(tls) = spec.tls.as_ref().filter(|t| !t.is_empty()) {
        w.write(0, "TLS:\n");
        for t in tls {
            let hosts = t.hosts.clone().unwrap_or_default().join(",");
            match t.secret_name.as_ref().filter(|s| !s.is_empty()) {
                None => w.write(1, &format!("SNI routes {hosts}\n")),
                Some(secret) => w.write(1, &format!("{secret} terminates {hosts}\n")),
            }
        }
    }
    w.write(0, "Rules:\n  Host\tPath\tBackends\n");
    w.write(1, "----\t----\t--------\n");
    let mut count = 0;
    for rule in spec.rules.as_deref().unwrap_or(&[]) {
        let Some(http) = &rule.http else { continue };
        count += 1;
        let host = rule.host.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| "*".into());
        w.write(1, &format!("{host}\t\n"));
        for path in &http.paths {
            w.write(2, &format!("\t{} \t{}\n", path.path.clone().unwrap_or_default(), describe_backend(cluster, &ns, &path.backend)));
        }
    }
    if count == 0 {
        let backend = spec.default_backend.as_ref().map(|b| describe_backend(cluster, &ns, b)).unwrap_or_else(|| "<default>".into());
        w.write(1, &format!("*\t*\t{backend}\n"));
    }
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
}

/// `describeBackendV1`: `service:port (endpoints)`.
fn describe_backend(cluster: &Cluster, ns: &str, backend: &IngressBackend) -> String {
    let Some(svc) = &backend.service else {
        return match &backend.resource {
            Some(r) => format!("APIGroup: {}, Kind: {}, Name: {}", r.api_group.clone().unwrap_or_default(), r.kind, r.name),
            None => String::new(),
        };
    };
    let port = svc.port.as_ref();
    let port_text = match port {
        Some(p) if p.name.as_ref().is_some_and(|n| !n.is_empty()) => p.name.clone().unwrap_or_default(),
        Some(p) => p.number.unwrap_or(0).to_string(),
        None => "0".into(),
    };
    let sb = format!("{}:{port_text}", svc.name);
    let Some(Object::Endpoints(ep)) = cluster.store.get(&ObjectKey::new(Kind::Endpoints, ns, &svc.name)) else {
        return format!("{sb} (<error: endpoints \"{}\" not found>)", svc.name);
    };
    let Some(Object::Service(service)) = cluster.store.get(&ObjectKey::new(Kind::Service, ns, &svc.name)) else {
        return format!("{sb} (<error: services \"{}\" not found>)", svc.name);
    };
    let mut port_name = String::new();
    for sp in service.spec.as_ref().and_then(|s| s.ports.as_deref()).unwrap_or(&[]) {
        let number = port.and_then(|p| p.number).unwrap_or(0);
        let name = port.and_then(|p| p.name.clone()).unwrap_or_default();
        if (number != 0 && number == sp.port) || (!name.is_empty() && Some(&name) == sp.name.as_ref()) {
            port_name = sp.name.clone().unwrap_or_default();
        }
    }
    // formatEndpoints with a port-name filter.
    let mut filtered = ep.clone();
    if let Some(subsets) = filtered.subsets.as_mut() {
        for s in subsets.iter_mut() {
            if let Some(ports) = s.ports.as_mut() {
                ports.retain(|p| p.name.clone().unwrap_or_default() == port_name);
                if ports.is_empty() {
                    s.addresses = None;
                    s.ports = Some(Vec::new());
                    s.addresses = Some(Vec::new());
                }
            }
        }
    }
    format!("{sb} ({})", format_endpoints(&filtered))
}

fn describe_node(cluster: &Cluster, node: &Node, w: &mut Writer, now: DateTime<Utc>) {
    let meta = &node.metadata;
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{name}\n"));
    let roles = node_roles(meta.labels.as_ref());
    w.write(0, &format!("Roles:\t{}\n", if roles.is_empty() { "<none>".to_string() } else { roles.join(",") }));
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
    w.write(0, &format!("CreationTimestamp:\t{}\n", time_or_empty(meta.creation_timestamp.as_ref())));
    let taints = spec.taints.clone().unwrap_or_default();
    w.write(0, "Taints:\t");
    if taints.is_empty() {
        w.write(0, "<none>\n");
    }
    for (i, t) in taints.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let value = t.value.as_ref().filter(|v| !v.is_empty()).map(|v| format!("={v}")).unwrap_or_default();
        w.write(0, &format!("{}{value}:{}\n", t.key, t.effect));
    }
    w.write(0, &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)));
    w.write(0, "Lease:\n");
    w.write(0, &format!("  HolderIdentity:  {name}\n"));
    w.write(0, "  AcquireTime:     <unset>\n");
    w.write(0, &format!("  RenewTime:       {}\n", rfc1123z(&now)));
    let conditions = status.conditions.clone().unwrap_or_default();
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in &conditions {
            w.write(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    time_or_empty(c.last_heartbeat_time.as_ref()),
                    time_or_empty(c.last_transition_time.as_ref()),
                    c.reason.clone().unwrap_or_default(),
                    c.message.clone().unwrap_or_default()
                ),
            );
        }
    }
    w.write(0, "Addresses:\n");
    for a in status.addresses.as_deref().unwrap_or(&[]) {
        w.write(1, &format!("{}:\t{}\n", a.type_, a.address));
    }
    for (title, map) in [("Capacity", &status.capacity), ("Allocatable", &status.allocatable)] {
        if let Some(map) = map.as_ref().filter(|m| !m.is_empty()) {
            w.write(0, &format!("{title}:\n"));
            for (k, v) in map {
                w.write(1, &format!("{k}:\t{}\n", v.0));
            }
        }
    }
    if let Some(info) = &status.node_info {
        w.write(0, "System Info:\n");
        for (k, v) in [
            ("Machine ID", &info.machine_id),
            ("System UUID", &info.system_uuid),
            ("Boot ID", &info.boot_id),
            ("Kernel Version", &info.kernel_version),
            ("OS Image", &info.os_image),
            ("Operating System", &info.operating_system),
            ("Architecture", &info.architecture),
            ("Container Runtime Version", &info.container_runtime_version),
            ("Kubelet Version", &info.kubelet_version),
            ("Kube-Proxy Version", &info.kube_proxy_version),
        ] {
            w.write(1, &format!("{k}:\t{v}\n"));
        }
    }
    if let Some(cidr) = spec.pod_cidr.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("PodCIDR:\t{cidr}\n"));
    }
    if let Some(cidrs) = spec.pod_cidrs.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    if let Some(id) = spec.provider_id.as_ref().filter(|s| !s.is_empty()) {
        w.write(0, &format!("ProviderID:\t{id}\n"));
    }
    let pods: Vec<&Pod> = cluster
        .store
        .list(Kind::Pod, None)
        .filter_map(|o| match o {
            Object::Pod(p) => Some(&**p),
            _ => None,
        })
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str()))
        .filter(|p| !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded") | Some("Failed")))
        .collect();
    let allocatable = status.allocatable.clone().unwrap_or_default();
    let alloc_cpu = allocatable.get("cpu").map(|q| cpu_millis(&q.0)).unwrap_or(0);
    let alloc_memory = allocatable.get("memory").map(|q| memory_bytes(&q.0)).unwrap_or(0);
    let alloc_storage = allocatable.get("ephemeral-storage").map(|q| memory_bytes(&q.0)).unwrap_or(0);
    // `int64(float64(x) / float64(allocatable) * 100)`, 0 when nothing is allocatable.
    let percent = |x: i128, of: i128| if of == 0 { 0 } else { (x as f64 / of as f64 * 100.0) as i64 };
    w.write(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let mut totals = [0i128; 6];
    for p in &pods {
        let sums = pod_resources(p);
        for (t, v) in totals.iter_mut().zip(sums) {
            *t += v;
        }
        w.write(
            1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
                format_cpu(sums[0]),
                percent(sums[0], alloc_cpu),
                format_cpu(sums[1]),
                percent(sums[1], alloc_cpu),
                format_memory(sums[2]),
                percent(sums[2], alloc_memory),
                format_memory(sums[3]),
                percent(sums[3], alloc_memory),
                age(p.metadata.creation_timestamp.as_ref().map(|t| t.0), now)
            ),
        );
    }
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.write(1, "Resource\tRequests\tLimits\n");
    w.write(1, "--------\t--------\t------\n");
    w.write(1, &format!("cpu\t{} ({}%)\t{} ({}%)\n", format_cpu(totals[0]), percent(totals[0], alloc_cpu), format_cpu(totals[1]), percent(totals[1], alloc_cpu)));
    w.write(
        1,
        &format!("memory\t{} ({}%)\t{} ({}%)\n", format_memory(totals[2]), percent(totals[2], alloc_memory), format_memory(totals[3]), percent(totals[3], alloc_memory)),
    );
    w.write(
        1,
        &format!(
            "ephemeral-storage\t{} ({}%)\t{} ({}%)\n",
            format_memory(totals[4]),
            percent(totals[4], alloc_storage),
            format_memory(totals[5]),
            percent(totals[5], alloc_storage)
        ),
    );
    for huge in allocatable.keys().filter(|k| k.starts_with("hugepages-")) {
        w.write(1, &format!("{huge}\t0 (0%)\t0 (0%)\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::cluster::Topology;

    fn kubectl(cluster: &mut Cluster, line: &str) -> Output {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let mut out = Output::default();
        out.exit_code = run(cluster, &args, &mut out);
        out
    }

    #[test]
    fn describe_by_prefix_and_not_found() {
        let mut cluster = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        let out = kubectl(&mut cluster, "ns kube-");
        assert_eq!(out.stdout.matches("Name:").count(), 3, "{}", out.stdout);
        assert!(out.stdout.contains("\n\n\nName:"), "two blank lines between objects");
        let out = kubectl(&mut cluster, "svc nope");
        assert_eq!(out.stderr, "Error from server (NotFound): services \"nope\" not found\n");
        assert_eq!(out.exit_code, 1);
        assert_eq!(kubectl(&mut cluster, "").exit_code, 1);
    }

    #[test]
    fn namespace_layout() {
        let mut cluster = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        let out = kubectl(&mut cluster, "namespace default");
        assert!(out.stdout.starts_with("Name:         default\n"), "{}", out.stdout);
        assert!(out.stdout.ends_with("Status:       Active\n\nNo resource quota.\n\nNo LimitRange resource.\n"), "{}", out.stdout);
    }
}
