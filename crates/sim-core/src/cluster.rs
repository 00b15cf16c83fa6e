//! The cluster: the API server's store plus the virtual clock and the seeded
//! generator every controller draws from, and the default kind-like topology a
//! simulator starts with (`kind create cluster` with one control-plane node and,
//! by default, two workers).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Namespace, NamespaceStatus, Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;
use crate::controllers::{self, kubelet};
use crate::controllers::cloud_provider::CloudProvider;
use crate::controllers::ControllerState;
use crate::rand::SeededRng;
use crate::store::{Object, Store};

mod system;

/// The kubelet version kind's default node image (`kindest/node:v1.32.2`) reports.
pub const KUBELET_VERSION: &str = "v1.32.2";
/// The kubectl version kubesim answers as.
pub const KUBECTL_VERSION: &str = "v1.32.4";
/// The Kustomize version compiled into kubectl 1.32.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

/// How a cluster is laid out and seeded.
#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    /// Number of worker nodes besides the control plane (kind-worker, kind-worker2, ...).
    pub workers: usize,
    /// How long before the simulator starts the cluster was created.
    pub age: Duration,
}

impl Default for Topology {
    fn default() -> Self {
        Topology { workers: 2, age: Duration::minutes(10) }
    }
}

/// The simulated cluster: store, clock and randomness.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub store: Store,
    pub clock: Clock,
    pub rng: SeededRng,
    /// The network's own state: recent packet traces, access logs, kube-proxy affinity.
    pub network: crate::network::NetworkState,
    /// What the controllers keep beside the store (kubelet runtimes, image caches,
    /// the next wake-up); see [`crate::controllers`].
    pub controllers: ControllerState,
    /// The load-balancer provider; `None` (the default) leaves LoadBalancer Services
    /// `<pending>`, as on a plain kind cluster.
    pub cloud_provider: Option<CloudProvider>,
}

impl Cluster {
    /// An empty cluster: no nodes, no namespaces. Snapshot loaders start here.
    pub fn empty(clock: Clock, seed: u64) -> Self {
        Cluster {
            store: Store::new(),
            clock,
            rng: SeededRng::new(seed),
            network: Default::default(),
            controllers: ControllerState::default(),
            cloud_provider: None,
        }
    }

    /// A kind-like cluster created `topology.age` before the clock's now, with what a
    /// fresh `kind create cluster` (v1.32) runs: the control-plane static pods, CoreDNS,
    /// kube-proxy and kindnet on every node, local-path-provisioner, and the
    /// `kubernetes` and `kube-dns` Services. The controllers build it the way a real
    /// cluster comes up: the clock starts at creation, the control plane and its
    /// add-ons come first (so CoreDNS lands on the control plane, as on kind, where the
    /// workers join later), then the workers join, and time runs to now.
    pub fn kind(clock: Clock, seed: u64, topology: &Topology) -> Self {
        let now = clock.now();
        let created = now - topology.age;
        // The cluster's own setup draws from a separate stream, and the learner's
        // session starts from the seed itself: what a lesson's commands generate (names,
        // IPs, ports) does not shift when the default cluster gains an add-on.
        let mut cluster = Cluster::empty(Clock::new(created), seed ^ 0x6b69_6e64_2d73_6574);
        for name in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            let ns = namespace(name, created);
            cluster.insert_new(ns);
        }
        let mut nodes = vec![("kind-control-plane".to_string(), true)];
        for i in 0..topology.workers {
            let name = if i == 0 { "kind-worker".to_string() } else { format!("kind-worker{}", i + 1) };
            nodes.push((name, false));
        }
        let daemon_set_uids = (cluster.rng.uuid(), cluster.rng.uuid());
        for (index, (name, control_plane)) in nodes.iter().enumerate() {
            if index == 1 {
                // The control plane's add-ons are up before the workers join.
                system::install_control_plane_addons(&mut cluster, created);
                controllers::reconcile(&mut cluster);
                controllers::advance(&mut cluster, created + Duration::seconds(15));
            }
            // kind untaints a control plane that has no workers, so workloads can run.
            let tainted = *control_plane && topology.workers > 0;
            let node = kind_node(name, *control_plane, tainted, index, created);
            cluster.insert_new(node);
            kubelet::preload_images(&mut cluster, name, system::KIND_PRELOADED_IMAGES);
            if *control_plane {
                system::install_static_pods(&mut cluster, name, created);
            }
            system::install_node_daemons(&mut cluster, name, &daemon_set_uids);
            controllers::reconcile(&mut cluster);
        }
        if nodes.len() == 1 {
            system::install_control_plane_addons(&mut cluster, created);
        }
        controllers::reconcile(&mut cluster);
        controllers::advance(&mut cluster, now);
        cluster.rng = SeededRng::new(seed);
        cluster
    }

    /// Stores an object as the API server would on create: a uid from the seeded
    /// generator, and a creationTimestamp unless the object already carries one.
    pub fn insert_new(&mut self, mut object: Object) {
        let now = self.clock.now();
        let uid = self.rng.uuid();
        let meta = object.metadata_mut();
        meta.uid = Some(uid);
        if meta.creation_timestamp.is_none() {
            meta.creation_timestamp = Some(Time(now));
        }
        self.store.put(object);
    }
}

