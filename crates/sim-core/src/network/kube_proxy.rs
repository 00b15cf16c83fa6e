//! kube-proxy as data: Services plus EndpointSlices become the rules iptables mode
//! programs on every node, and [`decide`] gives the verdict those rules give a packet
//! (DNAT to an endpoint, with or without masquerade; REJECT; DROP).
//!
//! What we copy from kube-proxy's iptables proxier (`pkg/proxy/iptables/proxier.go`):
//! - headless and ExternalName Services get no rules at all;
//! - a ClusterIP:port jumps to the service chain, which picks a usable endpoint at
//!   random (`-m statistic --mode random`), or REJECTs when the Service has none;
//! - usable endpoints are the ready ones; when none is ready, serving-and-terminating
//!   ones are used instead (ProxyTerminatingEndpoints);
//! - a nodePort (and a LoadBalancer IP or externalIP) goes through the "external"
//!   chain: with `externalTrafficPolicy: Cluster` it is marked for masquerade (SNAT to
//!   the node's IP) and may go to any node; with `Local` only this node's endpoints
//!   are candidates, the client IP is kept, and a node without one DROPs the packet,
//!   except that traffic from pods or from the node itself is treated as Cluster;
//! - `internalTrafficPolicy: Local` keeps ClusterIP traffic on the sending node, and
//!   drops it there when that node has no endpoint;
//! - sessionAffinity ClientIP remembers the endpoint per client IP (the `recent`
//!   module, one table per node) for `timeoutSeconds` (default 10800);
//! - packets from outside the pod CIDR to a ClusterIP are masqueraded, and so is a pod
//!   reaching itself through its Service (hairpin).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddrV4};

use k8s_openapi::api::core::v1::Service;
use serde::{Deserialize, Serialize};

use crate::cluster::Cluster;
use crate::network::addresses::{in_cidr, POD_CIDR};
use crate::network::Affinity;
use crate::rand::SeededRng;
use crate::resources::Kind;
use crate::store::Object;

/// The default `sessionAffinityConfig.clientIP.timeoutSeconds` (three hours).
pub const DEFAULT_AFFINITY_TIMEOUT_SECONDS: i64 = 10_800;

/// One endpoint as kube-proxy reads it from an EndpointSlice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRule {
    pub ip: Ipv4Addr,
    /// The endpoint's port for this service port (the resolved targetPort).
    pub port: u16,
    pub node: Option<String>,
    /// The pod behind the endpoint (`targetRef`), as namespace and name.
    pub pod: Option<(String, String)>,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
}

impl EndpointRule {
    pub fn addr(&self) -> SocketAddrV4 {
        SocketAddrV4::new(self.ip, self.port)
    }
}

/// The rules of one Service port, the same on every node (kube-proxy programs every
/// node alike; node-local choices are made in [`decide`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePortRules {
    pub namespace: String,
    pub name: String,
    /// The Service port's name ("" when unnamed).
    pub port_name: String,
    pub protocol: String,
    pub cluster_ip: Ipv4Addr,
    pub port: u16,
    pub node_port: Option<u16>,
    /// `status.loadBalancer.ingress[].ip`, filled by a cloud provider.
    pub load_balancer_ips: Vec<Ipv4Addr>,
    /// `spec.externalIPs`.
    pub external_ips: Vec<Ipv4Addr>,
    pub health_check_node_port: Option<u16>,
    pub external_traffic_local: bool,
    pub internal_traffic_local: bool,
    /// sessionAffinity ClientIP's timeout in seconds; `None` without affinity.
    pub affinity_timeout_seconds: Option<i64>,
    pub endpoints: Vec<EndpointRule>,
}

impl ServicePortRules {
    /// `default/web:http`, kube-proxy's name for a service port in its comments.
    pub fn service_port_name(&self) -> String {
        if self.port_name.is_empty() {
            format!("{}/{}", self.namespace, self.name)
        } else {
            format!("{}/{}:{}", self.namespace, self.name, self.port_name)
        }
    }

    /// Endpoints that may receive traffic: ready ones, or when there are none, the
    /// serving endpoints that are terminating.
    pub fn usable_endpoints(&self) -> Vec<&EndpointRule> {
        let ready: Vec<&EndpointRule> = self.endpoints.iter().filter(|e| e.ready).collect();
        if !ready.is_empty() {
            return ready;
        }
        self.endpoints.iter().filter(|e| e.serving && e.terminating).collect()
    }

