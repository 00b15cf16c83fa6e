//! The packet path engine: from a place and a destination address it computes, from
//! the live cluster state, the ordered hops a TCP connection attempt takes (client,
//! load balancer, node and port, kube-proxy rule, node-to-node hop, pod), every
//! address rewrite (DNAT, SNAT), and how it ends (connected, refused, dropped,
//! unreachable). The result is a plain, serialisable [`Trace`]: `curl` prints from it
//! and the visualizer animates it.

use std::net::{Ipv4Addr, SocketAddrV4};

use serde::{Deserialize, Serialize};

use crate::cluster::Cluster;
use crate::network::addresses::{
    self, in_cidr, node_by_ip, node_by_name, pod_by_ip, HOST_IP, KIND_NETWORK, POD_CIDR, SERVICE_CIDR,
};
use crate::network::dns::Resolution;
use crate::network::kube_proxy::{self, Entry, ProxyRules, Sender, ServicePortRules, Verdict};
use crate::network::{workloads, Place};

/// One TCP connection attempt, hop by hop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Numbered by the network state when recorded (1, 2, ...); 0 before.
    pub id: u64,
    pub at_unix_millis: i64,
    /// The program that made the request (`curl`, `wget`).
    pub program: String,
    pub client: Place,
    /// The host as the program was given it (`web`, `172.18.0.2`).
    pub requested_host: String,
    /// How the host name was resolved, when it was a name.
    pub dns: Option<DnsStep>,
    /// The address the client connected to, before any rewrite.
    pub destination: SocketAddrV4,
    pub hops: Vec<Hop>,
    pub outcome: Outcome,
    /// How long the attempt took in virtual milliseconds (set by the program, which
    /// knows its timeouts).
    pub elapsed_ms: i64,
    /// The HTTP status the server answered, when it got that far.
    pub http_status: Option<u16>,
}

/// A DNS lookup that preceded the connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnsStep {
    pub server: Option<Ipv4Addr>,
    pub query: String,
    pub resolution: Resolution,
}

/// What a hop is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HopKind {
    /// The sending program.
    Client,
    /// A cloud load balancer in front of the nodes.
    LoadBalancer,
    /// A node receives the packet on its own address.
    Node,
    /// kube-proxy's iptables rules on a node act on the packet.
    KubeProxy,
    /// The packet crosses from one node to another (kindnet routes each node's pod CIDR).
    NodeToNode,
    /// The packet reaches a pod's network namespace.
    Pod,
    /// The packet leaves through a default gateway towards nothing that answers.
    Gateway,
    /// `kubectl port-forward`: through the API server and the kubelet into the pod.
    PortForward,
}

/// An address rewrite.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rewrite {
    /// Destination NAT: `from` → `to`.
    Dnat { from: SocketAddrV4, to: SocketAddrV4 },
    /// Source NAT (masquerade): `from` → `to`.
    Snat { from: SocketAddrV4, to: SocketAddrV4 },
}

/// The packet's addresses as it leaves a hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packet {
    pub src: SocketAddrV4,
    pub dst: SocketAddrV4,
}

/// One step of the path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    pub kind: HopKind,
    /// The node, pod (`namespace/name`) or device the hop happens at.
    pub name: String,
    pub ip: Option<Ipv4Addr>,
    /// The packet after this hop's rewrites.
    pub packet: Packet,
    pub rewrites: Vec<Rewrite>,
    /// The kube-proxy rule that matched, in words close to iptables' comments.
    pub rule: Option<String>,
    pub note: String,
}

/// Who accepted the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Server {
    /// A container in a pod, listening on `port`.
    Pod { namespace: String, name: String, ip: Ipv4Addr, port: u16 },
    /// kube-proxy's health-check server for a Service's healthCheckNodePort.
    HealthCheck { node: String, namespace: String, service: String },
    /// A node daemon (kubelet, API server) on a well-known port.
    NodeDaemon { node: String, port: u16, daemon: String },
    /// `kubectl proxy` on the learner's terminal.
    KubectlProxy { port: u16 },
}

/// How the attempt ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// The TCP handshake completed; `seen_client` is the source the server sees.
    Connected { server: Server, seen_client: SocketAddrV4 },
    /// A RST or ICMP port-unreachable came back: connection refused, at once.
    Refused { reason: String },
    /// Nothing comes back: the client waits until its connect timeout.
    Dropped { reason: String },
    /// ICMP host-unreachable after ARP gives up (about three seconds).
    Unreachable { reason: String },
    /// The connection was accepted and then closed with no reply (a port-forward
    /// whose pod side could not connect).
    Reset { reason: String },
}

