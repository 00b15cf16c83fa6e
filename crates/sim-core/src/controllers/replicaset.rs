//! The ReplicaSet controller: keeps `spec.replicas` active pods stamped from the
//! template (`<rs>-<5 chars>`, owned by the ReplicaSet), deletes the surplus the way
//! `getPodsToDelete` ranks them, and reports the status counts.

use std::cmp::Reverse;

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::{Pod, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::chrono::Duration;

use super::events::{self, Source};
use super::{controller_ref, is_pod_active, is_pod_available, is_pod_ready, pod_ready_since, put_if_changed, Wakeups};
use crate::cluster::Cluster;
use crate::labels;
use crate::naming;
use crate::resources::Kind;
use crate::store::{Object, ObjectKey};

/// `burstReplicas`: pods created or deleted per ReplicaSet sync.
const BURST_REPLICAS: usize = 500;
/// The most pods kubesim keeps in one cluster (a real kind cluster holds 110 per node).
pub const MAX_PODS: usize = 500;

pub fn reconcile(cluster: &mut Cluster, wake: &mut Wakeups) {
    let sets: Vec<ReplicaSet> = cluster
        .store
        .list(Kind::ReplicaSet, None)
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) if rs.metadata.deletion_timestamp.is_none() => Some((**rs).clone()),
            _ => None,
        })
        .collect();
    for rs in sets {
        sync(cluster, rs, wake);
    }
}

fn owned_pods(cluster: &Cluster, rs: &ReplicaSet) -> Vec<Pod> {
    let namespace = rs.metadata.namespace.as_deref().unwrap_or("");
    let Some(uid) = rs.metadata.uid.as_deref() else { return Vec::new() };
    cluster
        .store
        .controlled_by(Kind::Pod, namespace, uid)
        .filter_map(|o| match o {
            Object::Pod(p) => Some((**p).clone()),
            _ => None,
        })
        .collect()
}

fn sync(cluster: &mut Cluster, rs: ReplicaSet, wake: &mut Wakeups) {
    let namespace = rs.metadata.namespace.clone().unwrap_or_default();
    let rs_name = rs.metadata.name.clone().unwrap_or_default();
    let selector = labels::label_selector_as_selector(rs.spec.as_ref().map(|s| &s.selector)).unwrap_or(labels::Selector::Nothing);
    let source = Source::controller("replicaset-controller");

    // Adopt orphans whose labels match, as the ControllerRefManager does.
    let orphans: Vec<Pod> = cluster
        .store
        .list(Kind::Pod, Some(&namespace))
        .filter_map(|o| match o {
            Object::Pod(p)
                if super::controller_uid(&p.metadata).is_none()
                    && p.metadata.deletion_timestamp.is_none()
                    && !selector.is_empty()
                    && selector.matches_opt(p.metadata.labels.as_ref()) =>
            {
                Some((**p).clone())
            }
            _ => None,
        })
        .collect();
    for mut pod in orphans {
        pod.metadata.owner_references.get_or_insert_with(Vec::new).push(controller_ref("apps/v1", "ReplicaSet", &rs.metadata));
        cluster.store.put(Object::Pod(Box::new(pod)));
    }

    let pods = owned_pods(cluster, &rs);
    let active: Vec<&Pod> = pods.iter().filter(|p| is_pod_active(p)).collect();
    let desired = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1).max(0) as usize;
    let rs_object = Object::ReplicaSet(Box::new(rs.clone()));
    if active.len() < desired {
        // The controller creates at most `burstReplicas` (500) pods per sync; and
        // kubesim stops at a cluster-wide pod count a browser can carry.
        let total_pods = cluster.store.list(Kind::Pod, None).count();
        let room = MAX_PODS.saturating_sub(total_pods);
        let wanted = (desired - active.len()).min(BURST_REPLICAS);
        let now = cluster.clock.now();
        let reported = events::events_for(cluster, rs.metadata.uid.as_deref().unwrap_or(""))
            .iter()
            .any(|e| e.reason.as_deref() == Some("FailedCreate") && e.last_timestamp.as_ref().is_some_and(|t| t.0 + Duration::seconds(60) > now));
        if wanted > room && !reported {
            events::record(
                cluster,
                events::reference_to(&rs_object),
                "Warning",
                "FailedCreate",
                &format!("kubesim: more than {MAX_PODS} pods in the cluster are not simulated"),
                &source,
            );
        }
        for _ in 0..wanted.min(room) {
            let Some(pod) = pod_from_template(cluster, &rs) else { break };
            let pod_name = create_pod(cluster, pod);
            events::record(cluster, events::reference_to(&rs_object), "Normal", "SuccessfulCreate", &format!("Created pod: {pod_name}"), &source);
        }
    } else if active.len() > desired {
        let mut ranked: Vec<&Pod> = active.clone();
        crate::sort::sort_by_key(&mut ranked, |p| deletion_rank(p));
        let doomed: Vec<String> = ranked.iter().take(active.len() - desired).filter_map(|p| p.metadata.name.clone()).collect();
        for name in doomed {
            super::delete_pod_gracefully(cluster, &namespace, &name, None);
            events::record(cluster, events::reference_to(&rs_object), "Normal", "SuccessfulDelete", &format!("Deleted pod: {name}"), &source);
        }
    }

    // Status, from the pods as they are now.
    let now = cluster.clock.now();
    let min_ready = rs.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0);
    let pods = owned_pods(cluster, &rs);
    let active: Vec<&Pod> = pods.iter().filter(|p| is_pod_active(p)).collect();
    let template_labels = rs.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone()).unwrap_or_default();
    let fully_labeled = active.iter().filter(|p| labels::map_matches(&template_labels, p.metadata.labels.as_ref())).count();
    let ready = active.iter().filter(|p| is_pod_ready(p)).count();
    let available = active.iter().filter(|p| is_pod_available(p, min_ready, now)).count();
    for p in &active {
        if let Some(since) = pod_ready_since(p) {
            let at = since + Duration::seconds(i64::from(min_ready));
            if min_ready > 0 && at > now {
                wake.at(at);
            }
        }
    }
    let nonzero = |n: usize| if n == 0 { None } else { Some(n as i32) };
    let status = ReplicaSetStatus {
        replicas: active.len() as i32,
        fully_labeled_replicas: nonzero(fully_labeled),
        ready_replicas: nonzero(ready),
        available_replicas: nonzero(available),
        observed_generation: Some(rs.metadata.generation.unwrap_or(1)),
        conditions: rs.status.as_ref().and_then(|s| s.conditions.clone()),
    };
    let key = ObjectKey::new(Kind::ReplicaSet, &namespace, &rs_name);
    if let Some(Object::ReplicaSet(current)) = cluster.store.get(&key).cloned() {
        let mut updated = current;
        updated.status = Some(status);
        put_if_changed(cluster, Object::ReplicaSet(updated));
    }
}

