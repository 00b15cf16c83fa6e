//! The kubelets: for every pod bound to a node, create the sandbox (pod IP from the
//! node's podCIDR), pull images (slow the first time on a node, then cached), start
//! containers, report Ready, and on deletion stop the containers and remove the pod.
//!
//! Each pod's progress is a small state machine kept beside the store
//! ([`KubeletState`]); every transition has a virtual time, reported as a wake-up, so
//! the pod moves Pending → ContainerCreating → Running at the instants a real kind
//! node would, with the kubelet's events (Pulling, Pulled, Created, Started, Failed,
//! BackOff, Killing) and its container statuses.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus, HostIP, Pod, PodCondition, PodIP, PodSpec,
    PodStatus, VolumeMountStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::chrono::{DateTime, Duration, Utc};

use super::events::{self, Source};
use super::Wakeups;
use crate::cluster::Cluster;
use crate::naming::fnv1a32;
use crate::resources::Kind;
use crate::store::{Object, ObjectKey};

/// Images the simulated registries serve, by repository (tags are not checked). Any
/// other image fails to pull with ErrImagePull, as a typo does on a real cluster.
/// Lessons can add more through `ControllerState::extra_images`.
pub const KNOWN_IMAGES: &[&str] = &[
    "nginx",
    "httpd",
    "busybox",
    "alpine",
    "ubuntu",
    "debian",
    "python",
    "node",
    "golang",
    "redis",
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "memcached",
    "rabbitmq",
    "caddy",
    "haproxy",
    "traefik",
    "curlimages/curl",
    "hashicorp/http-echo",
    "traefik/whoami",
    "nicolaka/netshoot",
    "jmalloc/echo-server",
    "ealen/echo-server",
    "kennethreitz/httpbin",
    "registry.k8s.io/e2e-test-images/agnhost",
    "registry.k8s.io/echoserver",
    "registry.k8s.io/pause",
    "registry.k8s.io/busybox",
    "registry.k8s.io/nginx-slim",
    "gcr.io/google-samples/hello-app",
    "us-docker.pkg.dev/google-samples/containers/gke/hello-app",
    "registry.k8s.io/ingress-nginx/controller",
    "quay.io/metallb/controller",
    "quay.io/metallb/speaker",
    "kindest/kindnetd",
    "kindest/local-path-provisioner",
    "kindest/local-path-helper",
    "registry.k8s.io/coredns/coredns",
    "registry.k8s.io/etcd",
    "registry.k8s.io/kube-apiserver",
    "registry.k8s.io/kube-controller-manager",
    "registry.k8s.io/kube-scheduler",
    "registry.k8s.io/kube-proxy",
];

/// Images a shell runs as PID 1 with no signal handling: stopping them takes the whole
/// grace period, as `kubectl delete pod` with a `sleep` container shows.
const SLOW_TO_STOP: &[&str] = &["busybox", "alpine", "ubuntu", "debian", "curlimages/curl", "nicolaka/netshoot", "registry.k8s.io/busybox"];

/// What the kubelets remember: per-pod runtime state, image caches, IP allocators.
#[derive(Clone, Debug, Default)]
pub struct KubeletState {
    /// By pod uid.
    pub pods: BTreeMap<String, PodRuntime>,
    /// Images present on each node (normalized references, e.g. `docker.io/library/nginx:latest`).
    pub images: BTreeMap<String, BTreeSet<String>>,
    /// The last host octet each node's IPAM handed out (host-local allocates
    /// sequentially and does not reuse a released address until it wraps).
    pub last_ip: BTreeMap<String, u8>,
    /// Pods whose last sync left them steady (see [`Steady`]), by uid: a pass skips
    /// them until they or what the kubelet reads besides them change. Not saved: a
    /// restored cluster syncs every pod once.
    pub steady: BTreeMap<String, Steady>,
    /// The store's last Pod removal the kubelet has forgotten runtimes for (`None`:
    /// not looked yet).
    pub pod_removals_seen: Option<u64>,
}

/// A pod whose sync wrote nothing it would not write again until its runtime's next
/// transition (`until`: an image pull finishing, a container exiting, a back-off
/// ending), or ever (`None`: sandbox up, every container running for good), and not
/// being deleted. A real kubelet resyncs a pod when its informer delivers a change,
/// when a timer it set fires, or at a periodic resync; syncing it again here before
/// then would compute the same status and write nothing, so a pass skips it while
/// the pod's resourceVersion and the kubelet's other inputs are what they were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Steady {
    resource_version: Option<String>,
    inputs: KubeletInputs,
    until: Option<DateTime<Utc>>,
}

/// What a pod's sync reads besides the pod and its own runtime: ConfigMaps (volumes
/// and environment), Nodes (whether the node exists, its address) and the images
/// lessons declared pullable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KubeletInputs {
    config_maps: u64,
    nodes: u64,
    extra_images: usize,
}

fn kubelet_inputs(cluster: &Cluster) -> KubeletInputs {
    KubeletInputs {
        config_maps: cluster.store.last_write(Kind::ConfigMap),
        nodes: cluster.store.last_write(Kind::Node),
        extra_images: cluster.controllers.extra_images.len(),
    }
}

/// Whether a runtime has nothing left to do by itself (see [`Steady`]).
fn runtime_is_steady(r: &PodRuntime, now: DateTime<Utc>) -> bool {
    r.sandbox_ready
        && r.stopping_until.is_none()
        && r.containers.iter().all(|c| {
            matches!(c.state, RuntimeState::Running { .. }) && c.exits.is_none() && c.ready_at.is_none_or(|at| at <= now)
        })
}

/// One pod as its kubelet sees it.
#[derive(Clone, Debug)]
pub struct PodRuntime {
    pub node: String,
    pub namespace: String,
    pub name: String,
    pub seen_at: DateTime<Utc>,
    pub sandbox_at: DateTime<Utc>,
    pub sandbox_ready: bool,
    pub ip: Option<String>,
    pub host_network: bool,
    pub containers: Vec<ContainerRuntime>,
    /// When the containers will have stopped after a deletion.
    pub stopping_until: Option<DateTime<Utc>>,
}