impl Outcome {
    pub fn reason(&self) -> String {
        match self {
            Outcome::Connected { server, seen_client } => match server {
                Server::Pod { namespace, name, ip, port } => {
                    format!("connected to pod {namespace}/{name} at {ip}:{port}; it sees the client as {seen_client}")
                }
                Server::HealthCheck { node, namespace, service } => {
                    format!("kube-proxy on {node} answers the health check of {namespace}/{service}")
                }
                Server::NodeDaemon { node, port, daemon } => format!("{daemon} on {node} listens on port {port}"),
                Server::KubectlProxy { port } => format!("kubectl proxy listens on 127.0.0.1:{port}"),
            },
            Outcome::Refused { reason }
            | Outcome::Dropped { reason }
            | Outcome::Unreachable { reason }
            | Outcome::Reset { reason } => reason.clone(),
        }
    }
}

/// Builds the path of one connection attempt. It draws the source port and any
/// endpoint choice from the cluster's generator and updates kube-proxy's affinity
/// memory, but does not record the trace (see [`record`]).
pub fn connect(cluster: &mut Cluster, from: &Place, destination: SocketAddrV4) -> Trace {
    let rules = kube_proxy::compute(cluster);
    // Linux picks ephemeral ports from net.ipv4.ip_local_port_range, 32768-60999.
    let source_port = 32768 + cluster.rng.below(28232) as u16;
    let mut engine = Engine { cluster, rules, hops: Vec::new() };
    let outcome = engine.run(from, destination, source_port);
    let at = engine.cluster.clock.now().timestamp_millis();
    Trace {
        id: 0,
        at_unix_millis: at,
        program: String::new(),
        client: from.clone(),
        requested_host: destination.ip().to_string(),
        dns: None,
        destination,
        hops: engine.hops,
        outcome,
        elapsed_ms: 0,
        http_status: None,
    }
}

/// The running pod on `node` with a container port whose hostPort is `port`.
fn host_port_pod(cluster: &Cluster, node: &str, port: u16) -> Option<(addresses::PodView, u16)> {
    addresses::pods_on_node(cluster, node).into_iter().filter(|p| p.running).find_map(|p| {
        let container_port = p.containers.iter().flat_map(|c| c.ports.iter().flatten()).find_map(|cp| {
            let tcp = cp.protocol.as_deref().unwrap_or("TCP") == "TCP";
            (tcp && cp.host_port == Some(i32::from(port))).then(|| u16::try_from(cp.container_port).ok()).flatten()
        })?;
        Some((p, container_port))
    })
}

/// FNV-1a, a small stable hash for deterministic elections.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Stores a finished trace in the cluster's ring of recent traces and returns it
/// with its id.
pub fn record(cluster: &mut Cluster, trace: Trace) -> Trace {
    cluster.network.record(trace)
}

struct Engine<'a> {
    cluster: &'a mut Cluster,
    rules: ProxyRules,
    hops: Vec<Hop>,
}

