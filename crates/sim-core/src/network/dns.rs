//! DNS as CoreDNS's `kubernetes` plugin answers it in a kind cluster, and the
//! resolver side in pods (`/etc/resolv.conf` with search domains and `ndots:5`).
//!
//! Records (cluster domain `cluster.local`):
//! - `<svc>.<ns>.svc.cluster.local`: A → the ClusterIP; for a headless Service one A
//!   per ready endpoint; for ExternalName a CNAME to `spec.externalName`;
//! - `<hostname>.<svc>.<ns>.svc.cluster.local`: A for a headless endpoint with a hostname;
//! - `<a-b-c-d>.<ns>.pod.cluster.local`: A → a.b.c.d (kind's Corefile says `pods insecure`).
//!
//! Names outside the cluster domain are forwarded upstream by CoreDNS: on kind that is
//! Docker's embedded DNS, which answers the node names (`kind-worker`). Beyond that the simulator
//! has no upstream, so it says so instead of inventing an answer. From the learner's
//! terminal (the kind host) cluster names do not resolve at all: the host uses its
//! own resolver, which knows nothing of CoreDNS.

use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::Service;
use serde::{Deserialize, Serialize};

use crate::cluster::Cluster;
use crate::network::addresses::{self, CLUSTER_DNS_IP, CLUSTER_DOMAIN};
use crate::network::Place;
use crate::resources::Kind;
use crate::store::{Object, ObjectKey};

/// What a pod's `/etc/resolv.conf` says (dnsPolicy ClusterFirst, as the kubelet
/// writes it in `generateSearchesForDNSClusterFirst`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvConf {
    pub nameserver: Ipv4Addr,
    pub search: Vec<String>,
    pub ndots: usize,
}

impl ResolvConf {
    /// The file as `cat /etc/resolv.conf` shows it inside the pod.
    pub fn render(&self) -> String {
        let mut text = String::new();
        if !self.search.is_empty() {
            text.push_str(&format!("search {}\n", self.search.join(" ")));
        }
        text.push_str(&format!("nameserver {}\n", self.nameserver));
        text.push_str(&format!("options ndots:{}\n", self.ndots));
        text
    }
}

/// The DNS server pods use: the kube-dns Service's ClusterIP when it exists.
pub fn cluster_dns_ip(cluster: &Cluster) -> Ipv4Addr {
    match cluster.store.get(&ObjectKey::new(Kind::Service, "kube-system", "kube-dns")) {
        Some(Object::Service(s)) => s
            .spec
            .as_ref()
            .and_then(|s| s.cluster_ip.as_deref())
            .and_then(|ip| ip.parse().ok())
            .unwrap_or(CLUSTER_DNS_IP),
        _ => CLUSTER_DNS_IP,
    }
}

/// The resolver configuration at a place; `None` on the host, whose resolver does
/// not know the cluster.
pub fn resolv_conf(cluster: &Cluster, place: &Place) -> Option<ResolvConf> {
    match place {
        Place::Host | Place::Node { .. } => None,
        Place::Pod { namespace, name } => {
            let pod = addresses::pod(cluster, namespace, name)?;
            // dnsPolicy Default uses the node's resolver; ClusterFirst on a hostNetwork
            // pod falls back to Default, unless it says ClusterFirstWithHostNet.
            let cluster_dns = match pod.dns_policy.as_str() {
                "Default" | "None" => false,
                "ClusterFirstWithHostNet" => true,
                _ => !pod.host_network,
            };
            if !cluster_dns {
                return None;
            }
            Some(ResolvConf {
                nameserver: cluster_dns_ip(cluster),
                search: vec![
                    format!("{namespace}.svc.{CLUSTER_DOMAIN}"),
                    format!("svc.{CLUSTER_DOMAIN}"),
                    CLUSTER_DOMAIN.to_string(),
                ],
                ndots: 5,
            })
        }
    }
}

/// One answer record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    A { name: String, ip: Ipv4Addr },
    Cname { name: String, target: String },
}

