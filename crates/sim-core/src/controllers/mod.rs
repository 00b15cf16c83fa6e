//! The controllers that make the cluster live: idempotent reconcile steps over the
//! store, driven by the virtual clock.
//!
//! A real cluster runs kube-controller-manager, the scheduler, one kubelet per node and
//! a cloud controller concurrently; each watches the API and writes back. We run them
//! in a fixed order until the store stops changing (`reconcile`), which reaches the same
//! state a real cluster settles in. Anything that takes time (an image pull, a grace
//! period, minReadySeconds, a load balancer being provisioned) is a *wake-up*: each
//! controller reports the earliest instant it next needs to act, and `advance` steps the
//! clock through those instants one by one, so `sleep 5` lands exactly where a real
//! cluster would be five seconds later, and with nothing due `advance` only compares
//! two timestamps.
//!
//! # Layout
//! - [`events`]: recording core/v1 Events as client-go's recorder does.
//! - [`deployment`]: Deployments → ReplicaSets, rolling updates, revisions, status.
//! - [`replicaset`]: ReplicaSets → Pods.
//! - [`scheduler`]: binds Pods to Nodes, or explains why not.
//! - [`kubelet`]: pulls images, starts containers, assigns pod IPs, stops pods.
//! - [`garbage_collector`]: ownerReference cascading deletion.
//! - [`endpoints`]: Endpoints and EndpointSlices for Services.
//! - [`cloud_provider`]: a MetalLB-like LoadBalancer IP allocator a lesson can switch on.
//! - [`root_ca`]: the `kube-root-ca.crt` ConfigMap in every namespace.

pub mod cloud_provider;
pub mod deployment;
pub mod endpoints;
pub mod events;
pub mod garbage_collector;
pub mod kubelet;
pub mod replicaset;
pub mod root_ca;
pub mod scheduler;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::chrono::{DateTime, Duration, Utc};

use crate::cluster::Cluster;
use crate::store::Object;

/// How many passes `reconcile` makes at most. Each pass runs every controller once;
/// a chain such as Deployment → ReplicaSet → Pod → scheduled → Endpoints settles in
/// a handful, so hitting the bound means a controller keeps rewriting, and we stop
/// rather than loop forever.
const MAX_PASSES: usize = 50;

/// How many wake-ups `advance` steps through in one call at most. A lesson never gets
/// near it (a day of back-offs is a few hundred); it bounds the work of a huge jump.
pub const MAX_WAKEUPS: usize = 1_000;

/// Wake-ups are rounded up to this many milliseconds.
const WAKEUP_GRANULARITY_MS: u32 = 100;

/// What the controllers remember between passes that is not in the API: the kubelets'
/// view of their containers, their image caches and IP allocators, and when anyone
/// next needs to run.
#[derive(Clone, Debug, Default)]
pub struct ControllerState {
    /// The earliest instant a controller asked to be woken at, after the last reconcile.
    pub next_wakeup: Option<DateTime<Utc>>,
    /// Per-pod container runtime state, by pod uid.
    pub kubelet: kubelet::KubeletState,
    /// Extra images lessons declared pullable, besides [`kubelet::KNOWN_IMAGES`].
    pub extra_images: Vec<String>,
    /// The cluster CA the root CA publisher hands out (PEM), drawn once.
    pub root_ca: Option<String>,
    /// The inputs the last `reconcile` settled on (see [`Settled`]); a reconcile with
    /// the same inputs and no wake-up due would write nothing, so it is skipped.
    pub settled: Option<Settled>,
}

/// What the controllers read that can change between two reconciles without a
/// wake-up: the store (its resourceVersion moves on every write) and the knobs a
/// lesson turns from outside (cloud provider on or off, extra pullable images).
/// Controllers react to time only through wake-ups, so with these unchanged and no
/// wake-up due a pass is a no-op; skipping it keeps read-only commands (`get`,
/// `describe`, `curl`) from costing a pass over every pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settled {
    resource_version: u64,
    cloud_provider: bool,
    extra_images: usize,
}

