//! The addresses of a kind cluster and read-only views of the store they come from:
//! the host on the kind docker network, node InternalIPs, pod IPs, ClusterIPs and
//! load-balancer IPs.
//!
//! kind puts every node container on the `kind` docker network (172.18.0.0/16, the
//! host's bridge is 172.18.0.1), gives pods addresses from 10.244.0.0/16 (a /24 per
//! node) and Services from 10.96.0.0/16. The host has routes only for its own docker
//! network, so node IPs answer from the learner's terminal and the two cluster ranges
//! do not: their packets leave through the default gateway and are never answered.

use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::{Container, Pod, Service};

use crate::cluster::Cluster;
use crate::network::Place;
use crate::resources::Kind;
use crate::store::Object;

/// The learner's terminal: the docker host's address on the kind network.
pub const HOST_IP: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 1);
/// kind's default Service CIDR (kubeadm's `serviceSubnet`).
pub const SERVICE_CIDR: (Ipv4Addr, u8) = (Ipv4Addr::new(10, 96, 0, 0), 16);
/// kind's default pod CIDR (kubeadm's `podSubnet`); kube-proxy is started with it as
/// `--cluster-cidr`, which decides who gets masqueraded.
pub const POD_CIDR: (Ipv4Addr, u8) = (Ipv4Addr::new(10, 244, 0, 0), 16);
/// The kind docker network.
pub const KIND_NETWORK: (Ipv4Addr, u8) = (Ipv4Addr::new(172, 18, 0, 0), 16);
/// The kube-dns Service's ClusterIP: the tenth address of the Service CIDR, as kubeadm
/// configures the kubelet's `clusterDNS`.
pub const CLUSTER_DNS_IP: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 10);
/// The host port kind publishes the API server on (kind picks a free one; kubesim
/// fixes it, the same number kubectl's kubeconfig names).
pub const API_SERVER_HOST_PORT: u16 = 36035;
/// The cluster domain kind configures.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// Whether `ip` lies in `cidr`.
pub fn in_cidr(ip: Ipv4Addr, cidr: (Ipv4Addr, u8)) -> bool {
    let (base, bits) = cidr;
    if bits == 0 {
        return true;
    }
    let mask = u32::MAX.checked_shl(32 - u32::from(bits.min(32))).unwrap_or(0);
    (u32::from(ip) & mask) == (u32::from(base) & mask)
}

/// Parses `10.244.1.0/24`.
pub fn parse_cidr(text: &str) -> Option<(Ipv4Addr, u8)> {
    let (ip, bits) = text.split_once('/')?;
    let bits: u8 = bits.parse().ok()?;
    if bits > 32 {
        return None;
    }
    Some((ip.parse().ok()?, bits))
}

/// A node as the network sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    pub name: String,
    pub ip: Ipv4Addr,
    pub ready: bool,
    pub pod_cidr: Option<(Ipv4Addr, u8)>,
    /// Labelled `node.kubernetes.io/exclude-from-external-load-balancers` (kind's
    /// control plane is): cloud load balancers leave it out.
    pub excluded_from_load_balancers: bool,
}

/// Every node with an InternalIP, in store order.
pub fn nodes(cluster: &Cluster) -> Vec<NodeView> {
    cluster
        .store
        .list(Kind::Node, None)
        .filter_map(|o| match o {
            Object::Node(node) => {
                let status = node.status.as_ref()?;
                let ip = status
                    .addresses
                    .as_ref()?
                    .iter()
                    .find(|a| a.type_ == "InternalIP")
                    .and_then(|a| a.address.parse().ok())?;
                let ready = status
                    .conditions
                    .as_ref()
                    .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
                let pod_cidr = node.spec.as_ref().and_then(|s| s.pod_cidr.as_deref()).and_then(parse_cidr);
                let excluded = node
                    .metadata
                    .labels
                    .as_ref()
                    .is_some_and(|l| l.contains_key("node.kubernetes.io/exclude-from-external-load-balancers"));
                Some(NodeView {
                    name: node.metadata.name.clone().unwrap_or_default(),
                    ip,
                    ready,
                    pod_cidr,
                    excluded_from_load_balancers: excluded,
                })
            }
            _ => None,
        })
        .collect()
}

/// A pod as the network sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    pub ip: Option<Ipv4Addr>,
    pub node: Option<String>,
    /// Phase Running: its processes exist and can answer.
    pub running: bool,
    /// The Ready condition is True.
    pub ready: bool,
    pub host_network: bool,
    /// `spec.dnsPolicy` (ClusterFirst when unset).
    pub dns_policy: String,
    pub hostname: String,
    pub containers: Vec<Container>,
}