    pub fn local_endpoints(&self, node: &str) -> Vec<&EndpointRule> {
        self.usable_endpoints().into_iter().filter(|e| e.node.as_deref() == Some(node)).collect()
    }
}

/// All rules of the cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyRules {
    pub services: Vec<ServicePortRules>,
}

/// How a packet entered a service's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entry {
    ClusterIp,
    NodePort,
    LoadBalancerIp,
    ExternalIp,
}

impl ProxyRules {
    /// The rule a packet to a ClusterIP:port meets.
    pub fn by_cluster_ip(&self, ip: Ipv4Addr, port: u16) -> Option<&ServicePortRules> {
        // Every connection the simulator makes is TCP; kube-dns also has a UDP port 53.
        self.services.iter().find(|s| s.cluster_ip == ip && s.port == port && s.protocol == "TCP")
    }

    /// Whether `ip` is some Service's ClusterIP (on any port).
    pub fn is_cluster_ip(&self, ip: Ipv4Addr) -> bool {
        self.services.iter().any(|s| s.cluster_ip == ip)
    }

    pub fn by_node_port(&self, port: u16) -> Option<&ServicePortRules> {
        self.services.iter().find(|s| s.node_port == Some(port) && s.protocol == "TCP")
    }

    pub fn by_health_check_node_port(&self, port: u16) -> Option<&ServicePortRules> {
        self.services.iter().find(|s| s.health_check_node_port == Some(port))
    }

    /// A LoadBalancer ingress IP or an externalIP with this port.
    pub fn by_external_ip(&self, ip: Ipv4Addr, port: u16) -> Option<(&ServicePortRules, Entry)> {
        self.services.iter().find_map(|s| {
            if s.port != port || s.protocol != "TCP" {
                None
            } else if s.load_balancer_ips.contains(&ip) {
                Some((s, Entry::LoadBalancerIp))
            } else if s.external_ips.contains(&ip) {
                Some((s, Entry::ExternalIp))
            } else {
                None
            }
        })
    }

    pub fn is_load_balancer_ip(&self, ip: Ipv4Addr) -> bool {
        self.services.iter().any(|s| s.load_balancer_ips.contains(&ip))
    }
}

/// Computes the rules from the store, as kube-proxy's service and endpoint-slice
/// trackers do.
pub fn compute(cluster: &Cluster) -> ProxyRules {
    let mut services = Vec::new();
    for object in cluster.store.list(Kind::Service, None) {
        if let Object::Service(svc) = object {
            services.extend(service_rules(cluster, svc));
        }
    }
    ProxyRules { services }
}

