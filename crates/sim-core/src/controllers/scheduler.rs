//! The scheduler: binds each unscheduled pod to a node, or leaves it Pending with the
//! `PodScheduled=False` condition and the `FailedScheduling` event kube-scheduler writes.
//!
//! Filters run per node in kube-scheduler's plugin order (NodeUnschedulable, NodeName,
//! TaintToleration, NodeAffinity/nodeSelector, NodeResourcesFit) and a node is rejected
//! by the first that fails, which is what the per-reason counts of the message report.
//! Scoring is simplified to what a learner can observe on a small cluster: pods of
//! one owner spread across nodes (SelectorSpread/PodTopologySpread), then the least
//! loaded node wins, ties going to the node that sorts first.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, PodStatus, Taint, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::events;
use super::{controller_uid, Wakeups};
use crate::cluster::Cluster;
use crate::resources::Kind;
use crate::store::Object;

/// Why one node cannot take the pod; the text is the scheduler's, counted per node.
#[derive(Clone, Debug, PartialEq)]
enum Rejection {
    /// UnschedulableAndUnresolvable: preemption cannot help.
    Unresolvable(String),
    /// Unschedulable: evicting lower-priority pods might help (but all ours are equal).
    Resources(String),
}

pub fn reconcile(cluster: &mut Cluster, _wake: &mut Wakeups) {
    let pending: Vec<Pod> = cluster
        .store
        .list(Kind::Pod, None)
        .filter_map(|o| match o {
            Object::Pod(p) => Some(&**p),
            _ => None,
        })
        .filter(|p| {
            let spec = p.spec.as_ref();
            p.metadata.deletion_timestamp.is_none()
                && spec.is_some_and(|s| s.node_name.as_deref().unwrap_or("").is_empty())
                && spec.and_then(|s| s.scheduler_name.as_deref()).map_or(true, |n| n == "default-scheduler")
        })
        .cloned()
        .collect();
    if pending.is_empty() {
        return;
    }
    // Pods are scheduled one at a time in creation order (the scheduling queue sorts
    // by priority, then by when the pod entered the queue).
    let mut pending = pending;
    crate::sort::sort_by_key(&mut pending, |p| p.metadata.creation_timestamp.as_ref().map(|t| t.0));
    let nodes: Vec<Node> = cluster
        .store
        .list(Kind::Node, None)
        .filter_map(|o| match o {
            Object::Node(n) => Some((**n).clone()),
            _ => None,
        })
        .collect();
    // What each node already runs, computed once and kept up to date as pods bind.
    let mut loads: BTreeMap<String, NodeLoad> = BTreeMap::new();
    for o in cluster.store.list(Kind::Pod, None) {
        if let Object::Pod(p) = o {
            let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
            if let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty()) {
                if phase != "Succeeded" && phase != "Failed" {
                    loads.entry(node).or_default().add(p);
                }
            }
        }
    }
    for pod in pending {
        schedule_one(cluster, pod, &nodes, &mut loads);
    }
}

/// The pods a node runs, as the scheduler's cache sums them.
#[derive(Debug, Default)]
struct NodeLoad {
    pods: usize,
    cpu_millis: i64,
    memory_bytes: i64,
    by_owner: BTreeMap<String, usize>,
}

impl NodeLoad {
    fn add(&mut self, p: &Pod) {
        self.pods += 1;
        self.cpu_millis = self.cpu_millis.saturating_add(requests(p, "cpu", parse_cpu_millis));
        self.memory_bytes = self.memory_bytes.saturating_add(requests(p, "memory", parse_bytes));
        if let Some(owner) = controller_uid(&p.metadata) {
            *self.by_owner.entry(owner.to_string()).or_default() += 1;
        }
    }
}

