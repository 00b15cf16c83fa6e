//! API-server defaulting (`SetDefaults_*`), applied to every object a client writes.
//!
//! Upstream: `pkg/apis/core/v1/defaults.go` (Service, Pod, PodSpec, Container,
//! ContainerPort, probes, volumes, Namespace), `pkg/apis/apps/v1/defaults.go`
//! (Deployment, ReplicaSet), `pkg/apis/discovery/v1/defaults.go`. Defaulting is
//! idempotent: running it on a stored object changes nothing.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStrategy, ReplicaSet, RollingUpdateDeployment};
use k8s_openapi::api::core::v1::{
    ClientIPConfig, Container, Namespace, NamespaceSpec, NamespaceStatus, PodSecurityContext, PodSpec, Probe,
    ResourceRequirements, Service, SessionAffinityConfig, Volume,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::store::Object;

/// Applies the kind's defaults in place.
pub fn apply(object: &mut Object) {
    match object {
        Object::Service(s) => service(s),
        Object::Deployment(d) => deployment(d),
        Object::ReplicaSet(r) => replica_set(r),
        Object::Pod(p) => {
            if let Some(spec) = p.spec.as_mut() {
                pod_spec(spec);
                // SetDefaults_Pod (not pod templates): service links are on.
                if spec.enable_service_links.is_none() {
                    spec.enable_service_links = Some(true);
                }
            }
        }
        Object::Namespace(n) => namespace(n),
        Object::Endpoints(e) => {
            for subset in e.subsets.iter_mut().flatten() {
                for port in subset.ports.iter_mut().flatten() {
                    port.protocol.get_or_insert_with(|| "TCP".to_string());
                }
            }
        }
        Object::EndpointSlice(s) => {
            for port in s.ports.iter_mut().flatten() {
                port.name.get_or_insert_with(String::new);
                port.protocol.get_or_insert_with(|| "TCP".to_string());
            }
        }
        _ => {}
    }
}

/// `SetDefaults_Service`. IP families and ClusterIPs are not defaults: the registry
/// fills them while allocating (see `service::allocate_create`).
pub fn service(svc: &mut Service) {
    let spec = svc.spec.get_or_insert_with(Default::default);
    if spec.session_affinity.as_deref().unwrap_or("").is_empty() {
        spec.session_affinity = Some("None".to_string());
    }
    match spec.session_affinity.as_deref() {
        Some("None") => spec.session_affinity_config = None,
        Some("ClientIP") => {
            let has_timeout = spec
                .session_affinity_config
                .as_ref()
                .and_then(|c| c.client_ip.as_ref())
                .and_then(|c| c.timeout_seconds)
                .is_some();
            if !has_timeout {
                spec.session_affinity_config =
                    Some(SessionAffinityConfig { client_ip: Some(ClientIPConfig { timeout_seconds: Some(10800) }) });
            }
        }
        _ => {}
    }
    if spec.type_.as_deref().unwrap_or("").is_empty() {
        spec.type_ = Some("ClusterIP".to_string());
    }
    for port in spec.ports.iter_mut().flatten() {
        if port.protocol.as_deref().unwrap_or("").is_empty() {
            port.protocol = Some("TCP".to_string());
        }
        let unset = match &port.target_port {
            None => true,
            Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(s)) => s.is_empty(),
            Some(IntOrString::Int(_)) => false,
        };
        if unset {
            port.target_port = Some(IntOrString::Int(port.port));
        }
    }
    let type_ = spec.type_.clone().unwrap_or_default();
    let externally_accessible = type_ == "LoadBalancer"
        || type_ == "NodePort"
        || (type_ == "ClusterIP" && spec.external_ips.as_ref().is_some_and(|ips| !ips.is_empty()));
    if externally_accessible && spec.external_traffic_policy.as_deref().unwrap_or("").is_empty() {
        spec.external_traffic_policy = Some("Cluster".to_string());
    }
    if spec.internal_traffic_policy.is_none() && matches!(type_.as_str(), "NodePort" | "LoadBalancer" | "ClusterIP") {
        spec.internal_traffic_policy = Some("Cluster".to_string());
    }
    if type_ == "LoadBalancer" && spec.allocate_load_balancer_node_ports.is_none() {
        spec.allocate_load_balancer_node_ports = Some(true);
    }
    // LoadBalancerIPMode (on by default since 1.30): IP ingress entries get ipMode VIP.
    if type_ == "LoadBalancer" {
        if let Some(lb) = svc.status.as_mut().and_then(|s| s.load_balancer.as_mut()) {
            for ing in lb.ingress.iter_mut().flatten() {
                if ing.ip.as_deref().is_some_and(|ip| !ip.is_empty()) && ing.ip_mode.is_none() {
                    ing.ip_mode = Some("VIP".to_string());
                }
            }
        }
    }
}