fn service_rules(cluster: &Cluster, svc: &Service) -> Vec<ServicePortRules> {
    let Some(spec) = svc.spec.as_ref() else { return Vec::new() };
    let type_ = spec.type_.as_deref().unwrap_or("ClusterIP");
    if type_ == "ExternalName" {
        return Vec::new();
    }
    // Headless Services (clusterIP: None) get no proxy rules; DNS answers for them.
    let Some(cluster_ip) = spec.cluster_ip.as_deref().and_then(|ip| ip.parse::<Ipv4Addr>().ok()) else {
        return Vec::new();
    };
    let namespace = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let node_ports_apply = type_ == "NodePort" || type_ == "LoadBalancer";
    let load_balancer_ips: Vec<Ipv4Addr> = if type_ == "LoadBalancer" {
        svc.status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|lb| lb.ingress.as_ref())
            .map(|ingress| ingress.iter().filter_map(|i| i.ip.as_deref()?.parse().ok()).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let external_ips: Vec<Ipv4Addr> =
        spec.external_ips.as_ref().map(|ips| ips.iter().filter_map(|ip| ip.parse().ok()).collect()).unwrap_or_default();
    let external_traffic_local = spec.external_traffic_policy.as_deref() == Some("Local")
        && (node_ports_apply || !external_ips.is_empty());
    let affinity_timeout_seconds = if spec.session_affinity.as_deref() == Some("ClientIP") {
        Some(
            spec.session_affinity_config
                .as_ref()
                .and_then(|c| c.client_ip.as_ref())
                .and_then(|c| c.timeout_seconds)
                .map(i64::from)
                .unwrap_or(DEFAULT_AFFINITY_TIMEOUT_SECONDS),
        )
    } else {
        None
    };
    let slices: Vec<&k8s_openapi::api::discovery::v1::EndpointSlice> = cluster
        .store
        .list(Kind::EndpointSlice, Some(&namespace))
        .filter_map(|o| match o {
            Object::EndpointSlice(s)
                if s.address_type == "IPv4"
                    && s.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name")) == Some(&name) =>
            {
                Some(&**s)
            }
            _ => None,
        })
        .collect();
    let mut rules = Vec::new();
    for port in spec.ports.iter().flatten() {
        let port_name = port.name.clone().unwrap_or_default();
        let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".to_string());
        let Ok(port_number) = u16::try_from(port.port) else { continue };
        let mut endpoints = Vec::new();
        for slice in &slices {
            // The slice port whose name matches the service port carries the target port.
            let Some(target) = slice.ports.iter().flatten().find(|p| {
                p.name.clone().unwrap_or_default() == port_name
                    && p.protocol.clone().unwrap_or_else(|| "TCP".to_string()) == protocol
            }) else {
                continue;
            };
            let Some(target_port) = target.port.and_then(|p| u16::try_from(p).ok()) else { continue };
            for endpoint in &slice.endpoints {
                let conditions = endpoint.conditions.as_ref();
                // An unset condition means ready/serving, as the EndpointSlice API documents.
                let ready = conditions.and_then(|c| c.ready).unwrap_or(true);
                let serving = conditions.and_then(|c| c.serving).unwrap_or(ready);
                let terminating = conditions.and_then(|c| c.terminating).unwrap_or(false);
                let pod = endpoint.target_ref.as_ref().filter(|r| r.kind.as_deref() == Some("Pod")).map(|r| {
                    (r.namespace.clone().unwrap_or_else(|| namespace.clone()), r.name.clone().unwrap_or_default())
                });
                for address in &endpoint.addresses {
                    if let Ok(ip) = address.parse::<Ipv4Addr>() {
                        endpoints.push(EndpointRule {
                            ip,
                            port: target_port,
                            node: endpoint.node_name.clone(),
                            pod: pod.clone(),
                            ready,
                            serving,
                            terminating,
                        });
                    }
                }
            }
        }
        rules.push(ServicePortRules {
            namespace: namespace.clone(),
            name: name.clone(),
            port_name,
            protocol,
            cluster_ip,
            port: port_number,
            node_port: if node_ports_apply { port.node_port.and_then(|p| u16::try_from(p).ok()) } else { None },
            load_balancer_ips: load_balancer_ips.clone(),
            external_ips: external_ips.clone(),
            health_check_node_port: if external_traffic_local && type_ == "LoadBalancer" {
                spec.health_check_node_port.and_then(|p| u16::try_from(p).ok())
            } else {
                None
            },
            external_traffic_local,
            internal_traffic_local: spec.internal_traffic_policy.as_deref() == Some("Local"),
            affinity_timeout_seconds,
            endpoints,
        });
    }
    rules
}

/// What the rules do with a packet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// DNAT to `endpoint`; with `masquerade` the source becomes the node's IP.
    Dnat { endpoint: EndpointRule, masquerade: bool, rule: String },
    /// `-j REJECT`: the sender gets ICMP port-unreachable (connection refused).
    Reject { rule: String },
    /// `-j DROP`: nothing comes back; the sender times out.
    Drop { rule: String },
}

/// Who sent the packet, as the rules tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sender {
    pub ip: Ipv4Addr,
    /// The packet was sent by this node itself (or a hostNetwork pod on it).
    pub from_this_node: bool,
}

