//! Test clusters for the network tests, built by inserting typed objects straight
//! into the store (Services with IPs and ports, Pods with IPs, nodes and readiness,
//! EndpointSlices), the way the API server and controllers would leave them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, LoadBalancerIngress, LoadBalancerStatus, Pod, PodCondition, PodSpec, PodStatus, Service, ServicePort,
    ServiceSpec, ServiceStatus,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::clock::Clock;
use crate::cluster::{Cluster, Topology};
use crate::store::Object;

/// A kind cluster (control plane + two workers) at the transcripts' start time.
pub fn kind() -> Cluster {
    Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default())
}

fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

/// A running pod with an IP on a node, with one container of `image` and `args`.
pub fn pod(cluster: &mut Cluster, name: &str, node: &str, ip: &str, ready: bool, image: &str, args: &[&str], app: &str) {
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some("default".to_string()),
            labels: labels(&[("app", app)]),
            ..Default::default()
        },
        spec: Some(PodSpec {
            node_name: Some(node.to_string()),
            containers: vec![Container {
                name: "c".to_string(),
                image: Some(image.to_string()),
                args: if args.is_empty() { None } else { Some(args.iter().map(|a| a.to_string()).collect()) },
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: Some(PodStatus {
            phase: Some("Running".to_string()),
            pod_ip: Some(ip.to_string()),
            conditions: Some(vec![PodCondition {
                type_: "Ready".to_string(),
                status: if ready { "True" } else { "False" }.to_string(),
                ..Default::default()
            }]),
            ..Default::default()
        }),
    };
    cluster.insert_new(Object::Pod(Box::new(pod)));
}

/// How a test Service looks.
#[derive(Clone, Debug)]
pub struct Svc<'a> {
    pub name: &'a str,
    pub type_: &'a str,
    /// `None` for headless.
    pub cluster_ip: Option<&'a str>,
    pub port: i32,
    pub target_port: i32,
    pub node_port: Option<i32>,
    pub external_traffic_policy: &'a str,
    pub internal_traffic_policy: &'a str,
    pub health_check_node_port: Option<i32>,
    pub load_balancer_ip: Option<&'a str>,
    pub session_affinity: bool,
    pub app: &'a str,
    pub external_name: Option<&'a str>,
}

impl Default for Svc<'_> {
    fn default() -> Self {
        Svc {
            name: "web",
            type_: "ClusterIP",
            cluster_ip: Some("10.96.100.10"),
            port: 80,
            target_port: 80,
            node_port: None,
            external_traffic_policy: "Cluster",
            internal_traffic_policy: "Cluster",
            health_check_node_port: None,
            load_balancer_ip: None,
            session_affinity: false,
            app: "web",
            external_name: None,
        }
    }
}

/// Inserts the Service and the EndpointSlice the endpointslice controller would
/// write for the pods labelled `app` (ready or not, as the pods are).
pub fn service(cluster: &mut Cluster, s: &Svc) {
    let svc = Service {
        metadata: ObjectMeta { name: Some(s.name.to_string()), namespace: Some("default".to_string()), ..Default::default() },
        spec: Some(ServiceSpec {
            type_: Some(s.type_.to_string()),
            cluster_ip: if s.type_ == "ExternalName" { None } else { Some(s.cluster_ip.unwrap_or("None").to_string()) },
            external_name: s.external_name.map(str::to_string),
            selector: if s.type_ == "ExternalName" { None } else { labels(&[("app", s.app)]) },
            ports: if s.type_ == "ExternalName" {
                None
            } else {
                Some(vec![ServicePort {
                    port: s.port,
                    protocol: Some("TCP".to_string()),
                    target_port: Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(s.target_port)),
                    node_port: s.node_port,
                    ..Default::default()
                }])
            },
            external_traffic_policy: if matches!(s.type_, "NodePort" | "LoadBalancer") {
                Some(s.external_traffic_policy.to_string())
            } else {
                None
            },
            internal_traffic_policy: Some(s.internal_traffic_policy.to_string()),
            health_check_node_port: s.health_check_node_port,
            session_affinity: Some(if s.session_affinity { "ClientIP" } else { "None" }.to_string()),
            ..Default::default()
        }),
        status: Some(ServiceStatus {
            load_balancer: Some(LoadBalancerStatus {
                ingress: s.load_balancer_ip.map(|ip| vec![LoadBalancerIngress { ip: Some(ip.to_string()), ..Default::default() }]),
            }),
            ..Default::default()
        }),
    };
    cluster.insert_new(Object::Service(Box::new(svc)));
    if s.type_ == "ExternalName" {
        return;
    }
    let mut endpoints = Vec::new();
    for view in crate::network::addresses::pods(cluster) {
        let Some(Object::Pod(pod)) =
            cluster.store.get(&crate::store::ObjectKey::new(crate::resources::Kind::Pod, &view.namespace, &view.name))
        else {
            continue;
        };
        let matches = pod.metadata.labels.as_ref().and_then(|l| l.get("app")).map(String::as_str) == Some(s.app);
        if !matches || view.ip.is_none() {
            continue;
        }
        endpoints.push(Endpoint {
            addresses: vec![view.ip.map(|ip| ip.to_string()).unwrap_or_default()],
            conditions: Some(EndpointConditions {
                ready: Some(view.ready),
                serving: Some(view.ready),
                terminating: Some(false),
            }),
            node_name: view.node.clone(),
            target_ref: Some(ObjectReference {
                kind: Some("Pod".to_string()),
                namespace: Some("default".to_string()),
                name: Some(view.name.clone()),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    let slice = EndpointSlice {
        metadata: ObjectMeta {
            name: Some(format!("{}-abcde", s.name)),
            namespace: Some("default".to_string()),
            labels: labels(&[
                ("kubernetes.io/service-name", s.name),
                ("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"),
            ]),
            ..Default::default()
        },
        address_type: "IPv4".to_string(),
        endpoints,
        ports: Some(vec![EndpointPort {
            name: Some(String::new()),
            port: Some(s.target_port),
            protocol: Some("TCP".to_string()),
            ..Default::default()
        }]),
    };
    cluster.insert_new(Object::EndpointSlice(Box::new(slice)));
}

/// Runs a program at a place and returns (display, exit code).
pub fn run(
    cluster: &mut Cluster,
    place: &crate::network::Place,
    program: fn(&mut Cluster, &crate::network::Place, &[String], Option<&str>, &mut crate::simulator::Output) -> i32,
    line: &str,
) -> (String, i32) {
    let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let mut out = crate::simulator::Output::default();
    let code = program(cluster, place, &args, None, &mut out);
    (out.display, code)
}
