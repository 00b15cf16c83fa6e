//! The Endpoints and EndpointSlice controllers: for every Service with a selector, the
//! pods it selects as addresses (ready ones in `addresses`, the rest in
//! `notReadyAddresses`; slices with ready/serving/terminating conditions), with the
//! Service's target ports resolved against each pod's container ports.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{controller_ref, is_pod_ready, put_if_changed, Wakeups};
use crate::cluster::Cluster;
use crate::labels;
use crate::naming;
use crate::resources::Kind;
use crate::store::{Object, ObjectKey};

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
pub const TRIGGER_TIME_ANNOTATION: &str = "endpoints.kubernetes.io/last-change-trigger-time";
const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

/// One resolved port: (service port name, target port, protocol, appProtocol).
type ResolvedPort = (String, i32, String, Option<String>);

/// One pod as an endpoint of one Service.
struct Member {
    pod: Pod,
    ip: String,
    ready: bool,
    serving: bool,
    terminating: bool,
    ports: Vec<ResolvedPort>,
}

pub fn reconcile(cluster: &mut Cluster, _wake: &mut Wakeups) {
    let services: Vec<Service> = cluster
        .store
        .list(Kind::Service, None)
        .filter_map(|o| match o {
            Object::Service(s) => Some((**s).clone()),
            _ => None,
        })
        .collect();
    let mut managed: Vec<(String, String)> = Vec::new();
    for svc in &services {
        let spec = svc.spec.clone().unwrap_or_default();
        let Some(selector) = spec.selector.clone() else { continue };
        if spec.type_.as_deref() == Some("ExternalName") {
            continue;
        }
        let ns = svc.metadata.namespace.clone().unwrap_or_default();
        let name = svc.metadata.name.clone().unwrap_or_default();
        managed.push((ns.clone(), name.clone()));
        let members = members(cluster, svc, &selector);
        sync_endpoints(cluster, svc, &members);
        sync_slices(cluster, svc, &members);
    }
    // Objects left over from deleted Services (or Services whose selector was removed).
    let stale_endpoints: Vec<ObjectKey> = cluster
        .store
        .list(Kind::Endpoints, None)
        .filter(|o| o.metadata().annotations.as_ref().is_some_and(|a| a.contains_key(TRIGGER_TIME_ANNOTATION)))
        .filter(|o| !managed.contains(&(o.namespace().to_string(), o.name().to_string())))
        .map(Object::key)
        .collect();
    let stale_slices: Vec<ObjectKey> = cluster
        .store
        .list(Kind::EndpointSlice, None)
        .filter(|o| {
            let labels = o.metadata().labels.clone().unwrap_or_default();
            labels.get(MANAGED_BY_LABEL).map(String::as_str) == Some(MANAGED_BY)
                && !managed.contains(&(o.namespace().to_string(), labels.get(SERVICE_NAME_LABEL).cloned().unwrap_or_default()))
        })
        .map(Object::key)
        .collect();
    for key in stale_endpoints.iter().chain(stale_slices.iter()) {
        cluster.store.remove(key);
    }
}