/// One container's state.
#[derive(Clone, Debug)]
pub struct ContainerRuntime {
    pub name: String,
    /// The image as written in the spec.
    pub image: String,
    pub state: RuntimeState,
    pub restart_count: i32,
    pub container_id: String,
    pub pull_failures: u32,
    pub ready_at: Option<DateTime<Utc>>,
    /// When the running process exits by itself, and with which code.
    pub exits: Option<(DateTime<Utc>, i32)>,
    /// The previous run, shown as `lastState.terminated` after a restart.
    pub last_terminated: Option<Terminated>,
}

/// A finished run of a container.
#[derive(Clone, Debug, PartialEq)]
pub struct Terminated {
    pub exit_code: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub container_id: String,
}

impl Terminated {
    /// The reason the kubelet reports: `Completed` for exit 0, `Error` otherwise.
    pub fn reason(&self) -> &'static str {
        if self.exit_code == 0 {
            "Completed"
        } else {
            "Error"
        }
    }
}

/// How long a container's main process runs, read from its image and command the way
/// a learner would predict it: servers run until stopped; a shell image with nothing
/// to do (`busybox`, `alpine`) exits at once; `sleep N` exits after N seconds;
/// `exit N`, `true` and `false` exit at once with their code. `None` means forever.
pub fn process_lifetime(container: &k8s_openapi::api::core::v1::Container) -> Option<(Duration, i32)> {
    if container.stdin == Some(true) {
        return None; // an interactive shell waits on its stdin
    }
    let mut words: Vec<String> = container.command.clone().unwrap_or_default();
    words.extend(container.args.clone().unwrap_or_default());
    let repository = normalize_image(container.image.as_deref().unwrap_or("")).repository;
    let short = repository.trim_start_matches("docker.io/library/").trim_start_matches("docker.io/").to_string();
    if words.is_empty() {
        return match short.as_str() {
            // Their default command is a shell or REPL, which exits on an empty stdin.
            "busybox" | "alpine" | "ubuntu" | "debian" | "python" | "node" | "golang" | "registry.k8s.io/busybox" => Some((Duration::milliseconds(50), 0)),
            // curl's image runs `curl` with no URL: usage error, exit 2.
            "curlimages/curl" => Some((Duration::milliseconds(50), 2)),
            _ => None,
        };
    }
    // `sh -c "script"`: look at the script; otherwise at the words themselves.
    let script = match words.iter().position(|w| w == "-c") {
        Some(i) if words.first().is_some_and(|w| w.ends_with("sh")) => words.get(i + 1).cloned().unwrap_or_default(),
        _ => words.join(" "),
    };
    let script = script.trim();
    if script.contains("while true") || script.contains("while :") || script.contains("sleep infinity") || script.contains("tail -f") {
        return None;
    }
    let last = script.rsplit([';', '\n']).map(str::trim).find(|p| !p.is_empty()).unwrap_or("");
    let last = last.rsplit("&&").next().unwrap_or(last).trim();
    let mut parts = last.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("sleep"), Some(n)) => parse_sleep(n).map(|d| (d, 0)),
        (Some("exit"), code) => Some((Duration::milliseconds(20), code.and_then(|c| c.parse().ok()).unwrap_or(0))),
        (Some("true"), None) | (Some("echo"), _) | (Some("date"), None) | (Some("env"), None) | (Some("printenv"), _) | (Some("cat"), Some(_)) | (Some("ls"), _) => {
            Some((Duration::milliseconds(20), 0))
        }
        (Some("false"), None) => Some((Duration::milliseconds(20), 1)),
        _ => None,
    }
}

/// `sleep`'s argument: `30`, `30s`, `5m`, `1h`, `1.5`.
fn parse_sleep(arg: &str) -> Option<Duration> {
    let (number, unit) = match arg.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (arg.get(..i)?, c),
        _ => (arg, 's'),
    };
    let value: f64 = number.parse().ok()?;
    let factor = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86400.0,
        _ => return None,
    };
    let ms = value * factor * 1000.0;
    (ms.is_finite() && ms >= 0.0 && ms < 1e13).then(|| Duration::milliseconds(ms as i64))
}

#[derive(Clone, Debug, PartialEq)]
pub enum RuntimeState {
    /// Not started yet: waiting, reason ContainerCreating.
    Creating,
    /// An image pull in progress, finishing (or failing) at `done_at`.
    Pulling { started_at: DateTime<Utc>, done_at: DateTime<Utc>, ok: bool },
    /// The last pull failed: ErrImagePull until `backoff_at`, then ImagePullBackOff
    /// until `retry_at`.
    PullFailed { message: String, backoff_at: DateTime<Utc>, backoff_shown: bool, retry_at: DateTime<Utc> },
    Running { started_at: DateTime<Utc> },
    /// The process exited. At `next_at` the kubelet restarts it (the first time at
    /// once, then after the CrashLoopBackOff delay), or, when the restart policy does
    /// not restart it, nothing more happens.
    Exited { finished: Terminated, next_at: DateTime<Utc>, backing_off: bool },
    /// The image is there but the container cannot be configured (a ConfigMap it
    /// reads is missing): CreateContainerConfigError, retried at `retry_at`.
    ConfigError { message: String, retry_at: DateTime<Utc> },
}

/// How often the kubelet retries a container it could not configure.
const CONFIG_RETRY_SECONDS: i64 = 10;
/// How often a volume that cannot be mounted is reported again.
const MOUNT_RETRY_SECONDS: i64 = 120;

fn config_map_exists(cluster: &Cluster, namespace: &str, name: &str) -> Option<std::collections::BTreeMap<String, String>> {
    match cluster.store.get(&ObjectKey::new(Kind::ConfigMap, namespace, name)) {
        Some(Object::ConfigMap(cm)) => Some(cm.data.clone().unwrap_or_default()),
        _ => None,
    }
}

/// `MountVolume.SetUp failed ...` for the first ConfigMap volume whose ConfigMap is
/// missing (and not optional).
fn volume_error(cluster: &Cluster, pod: &Pod) -> Option<String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
    for v in pod.spec.as_ref()?.volumes.as_deref().unwrap_or(&[]) {
        if let Some(cm) = &v.config_map {
            if cm.optional != Some(true) && config_map_exists(cluster, namespace, &cm.name).is_none() {
                return Some(format!("MountVolume.SetUp failed for volume \"{}\" : configmap \"{}\" not found", v.name, cm.name));
            }
        }
    }
    None
}