fn schedule_one(cluster: &mut Cluster, mut pod: Pod, nodes: &[Node], loads: &mut BTreeMap<String, NodeLoad>) {
    let empty = NodeLoad::default();
    let mut feasible: Vec<(&Node, usize, usize)> = Vec::new();
    let mut rejections: Vec<Rejection> = Vec::new();
    let owner = controller_uid(&pod.metadata).map(str::to_string);
    for node in nodes {
        let load = loads.get(node.metadata.name.as_deref().unwrap_or("")).unwrap_or(&empty);
        match filter(&pod, node, load) {
            Ok(()) => {
                let same_owner = owner.as_ref().and_then(|o| load.by_owner.get(o)).copied().unwrap_or(0);
                feasible.push((node, same_owner, load.pods));
            }
            Err(r) => rejections.push(r),
        }
    }
    let pod_ref = events::reference_to_meta("v1", "Pod", &pod.metadata);
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let now = Time(cluster.clock.now());
    // The stable sort keeps node-name order among equals.
    crate::sort::sort_by_key(&mut feasible, |(_, same, total)| (*same, *total));
    if let Some((node, _, _)) = feasible.first() {
        let node_name = node.metadata.name.clone().unwrap_or_default();
        if let Some(spec) = pod.spec.as_mut() {
            spec.node_name = Some(node_name.clone());
        }
        loads.entry(node_name.clone()).or_default().add(&pod);
        let status = pod.status.get_or_insert_with(PodStatus::default);
        status.phase = Some("Pending".to_string());
        set_condition(status, PodCondition {
            type_: "PodScheduled".into(),
            status: "True".into(),
            last_transition_time: Some(now),
            ..Default::default()
        });
        cluster.store.put(Object::Pod(Box::new(pod)));
        events::record_scheduler(
            cluster,
            pod_ref,
            "Normal",
            "Scheduled",
            "Binding",
            &format!("Successfully assigned {namespace}/{pod_name} to {node_name}"),
        );
        return;
    }
    let message = failure_message(nodes.len(), &rejections);
    let status = pod.status.get_or_insert_with(PodStatus::default);
    let previous = status.conditions.as_ref().and_then(|cs| cs.iter().find(|c| c.type_ == "PodScheduled")).cloned();
    if previous.as_ref().and_then(|c| c.message.as_deref()) == Some(message.as_str()) {
        return;
    }
    status.phase = Some("Pending".to_string());
    set_condition(status, PodCondition {
        type_: "PodScheduled".into(),
        status: "False".into(),
        reason: Some("Unschedulable".into()),
        message: Some(message.clone()),
        last_transition_time: Some(now),
        ..Default::default()
    });
    cluster.store.put(Object::Pod(Box::new(pod)));
    events::record_scheduler(cluster, pod_ref, "Warning", "FailedScheduling", "Scheduling", &message);
}

/// Replaces or adds a condition, keeping lastTransitionTime when the status is unchanged.
pub(crate) fn set_condition(status: &mut PodStatus, mut condition: PodCondition) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    if let Some(existing) = conditions.iter_mut().find(|c| c.type_ == condition.type_) {
        if existing.status == condition.status {
            condition.last_transition_time = existing.last_transition_time.clone();
        }
        *existing = condition;
    } else {
        conditions.push(condition);
    }
}

/// `0/3 nodes are available: <counted reasons>. preemption: 0/3 nodes are available: <counted>.`
/// Reasons are counted per node and sorted as strings, as `FitError.Error` does.
fn failure_message(node_count: usize, rejections: &[Rejection]) -> String {
    if node_count == 0 {
        return "no nodes available to schedule pods".to_string();
    }
    let count = |items: Vec<String>| {
        let mut histogram: BTreeMap<String, usize> = BTreeMap::new();
        for i in items {
            *histogram.entry(i).or_default() += 1;
        }
        let mut parts: Vec<String> = histogram.into_iter().map(|(r, n)| format!("{n} {r}")).collect();
        crate::sort::sort(&mut parts);
        parts.join(", ")
    };
    let reasons = count(
        rejections
            .iter()
            .map(|r| match r {
                Rejection::Unresolvable(s) | Rejection::Resources(s) => s.clone(),
            })
            .collect(),
    );
    let preemption = count(
        rejections
            .iter()
            .map(|r| match r {
                Rejection::Unresolvable(_) => "Preemption is not helpful for scheduling".to_string(),
                Rejection::Resources(_) => "No preemption victims found for incoming pod".to_string(),
            })
            .collect(),
    );
    format!("0/{node_count} nodes are available: {reasons}. preemption: 0/{node_count} nodes are available: {preemption}.")
}