fn settled_inputs(cluster: &Cluster) -> Settled {
    Settled {
        resource_version: cluster.store.resource_version(),
        cloud_provider: cluster.cloud_provider.is_some(),
        extra_images: cluster.controllers.extra_images.len(),
    }
}

/// Collects the earliest wake-up the controllers ask for during one pass.
#[derive(Debug)]
pub struct Wakeups {
    now: DateTime<Utc>,
    earliest: Option<DateTime<Utc>>,
}

impl Wakeups {
    fn new(now: DateTime<Utc>) -> Self {
        Wakeups { now, earliest: None }
    }

    /// Asks to be woken at `at`. An instant not after now is due already; it is
    /// moved one millisecond on so that time always advances.
    pub fn at(&mut self, at: DateTime<Utc>) {
        let at = if at <= self.now { self.now + Duration::milliseconds(1) } else { at };
        // Wake-ups are rounded up to a tenth of a second so that many pods starting
        // together cost a few reconciles, not one each; nothing a learner sees is finer.
        let ms = at.timestamp_subsec_millis() % WAKEUP_GRANULARITY_MS;
        let at = if ms == 0 { at } else { at + Duration::milliseconds(i64::from(WAKEUP_GRANULARITY_MS - ms)) };
        self.earliest = Some(self.earliest.map_or(at, |e| e.min(at)));
    }
}

/// Something the controllers read changed outside the store (a container's main
/// process exited in a pod shell): the next [`reconcile`] must run a full pass even
/// though the store's resourceVersion has not moved.
pub fn unsettle(cluster: &mut Cluster) {
    cluster.controllers.settled = None;
    // A runtime changed behind the kubelet's back: every pod syncs again.
    cluster.controllers.kubelet.steady.clear();
}

/// Runs every controller until nothing changes (bounded), and records when they next
/// need to run.
pub fn reconcile(cluster: &mut Cluster) {
    let due = cluster.controllers.next_wakeup.is_some_and(|at| at <= cluster.clock.now());
    if !due && cluster.controllers.settled.as_ref() == Some(&settled_inputs(cluster)) {
        return;
    }
    cluster.controllers.settled = None;
    for _ in 0..MAX_PASSES {
        let before = cluster.store.resource_version();
        let mut wake = Wakeups::new(cluster.clock.now());
        // The API server's own loops: finalizer-free deletions and the namespace controller.
        crate::apiserver::reconcile_deletions(cluster);
        garbage_collector::reconcile(cluster, &mut wake);
        root_ca::reconcile(cluster, &mut wake);
        deployment::reconcile(cluster, &mut wake);
        replicaset::reconcile(cluster, &mut wake);
        scheduler::reconcile(cluster, &mut wake);
        kubelet::reconcile(cluster, &mut wake);
        endpoints::reconcile(cluster, &mut wake);
        cloud_provider::reconcile(cluster, &mut wake);
        cluster.controllers.next_wakeup = wake.earliest;
        if cluster.store.resource_version() == before {
            cluster.controllers.settled = Some(settled_inputs(cluster));
            break;
        }
    }
}

/// Moves the clock to `to`, stopping at every scheduled wake-up on the way and
/// reconciling there. Cheap when nothing is due: one comparison. A very long jump (a
/// laptop waking from sleep) stops stepping after [`MAX_WAKEUPS`] wake-ups and
/// reconciles once at `to`; every controller copes with being late.
pub fn advance(cluster: &mut Cluster, to: DateTime<Utc>) {
    let mut steps = 0;
    while let Some(at) = cluster.controllers.next_wakeup.filter(|at| *at <= to) {
        steps += 1;
        if steps > MAX_WAKEUPS {
            break;
        }
        cluster.clock.advance_to(at);
        reconcile(cluster);
        // Wake-ups are always in the future of the reconcile that asked for them; this
        // only guards against a controller that breaks that rule.
        if cluster.controllers.next_wakeup.is_some_and(|n| n <= cluster.clock.now()) {
            cluster.controllers.next_wakeup = None;
        }
    }
    if to > cluster.clock.now() {
        cluster.clock.advance_to(to);
        if steps > MAX_WAKEUPS {
            reconcile(cluster);
        }
    }
}