/// Why a container's environment cannot be built, as `makeEnvironmentVariables` says.
fn config_error(cluster: &Cluster, pod: &Pod, container: Option<&k8s_openapi::api::core::v1::Container>) -> Option<String> {
    let container = container?;
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
    for from in container.env_from.as_deref().unwrap_or(&[]) {
        if let Some(r) = &from.config_map_ref {
            if r.optional != Some(true) && config_map_exists(cluster, namespace, &r.name).is_none() {
                return Some(format!("configmap \"{}\" not found", r.name));
            }
        }
    }
    for env in container.env.as_deref().unwrap_or(&[]) {
        let Some(r) = env.value_from.as_ref().and_then(|v| v.config_map_key_ref.as_ref()) else { continue };
        if r.optional == Some(true) {
            continue;
        }
        match config_map_exists(cluster, namespace, &r.name) {
            None => return Some(format!("configmap \"{}\" not found", r.name)),
            Some(data) if !data.contains_key(&r.key) => {
                return Some(format!("couldn't find key {} in ConfigMap {namespace}/{}", r.key, r.name))
            }
            Some(_) => {}
        }
    }
    None
}

/// The restart back-off: 10 s doubling to 300 s, from the second restart on.
fn restart_backoff(restarts: i32) -> Duration {
    let exponent = restarts.saturating_sub(1).clamp(0, 6) as u32;
    Duration::seconds((10i64 << exponent).min(300))
}

/// A parsed image reference, as containerd normalizes it.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageRef {
    /// `docker.io/library/nginx`
    pub repository: String,
    /// `docker.io/library/nginx:latest`
    pub full: String,
}

/// Normalizes an image as the docker reference library does: a first path component
/// with a `.` or `:` (or `localhost`) is a registry, otherwise `docker.io` (with
/// `library/` for single-component names); no tag means `:latest`.
pub fn normalize_image(image: &str) -> ImageRef {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (path, tag) = match name.get(last_slash..).and_then(|tail| tail.rfind(':')) {
        Some(i) => (name.get(..last_slash + i).unwrap_or(name), name.get(last_slash + i + 1..)),
        None => (name, None),
    };
    let first = path.split('/').next().unwrap_or("");
    let repository = if path.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost") {
        path.to_string()
    } else if path.contains('/') {
        format!("docker.io/{path}")
    } else {
        format!("docker.io/library/{path}")
    };
    let full = match (tag, digest) {
        (_, Some(d)) => format!("{repository}@{d}"),
        (Some(t), None) => format!("{repository}:{t}"),
        (None, None) => format!("{repository}:latest"),
    };
    ImageRef { repository, full }
}

fn repository_matches(list: &[&str], repository: &str) -> bool {
    list.iter().any(|k| normalize_image(k).repository == repository)
}

/// Whether the simulated registries serve this image.
pub fn is_known_image(cluster: &Cluster, image: &str) -> bool {
    let repository = normalize_image(image).repository;
    repository_matches(KNOWN_IMAGES, &repository)
        || cluster.controllers.extra_images.iter().any(|e| normalize_image(e).repository == repository)
}

/// A stable fake digest for an image, so one image has one imageID everywhere.
fn digest_of(text: &str) -> String {
    (0u8..8).map(|i| format!("{:08x}", fnv1a32(&[&[i], text.as_bytes()]))).collect()
}

/// Compressed sizes the kubelet reports in `Pulled` events (close to the real images).
fn image_size(repository: &str) -> u64 {
    let short = repository.trim_start_matches("docker.io/library/").trim_start_matches("docker.io/");
    match short {
        "nginx" => 72_195_292,
        "httpd" => 58_127_564,
        "busybox" => 2_156_023,
        "alpine" => 3_642_247,
        "curlimages/curl" => 11_962_134,
        "registry.k8s.io/e2e-test-images/agnhost" => 51_135_622,
        "hashicorp/http-echo" => 3_468_902,
        "traefik/whoami" => 3_162_484,
        "redis" => 45_936_870,
        "postgres" => 158_393_826,
        "mysql" => 172_356_117,
        _ => 31_457_280,
    }
}

/// Go's `time.Duration.String` for the durations of a pull: `545ms`, `2.637s`, `1m2.5s`.
pub fn go_duration(d: Duration) -> String {
    let ms = d.num_milliseconds().max(0);
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let trim = |s: String| s.trim_end_matches('0').trim_end_matches('.').to_string();
    let minutes = ms / 60_000;
    let seconds = trim(format!("{}.{:03}", (ms % 60_000) / 1000, ms % 1000));
    if minutes > 0 {
        format!("{minutes}m{seconds}s")
    } else {
        format!("{seconds}s")
    }
}

/// The image-pull back-off: 10 s doubling to 300 s (`flowcontrol.NewBackOff(10s, 300s)`).
fn pull_backoff(failures: u32) -> Duration {
    let secs = 10i64.saturating_mul(1i64 << failures.saturating_sub(1).min(6));
    Duration::seconds(secs.min(300))
}