fn filter(pod: &Pod, node: &Node, load: &NodeLoad) -> Result<(), Rejection> {
    let spec = pod.spec.as_ref();
    let tolerations: &[Toleration] = spec.and_then(|s| s.tolerations.as_deref()).unwrap_or(&[]);
    let node_spec = node.spec.as_ref();
    // NodeUnschedulable: cordoned nodes, unless the pod tolerates the unschedulable taint.
    if node_spec.and_then(|s| s.unschedulable) == Some(true) {
        let unschedulable_taint = Taint { key: "node.kubernetes.io/unschedulable".into(), effect: "NoSchedule".into(), ..Default::default() };
        if !tolerations.iter().any(|t| tolerates(t, &unschedulable_taint)) {
            return Err(Rejection::Unresolvable("node(s) were unschedulable".into()));
        }
    }
    // TaintToleration: the first NoSchedule/NoExecute taint not tolerated.
    for taint in node_spec.and_then(|s| s.taints.as_deref()).unwrap_or(&[]) {
        if taint.effect != "NoSchedule" && taint.effect != "NoExecute" {
            continue;
        }
        if !tolerations.iter().any(|t| tolerates(t, taint)) {
            return Err(Rejection::Unresolvable(format!(
                "node(s) had untolerated taint {{{}: {}}}",
                taint.key,
                taint.value.as_deref().unwrap_or("")
            )));
        }
    }
    // NodeAffinity: nodeSelector (required node affinity terms are not simulated).
    let node_labels = node.metadata.labels.clone().unwrap_or_default();
    if let Some(selector) = spec.and_then(|s| s.node_selector.as_ref()) {
        if !selector.iter().all(|(k, v)| node_labels.get(k) == Some(v)) {
            return Err(Rejection::Unresolvable("node(s) didn't match Pod's node affinity/selector".into()));
        }
    }
    // NodeResourcesFit: pod count, then cpu and memory requests against allocatable.
    let allocatable = node.status.as_ref().and_then(|s| s.allocatable.clone()).unwrap_or_default();
    let max_pods = allocatable.get("pods").and_then(|q| q.0.parse::<usize>().ok()).unwrap_or(110);
    if load.pods + 1 > max_pods {
        return Err(Rejection::Resources("Too many pods".into()));
    }
    let mut insufficient = Vec::new();
    for (resource, parse, used) in [
        ("cpu", parse_cpu_millis as fn(&str) -> Option<i64>, load.cpu_millis),
        ("memory", parse_bytes, load.memory_bytes),
    ] {
        let Some(capacity) = allocatable.get(resource).and_then(|q| parse(&q.0)) else { continue };
        if used.saturating_add(requests(pod, resource, parse)) > capacity {
            insufficient.push(format!("Insufficient {resource}"));
        }
    }
    if let Some(first) = insufficient.into_iter().next() {
        return Err(Rejection::Resources(first));
    }
    Ok(())
}

/// `Toleration.ToleratesTaint`.
fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    let effect_ok = t.effect.as_deref().map_or(true, |e| e.is_empty() || e == taint.effect);
    if !effect_ok {
        return false;
    }
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match t.operator.as_deref().unwrap_or("Equal") {
        "Exists" => true,
        "Equal" | "" => !key.is_empty() && t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        _ => false,
    }
}

fn requests(pod: &Pod, resource: &str, parse: fn(&str) -> Option<i64>) -> i64 {
    pod.spec
        .as_ref()
        .map(|s| {
            s.containers
                .iter()
                .filter_map(|c| c.resources.as_ref()?.requests.as_ref()?.get(resource).and_then(|q| parse(&q.0)))
                .fold(0i64, i64::saturating_add)
        })
        .unwrap_or(0)
}

/// CPU quantity in millicores: `500m`, `2`, `0.5`.
pub(crate) fn parse_cpu_millis(q: &str) -> Option<i64> {
    if let Some(m) = q.strip_suffix('m') {
        return m.parse::<i64>().ok();
    }
    q.parse::<f64>().ok().map(|c| (c * 1000.0).round() as i64)
}

/// Memory quantity in bytes: `128Mi`, `1Gi`, `500M`, `16351912Ki`, `1e3`.
pub(crate) fn parse_bytes(q: &str) -> Option<i64> {
    const SUFFIXES: [(&str, i64); 10] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("Pi", 1 << 50),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
        ("P", 1_000_000_000_000_000),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<f64>().ok().map(|v| (v * factor as f64) as i64);
        }
    }
    q.parse::<f64>().ok().map(|v| v as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_counts_and_sorts_reasons() {
        let r = vec![
            Rejection::Unresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }".into()),
            Rejection::Unresolvable("node(s) didn't match Pod's node affinity/selector".into()),
            Rejection::Unresolvable("node(s) didn't match Pod's node affinity/selector".into()),
        ];
        assert_eq!(
            failure_message(3, &r),
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        );
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_cpu_millis("500m"), Some(500));
        assert_eq!(parse_cpu_millis("2"), Some(2000));
        assert_eq!(parse_bytes("128Mi"), Some(128 << 20));
        assert_eq!(parse_bytes("1G"), Some(1_000_000_000));
    }
}