fn members(cluster: &Cluster, svc: &Service, selector: &BTreeMap<String, String>) -> Vec<Member> {
    let ns = svc.metadata.namespace.as_deref().unwrap_or("");
    let spec = svc.spec.clone().unwrap_or_default();
    let publish_not_ready = spec.publish_not_ready_addresses == Some(true);
    let selector = labels::selector_from_map(selector);
    let mut out: Vec<Member> = cluster
        .store
        .list(Kind::Pod, Some(ns))
        .filter_map(|o| match o {
            Object::Pod(p) => Some(p),
            _ => None,
        })
        .filter(|p| selector.matches_opt(p.metadata.labels.as_ref()))
        .filter_map(|p| {
            let status = p.status.as_ref()?;
            let ip = status.pod_ip.clone().filter(|ip| !ip.is_empty())?;
            let phase = status.phase.as_deref().unwrap_or("");
            if phase == "Succeeded" || phase == "Failed" {
                return None;
            }
            let ports = spec
                .ports
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .filter_map(|sp| {
                    let protocol = sp.protocol.clone().unwrap_or_else(|| "TCP".into());
                    let target = match &sp.target_port {
                        None => Some(sp.port),
                        Some(IntOrString::Int(n)) => Some(*n),
                        // `podutil.FindPort`: a named target port is looked up among the
                        // pod's container ports; a pod without it is skipped for that port.
                        Some(IntOrString::String(port_name)) => p.spec.as_ref().and_then(|s| {
                            s.containers.iter().flat_map(|c| c.ports.as_deref().unwrap_or(&[])).find_map(|cp| {
                                (cp.name.as_deref() == Some(port_name.as_str()) && cp.protocol.as_deref().unwrap_or("TCP") == protocol)
                                    .then_some(cp.container_port)
                            })
                        }),
                    }?;
                    Some((sp.name.clone().unwrap_or_default(), target, protocol, sp.app_protocol.clone()))
                })
                .collect();
            let pod_ready = is_pod_ready(p);
            let terminating = p.metadata.deletion_timestamp.is_some();
            Some(Member {
                pod: (**p).clone(),
                ip,
                ready: (pod_ready || publish_not_ready) && !terminating,
                serving: pod_ready || publish_not_ready,
                terminating,
                ports,
            })
        })
        .collect();
    // Addresses are kept sorted by IP (as strings, like `addrsByIPAndUID`).
    crate::sort::sort_by(&mut out, |a, b| a.ip.cmp(&b.ip).then_with(|| a.pod.metadata.uid.cmp(&b.pod.metadata.uid)));
    out
}

fn pod_reference(p: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        namespace: p.metadata.namespace.clone(),
        name: p.metadata.name.clone(),
        uid: p.metadata.uid.clone(),
        ..Default::default()
    }
}

fn base_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut labels = svc.metadata.labels.clone().unwrap_or_default();
    if svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None") {
        labels.insert(HEADLESS_LABEL.into(), String::new());
    }
    labels
}