pub fn reconcile(cluster: &mut Cluster, wake: &mut Wakeups) {
    let now = cluster.clock.now();
    // Forget pods that are gone, releasing their addresses (only a removal can make
    // a runtime's pod disappear: a pod re-created under its name has a new uid).
    let removals = cluster.store.last_removal(Kind::Pod);
    if cluster.controllers.kubelet.pod_removals_seen != Some(removals) {
        let live: BTreeSet<String> = cluster
            .store
            .list(Kind::Pod, None)
            .filter_map(|o| o.metadata().uid.clone())
            .collect();
        cluster.controllers.kubelet.pods.retain(|uid, _| live.contains(uid));
        cluster.controllers.kubelet.steady.retain(|uid, _| live.contains(uid));
        cluster.controllers.kubelet.pod_removals_seen = Some(removals);
    }

    let inputs = kubelet_inputs(cluster);
    let steady = &cluster.controllers.kubelet.steady;
    let is_steady = |p: &Pod| {
        p.metadata.uid.as_ref().and_then(|uid| steady.get(uid)).is_some_and(|s| {
            s.inputs == inputs && s.resource_version == p.metadata.resource_version && s.until.is_none_or(|t| now < t)
        })
    };
    let mut bound: Vec<Pod> = Vec::new();
    for object in cluster.store.list(Kind::Pod, None) {
        let Object::Pod(p) = object else { continue };
        if !p.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty()) {
            continue;
        }
        if is_steady(p) {
            // Skipped, but its timer still runs: the wake-up its sync would ask for.
            if let Some(until) = p.metadata.uid.as_ref().and_then(|uid| steady.get(uid)).and_then(|s| s.until) {
                wake.at(until);
            }
            continue;
        }
        bound.push((**p).clone());
    }
    for pod in bound {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let key = ObjectKey::new(Kind::Pod, pod.metadata.namespace.as_deref().unwrap_or(""), pod.metadata.name.as_deref().unwrap_or(""));
        sync_pod(cluster, pod, now, wake);
        // Record the pod as steady with the resourceVersion the sync left it at.
        let kubelet = &cluster.controllers.kubelet;
        let steady = match cluster.store.get(&key) {
            Some(Object::Pod(p)) if p.metadata.deletion_timestamp.is_none() && p.metadata.uid.as_deref() == Some(uid.as_str()) => {
                kubelet.pods.get(&uid).and_then(|r| {
                    // A container may still have a one-shot program to run (`-- wget
                    // ...` runs on the sync after the pod has its IP, without a write
                    // of its own): such a pod is synced every pass. Other commands (the
                    // system pods' servers) change nothing at a sync: they may rest.
                    if crate::network::programs::one_shot_pending(cluster, p, r) {
                        return None;
                    }
                    let until = if runtime_is_steady(r, now) {
                        None
                    } else if r.sandbox_ready || r.sandbox_at > now {
                        // Waiting on its own clock; a sandbox due but not ready is
                        // a volume that cannot mount, re-reported on any later sync.
                        Some(next_transition(r, now)?)
                    } else {
                        return None;
                    };
                    Some(Steady { resource_version: p.metadata.resource_version.clone(), inputs: kubelet_inputs(cluster), until })
                })
            }
            _ => None,
        };
        match steady {
            Some(s) => cluster.controllers.kubelet.steady.insert(uid, s),
            None => cluster.controllers.kubelet.steady.remove(&uid),
        };
    }
}

fn node_ip(cluster: &Cluster, node: &str) -> Option<String> {
    match cluster.store.get(&ObjectKey::new(Kind::Node, "", node)) {
        Some(Object::Node(n)) => n
            .status
            .as_ref()?
            .addresses
            .as_ref()?
            .iter()
            .find(|a| a.type_ == "InternalIP")
            .map(|a| a.address.clone()),
        _ => None,
    }
}

fn node_pod_cidr_prefix(cluster: &Cluster, node: &str) -> Option<String> {
    match cluster.store.get(&ObjectKey::new(Kind::Node, "", node)) {
        Some(Object::Node(n)) => {
            let cidr = n.spec.as_ref()?.pod_cidr.clone()?;
            // A /24 like 10.244.1.0/24: the first three octets.
            let base = cidr.split('/').next()?;
            let mut octets: Vec<&str> = base.split('.').collect();
            octets.pop();
            Some(octets.join("."))
        }
        _ => None,
    }
}

/// host-local IPAM: the next free address after the last one handed out, wrapping
/// from .254 to .2 (.1 is the bridge gateway).
fn allocate_ip(cluster: &mut Cluster, node: &str) -> Option<String> {
    let prefix = node_pod_cidr_prefix(cluster, node)?;
    let used: BTreeSet<String> = cluster
        .controllers
        .kubelet
        .pods
        .values()
        .filter(|r| r.node == node && !r.host_network)
        .filter_map(|r| r.ip.clone())
        .collect();
    let last = cluster.controllers.kubelet.last_ip.get(node).copied().unwrap_or(1);
    let mut candidate = last;
    for _ in 0..253 {
        candidate = if candidate >= 254 { 2 } else { candidate + 1 };
        let ip = format!("{prefix}.{candidate}");
        if !used.contains(&ip) {
            cluster.controllers.kubelet.last_ip.insert(node.to_string(), candidate);
            return Some(ip);
        }
    }
    None
}

fn sync_pod(cluster: &mut Cluster, pod: Pod, now: DateTime<Utc>, wake: &mut Wakeups) {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let key = ObjectKey::new(Kind::Pod, &namespace, &name);

    if !cluster.store.contains(&ObjectKey::new(Kind::Node, "", &node)) {
        return; // bound to a node that does not exist: nobody runs it
    }
    if !cluster.controllers.kubelet.pods.contains_key(&uid) {
        if pod.metadata.deletion_timestamp.is_some() {
            // Deleted before its kubelet ever started it.
            cluster.store.remove(&key);
            return;
        }
        let spec = pod.spec.clone().unwrap_or_default();
        let host_network = spec.host_network == Some(true);
        // Sandbox creation (pause container, CNI ADD, volumes) takes about a second on kind.
        let sandbox_delay = Duration::milliseconds(700 + cluster.rng.below(700) as i64);
        let containers = spec
            .containers
            .iter()
            .map(|c| ContainerRuntime {
                name: c.name.clone(),
                image: c.image.clone().unwrap_or_default(),
                state: RuntimeState::Creating,
                restart_count: 0,
                container_id: String::new(),
                pull_failures: 0,
                ready_at: None,
                exits: None,
                last_terminated: None,
            })
            .collect();
        cluster.controllers.kubelet.pods.insert(
            uid.clone(),
            PodRuntime {
                node: node.clone(),
                namespace: namespace.clone(),
                name: name.clone(),
                seen_at: now,
                sandbox_at: now + sandbox_delay,
                sandbox_ready: false,
                ip: None,
                host_network,
                containers,
                stopping_until: None,
            },
        );
    }

    // Deletion: stop containers, then remove the pod once stopped or at the deadline.
    if let Some(deadline) = pod.metadata.deletion_timestamp.as_ref().map(|t| t.0) {
        let runtime = cluster.controllers.kubelet.pods.get(&uid).cloned();
        let Some(runtime) = runtime else { return };
        let until = match runtime.stopping_until {
            Some(u) => u,
            None => {
                let pod_reference = events::reference_to_meta("v1", "Pod", &pod.metadata);
                let mut slow = false;
                for (i, c) in runtime.containers.iter().enumerate() {
                    if matches!(c.state, RuntimeState::Running { .. }) {
                        let mut reference = pod_reference.clone();
                        reference.field_path = Some(format!("spec.containers{{{}}}", c.name));
                        events::record(cluster, reference, "Normal", "Killing", &format!("Stopping container {}", c.name), &Source::kubelet(&node));
                        let repository = normalize_image(&c.image).repository;
                        let has_command = pod.spec.as_ref().and_then(|s| s.containers.get(i)).is_some_and(|s| s.command.is_some() || s.args.is_some());
                        slow |= repository_matches(SLOW_TO_STOP, &repository) && has_command;
                    }
                }
                // A server quits on SIGTERM at once; the kubelet then tears the sandbox
                // down and deletes the pod, a second or two in all.
                let quick = Duration::milliseconds(1500 + cluster.rng.below(1500) as i64);
                let until = if slow { deadline } else { (now + quick).min(deadline) };
                if let Some(r) = cluster.controllers.kubelet.pods.get_mut(&uid) {
                    r.stopping_until = Some(until);
                }
                until
            }
        };
        if until <= now {
            cluster.store.remove(&key);
            cluster.controllers.kubelet.pods.remove(&uid);
        } else {
            wake.at(until);
        }
        return;
    }

    // A one-shot command (`-- wget -qO- http://web`) runs once the pod has its IP.
    crate::network::programs::run_one_shot_commands(cluster, &pod, &uid);
    advance_runtime(cluster, &pod, &uid, now);
    let Some(runtime) = cluster.controllers.kubelet.pods.get(&uid).cloned() else { return };
    if let Some(at) = next_transition(&runtime, now) {
        wake.at(at);
    }
    let status = pod_status(cluster, &pod, &runtime, now);
    if pod.status.as_ref() != Some(&status) {
        let mut updated = pod;
        updated.status = Some(status);
        cluster.store.put(Object::Pod(Box::new(updated)));
    }
}