/// `controller.ActivePodsWithRanks`: the pod sorting first is deleted first —
/// unassigned before assigned, Pending before Running, not ready before ready, ready
/// for less time, more restarts, then newer.
fn deletion_rank(p: &Pod) -> impl Ord {
    let assigned = p.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty());
    let phase = match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Pending") | None => 0,
        Some("Running") => 2,
        _ => 1,
    };
    let restarts: i32 = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().map(|c| c.restart_count).sum())
        .unwrap_or(0);
    (
        assigned,
        phase,
        is_pod_ready(p),
        Reverse(pod_ready_since(p)),
        Reverse(restarts),
        Reverse(p.metadata.creation_timestamp.as_ref().map(|t| t.0)),
        Reverse(p.metadata.name.clone()),
    )
}

/// `GetPodFromTemplate`: the pod a ReplicaSet asks the API server to create.
fn pod_from_template(cluster: &mut Cluster, rs: &ReplicaSet) -> Option<Pod> {
    let namespace = rs.metadata.namespace.clone().unwrap_or_default();
    let rs_name = rs.metadata.name.clone().unwrap_or_default();
    let template = rs.spec.as_ref()?.template.clone()?;
    let template_meta = template.metadata.unwrap_or_default();
    let prefix = naming::pods_prefix(&rs_name);
    let mut name = naming::generate_name(&prefix, &mut cluster.rng);
    // The API server retries a taken name; so do we (bounded).
    for _ in 0..8 {
        if !cluster.store.contains(&ObjectKey::new(Kind::Pod, &namespace, &name)) {
            break;
        }
        name = naming::generate_name(&prefix, &mut cluster.rng);
    }
    let spec = template.spec.unwrap_or_default();
    let mut pod = Pod {
        metadata: ObjectMeta {
            name: Some(name),
            generate_name: Some(prefix),
            namespace: Some(namespace),
            labels: template_meta.labels,
            annotations: template_meta.annotations,
            owner_references: Some(vec![controller_ref("apps/v1", "ReplicaSet", &rs.metadata)]),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    };
    let qos = super::kubelet::qos_class(&pod);
    pod.status = Some(PodStatus { phase: Some("Pending".into()), qos_class: Some(qos), ..Default::default() });
    Some(pod)
}

/// Creates a pod the way the API server does on `POST`: a uid and creationTimestamp,
/// the `SetDefaults_PodSpec` defaults a template may lack, and the admission plugins
/// (`apiserver::admission::admit_pod`: service-account token volume, priority, default
/// tolerations). Returns the pod's name.
pub fn create_pod(cluster: &mut Cluster, mut pod: Pod) -> String {
    let uid = cluster.rng.uuid();
    pod.metadata.uid = Some(uid.clone());
    pod.metadata.creation_timestamp.get_or_insert(Time(cluster.clock.now()));
    if let Some(spec) = pod.spec.as_mut() {
        pod_spec_defaults(spec);
    }
    crate::apiserver::admission::admit_pod(&mut pod, &uid);
    let name = pod.metadata.name.clone().unwrap_or_default();
    cluster.store.put(Object::Pod(Box::new(pod)));
    name
}

/// `SetDefaults_PodSpec` and `SetDefaults_Container` for what a template can lack.
/// Idempotent.
pub fn pod_spec_defaults(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name.get_or_insert_with(|| "default-scheduler".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.security_context.get_or_insert_with(Default::default);
    spec.enable_service_links.get_or_insert(true);
    for c in spec.containers.iter_mut() {
        c.termination_message_path.get_or_insert_with(|| "/dev/termination-log".into());
        c.termination_message_policy.get_or_insert_with(|| "File".into());
        if c.image_pull_policy.is_none() {
            let image = c.image.as_deref().unwrap_or("");
            let tail = image.rsplit('/').next().unwrap_or(image);
            let latest = !tail.contains(':') && !image.contains('@') || tail.ends_with(":latest");
            c.image_pull_policy = Some(if latest { "Always" } else { "IfNotPresent" }.into());
        }
    }
}