fn namespace(name: &str, created: DateTime<Utc>) -> Object {
    let mut labels = BTreeMap::new();
    labels.insert("kubernetes.io/metadata.name".to_string(), name.to_string());
    Object::Namespace(Box::new(Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(labels),
            creation_timestamp: Some(Time(created)),
            ..Default::default()
        },
        spec: Some(k8s_openapi::api::core::v1::NamespaceSpec { finalizers: Some(vec!["kubernetes".to_string()]) }),
        status: Some(NamespaceStatus { phase: Some("Active".to_string()), ..Default::default() }),
    }))
}

/// A node as kind creates it: the docker network hands out 172.18.0.2 onwards, and
/// kube-controller-manager gives each node a /24 from 10.244.0.0/16 in join order.
fn kind_node(name: &str, control_plane: bool, tainted: bool, index: usize, created: DateTime<Utc>) -> Object {
    let mut labels = BTreeMap::new();
    for (k, v) in [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", name),
        ("kubernetes.io/os", "linux"),
    ] {
        labels.insert(k.to_string(), v.to_string());
    }
    let mut taints = None;
    if control_plane {
        labels.insert("node-role.kubernetes.io/control-plane".to_string(), String::new());
        labels.insert("node.kubernetes.io/exclude-from-external-load-balancers".to_string(), String::new());
    }
    if tainted {
        taints = Some(vec![Taint {
            key: "node-role.kubernetes.io/control-plane".to_string(),
            effect: "NoSchedule".to_string(),
            ..Default::default()
        }]);
    }
    let ip = format!("172.18.0.{}", index + 2);
    let pod_cidr = format!("10.244.{index}.0/24");
    let ready_since = Time(created + Duration::seconds(20));
    // kind nodes report the host's resources; these are a modest laptop's.
    let resources: BTreeMap<String, Quantity> = [
        ("cpu", "8"),
        ("ephemeral-storage", "102626232Ki"),
        ("hugepages-1Gi", "0"),
        ("hugepages-2Mi", "0"),
        ("memory", "16351912Ki"),
        ("pods", "110"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
    .collect();
    Object::Node(Box::new(Node {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(labels),
            creation_timestamp: Some(Time(created)),
            ..Default::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(pod_cidr.clone()),
            pod_cidrs: Some(vec![pod_cidr]),
            provider_id: Some(format!("kind://docker/kind/{name}")),
            taints,
            ..Default::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress { type_: "InternalIP".to_string(), address: ip },
                NodeAddress { type_: "Hostname".to_string(), address: name.to_string() },
            ]),
            conditions: Some(vec![
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", &ready_since),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", &ready_since),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", &ready_since),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", &ready_since),
            ]),
            capacity: Some(resources.clone()),
            allocatable: Some(resources),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".to_string(),
                boot_id: String::new(),
                container_runtime_version: "containerd://2.0.2".to_string(),
                kernel_version: "6.8.0-1021-gcp".to_string(),
                kube_proxy_version: KUBELET_VERSION.to_string(),
                kubelet_version: KUBELET_VERSION.to_string(),
                machine_id: String::new(),
                operating_system: "linux".to_string(),
                os_image: "Debian GNU/Linux 12 (bookworm)".to_string(),
                system_uuid: String::new(),
            }),
            ..Default::default()
        }),
    }))
}

fn condition(type_: &str, status: &str, reason: &str, message: &str, since: &Time) -> NodeCondition {
    NodeCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_heartbeat_time: Some(since.clone()),
        last_transition_time: Some(since.clone()),
    }
}