/// The earliest instant after `now` at which this pod's runtime changes by itself.
fn next_transition(r: &PodRuntime, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut times = Vec::new();
    if !r.sandbox_ready {
        times.push(r.sandbox_at);
    }
    for c in &r.containers {
        match &c.state {
            RuntimeState::Pulling { done_at, .. } => times.push(*done_at),
            RuntimeState::PullFailed { backoff_at, backoff_shown, retry_at, .. } => {
                times.push(if *backoff_shown { *retry_at } else { *backoff_at });
            }
            RuntimeState::Running { .. } => {
                if let Some(at) = c.ready_at {
                    times.push(at);
                }
                if let Some((at, _)) = c.exits {
                    times.push(at);
                }
            }
            RuntimeState::Exited { next_at, .. } => times.push(*next_at),
            RuntimeState::ConfigError { retry_at, .. } => times.push(*retry_at),
            RuntimeState::Creating => {}
        }
    }
    times.into_iter().filter(|t| *t > now).min()
}

/// Runs the pod's state machine up to `now`, recording the kubelet's events.
fn advance_runtime(cluster: &mut Cluster, pod: &Pod, uid: &str, now: DateTime<Utc>) {
    // Borrowed, not copied: this runs on every sync of every pod that is not steady.
    let pod_reference = events::reference_to_meta("v1", "Pod", &pod.metadata);
    let no_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&no_spec);
    for _ in 0..64 {
        let Some(mut r) = cluster.controllers.kubelet.pods.get(uid).cloned() else { return };
        let mut changed = false;
        let mount_error = if !r.sandbox_ready && r.sandbox_at <= now { volume_error(cluster, pod) } else { None };
        if let Some(message) = &mount_error {
            // Reported again every couple of minutes while it lasts (aggregated count).
            let mut reference = pod_reference.clone();
            reference.field_path = None;
            let last = events::events_for(cluster, uid)
                .into_iter()
                .filter(|e| e.reason.as_deref() == Some("FailedMount"))
                .filter_map(|e| e.last_timestamp.as_ref().map(|t| t.0))
                .max();
            if last.map_or(true, |l| l + Duration::seconds(MOUNT_RETRY_SECONDS) <= now) {
                events::record(cluster, reference, "Warning", "FailedMount", message, &Source::kubelet(&r.node));
            }
        } else if !r.sandbox_ready && r.sandbox_at <= now {
            r.sandbox_ready = true;
            r.ip = if r.host_network { node_ip(cluster, &r.node) } else { allocate_ip(cluster, &r.node) };
            changed = true;
        }
        if r.sandbox_ready {
            for i in 0..r.containers.len() {
                // Containers start in order and image pulls are serialized: a container
                // begins once every earlier one has been started or has failed.
                let earlier_busy = r.containers.iter().take(i).any(|c| matches!(c.state, RuntimeState::Creating | RuntimeState::Pulling { .. }));
                let Some(c) = r.containers.get(i).cloned() else { continue };
                let container_spec = spec.containers.get(i);
                let mut reference = pod_reference.clone();
                reference.field_path = Some(format!("spec.containers{{{}}}", c.name));
                let source = Source::kubelet(&r.node);
                let image = normalize_image(&c.image);
                let new_state = match &c.state {
                    RuntimeState::Creating if !earlier_busy => {
                        let cached = cluster.controllers.kubelet.images.get(&r.node).is_some_and(|s| s.contains(&image.full));
                        let policy = container_spec.and_then(|s| s.image_pull_policy.clone()).unwrap_or_else(|| {
                            if image.full.ends_with(":latest") { "Always".into() } else { "IfNotPresent".into() }
                        });
                        if cached && policy != "Always" {
                            events::record(cluster, reference.clone(), "Normal", "Pulled", &format!("Container image \"{}\" already present on machine", c.image), &source);
                            Some(start_container(cluster, pod, &mut r, i, container_spec, reference, &source, now))
                        } else if policy == "Never" {
                            let message = format!("Container image \"{}\" is not present with pull policy of Never", c.image);
                            events::record(cluster, reference, "Warning", "ErrImageNeverPull", &message, &source);
                            Some(RuntimeState::PullFailed { message, backoff_at: now, backoff_shown: true, retry_at: now + Duration::days(3650) })
                        } else {
                            events::record(cluster, reference, "Normal", "Pulling", &format!("Pulling image \"{}\"", c.image), &source);
                            Some(begin_pull(cluster, &r.node, &c.image, now))
                        }
                    }
                    RuntimeState::Pulling { started_at, done_at, ok } if *done_at <= now => {
                        if *ok {
                            cluster.controllers.kubelet.images.entry(r.node.clone()).or_default().insert(image.full.clone());
                            let took = go_duration(*done_at - *started_at);
                            events::record(
                                cluster,
                                reference.clone(),
                                "Normal",
                                "Pulled",
                                &format!(
                                    "Successfully pulled image \"{}\" in {took} ({took} including waiting). Image size: {} bytes.",
                                    c.image,
                                    image_size(&image.repository)
                                ),
                                &source,
                            );
                            Some(start_container(cluster, pod, &mut r, i, container_spec, reference, &source, now))
                        } else {
                            let message = pull_error(&image);
                            events::record(cluster, reference.clone(), "Warning", "Failed", &format!("Failed to pull image \"{}\": {message}", c.image), &source);
                            events::record(cluster, reference, "Warning", "Failed", "Error: ErrImagePull", &source);
                            let failures = c.pull_failures + 1;
                            if let Some(rc) = r.containers.get_mut(i) {
                                rc.pull_failures = failures;
                            }
                            Some(RuntimeState::PullFailed {
                                message,
                                // The next pod sync, a moment later, reports the back-off.
                                backoff_at: now + Duration::milliseconds(1200),
                                backoff_shown: false,
                                retry_at: now + pull_backoff(failures),
                            })
                        }
                    }
                    RuntimeState::PullFailed { message, backoff_at, backoff_shown: false, retry_at } if *backoff_at <= now => {
                        events::record(cluster, reference.clone(), "Normal", "BackOff", &format!("Back-off pulling image \"{}\"", c.image), &source);
                        events::record(cluster, reference, "Warning", "Failed", "Error: ImagePullBackOff", &source);
                        Some(RuntimeState::PullFailed { message: message.clone(), backoff_at: *backoff_at, backoff_shown: true, retry_at: *retry_at })
                    }
                    RuntimeState::PullFailed { backoff_shown: true, retry_at, .. } if *retry_at <= now && !earlier_busy => {
                        events::record(cluster, reference, "Normal", "Pulling", &format!("Pulling image \"{}\"", c.image), &source);
                        Some(begin_pull(cluster, &r.node, &c.image, now))
                    }
                    RuntimeState::Running { started_at } if c.exits.is_some_and(|(at, _)| at <= now) => {
                        let (at, code) = c.exits.unwrap_or((now, 0));
                        let finished = Terminated { exit_code: code, started_at: *started_at, finished_at: at, container_id: c.container_id.clone() };
                        if let Some(rc) = r.containers.get_mut(i) {
                            rc.exits = None;
                            rc.ready_at = None;
                        }
                        // The kubelet notices at its next pod sync, about a second later.
                        Some(RuntimeState::Exited { finished, next_at: now + Duration::seconds(1), backing_off: false })
                    }
                    RuntimeState::ConfigError { .. } if config_error(cluster, pod, container_spec).is_none() => {
                        Some(start_container(cluster, pod, &mut r, i, container_spec, reference, &source, now))
                    }
                    RuntimeState::ConfigError { retry_at, .. } if *retry_at <= now => {
                        // Each retry finds the image again and fails again.
                        events::record(cluster, reference.clone(), "Normal", "Pulled", &format!("Container image \"{}\" already present on machine", c.image), &source);
                        Some(start_container(cluster, pod, &mut r, i, container_spec, reference, &source, now))
                    }
                    RuntimeState::Exited { finished, next_at, backing_off } if *next_at <= now => {
                        let policy = spec.restart_policy.as_deref().unwrap_or("Always");
                        let restart = policy == "Always" || (policy == "OnFailure" && finished.exit_code != 0);
                        if !restart {
                            Some(RuntimeState::Exited { finished: finished.clone(), next_at: now + Duration::days(36500), backing_off: false })
                        } else if c.restart_count == 0 || *backing_off {
                            if let Some(rc) = r.containers.get_mut(i) {
                                rc.restart_count += 1;
                                rc.last_terminated = Some(finished.clone());
                            }
                            Some(RuntimeState::Creating)
                        } else {
                            let pod_label = format!("{}_{}({})", r.name, r.namespace, uid);
                            events::record(
                                cluster,
                                reference,
                                "Warning",
                                "BackOff",
                                &format!("Back-off restarting failed container {} in pod {pod_label}", c.name),
                                &source,
                            );
                            Some(RuntimeState::Exited {
                                finished: finished.clone(),
                                next_at: finished.finished_at + restart_backoff(c.restart_count),
                                backing_off: true,
                            })
                        }
                    }
                    _ => None,
                };
                if let Some(state) = new_state {
                    if let Some(rc) = r.containers.get_mut(i) {
                        rc.state = state;
                    }
                    changed = true;
                }
            }
        }
        cluster.controllers.kubelet.pods.insert(uid.to_string(), r);
        if !changed {
            return;
        }
    }
}