// ---------------------------------------------------------------------------------
// Helpers shared by the controllers.

/// Writes an object only if it differs from the stored copy, so that an idempotent
/// controller leaves resourceVersions (and the watch log) alone. Returns whether it wrote.
pub(crate) fn put_if_changed(cluster: &mut Cluster, object: Object) -> bool {
    if cluster.store.get(&object.key()) == Some(&object) {
        return false;
    }
    cluster.store.put(object);
    true
}

/// The ownerReference a controller puts on what it creates (`metav1.NewControllerRef`).
pub(crate) fn controller_ref(api_version: &str, kind: &str, meta: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The uid of an object's controlling owner, if it has one.
pub(crate) fn controller_uid(meta: &ObjectMeta) -> Option<&str> {
    meta.owner_references
        .as_ref()?
        .iter()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
}

/// Whether an object is owned (as controller) by the object with `uid`.
pub(crate) fn controlled_by(meta: &ObjectMeta, uid: Option<&str>) -> bool {
    uid.is_some_and(|u| controller_uid(meta) == Some(u))
}

/// `podutil.IsPodReady`: the Ready condition is True.
pub fn is_pod_ready(pod: &Pod) -> bool {
    pod_condition(pod, "Ready").is_some_and(|c| c.status == "True")
}

/// When the pod last became Ready, if it is.
pub(crate) fn pod_ready_since(pod: &Pod) -> Option<DateTime<Utc>> {
    pod_condition(pod, "Ready").filter(|c| c.status == "True").and_then(|c| c.last_transition_time.as_ref()).map(|t| t.0)
}

pub(crate) fn pod_condition<'a>(pod: &'a Pod, type_: &str) -> Option<&'a k8s_openapi::api::core::v1::PodCondition> {
    pod.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == type_)
}

/// `podutil.IsPodAvailable`: Ready for at least `min_ready_seconds`.
pub fn is_pod_available(pod: &Pod, min_ready_seconds: i32, now: DateTime<Utc>) -> bool {
    match pod_ready_since(pod) {
        Some(since) => min_ready_seconds <= 0 || since + Duration::seconds(i64::from(min_ready_seconds)) <= now,
        None => false,
    }
}

/// A pod that counts toward its controller (`controller.FilterActivePods`): not being
/// deleted and not finished.
pub(crate) fn is_pod_active(pod: &Pod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
    pod.metadata.deletion_timestamp.is_none() && phase != "Succeeded" && phase != "Failed"
}

/// Marks a pod for graceful deletion as the API server does on `DELETE` with the pod's
/// grace period: a pod never bound to a node goes at once, a bound one gets a
/// deletionTimestamp `grace` seconds ahead and its kubelet stops it.
pub fn delete_pod_gracefully(cluster: &mut Cluster, namespace: &str, name: &str, grace_seconds: Option<i64>) {
    let key = crate::store::ObjectKey::new(crate::resources::Kind::Pod, namespace, name);
    let Some(Object::Pod(pod)) = cluster.store.get(&key).cloned() else { return };
    if pod.metadata.deletion_timestamp.is_some() {
        return;
    }
    let bound = pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
    let grace = grace_seconds
        .or_else(|| pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds))
        .unwrap_or(30)
        // A grace period of centuries is accepted by the API but cannot be a Duration.
        .clamp(0, 10 * 365 * 24 * 3600);
    if !bound || grace == 0 {
        cluster.store.remove(&key);
        return;
    }
    let mut pod = pod;
    let now = cluster.clock.now();
    pod.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(now + Duration::seconds(grace)));
    pod.metadata.deletion_grace_period_seconds = Some(grace);
    cluster.store.put(Object::Pod(pod));
}

#[cfg(test)]
mod tests;
