//! A simulated load-balancer provider, MetalLB-like, that a lesson can switch on with
//! `cluster.cloud_provider = Some(CloudProvider::metallb())`. Off by default, as on a
//! plain kind cluster, where a LoadBalancer Service's EXTERNAL-IP stays `<pending>`.
//!
//! When on, each LoadBalancer Service gets the lowest free address of the pool in
//! `status.loadBalancer.ingress[0].ip` (with `ipMode: VIP`) a short while after it
//! appears, and MetalLB's `IPAllocated` event.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service, ServiceStatus};
use k8s_openapi::chrono::{DateTime, Duration, Utc};

use super::events::{self, Source};
use super::Wakeups;
use crate::cluster::Cluster;
use crate::resources::Kind;
use crate::store::Object;

/// The provider's configuration and what it is waiting on.
#[derive(Clone, Debug, PartialEq)]
pub struct CloudProvider {
    /// First and last address of the pool, inclusive.
    pub pool_start: Ipv4Addr,
    pub pool_end: Ipv4Addr,
    /// How long after a Service appears its address is assigned.
    pub delay: Duration,
    /// When each pending Service (by uid) is due.
    pub pending: BTreeMap<String, DateTime<Utc>>,
}

impl CloudProvider {
    /// The pool kind users give MetalLB on the docker network: 172.18.255.200-172.18.255.250.
    pub fn metallb() -> Self {
        CloudProvider {
            pool_start: Ipv4Addr::new(172, 18, 255, 200),
            pool_end: Ipv4Addr::new(172, 18, 255, 250),
            delay: Duration::seconds(2),
            pending: BTreeMap::new(),
        }
    }
}

fn ingress_ips(svc: &Service) -> Vec<String> {
    svc.status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .map(|i| i.iter().filter_map(|x| x.ip.clone()).collect())
        .unwrap_or_default()
}

pub fn reconcile(cluster: &mut Cluster, wake: &mut Wakeups) {
    let services: Vec<Service> = cluster
        .store
        .list(Kind::Service, None)
        .filter_map(|o| match o {
            Object::Service(s) => Some((**s).clone()),
            _ => None,
        })
        .collect();
    // A Service that is no longer a LoadBalancer loses its address (the service
    // controller clears the status).
    for svc in &services {
        let is_lb = svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("LoadBalancer");
        if !is_lb && svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.as_ref()).is_some() {
            let mut s = svc.clone();
            s.status = Some(ServiceStatus { load_balancer: Some(LoadBalancerStatus::default()), ..Default::default() });
            cluster.store.put(Object::Service(Box::new(s)));
        }
    }
    let Some(mut provider) = cluster.cloud_provider.clone() else { return };
    let now = cluster.clock.now();
    let mut used: BTreeSet<String> = services.iter().flat_map(ingress_ips).collect();
    let mut live = BTreeSet::new();
    for svc in &services {
        let spec = svc.spec.clone().unwrap_or_default();
        if spec.type_.as_deref() != Some("LoadBalancer") || spec.load_balancer_class.is_some() || !ingress_ips(svc).is_empty() {
            continue;
        }
        let uid = svc.metadata.uid.clone().unwrap_or_default();
        live.insert(uid.clone());
        let due = *provider.pending.entry(uid.clone()).or_insert(now + provider.delay);
        if due > now {
            wake.at(due);
            continue;
        }
        let requested = spec.load_balancer_ip.clone().filter(|ip| !ip.is_empty());
        let ip = match requested {
            Some(ip) => Some(ip).filter(|ip| !used.contains(ip)),
            None => (u32::from(provider.pool_start)..=u32::from(provider.pool_end)).map(|n| Ipv4Addr::from(n).to_string()).find(|ip| !used.contains(ip)),
        };
        let Some(ip) = ip else { continue };
        used.insert(ip.clone());
        provider.pending.remove(&uid);
        let mut s = svc.clone();
        s.status = Some(ServiceStatus {
            load_balancer: Some(LoadBalancerStatus {
                ingress: Some(vec![LoadBalancerIngress { ip: Some(ip.clone()), ip_mode: Some("VIP".into()), ..Default::default() }]),
            }),
            ..Default::default()
        });
        cluster.store.put(Object::Service(Box::new(s.clone())));
        events::record(cluster, events::reference_to(&Object::Service(Box::new(s))), "Normal", "IPAllocated", &format!("Assigned IP [\"{ip}\"]"), &Source::controller("metallb-controller"));
    }
    provider.pending.retain(|uid, _| live.contains(uid));
    cluster.cloud_provider = Some(provider);
}