fn begin_pull(cluster: &mut Cluster, node: &str, image: &str, now: DateTime<Utc>) -> RuntimeState {
    let reference = normalize_image(image);
    if !is_known_image(cluster, image) {
        // A registry answers "not found"/"denied" in about a second.
        let ms = 700 + cluster.rng.below(900) as i64;
        return RuntimeState::Pulling { started_at: now, done_at: now + Duration::milliseconds(ms), ok: false };
    }
    let cached = cluster.controllers.kubelet.images.get(node).is_some_and(|s| s.contains(&reference.full));
    let ms = if cached {
        // Only the manifest is fetched again (imagePullPolicy: Always).
        350 + cluster.rng.below(500) as i64
    } else {
        // About 30 MB/s plus registry round trips, with some jitter.
        let base = (image_size(&reference.repository) / 30_000) as i64 + 900;
        base + cluster.rng.below((base / 4).max(1) as u64) as i64
    };
    RuntimeState::Pulling { started_at: now, done_at: now + Duration::milliseconds(ms), ok: true }
}

/// containerd's error for an image nobody serves.
fn pull_error(image: &ImageRef) -> String {
    if image.repository.starts_with("docker.io/") {
        format!(
            "failed to pull and unpack image \"{0}\": failed to resolve reference \"{0}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed",
            image.full
        )
    } else {
        format!("failed to pull and unpack image \"{0}\": failed to resolve reference \"{0}\": {0}: not found", image.full)
    }
}