/// `SetDefaults_Deployment` (apps/v1).
pub fn deployment(d: &mut Deployment) {
    let Some(spec) = d.spec.as_mut() else { return };
    spec.replicas.get_or_insert(1);
    let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
    if strategy.type_.as_deref().unwrap_or("").is_empty() {
        strategy.type_ = Some("RollingUpdate".to_string());
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_unavailable.get_or_insert_with(|| IntOrString::String("25%".to_string()));
        ru.max_surge.get_or_insert_with(|| IntOrString::String("25%".to_string()));
    }
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    if let Some(pod) = spec.template.spec.as_mut() {
        pod_spec(pod);
    }
}

/// `SetDefaults_ReplicaSet` (apps/v1).
pub fn replica_set(r: &mut ReplicaSet) {
    let Some(spec) = r.spec.as_mut() else { return };
    spec.replicas.get_or_insert(1);
    if let Some(pod) = spec.template.as_mut().and_then(|t| t.spec.as_mut()) {
        pod_spec(pod);
    }
}

/// `SetDefaults_PodSpec` and the defaults of everything inside a pod spec.
pub fn pod_spec(spec: &mut PodSpec) {
    if spec.dns_policy.as_deref().unwrap_or("").is_empty() {
        spec.dns_policy = Some("ClusterFirst".to_string());
    }
    if spec.restart_policy.as_deref().unwrap_or("").is_empty() {
        spec.restart_policy = Some("Always".to_string());
    }
    if spec.security_context.is_none() {
        spec.security_context = Some(PodSecurityContext::default());
    }
    spec.termination_grace_period_seconds.get_or_insert(30);
    if spec.scheduler_name.as_deref().unwrap_or("").is_empty() {
        spec.scheduler_name = Some("default-scheduler".to_string());
    }
    if spec.host_network == Some(true) {
        // defaultHostNetworkPorts: with host networking the host port is the container port.
        for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
            for p in c.ports.iter_mut().flatten() {
                if p.host_port.unwrap_or(0) == 0 {
                    p.host_port = Some(p.container_port);
                }
            }
        }
    }
    for c in spec.containers.iter_mut() {
        container(c);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        container(c);
    }
    for v in spec.volumes.iter_mut().flatten() {
        volume(v);
    }
}

/// `SetDefaults_Container` and what is inside a container.
pub fn container(c: &mut Container) {
    if c.image_pull_policy.as_deref().unwrap_or("").is_empty() {
        c.image_pull_policy = Some(default_pull_policy(c.image.as_deref().unwrap_or("")).to_string());
    }
    if c.termination_message_path.as_deref().unwrap_or("").is_empty() {
        c.termination_message_path = Some("/dev/termination-log".to_string());
    }
    if c.termination_message_policy.as_deref().unwrap_or("").is_empty() {
        c.termination_message_policy = Some("File".to_string());
    }
    // `resources` is a struct (not a pointer) in the Go type: always present, `{}` when empty.
    c.resources.get_or_insert_with(ResourceRequirements::default);
    if let Some(res) = c.resources.as_mut() {
        // SetDefaults_Pod copies limits into missing requests.
        if let Some(limits) = res.limits.clone() {
            let requests = res.requests.get_or_insert_with(BTreeMap::new);
            for (k, v) in limits {
                requests.entry(k).or_insert(v);
            }
        }
    }
    for p in c.ports.iter_mut().flatten() {
        if p.protocol.as_deref().unwrap_or("").is_empty() {
            p.protocol = Some("TCP".to_string());
        }
    }
    for env in c.env.iter_mut().flatten() {
        if let Some(fr) = env.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            if fr.api_version.as_deref().unwrap_or("").is_empty() {
                fr.api_version = Some("v1".to_string());
            }
        }
    }
    for probe in [c.liveness_probe.as_mut(), c.readiness_probe.as_mut(), c.startup_probe.as_mut()].into_iter().flatten() {
        probe_defaults(probe);
    }
}