/// The verdict of `rules` for a packet from `sender` that entered by `entry` on
/// `node`. Random choices come from `rng`; affinity memory lives in `affinity`.
pub fn decide(
    rules: &ServicePortRules,
    entry: Entry,
    node: &str,
    sender: Sender,
    now_unix_millis: i64,
    rng: &mut SeededRng,
    affinity: &mut BTreeMap<(String, String, Ipv4Addr), Affinity>,
) -> Verdict {
    let svc = rules.service_port_name();
    let usable = rules.usable_endpoints();
    let from_pod = in_cidr(sender.ip, POD_CIDR) && !sender.from_this_node;
    let destination = match entry {
        Entry::ClusterIp => format!("{}:{}", rules.cluster_ip, rules.port),
        Entry::NodePort => format!("nodePort {}", rules.node_port.unwrap_or(0)),
        Entry::LoadBalancerIp | Entry::ExternalIp => "external IP".to_string(),
    };
    if usable.is_empty() {
        return Verdict::Reject { rule: format!("KUBE-SERVICES: {svc} has no endpoints ({destination}) -j REJECT") };
    }
    // Which endpoints this node may pick, and whether the source is rewritten.
    let (candidates, masquerade, chain): (Vec<&EndpointRule>, bool, String) = match entry {
        Entry::ClusterIp => {
            let masquerade = !in_cidr(sender.ip, POD_CIDR);
            if rules.internal_traffic_local {
                let local = rules.local_endpoints(node);
                if local.is_empty() {
                    return Verdict::Drop {
                        rule: format!("KUBE-SVL: {svc} has no local endpoints on {node} (internalTrafficPolicy: Local) -j DROP"),
                    };
                }
                (local, masquerade, format!("KUBE-SVL ({svc}, internalTrafficPolicy: Local)"))
            } else {
                (usable, masquerade, format!("KUBE-SVC ({svc})"))
            }
        }
        Entry::NodePort | Entry::LoadBalancerIp | Entry::ExternalIp => {
            if !rules.external_traffic_local {
                (usable, true, format!("KUBE-EXT → KUBE-MARK-MASQ → KUBE-SVC ({svc}, externalTrafficPolicy: Cluster)"))
            } else if from_pod {
                // Pod-originated traffic short-circuits to the cluster-wide chain.
                (usable, false, format!("KUBE-EXT → KUBE-SVC ({svc}: traffic from a pod uses every endpoint)"))
            } else if sender.from_this_node {
                (usable, true, format!("KUBE-EXT → KUBE-MARK-MASQ → KUBE-SVC ({svc}: traffic from the node itself)"))
            } else {
                let local = rules.local_endpoints(node);
                if local.is_empty() {
                    return Verdict::Drop {
                        rule: format!(
                            "KUBE-EXT: {svc} has no local endpoints on {node} (externalTrafficPolicy: Local) -j DROP"
                        ),
                    };
                }
                (local, false, format!("KUBE-EXT → KUBE-SVL ({svc}, externalTrafficPolicy: Local)"))
            }
        }
    };
    let endpoint = pick(rules, &candidates, node, sender.ip, now_unix_millis, rng, affinity);
    // A pod reaching itself through its Service is masqueraded so that the reply
    // comes back through the node (hairpin).
    let masquerade = masquerade || endpoint.ip == sender.ip;
    let rule = format!("{chain} → KUBE-SEP ({}) -j DNAT --to-destination {}", endpoint.addr(), endpoint.addr());
    Verdict::Dnat { endpoint, masquerade, rule }
}

fn pick(
    rules: &ServicePortRules,
    candidates: &[&EndpointRule],
    node: &str,
    client: Ipv4Addr,
    now: i64,
    rng: &mut SeededRng,
    affinity: &mut BTreeMap<(String, String, Ipv4Addr), Affinity>,
) -> EndpointRule {
    let key = (node.to_string(), format!("{}:{}", rules.service_port_name(), rules.port), client);
    if let Some(timeout) = rules.affinity_timeout_seconds {
        if let Some(remembered) = affinity.get(&key) {
            if remembered.expires_unix_millis > now {
                if let Some(e) = candidates.iter().find(|e| e.addr() == remembered.endpoint) {
                    let endpoint = (*e).clone();
                    affinity.insert(
                        key,
                        Affinity { endpoint: endpoint.addr(), expires_unix_millis: now.saturating_add(timeout * 1000) },
                    );
                    return endpoint;
                }
            }
        }
    }
    let index = rng.below(candidates.len() as u64) as usize;
    let endpoint = candidates.get(index).or(candidates.first()).map(|e| (*e).clone()).unwrap_or(EndpointRule {
        ip: Ipv4Addr::UNSPECIFIED,
        port: 0,
        node: None,
        pod: None,
        ready: false,
        serving: false,
        terminating: false,
    });
    if let Some(timeout) = rules.affinity_timeout_seconds {
        affinity.insert(key, Affinity { endpoint: endpoint.addr(), expires_unix_millis: now.saturating_add(timeout * 1000) });
    }
    endpoint
}

/// The body kube-proxy's health-check server answers on a healthCheckNodePort
/// (`pkg/proxy/healthcheck/service_health.go`): the count of local endpoints, with
/// 200 when there is at least one and 503 otherwise, so that cloud load balancers
/// send traffic only to nodes that can serve it locally.
pub fn health_check_response(rules: &ServicePortRules, node: &str) -> (u16, String) {
    let count = rules.local_endpoints(node).len();
    let body = format!(
        "{{\n\t\"service\": {{\n\t\t\"namespace\": \"{}\",\n\t\t\"name\": \"{}\"\n\t}},\n\t\"localEndpoints\": {},\n\t\"serviceProxyHealthy\": true\n}}",
        rules.namespace, rules.name, count
    );
    (if count > 0 { 200 } else { 503 }, body)
}