/// Created + Started, as the kubelet records them; readiness follows the probe.
#[allow(clippy::too_many_arguments)]
fn start_container(
    cluster: &mut Cluster,
    pod: &Pod,
    r: &mut PodRuntime,
    index: usize,
    spec: Option<&k8s_openapi::api::core::v1::Container>,
    reference: k8s_openapi::api::core::v1::ObjectReference,
    source: &Source,
    now: DateTime<Utc>,
) -> RuntimeState {
    let name = r.containers.get(index).map(|c| c.name.clone()).unwrap_or_default();
    if let Some(message) = config_error(cluster, pod, spec) {
        events::record(cluster, reference, "Warning", "Failed", &format!("Error: {message}"), source);
        return RuntimeState::ConfigError { message, retry_at: now + Duration::seconds(CONFIG_RETRY_SECONDS) };
    }
    events::record(cluster, reference.clone(), "Normal", "Created", &format!("Created container: {name}"), source);
    events::record(cluster, reference, "Normal", "Started", &format!("Started container {name}"), source);
    let id = format!("{:016x}{:016x}{:016x}{:016x}", cluster.rng.next_u64(), cluster.rng.next_u64(), cluster.rng.next_u64(), cluster.rng.next_u64());
    // With a readiness probe the first success comes after initialDelaySeconds plus up
    // to one period; without one the container is ready as soon as it runs.
    let ready_at = match spec.and_then(|s| s.readiness_probe.as_ref()) {
        Some(p) => {
            let delay = i64::from(p.initial_delay_seconds.unwrap_or(0).max(0));
            let jitter = cluster.rng.below(1000) as i64;
            now + Duration::seconds(delay) + Duration::milliseconds(jitter)
        }
        None => now,
    };
    let exits = spec.and_then(process_lifetime).map(|(after, code)| (now + after, code));
    if let Some(c) = r.containers.get_mut(index) {
        c.container_id = format!("containerd://{id}");
        c.ready_at = Some(ready_at);
        c.exits = exits;
    }
    RuntimeState::Running { started_at: now }
}

/// The pod status the kubelet reports for the runtime state.
fn pod_status(cluster: &Cluster, pod: &Pod, r: &PodRuntime, now: DateTime<Utc>) -> PodStatus {
    let old = pod.status.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let host_ip = node_ip(cluster, &r.node);
    let mut statuses: Vec<ContainerStatus> = r
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mounts = spec.containers.get(i).and_then(|s| s.volume_mounts.clone()).map(|ms| {
                ms.into_iter()
                    .map(|m| VolumeMountStatus {
                        mount_path: m.mount_path,
                        name: m.name,
                        read_only: m.read_only,
                        recursive_read_only: Some("Disabled".into()),
                    })
                    .collect::<Vec<_>>()
            });
            let image = normalize_image(&c.image);
            let waiting = |reason: &str, message: Option<String>| ContainerState {
                waiting: Some(ContainerStateWaiting { reason: Some(reason.into()), message }),
                ..Default::default()
            };
            let terminated_state = |t: &Terminated| ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: t.exit_code,
                    reason: Some(t.reason().into()),
                    started_at: Some(Time(t.started_at)),
                    finished_at: Some(Time(t.finished_at)),
                    container_id: Some(t.container_id.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let ran_before = c.last_terminated.is_some();
            let base = ContainerStatus {
                name: c.name.clone(),
                image: if ran_before { image.full.clone() } else { c.image.clone() },
                image_id: if ran_before { format!("{}@sha256:{}", image.repository, digest_of(&image.full)) } else { String::new() },
                container_id: c.last_terminated.as_ref().map(|t| t.container_id.clone()),
                ready: false,
                restart_count: c.restart_count,
                started: Some(false),
                volume_mounts: mounts,
                last_state: c.last_terminated.as_ref().map(terminated_state),
                ..Default::default()
            };
            match &c.state {
                RuntimeState::Creating | RuntimeState::Pulling { .. } => {
                    ContainerStatus { state: Some(waiting("ContainerCreating", None)), ..base }
                }
                RuntimeState::PullFailed { message, backoff_shown, .. } => {
                    if *backoff_shown {
                        ContainerStatus {
                            state: Some(waiting("ImagePullBackOff", Some(format!("Back-off pulling image \"{}\": ErrImagePull: {message}", c.image)))),
                            ..base
                        }
                    } else {
                        ContainerStatus { state: Some(waiting("ErrImagePull", Some(message.clone()))), ..base }
                    }
                }
                RuntimeState::ConfigError { message, .. } => {
                    ContainerStatus { state: Some(waiting("CreateContainerConfigError", Some(message.clone()))), ..base }
                }
                RuntimeState::Exited { finished, backing_off, .. } => {
                    let base = ContainerStatus {
                        image: image.full.clone(),
                        image_id: format!("{}@sha256:{}", image.repository, digest_of(&image.full)),
                        container_id: Some(finished.container_id.clone()),
                        ..base
                    };
                    if *backing_off {
                        let pod_label = format!("{}_{}({})", r.name, r.namespace, pod.metadata.uid.as_deref().unwrap_or(""));
                        let delay = restart_backoff(c.restart_count).num_seconds();
                        ContainerStatus {
                            last_state: Some(terminated_state(finished)),
                            state: Some(waiting(
                                "CrashLoopBackOff",
                                Some(format!("back-off {} restarting failed container={} pod={pod_label}", go_duration(Duration::seconds(delay)), c.name)),
                            )),
                            ..base
                        }
                    } else {
                        ContainerStatus { state: Some(terminated_state(finished)), ..base }
                    }
                }
                RuntimeState::Running { started_at } => ContainerStatus {
                    image: image.full.clone(),
                    image_id: format!("{}@sha256:{}", image.repository, digest_of(&image.full)),
                    container_id: Some(c.container_id.clone()),
                    ready: c.ready_at.is_some_and(|at| at <= now),
                    started: Some(true),
                    state: Some(ContainerState { running: Some(ContainerStateRunning { started_at: Some(Time(*started_at)) }), ..Default::default() }),
                    ..base
                },
            }
        })
        .collect();
    // The kubelet reports container statuses sorted by name.
    crate::sort::sort_by(&mut statuses, |a, b| a.name.cmp(&b.name));
    // `getPhase`: a container that never ran and waits keeps the pod Pending; once all
    // have run, the pod is Running while any runs or will be restarted, and
    // Succeeded/Failed when all have stopped for good.
    let waiting = r
        .containers
        .iter()
        .filter(|c| {
            c.last_terminated.is_none()
                && matches!(c.state, RuntimeState::Creating | RuntimeState::Pulling { .. } | RuntimeState::PullFailed { .. } | RuntimeState::ConfigError { .. })
        })
        .count();
    let running = r.containers.iter().filter(|c| matches!(c.state, RuntimeState::Running { .. })).count();
    let policy = spec.restart_policy.as_deref().unwrap_or("Always");
    let exit_codes: Vec<i32> = r
        .containers
        .iter()
        .filter_map(|c| match &c.state {
            RuntimeState::Exited { finished, .. } => Some(finished.exit_code),
            _ => None,
        })
        .collect();
    let phase = if waiting > 0 {
        "Pending"
    } else if running > 0 {
        "Running"
    } else if policy == "Always" {
        "Running"
    } else if exit_codes.len() == r.containers.len() && exit_codes.iter().all(|c| *c == 0) {
        "Succeeded"
    } else if policy == "Never" || exit_codes.iter().all(|c| *c == 0) {
        "Failed"
    } else {
        "Running"
    };
    let unready: Vec<String> = statuses.iter().filter(|s| !s.ready).map(|s| s.name.clone()).collect();
    let keep_time = |type_: &str, status: &str| -> Option<Time> {
        old.conditions
            .as_ref()
            .and_then(|cs| cs.iter().find(|c| c.type_ == type_))
            .filter(|c| c.status == status)
            .and_then(|c| c.last_transition_time.clone())
            .or(Some(Time(now)))
    };
    let condition = |type_: &str, ok: bool, reason: Option<&str>, message: Option<String>| {
        let status = if ok { "True" } else { "False" };
        PodCondition {
            type_: type_.into(),
            status: status.into(),
            last_transition_time: keep_time(type_, status),
            reason: if ok { None } else { reason.map(str::to_string) },
            message: if ok { None } else { message },
            ..Default::default()
        }
    };
    let unready_message = format!("containers with unready status: [{}]", unready.join(" "));
    let scheduled = old
        .conditions
        .as_ref()
        .and_then(|cs| cs.iter().find(|c| c.type_ == "PodScheduled"))
        .cloned()
        .unwrap_or(PodCondition { type_: "PodScheduled".into(), status: "True".into(), last_transition_time: Some(Time(r.seen_at)), ..Default::default() });
    let conditions = vec![
        condition("PodReadyToStartContainers", r.sandbox_ready, None, None),
        condition("Initialized", true, None, None),
        condition("Ready", unready.is_empty(), Some("ContainersNotReady"), Some(unready_message.clone())),
        condition("ContainersReady", unready.is_empty(), Some("ContainersNotReady"), Some(unready_message)),
        scheduled,
    ];
    let ip = if r.sandbox_ready { r.ip.clone() } else { None };
    PodStatus {
        phase: Some(phase.into()),
        conditions: Some(conditions),
        host_ip: host_ip.clone(),
        host_ips: host_ip.map(|ip| vec![HostIP { ip }]),
        pod_ip: ip.clone(),
        pod_ips: ip.map(|ip| vec![PodIP { ip }]),
        start_time: Some(Time(r.seen_at)),
        container_statuses: Some(statuses),
        qos_class: Some(qos_class(pod)),
        ..Default::default()
    }
}