/// `SetDefaults_Probe` and `SetDefaults_HTTPGetAction`.
fn probe_defaults(p: &mut Probe) {
    p.timeout_seconds.get_or_insert(1);
    p.period_seconds.get_or_insert(10);
    p.success_threshold.get_or_insert(1);
    p.failure_threshold.get_or_insert(3);
    if let Some(h) = p.http_get.as_mut() {
        if h.path.as_deref().unwrap_or("").is_empty() {
            h.path = Some("/".to_string());
        }
        if h.scheme.as_deref().unwrap_or("").is_empty() {
            h.scheme = Some("HTTP".to_string());
        }
    }
}

/// Volume source defaults: file modes 0644 (420), emptyDir `{}`.
fn volume(v: &mut Volume) {
    if let Some(cm) = v.config_map.as_mut() {
        cm.default_mode.get_or_insert(420);
    }
    if let Some(s) = v.secret.as_mut() {
        s.default_mode.get_or_insert(420);
    }
    if let Some(p) = v.projected.as_mut() {
        p.default_mode.get_or_insert(420);
    }
    if let Some(d) = v.downward_api.as_mut() {
        d.default_mode.get_or_insert(420);
    }
    if let Some(h) = v.host_path.as_mut() {
        h.type_.get_or_insert_with(String::new);
    }
    let has_source = v.config_map.is_some()
        || v.secret.is_some()
        || v.projected.is_some()
        || v.downward_api.is_some()
        || v.host_path.is_some()
        || v.persistent_volume_claim.is_some()
        || v.nfs.is_some()
        || v.csi.is_some()
        || v.ephemeral.is_some()
        || v.empty_dir.is_some();
    // SetDefaults_Volume: a volume with no source is an emptyDir.
    if !has_source {
        v.empty_dir = Some(Default::default());
    }
}

/// `imagePullPolicy`: `Always` for `:latest` or no tag (a digest counts as pinned),
/// otherwise `IfNotPresent`.
pub fn default_pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    // The tag is after the last ':' that comes after the last '/' (a registry port is not a tag).
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        None => "Always",
        Some((_, "latest")) => "Always",
        Some(_) => "IfNotPresent",
    }
}

/// Namespace: the `kubernetes` finalizer (strategy PrepareForCreate), phase Active
/// (SetDefaults_NamespaceStatus) and the immutable `kubernetes.io/metadata.name`
/// label (SetDefaults_Namespace).
pub fn namespace(ns: &mut Namespace) {
    let name = ns.metadata.name.clone().unwrap_or_default();
    if !name.is_empty() {
        ns.metadata.labels.get_or_insert_with(BTreeMap::new).insert("kubernetes.io/metadata.name".to_string(), name);
    }
    let spec = ns.spec.get_or_insert_with(NamespaceSpec::default);
    if spec.finalizers.is_none() {
        spec.finalizers = Some(vec!["kubernetes".to_string()]);
    }
    let status = ns.status.get_or_insert_with(NamespaceStatus::default);
    if status.phase.as_deref().unwrap_or("").is_empty() {
        status.phase = Some("Active".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_follows_the_tag() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.27"), "IfNotPresent");
        assert_eq!(default_pull_policy("localhost:5000/app"), "Always");
        assert_eq!(default_pull_policy("localhost:5000/app:v1"), "IfNotPresent");
        assert_eq!(default_pull_policy("nginx@sha256:abc"), "IfNotPresent");
    }

    #[test]
    fn service_defaults_are_idempotent() {
        let mut svc: Service = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}
        }))
        .unwrap_or_default();
        service(&mut svc);
        let once = svc.clone();
        service(&mut svc);
        assert_eq!(svc, once);
        let spec = svc.spec.unwrap_or_default();
        assert_eq!(spec.external_traffic_policy.as_deref(), Some("Cluster"));
        assert_eq!(spec.ports.unwrap_or_default()[0].target_port, Some(IntOrString::Int(80)));
    }
}