/// The answer to one fully qualified query (no trailing dot).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Records(Vec<Record>),
    NxDomain,
    /// Outside the cluster domain: CoreDNS would forward it upstream, which the
    /// simulator does not have.
    Upstream,
}

/// Top-level domains that exist on the internet. A name outside the cluster domain
/// that ends in one would be answered by CoreDNS's upstream, which the simulator
/// does not have; anything else (`web`, `web.default`) is NXDOMAIN upstream too.
const PUBLIC_TLDS: &[&str] = &[
    "com", "net", "org", "io", "dev", "app", "co", "uk", "de", "fr", "nl", "edu", "gov", "info", "me", "cloud", "ai",
    "sh", "xyz", "us", "eu", "ch", "jp", "cn", "in", "br", "ca", "au", "es", "it", "se", "no", "pl", "ru", "tech",
];

fn is_public_name(name: &str) -> bool {
    match name.rsplit_once('.') {
        Some((_, tld)) => PUBLIC_TLDS.contains(&tld),
        None => false,
    }
}

/// What CoreDNS answers for an A query of `fqdn`.
pub fn query(cluster: &mut Cluster, fqdn: &str) -> Answer {
    let name = fqdn.trim_end_matches('.').to_ascii_lowercase();
    let suffix = format!(".{CLUSTER_DOMAIN}");
    let Some(inner) = name.strip_suffix(&suffix) else {
        // CoreDNS forwards other names to the node's resolver, which on kind is
        // Docker's embedded DNS: it knows the node containers by name.
        let node_name = name.strip_suffix(".kind").unwrap_or(&name);
        if let Some(node) = addresses::node_by_name(cluster, node_name) {
            return Answer::Records(vec![Record::A { name: name.clone(), ip: node.ip }]);
        }
        return if is_public_name(&name) { Answer::Upstream } else { Answer::NxDomain };
    };
    let labels: Vec<&str> = inner.split('.').collect();
    match labels.as_slice() {
        [svc, ns, "svc"] => service_records(cluster, &name, ns, svc, None),
        [host, svc, ns, "svc"] => service_records(cluster, &name, ns, svc, Some(host)),
        [ip, _ns, "pod"] => {
            let dotted = ip.replace('-', ".");
            match dotted.parse::<Ipv4Addr>() {
                Ok(ip) => Answer::Records(vec![Record::A { name: name.clone(), ip }]),
                Err(_) => Answer::NxDomain,
            }
        }
        _ => Answer::NxDomain,
    }
}

fn service_records(cluster: &mut Cluster, name: &str, ns: &str, svc: &str, host: Option<&str>) -> Answer {
    let service: Service = match cluster.store.get(&ObjectKey::new(Kind::Service, ns, svc)) {
        Some(Object::Service(s)) => (**s).clone(),
        _ => return Answer::NxDomain,
    };
    let Some(spec) = service.spec.as_ref() else { return Answer::NxDomain };
    if spec.type_.as_deref() == Some("ExternalName") {
        if host.is_some() {
            return Answer::NxDomain;
        }
        let target = spec.external_name.clone().unwrap_or_default();
        return Answer::Records(vec![Record::Cname { name: name.to_string(), target }]);
    }
    let headless = spec.cluster_ip.as_deref() == Some("None");
    if !headless {
        if host.is_some() {
            return Answer::NxDomain;
        }
        return match spec.cluster_ip.as_deref().and_then(|ip| ip.parse::<Ipv4Addr>().ok()) {
            Some(ip) => Answer::Records(vec![Record::A { name: name.to_string(), ip }]),
            None => Answer::NxDomain,
        };
    }
    // Headless: the ready endpoints (all of them with publishNotReadyAddresses).
    let publish_not_ready = spec.publish_not_ready_addresses.unwrap_or(false);
    let mut ips: Vec<Ipv4Addr> = Vec::new();
    for object in cluster.store.list(Kind::EndpointSlice, Some(ns)) {
        let Object::EndpointSlice(slice) = object else { continue };
        if slice.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name")).map(String::as_str) != Some(svc)
        {
            continue;
        }
        for endpoint in &slice.endpoints {
            let ready = endpoint.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
            if !ready && !publish_not_ready {
                continue;
            }
            if let Some(h) = host {
                if endpoint.hostname.as_deref() != Some(h) {
                    continue;
                }
            }
            for address in &endpoint.addresses {
                if let Ok(ip) = address.parse::<Ipv4Addr>() {
                    if !ips.contains(&ip) {
                        ips.push(ip);
                    }
                }
            }
        }
    }
    if ips.is_empty() {
        return Answer::NxDomain;
    }
    // kind's Corefile enables the `loadbalance` plugin: A records come back shuffled.
    for i in (1..ips.len()).rev() {
        let j = cluster.rng.below(i as u64 + 1) as usize;
        ips.swap(i, j);
    }
    Answer::Records(ips.into_iter().map(|ip| Record::A { name: name.to_string(), ip }).collect())
}