fn trigger_time(cluster: &Cluster) -> String {
    cluster.clock.now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn sync_endpoints(cluster: &mut Cluster, svc: &Service, members: &[Member]) {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    // Group addresses by their port set (`RepackSubsets`); terminating pods are left
    // out of Endpoints entirely.
    let mut groups: BTreeMap<Vec<ResolvedPort>, (Vec<EndpointAddress>, Vec<EndpointAddress>)> = BTreeMap::new();
    for m in members.iter().filter(|m| !m.terminating && !m.ports.is_empty()) {
        let address = EndpointAddress {
            ip: m.ip.clone(),
            node_name: m.pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            target_ref: Some(pod_reference(&m.pod)),
            hostname: None,
        };
        let entry = groups.entry(m.ports.clone()).or_default();
        if m.ready {
            entry.0.push(address);
        } else {
            entry.1.push(address);
        }
    }
    let subsets: Vec<EndpointSubset> = groups
        .into_iter()
        .map(|(ports, (ready, not_ready))| EndpointSubset {
            addresses: if ready.is_empty() { None } else { Some(ready) },
            not_ready_addresses: if not_ready.is_empty() { None } else { Some(not_ready) },
            ports: Some(
                ports
                    .into_iter()
                    .map(|(port_name, port, protocol, app_protocol)| EndpointPort {
                        name: if port_name.is_empty() { None } else { Some(port_name) },
                        port,
                        protocol: Some(protocol),
                        app_protocol,
                    })
                    .collect(),
            ),
        })
        .collect();
    let subsets = if subsets.is_empty() { None } else { Some(subsets) };
    let key = ObjectKey::new(Kind::Endpoints, &ns, &name);
    let labels = base_labels(svc);
    match cluster.store.get(&key).cloned() {
        Some(Object::Endpoints(mut current)) => {
            if current.subsets == subsets && current.metadata.labels.clone().unwrap_or_default() == labels {
                return;
            }
            current.subsets = subsets;
            current.metadata.labels = if labels.is_empty() { None } else { Some(labels) };
            current.metadata.annotations.get_or_insert_with(BTreeMap::new).insert(TRIGGER_TIME_ANNOTATION.into(), trigger_time(cluster));
            put_if_changed(cluster, Object::Endpoints(current));
        }
        _ => {
            let mut annotations = BTreeMap::new();
            annotations.insert(TRIGGER_TIME_ANNOTATION.to_string(), trigger_time(cluster));
            let endpoints = Endpoints {
                metadata: ObjectMeta {
                    name: Some(name),
                    namespace: Some(ns),
                    labels: if labels.is_empty() { None } else { Some(labels) },
                    annotations: Some(annotations),
                    ..Default::default()
                },
                subsets,
            };
            cluster.insert_new(Object::Endpoints(Box::new(endpoints)));
        }
    }
}

fn sync_slices(cluster: &mut Cluster, svc: &Service, members: &[Member]) {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    // One slice per distinct port set; with no endpoints at all, one empty placeholder.
    let mut groups: BTreeMap<Vec<ResolvedPort>, Vec<Endpoint>> = BTreeMap::new();
    for m in members.iter().filter(|m| !m.ports.is_empty()) {
        groups.entry(m.ports.clone()).or_default().push(Endpoint {
            addresses: vec![m.ip.clone()],
            conditions: Some(EndpointConditions { ready: Some(m.ready), serving: Some(m.serving), terminating: Some(m.terminating) }),
            node_name: m.pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            target_ref: Some(pod_reference(&m.pod)),
            ..Default::default()
        });
    }
    let mut desired: Vec<(Option<Vec<SlicePort>>, Option<Vec<Endpoint>>)> = groups
        .into_iter()
        .map(|(ports, endpoints)| {
            let ports = ports
                .into_iter()
                .map(|(port_name, port, protocol, app_protocol)| SlicePort { name: Some(port_name), port: Some(port), protocol: Some(protocol), app_protocol })
                .collect();
            (Some(ports), Some(endpoints))
        })
        .collect();
    if desired.is_empty() {
        desired.push((None, None));
    }
    let mut labels = base_labels(svc);
    labels.insert(SERVICE_NAME_LABEL.into(), name.clone());
    labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY.into());
    let mut existing: Vec<EndpointSlice> = cluster
        .store
        .list(Kind::EndpointSlice, Some(&ns))
        .filter_map(|o| match o {
            Object::EndpointSlice(s)
                if s.metadata.labels.as_ref().and_then(|l| l.get(SERVICE_NAME_LABEL)) == Some(&name)
                    && s.metadata.labels.as_ref().and_then(|l| l.get(MANAGED_BY_LABEL)).map(String::as_str) == Some(MANAGED_BY) =>
            {
                Some((**s).clone())
            }
            _ => None,
        })
        .collect();
    for (ports, endpoints) in desired {
        // Reuse the slice with the same ports, else any spare one, else create.
        let position = existing.iter().position(|s| s.ports == ports).or(if existing.is_empty() { None } else { Some(0) });
        match position {
            Some(i) => {
                let mut slice = existing.remove(i);
                if slice.ports == ports && slice.endpoints == endpoints.clone().unwrap_or_default() && slice.metadata.labels.as_ref() == Some(&labels) {
                    continue;
                }
                slice.ports = ports;
                slice.endpoints = endpoints.unwrap_or_default();
                slice.metadata.labels = Some(labels.clone());
                slice.metadata.annotations.get_or_insert_with(BTreeMap::new).insert(TRIGGER_TIME_ANNOTATION.into(), trigger_time(cluster));
                put_if_changed(cluster, Object::EndpointSlice(Box::new(slice)));
            }
            None => {
                let prefix = format!("{name}-");
                let mut slice_name = naming::generate_name(&prefix, &mut cluster.rng);
                for _ in 0..8 {
                    if !cluster.store.contains(&ObjectKey::new(Kind::EndpointSlice, &ns, &slice_name)) {
                        break;
                    }
                    slice_name = naming::generate_name(&prefix, &mut cluster.rng);
                }
                let mut annotations = BTreeMap::new();
                annotations.insert(TRIGGER_TIME_ANNOTATION.to_string(), trigger_time(cluster));
                let slice = EndpointSlice {
                    metadata: ObjectMeta {
                        name: Some(slice_name),
                        generate_name: Some(prefix),
                        namespace: Some(ns.clone()),
                        labels: Some(labels.clone()),
                        annotations: Some(annotations),
                        owner_references: Some(vec![controller_ref("v1", "Service", &svc.metadata)]),
                        generation: Some(1),
                        ..Default::default()
                    },
                    address_type: "IPv4".into(),
                    endpoints: endpoints.unwrap_or_default(),
                    ports,
                };
                cluster.insert_new(Object::EndpointSlice(Box::new(slice)));
            }
        }
    }
    for spare in existing {
        cluster.store.remove(&Object::EndpointSlice(Box::new(spare)).key());
    }
}