impl PodView {
    pub fn from_pod(pod: &Pod) -> PodView {
        let status = pod.status.as_ref();
        let spec = pod.spec.as_ref();
        let name = pod.metadata.name.clone().unwrap_or_default();
        PodView {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            ip: status.and_then(|s| s.pod_ip.as_deref()).and_then(|ip| ip.parse().ok()),
            node: spec.and_then(|s| s.node_name.clone()),
            running: status.and_then(|s| s.phase.as_deref()) == Some("Running"),
            ready: status
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True")),
            host_network: spec.and_then(|s| s.host_network).unwrap_or(false),
            dns_policy: spec.and_then(|s| s.dns_policy.clone()).unwrap_or_else(|| "ClusterFirst".to_string()),
            hostname: spec.and_then(|s| s.hostname.clone()).unwrap_or_else(|| name.clone()),
            containers: spec.map(|s| s.containers.clone()).unwrap_or_default(),
            name,
        }
    }
}

/// The pods bound to `node` with their network facts, in store order.
pub fn pods_on_node(cluster: &Cluster, node: &str) -> Vec<PodView> {
    cluster
        .store
        .pods_on_node(node)
        .filter_map(|o| match o {
            Object::Pod(p) => Some(PodView::from_pod(p)),
            _ => None,
        })
        .collect()
}

/// All pods with their network facts, in store order.
pub fn pods(cluster: &Cluster) -> Vec<PodView> {
    cluster
        .store
        .list(Kind::Pod, None)
        .filter_map(|o| match o {
            Object::Pod(p) => Some(PodView::from_pod(p)),
            _ => None,
        })
        .collect()
}

pub fn pod(cluster: &Cluster, namespace: &str, name: &str) -> Option<PodView> {
    match cluster.store.get(&crate::store::ObjectKey::new(Kind::Pod, namespace, name)) {
        Some(Object::Pod(p)) => Some(PodView::from_pod(p)),
        _ => None,
    }
}

/// The running, non-hostNetwork pod that owns `ip`, if any.
pub fn pod_by_ip(cluster: &Cluster, ip: Ipv4Addr) -> Option<PodView> {
    // Through the store's pod-IP index: a hop must not cost a pass over every pod.
    cluster.store.pods_with_ip(ip).find_map(|o| match o {
        Object::Pod(p) if p.spec.as_ref().and_then(|s| s.host_network) != Some(true) => Some(PodView::from_pod(p)),
        _ => None,
    })
}

pub fn node_by_ip(cluster: &Cluster, ip: Ipv4Addr) -> Option<NodeView> {
    nodes(cluster).into_iter().find(|n| n.ip == ip)
}

pub fn node_by_name(cluster: &Cluster, name: &str) -> Option<NodeView> {
    nodes(cluster).into_iter().find(|n| n.name == name)
}

/// All Services, in store order.
pub fn services(cluster: &Cluster) -> Vec<&Service> {
    cluster
        .store
        .list(Kind::Service, None)
        .filter_map(|o| match o {
            Object::Service(s) => Some(&**s),
            _ => None,
        })
        .collect()
}

/// The address a place sends from, and the node whose kube-proxy rules its packets
/// meet first. `Err` says why the place cannot send (a pod without an IP yet).
pub fn source_of(cluster: &Cluster, place: &Place) -> Result<(Ipv4Addr, Option<String>), String> {
    match place {
        Place::Host => Ok((HOST_IP, None)),
        Place::Node { name } => match node_by_name(cluster, name) {
            Some(n) => Ok((n.ip, Some(n.name))),
            None => Err(format!("node {name} not found")),
        },
        Place::Pod { namespace, name } => match pod(cluster, namespace, name) {
            Some(p) => {
                let node = p.node.clone();
                if p.host_network {
                    // A hostNetwork pod shares its node's address.
                    let ip = node.as_deref().and_then(|n| node_by_name(cluster, n)).map(|n| n.ip);
                    return ip.map(|ip| (ip, node)).ok_or_else(|| format!("pod {name} has no node"));
                }
                match (p.ip, p.running) {
                    (Some(ip), true) => Ok((ip, node)),
                    _ => Err(format!("pod {name} is not running")),
                }
            }
            None => Err(format!("pod {name} not found")),
        },
    }
}

/// A human name for a place, as traces show it.
pub fn place_label(place: &Place) -> String {
    match place {
        Place::Host => "your terminal (kind host)".to_string(),
        Place::Node { name } => format!("node {name}"),
        Place::Pod { namespace, name } => format!("pod {namespace}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_membership() {
        assert!(in_cidr(Ipv4Addr::new(10, 96, 3, 4), SERVICE_CIDR));
        assert!(!in_cidr(Ipv4Addr::new(10, 97, 0, 1), SERVICE_CIDR));
        assert!(in_cidr(Ipv4Addr::new(1, 2, 3, 4), (Ipv4Addr::new(0, 0, 0, 0), 0)));
        assert_eq!(parse_cidr("10.244.1.0/24"), Some((Ipv4Addr::new(10, 244, 1, 0), 24)));
        assert_eq!(parse_cidr("10.244.1.0/33"), None);
        assert_eq!(parse_cidr("nope"), None);
    }
}