/// One chain of a node's rules, as data: where packets enter, and what they meet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRule {
    /// `default/web:http`.
    pub service: String,
    pub entry: Entry,
    /// The destination the rule matches (`10.96.0.5:80`, `nodePort 30080`, `172.18.255.200:80`).
    pub matches: String,
    pub action: NodeAction,
}

/// What a node's rule does with a matching packet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeAction {
    /// DNAT to one of these endpoints, chosen at random (or by affinity), with
    /// masquerade for external entries under `externalTrafficPolicy: Cluster`.
    Dnat { endpoints: Vec<SocketAddrV4>, masquerade: bool },
    Reject,
    Drop,
}

/// The rules kube-proxy programs on `node`, for traffic from outside the cluster
/// (for external entries) and from pods (for ClusterIPs): what `iptables-save -t
/// nat` would show there, one entry per destination.
pub fn node_rules(rules: &ProxyRules, node: &str) -> Vec<NodeRule> {
    let mut out = Vec::new();
    for svc in &rules.services {
        let usable: Vec<SocketAddrV4> = svc.usable_endpoints().iter().map(|e| e.addr()).collect();
        let local: Vec<SocketAddrV4> = svc.local_endpoints(node).iter().map(|e| e.addr()).collect();
        let action = |candidates: &[SocketAddrV4], masquerade: bool| {
            if usable.is_empty() {
                NodeAction::Reject
            } else if candidates.is_empty() {
                NodeAction::Drop
            } else {
                NodeAction::Dnat { endpoints: candidates.to_vec(), masquerade }
            }
        };
        let internal = if svc.internal_traffic_local { &local } else { &usable };
        out.push(NodeRule {
            service: svc.service_port_name(),
            entry: Entry::ClusterIp,
            matches: format!("{}:{}", svc.cluster_ip, svc.port),
            action: action(internal, false),
        });
        let external = if svc.external_traffic_local { &local } else { &usable };
        let masquerade = !svc.external_traffic_local;
        if let Some(node_port) = svc.node_port {
            out.push(NodeRule {
                service: svc.service_port_name(),
                entry: Entry::NodePort,
                matches: format!("nodePort {node_port}"),
                action: action(external, masquerade),
            });
        }
        for (ips, entry) in [(&svc.load_balancer_ips, Entry::LoadBalancerIp), (&svc.external_ips, Entry::ExternalIp)] {
            for ip in ips {
                out.push(NodeRule {
                    service: svc.service_port_name(),
                    entry,
                    matches: format!("{ip}:{}", svc.port),
                    action: action(external, masquerade),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::testkit::{self, Svc};

    #[test]
    fn each_node_sees_its_own_local_endpoints() {
        let mut c = testkit::kind();
        testkit::pod(&mut c, "web-1", "kind-worker", "10.244.1.5", true, "nginx", &[], "web");
        testkit::service(&mut c, &Svc { type_: "NodePort", node_port: Some(30080), external_traffic_policy: "Local", ..Default::default() });
        testkit::service(&mut c, &Svc { name: "empty", cluster_ip: Some("10.96.100.11"), app: "none", ..Default::default() });
        let rules = compute(&c);
        let endpoint = SocketAddrV4::new(Ipv4Addr::new(10, 244, 1, 5), 80);
        let on = |node: &str| -> Vec<(String, NodeAction)> {
            node_rules(&rules, node)
                .into_iter()
                .filter(|r| r.service.starts_with("default/web") || r.service.starts_with("default/empty"))
                .map(|r| (r.matches, r.action))
                .collect()
        };
        assert_eq!(
            on("kind-worker"),
            [
                ("10.96.100.11:80".to_string(), NodeAction::Reject),
                ("10.96.100.10:80".to_string(), NodeAction::Dnat { endpoints: vec![endpoint], masquerade: false }),
                ("nodePort 30080".to_string(), NodeAction::Dnat { endpoints: vec![endpoint], masquerade: false }),
            ]
        );
        assert_eq!(on("kind-worker2").get(2).map(|r| r.1.clone()), Some(NodeAction::Drop));
    }
}