impl Engine<'_> {
    fn hop(&mut self, kind: HopKind, name: &str, ip: Option<Ipv4Addr>, packet: Packet, note: String) {
        self.hops.push(Hop { kind, name: name.to_string(), ip, packet, rewrites: Vec::new(), rule: None, note });
    }

    fn run(&mut self, from: &Place, dst: SocketAddrV4, source_port: u16) -> Outcome {
        let (src_ip, src_node) = match addresses::source_of(self.cluster, from) {
            Ok(s) => s,
            Err(reason) => return Outcome::Dropped { reason },
        };
        // Loopback traffic leaves from the loopback address.
        let src_ip = if dst.ip().is_loopback() && src_node.is_none() { Ipv4Addr::LOCALHOST } else { src_ip };
        let packet = Packet { src: SocketAddrV4::new(src_ip, source_port), dst };
        let client_name = match from {
            Place::Host => "your terminal".to_string(),
            Place::Node { name } => name.clone(),
            Place::Pod { namespace, name } => format!("{namespace}/{name}"),
        };
        self.hop(HopKind::Client, &client_name, Some(src_ip), packet, format!("{} opens a TCP connection", addresses::place_label(from)));
        match src_node {
            None => self.send_from_host(packet),
            Some(node) => self.send_from_cluster(from, &node, packet),
        }
    }

    /// The kind host: it has routes for the kind docker network only.
    fn send_from_host(&mut self, packet: Packet) -> Outcome {
        let dst = *packet.dst.ip();
        if dst.is_loopback() || dst == HOST_IP {
            return self.on_host_itself(packet);
        }
        if let Some(node) = node_by_ip(self.cluster, dst) {
            return self.node_ingress(&node.name, node.ip, packet, false);
        }
        if let Some((svc, _)) = self.rules.by_external_ip(dst, packet.dst.port()) {
            let svc = svc.clone();
            if svc.load_balancer_ips.contains(&dst) {
                return self.via_load_balancer(&svc, packet);
            }
        }
        if self.rules.is_load_balancer_ip(dst) {
            self.hop(HopKind::LoadBalancer, &format!("load balancer {dst}"), Some(dst), packet, String::new());
            return Outcome::Dropped {
                reason: format!("the load balancer at {dst} has no listener on port {}", packet.dst.port()),
            };
        }
        if in_cidr(dst, KIND_NETWORK) {
            return Outcome::Unreachable { reason: format!("no machine on the kind docker network has the address {dst}") };
        }
        let reason = if in_cidr(dst, SERVICE_CIDR) {
            format!(
                "{dst} is in the Service CIDR 10.96.0.0/16: ClusterIPs are virtual, they exist only in kube-proxy's rules inside the nodes; your terminal has no route to them, so the packet leaves through the default gateway and nothing answers"
            )
        } else if in_cidr(dst, POD_CIDR) {
            format!(
                "{dst} is in the pod CIDR 10.244.0.0/16: pod IPs are routed only between the nodes; your terminal has no route to them, so the packet leaves through the default gateway and nothing answers"
            )
        } else {
            format!("{dst} is outside the simulated network; nothing answers")
        };
        self.hop(HopKind::Gateway, "default gateway", None, packet, reason.clone());
        Outcome::Dropped { reason }
    }

    fn on_host_itself(&mut self, packet: Packet) -> Outcome {
        let port = packet.dst.port();
        let forward = self.cluster.network.port_forwards.iter().find(|f| f.local_port == port).cloned();
        if forward.is_none() && packet.dst.ip().is_loopback() && self.cluster.network.kubectl_proxy_port == Some(port) {
            self.hop(
                HopKind::PortForward,
                "kubectl proxy",
                Some(*packet.dst.ip()),
                packet,
                "kubectl proxy relays HTTP requests to the API server with your kubeconfig's credentials".to_string(),
            );
            return Outcome::Connected { server: Server::KubectlProxy { port }, seen_client: packet.src };
        }
        if forward.is_none() && port == addresses::API_SERVER_HOST_PORT {
            // kind publishes the API server's 6443 on a host port of 127.0.0.1.
            let node = addresses::nodes(self.cluster).into_iter().find(|n| n.name.ends_with("control-plane"));
            if let Some(node) = node {
                let to = SocketAddrV4::new(node.ip, 6443);
                let forwarded = Packet { src: SocketAddrV4::new(HOST_IP, packet.src.port()), dst: to };
                self.hops.push(Hop {
                    kind: HopKind::Node,
                    name: node.name.clone(),
                    ip: Some(node.ip),
                    packet: forwarded,
                    rewrites: vec![Rewrite::Dnat { from: packet.dst, to }],
                    rule: Some("docker port mapping 127.0.0.1:{port} → 6443".replace("{port}", &port.to_string())),
                    note: "kind publishes the API server on a port of the host".to_string(),
                });
                return Outcome::Connected {
                    server: Server::NodeDaemon { node: node.name, port: 6443, daemon: "kube-apiserver (HTTPS)".to_string() },
                    seen_client: forwarded.src,
                };
            }
        }
        let Some(forward) = forward.filter(|_| packet.dst.ip().is_loopback()) else {
            return Outcome::Refused { reason: format!("nothing listens on port {port} on your terminal") };
        };
        self.hop(
            HopKind::PortForward,
            "kubectl port-forward",
            Some(*packet.dst.ip()),
            packet,
            format!("kubectl forwards 127.0.0.1:{port} through the API server and the kubelet to port {} of pod {}/{}", forward.pod_port, forward.namespace, forward.pod),
        );
        let Some(pod) = addresses::pod(self.cluster, &forward.namespace, &forward.pod) else {
            return Outcome::Reset { reason: format!("pod {}/{} no longer exists", forward.namespace, forward.pod) };
        };
        // The kubelet connects from inside the pod's network namespace, to localhost.
        let inner = Packet {
            src: SocketAddrV4::new(Ipv4Addr::LOCALHOST, packet.src.port()),
            dst: SocketAddrV4::new(Ipv4Addr::LOCALHOST, forward.pod_port),
        };
        let pod_name = format!("{}/{}", pod.namespace, pod.name);
        self.hop(HopKind::Pod, &pod_name, pod.ip, inner, String::new());
        if pod.running && workloads::listens(&pod, forward.pod_port) {
            Outcome::Connected {
                server: Server::Pod {
                    namespace: pod.namespace.clone(),
                    name: pod.name.clone(),
                    ip: Ipv4Addr::LOCALHOST,
                    port: forward.pod_port,
                },
                seen_client: inner.src,
            }
        } else {
            Outcome::Reset {
                reason: format!("nothing listens on port {} in pod {pod_name}: kubectl port-forward reports the error and closes the connection", forward.pod_port),
            }
        }
    }

    /// A load-balancer IP on the kind docker network, as MetalLB's layer-2 mode (what
    /// the simulated cloud provider's pool stands for) serves it: one node answers ARP
    /// for the address and receives the packets with the address unchanged; its
    /// kube-proxy rules then treat them as external traffic. Nodes labelled
    /// `node.kubernetes.io/exclude-from-external-load-balancers` never announce, and
    /// with `externalTrafficPolicy: Local` only nodes with a ready local endpoint do.
    fn via_load_balancer(&mut self, svc: &ServicePortRules, packet: Packet) -> Outcome {
        let lb_ip = *packet.dst.ip();
        let name = format!("load balancer {lb_ip} ({}/{})", svc.namespace, svc.name);
        let mut eligible: Vec<addresses::NodeView> = addresses::nodes(self.cluster)
            .into_iter()
            .filter(|n| n.ready && !n.excluded_from_load_balancers)
            .collect();
        if svc.external_traffic_local {
            eligible.retain(|n| !svc.local_endpoints(&n.name).is_empty());
        }
        // The speakers agree on one owner per address by hashing (service, node).
        let owner = eligible.into_iter().min_by_key(|n| fnv1a(&format!("{}/{}/{}", svc.namespace, svc.name, n.name)));
        let Some(node) = owner else {
            self.hop(
                HopKind::LoadBalancer,
                &name,
                Some(lb_ip),
                packet,
                "no node announces the address (externalTrafficPolicy: Local and no node has a ready endpoint)".to_string(),
            );
            return Outcome::Unreachable { reason: format!("no node answers ARP for {lb_ip}") };
        };
        self.hop(
            HopKind::LoadBalancer,
            &name,
            Some(lb_ip),
            packet,
            format!("{} answers ARP for {lb_ip}, so every packet for it goes to that node", node.name),
        );
        self.hop(HopKind::Node, &node.name, Some(node.ip), packet, format!("{} receives the packet for {}", node.name, packet.dst));
        let sender = Sender { ip: *packet.src.ip(), from_this_node: false };
        self.apply_rules(&node.name, svc, Entry::LoadBalancerIp, sender, packet)
    }

    /// A packet from a node or a pod: the sending node's kube-proxy rules see it first.
    fn send_from_cluster(&mut self, from: &Place, src_node: &str, packet: Packet) -> Outcome {
        let dst = *packet.dst.ip();
        let from_this_node = match from {
            Place::Pod { namespace, name } => {
                addresses::pod(self.cluster, namespace, name).is_some_and(|p| p.host_network)
            }
            _ => true,
        };
        let sender = Sender { ip: *packet.src.ip(), from_this_node };
        if let Some(svc) = self.rules.by_cluster_ip(dst, packet.dst.port()).cloned() {
            return self.apply_rules(src_node, &svc, Entry::ClusterIp, sender, packet);
        }
        if let Some((svc, entry)) = self.rules.by_external_ip(dst, packet.dst.port()) {
            // kube-proxy captures load-balancer and external IPs on every node, so
            // in-cluster traffic to them never leaves for the load balancer.
            let svc = svc.clone();
            return self.apply_rules(src_node, &svc, entry, sender, packet);
        }
        if self.rules.is_cluster_ip(dst) {
            let reason = format!(
                "the Service with ClusterIP {dst} has no port {}: kube-proxy has no rule for it and nothing answers",
                packet.dst.port()
            );
            return Outcome::Dropped { reason };
        }
        if let Some(node) = node_by_ip(self.cluster, dst) {
            if node.name != src_node {
                self.hop(HopKind::NodeToNode, &format!("{src_node} → {}", node.name), None, packet, String::new());
            }
            let from_target = from_this_node && node.name == src_node;
            return self.node_ingress(&node.name, node.ip, packet, from_target);
        }
        if let Some(pod) = pod_by_ip(self.cluster, dst) {
            return self.deliver(src_node, &pod, packet);
        }
        if dst == HOST_IP {
            return Outcome::Refused { reason: format!("nothing listens on port {} on the kind host", packet.dst.port()) };
        }
        if in_cidr(dst, POD_CIDR) {
            return Outcome::Unreachable { reason: format!("no pod has the IP {dst}") };
        }
        if in_cidr(dst, KIND_NETWORK) {
            return Outcome::Unreachable { reason: format!("no machine on the kind docker network has the address {dst}") };
        }
        let reason = if in_cidr(dst, SERVICE_CIDR) {
            format!("no Service has the ClusterIP {dst}: kube-proxy has no rule for it and nothing answers")
        } else {
            format!("{dst} is outside the simulated network; nothing answers")
        };
        self.hop(HopKind::Gateway, "default gateway", None, packet, reason.clone());
        Outcome::Dropped { reason }
    }

    /// A packet addressed to a node's own IP: nodePorts, health checks, daemons.
    fn node_ingress(&mut self, node: &str, node_ip: Ipv4Addr, packet: Packet, from_this_node: bool) -> Outcome {
        let port = packet.dst.port();
        self.hop(HopKind::Node, node, Some(node_ip), packet, format!("{node} receives the packet on {}", packet.dst));
        if let Some(svc) = self.rules.by_node_port(port).cloned() {
            let sender = Sender { ip: *packet.src.ip(), from_this_node };
            return self.apply_rules(node, &svc, Entry::NodePort, sender, packet);
        }
        if let Some(svc) = self.rules.by_health_check_node_port(port) {
            return Outcome::Connected {
                server: Server::HealthCheck { node: node.to_string(), namespace: svc.namespace.clone(), service: svc.name.clone() },
                seen_client: packet.src,
            };
        }
        if let Some((pod, container_port)) = host_port_pod(self.cluster, node, port) {
            // The CNI portmap plugin DNATs a hostPort to the pod, keeping the client.
            let to = SocketAddrV4::new(pod.ip.unwrap_or(Ipv4Addr::UNSPECIFIED), container_port);
            let out = Packet { src: packet.src, dst: to };
            self.hops.push(Hop {
                kind: HopKind::Node,
                name: node.to_string(),
                ip: Some(node_ip),
                packet: out,
                rewrites: vec![Rewrite::Dnat { from: packet.dst, to }],
                rule: Some(format!("CNI-HOSTPORT-DNAT: hostPort {port} → {}/{}:{container_port}", pod.namespace, pod.name)),
                note: "the pod asked for a hostPort; the CNI portmap plugin forwards it".to_string(),
            });
            return self.deliver(node, &pod, out);
        }
        // hostNetwork pods listen on the node's own address.
        let host_network_pod = addresses::pods_on_node(self.cluster, node)
            .into_iter()
            .find(|p| p.host_network && p.running && workloads::listens(p, port));
        if let Some(pod) = host_network_pod {
            let name = format!("{}/{}", pod.namespace, pod.name);
            self.hop(HopKind::Pod, &name, Some(node_ip), packet, "a hostNetwork pod shares its node's address".to_string());
            return Outcome::Connected {
                server: Server::Pod { namespace: pod.namespace.clone(), name: pod.name.clone(), ip: node_ip, port },
                seen_client: packet.src,
            };
        }
        let control_plane = node_by_name(self.cluster, node).is_some_and(|n| n.excluded_from_load_balancers)
            || node.ends_with("control-plane");
        let daemon = match port {
            10250 => Some("kubelet (HTTPS)"),
            10256 => Some("kube-proxy healthz"),
            6443 if control_plane => Some("kube-apiserver (HTTPS)"),
            2379 | 2380 if control_plane => Some("etcd"),
            _ => None,
        };
        match daemon {
            Some(daemon) => Outcome::Connected {
                server: Server::NodeDaemon { node: node.to_string(), port, daemon: daemon.to_string() },
                seen_client: packet.src,
            },
            None => Outcome::Refused {
                reason: format!("nothing listens on {node} port {port} and no Service has nodePort {port}"),
            },
        }
    }

    fn apply_rules(&mut self, node: &str, svc: &ServicePortRules, entry: Entry, sender: Sender, packet: Packet) -> Outcome {
        let now = self.cluster.clock.now().timestamp_millis();
        let verdict = {
            let cluster = &mut *self.cluster;
            kube_proxy::decide(svc, entry, node, sender, now, &mut cluster.rng, &mut cluster.network.affinity)
        };
        let node_ip = node_by_name(self.cluster, node).map(|n| n.ip);
        match verdict {
            Verdict::Dnat { endpoint, masquerade, rule } => {
                let to = endpoint.addr();
                let mut rewrites = vec![Rewrite::Dnat { from: packet.dst, to }];
                let mut src = packet.src;
                if masquerade {
                    if let Some(ip) = node_ip {
                        if ip != *packet.src.ip() {
                            let snat = SocketAddrV4::new(ip, packet.src.port());
                            rewrites.push(Rewrite::Snat { from: packet.src, to: snat });
                            src = snat;
                        }
                    }
                }
                let out = Packet { src, dst: to };
                let note = if masquerade {
                    "the source is masqueraded to the node's IP, so replies come back through this node".to_string()
                } else {
                    "the client's address is kept".to_string()
                };
                self.hops.push(Hop {
                    kind: HopKind::KubeProxy,
                    name: node.to_string(),
                    ip: node_ip,
                    packet: out,
                    rewrites,
                    rule: Some(rule),
                    note,
                });
                match pod_by_ip(self.cluster, endpoint.ip) {
                    Some(pod) => self.deliver(node, &pod, out),
                    // An endpoint on a node's own address (the `kubernetes` Service's
                    // API server, hostNetwork pods): the packet goes to that node.
                    None => match node_by_ip(self.cluster, endpoint.ip) {
                        Some(target) => {
                            if target.name != node {
                                self.hop(HopKind::NodeToNode, &format!("{node} → {}", target.name), None, out, String::new());
                            }
                            self.node_ingress(&target.name, target.ip, out, false)
                        }
                        None => Outcome::Unreachable { reason: format!("the endpoint {to} has no running pod") },
                    },
                }
            }
            Verdict::Reject { rule } => {
                self.hops.push(Hop {
                    kind: HopKind::KubeProxy,
                    name: node.to_string(),
                    ip: node_ip,
                    packet,
                    rewrites: Vec::new(),
                    rule: Some(rule.clone()),
                    note: "kube-proxy answers with ICMP port-unreachable".to_string(),
                });
                Outcome::Refused { reason: format!("{} has no ready endpoints: kube-proxy rejects the connection", svc.service_port_name()) }
            }
            Verdict::Drop { rule } => {
                self.hops.push(Hop {
                    kind: HopKind::KubeProxy,
                    name: node.to_string(),
                    ip: node_ip,
                    packet,
                    rewrites: Vec::new(),
                    rule: Some(rule.clone()),
                    note: "the packet is dropped; the client hears nothing".to_string(),
                });
                Outcome::Dropped { reason: rule }
            }
        }
    }

    /// Routes a packet from `from_node` to a pod (crossing to the pod's node when it
    /// runs elsewhere) and sees whether anything listens.
    fn deliver(&mut self, from_node: &str, pod: &addresses::PodView, packet: Packet) -> Outcome {
        let pod_node = pod.node.clone().unwrap_or_default();
        if !pod_node.is_empty() && pod_node != from_node {
            let note = match node_by_name(self.cluster, &pod_node) {
                Some(n) => format!(
                    "kindnet routes {}'s pod CIDR via {}",
                    pod_node,
                    n.ip
                ),
                None => String::new(),
            };
            self.hop(HopKind::NodeToNode, &format!("{from_node} → {pod_node}"), None, packet, note);
        }
        let name = format!("{}/{}", pod.namespace, pod.name);
        self.hop(HopKind::Pod, &name, pod.ip, packet, String::new());
        let port = packet.dst.port();
        if !pod.running {
            return Outcome::Unreachable { reason: format!("pod {name} is not running") };
        }
        if workloads::listens(pod, port) {
            Outcome::Connected {
                server: Server::Pod { namespace: pod.namespace.clone(), name: pod.name.clone(), ip: *packet.dst.ip(), port },
                seen_client: packet.src,
            }
        } else {
            Outcome::Refused { reason: format!("no container in pod {name} listens on port {port}") }
        }
    }
}