/// `qos.GetPodQOS`: Guaranteed when every container has equal cpu and memory requests
/// and limits, BestEffort when none has any, Burstable otherwise.
pub fn qos_class(pod: &Pod) -> String {
    let containers = pod.spec.as_ref().map(|s| s.containers.as_slice()).unwrap_or(&[]);
    let mut any = false;
    let mut guaranteed = !containers.is_empty();
    for c in containers {
        let requests = c.resources.as_ref().and_then(|r| r.requests.clone()).unwrap_or_default();
        let limits = c.resources.as_ref().and_then(|r| r.limits.clone()).unwrap_or_default();
        if !requests.is_empty() || !limits.is_empty() {
            any = true;
        }
        for resource in ["cpu", "memory"] {
            // Requests default to limits when only limits are set.
            let limit = limits.get(resource);
            let request = requests.get(resource).or(limit);
            if limit.is_none() || request != limit {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort".into()
    } else if guaranteed {
        "Guaranteed".into()
    } else {
        "Burstable".into()
    }
}

/// Marks images as already present on a node (kind preloads its own images).
pub fn preload_images(cluster: &mut Cluster, node: &str, images: &[&str]) {
    let set = cluster.controllers.kubelet.images.entry(node.to_string()).or_default();
    for image in images {
        set.insert(normalize_image(image).full);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_normalize_like_containerd() {
        assert_eq!(normalize_image("nginx").full, "docker.io/library/nginx:latest");
        assert_eq!(normalize_image("nginx:1.27").full, "docker.io/library/nginx:1.27");
        assert_eq!(normalize_image("curlimages/curl").full, "docker.io/curlimages/curl:latest");
        assert_eq!(normalize_image("registry.k8s.io/e2e-test-images/agnhost:2.39").repository, "registry.k8s.io/e2e-test-images/agnhost");
        assert_eq!(normalize_image("localhost:5000/app:v1").full, "localhost:5000/app:v1");
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(Duration::milliseconds(545)), "545ms");
        assert_eq!(go_duration(Duration::milliseconds(2637)), "2.637s");
        assert_eq!(go_duration(Duration::milliseconds(2600)), "2.6s");
        assert_eq!(go_duration(Duration::milliseconds(62_500)), "1m2.5s");
    }

    #[test]
    fn backoff_doubles_to_five_minutes() {
        let secs: Vec<i64> = (1..=7).map(|f| pull_backoff(f).num_seconds()).collect();
        assert_eq!(secs, [10, 20, 40, 80, 160, 300, 300]);
    }
}