/// The outcome of resolving a name as a pod's stub resolver does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resolution {
    /// `name` is the fully qualified name that answered; `records` its answer
    /// (a CNAME first for ExternalName).
    Found { name: String, records: Vec<Record> },
    /// Every candidate name was NXDOMAIN. `tried` lists them in order.
    NotFound { tried: Vec<String> },
    /// The name is outside the cluster domain (CoreDNS would forward it).
    Upstream { name: String },
}

impl Resolution {
    /// The A addresses of a found name.
    pub fn addresses(&self) -> Vec<Ipv4Addr> {
        match self {
            Resolution::Found { records, .. } => records
                .iter()
                .filter_map(|r| match r {
                    Record::A { ip, .. } => Some(*ip),
                    Record::Cname { .. } => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The CNAME target of a found name, if it is an alias.
    pub fn cname(&self) -> Option<&str> {
        match self {
            Resolution::Found { records, .. } => records.iter().find_map(|r| match r {
                Record::Cname { target, .. } => Some(target.as_str()),
                _ => None,
            }),
            _ => None,
        }
    }
}

/// The names a resolver tries for `name`, in order: with fewer dots than `ndots` the
/// search list first, then the name as given; otherwise the other way round. A
/// trailing dot means the name is absolute.
pub fn candidates(name: &str, conf: &ResolvConf) -> Vec<String> {
    if let Some(absolute) = name.strip_suffix('.') {
        return vec![absolute.to_string()];
    }
    let dots = name.matches('.').count();
    let searched: Vec<String> = conf.search.iter().map(|s| format!("{name}.{s}")).collect();
    if dots >= conf.ndots {
        std::iter::once(name.to_string()).chain(searched).collect()
    } else {
        searched.into_iter().chain(std::iter::once(name.to_string())).collect()
    }
}

/// Resolves `name` with the search list of `conf`.
pub fn resolve(cluster: &mut Cluster, name: &str, conf: &ResolvConf) -> Resolution {
    let mut tried = Vec::new();
    let mut upstream = None;
    for candidate in candidates(name, conf) {
        match query(cluster, &candidate) {
            Answer::Records(records) => {
                // Follow an ExternalName alias as far as the cluster knows it.
                return Resolution::Found { name: candidate, records };
            }
            Answer::NxDomain => tried.push(candidate),
            Answer::Upstream => {
                if upstream.is_none() {
                    upstream = Some(candidate.clone());
                }
                tried.push(candidate);
            }
        }
    }
    match upstream {
        Some(name) => Resolution::Upstream { name },
        None => Resolution::NotFound { tried },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_order_follows_ndots() {
        let conf = ResolvConf {
            nameserver: CLUSTER_DNS_IP,
            search: vec!["default.svc.cluster.local".into(), "svc.cluster.local".into(), "cluster.local".into()],
            ndots: 5,
        };
        assert_eq!(
            candidates("web", &conf),
            ["web.default.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"]
        );
        assert_eq!(candidates("web.default.svc.cluster.local.", &conf), ["web.default.svc.cluster.local"]);
        assert_eq!(candidates("a.b.c.d.e.f", &conf).first().map(String::as_str), Some("a.b.c.d.e.f"));
        assert_eq!(
            conf.render(),
            "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
        );
    }
}
