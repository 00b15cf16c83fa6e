//! Services in the API server: validation (`ValidateService`, `ValidateServiceUpdate`),
//! IP-family initialisation, ClusterIP and nodePort allocation, and the update-time
//! rewrites (`patchAllocatedValues`, `NormalizeClusterIPs`, `dropTypeDependentFields`).
//!
//! Upstream: `pkg/apis/core/validation/validation.go`,
//! `pkg/registry/core/service/strategy.go`, `pkg/registry/core/service/storage/alloc.go`.
//! The cluster is single-stack IPv4, as kind makes it by default.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{json, Value};

use super::allocator::{used_cluster_ips, used_node_ports, AllocError, IpAllocator, IpRange, PortAllocator, PortRange};
use super::names;
use super::status::{go_quote, FieldError, Status};
use crate::cluster::Cluster;
use crate::resources::Kind;

fn type_of(spec: &ServiceSpec) -> &str {
    spec.type_.as_deref().unwrap_or("")
}

fn cluster_ips(spec: &ServiceSpec) -> Vec<String> {
    spec.cluster_ips.clone().unwrap_or_default()
}

/// `isHeadlessService`: exactly one clusterIP, `None`.
pub fn is_headless(spec: &ServiceSpec) -> bool {
    matches!(spec.cluster_ips.as_deref(), Some([only]) if only == "None")
}

/// `ExternallyAccessible`: NodePort, LoadBalancer, or ClusterIP with externalIPs.
pub fn externally_accessible(spec: &ServiceSpec) -> bool {
    let t = type_of(spec);
    t == "LoadBalancer" || t == "NodePort" || (t == "ClusterIP" && spec.external_ips.as_ref().is_some_and(|v| !v.is_empty()))
}

fn needs_cluster_ip(spec: &ServiceSpec) -> bool {
    type_of(spec) != "ExternalName"
}

fn needs_node_port(spec: &ServiceSpec) -> bool {
    matches!(type_of(spec), "NodePort" | "LoadBalancer")
}

/// `NeedsHealthCheck`: LoadBalancer with externalTrafficPolicy Local.
pub fn needs_health_check(spec: &ServiceSpec) -> bool {
    type_of(spec) == "LoadBalancer" && spec.external_traffic_policy.as_deref() == Some("Local")
}

/// `shouldAllocateNodePorts`.
fn should_allocate_node_ports(spec: &ServiceSpec) -> bool {
    match type_of(spec) {
        "NodePort" => true,
        "LoadBalancer" => spec.allocate_load_balancer_node_ports.unwrap_or(false),
        _ => false,
    }
}

fn node_port(p: &ServicePort) -> i32 {
    p.node_port.unwrap_or(0)
}

fn invalid_status(svc_name: &str, errors: Vec<FieldError>) -> Status {
    Status::invalid(Kind::Service, svc_name, errors)
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// `ValidateService` (create), metadata included: what the vectors check.
pub fn validate_service_create(svc: &Service) -> Vec<FieldError> {
    let mut errs = names::validate_object_meta(&svc.metadata, true, names::NameRule::Dns1035Label);
    errs.extend(validate(svc));
    errs
}

/// `ValidateService` without the metadata part (the API server checks metadata for
/// every kind before this).
pub fn validate(svc: &Service) -> Vec<FieldError> {
    let default_spec = ServiceSpec::default();
    let spec = svc.spec.as_ref().unwrap_or(&default_spec);
    let mut errs = Vec::new();
    let annotations = svc.metadata.annotations.clone().unwrap_or_default();

    let hints = annotations.get("service.kubernetes.io/topology-aware-hints");
    let mode = annotations.get("service.kubernetes.io/topology-mode");
    if let (Some(h), Some(m)) = (hints, mode) {
        if h != m {
            errs.push(FieldError::invalid(
                "metadata.annotations[service.kubernetes.io/topology-mode]",
                m.as_str(),
                "must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified",
            ));
        }
    }

    let ports = spec.ports.clone().unwrap_or_default();
    let t = type_of(spec);
    let headless = is_headless(spec);
    if ports.is_empty() && !headless && t != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    let ips = cluster_ips(spec);
    match t {
        // Headless means clusterIPs is exactly ["None"].
        "LoadBalancer" if headless => {
            errs.push(FieldError::invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for LoadBalancer services"));
        }
        "NodePort" if headless => {
            errs.push(FieldError::invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for NodePort services"));
        }
        "ExternalName" => {
            if !ips.is_empty() {
                errs.push(FieldError::forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
            }
            if spec.ip_families.as_ref().is_some_and(|f| !f.is_empty()) {
                errs.push(FieldError::forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
            }
            if spec.ip_family_policy.is_some() {
                errs.push(FieldError::forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
            }
            // A CNAME may end in a dot (fully qualified).
            let external = spec.external_name.as_deref().unwrap_or("");
            let cname = external.strip_suffix('.').unwrap_or(external);
            if cname.is_empty() {
                errs.push(FieldError::required("spec.externalName", ""));
            } else {
                for m in names::is_dns1123_subdomain(cname) {
                    errs.push(FieldError::invalid("spec.externalName", cname, &m));
                }
            }
        }
        _ => {}
    }

    let mut all_names = BTreeSet::new();
    let require_name = ports.len() > 1;
    for (i, p) in ports.iter().enumerate() {
        errs.extend(validate_service_port(p, require_name, &mut all_names, &format!("spec.ports[{i}]")));
    }

    if let Some(sel) = &spec.selector {
        errs.extend(names::validate_labels(Some(sel), "spec.selector"));
    }

    let affinity = spec.session_affinity.as_deref().unwrap_or("");
    if affinity.is_empty() {
        errs.push(FieldError::required("spec.sessionAffinity", ""));
    } else if affinity != "ClientIP" && affinity != "None" {
        errs.push(FieldError::not_supported("spec.sessionAffinity", affinity, &["ClientIP", "None"]));
    }
    if affinity == "ClientIP" {
        errs.extend(validate_client_ip_affinity(spec));
    } else if affinity == "None" && spec.session_affinity_config.is_some() {
        errs.push(FieldError::forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
    }

    errs.extend(validate_cluster_ips_related_fields(spec));

    for (i, ip) in spec.external_ips.iter().flatten().enumerate() {
        let path = format!("spec.externalIPs[{i}]");
        match parse_ip(ip) {
            None => errs.push(FieldError::invalid(&path, ip.as_str(), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")),
            Some(addr) => errs.extend(validate_non_special_ip(ip, addr, &path)),
        }
    }

    if t.is_empty() {
        errs.push(FieldError::required("spec.type", ""));
    } else if !matches!(t, "ClusterIP" | "ExternalName" | "LoadBalancer" | "NodePort") {
        errs.push(FieldError::not_supported("spec.type", t, &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]));
    }

    if t == "ClusterIP" {
        for (i, p) in ports.iter().enumerate() {
            if node_port(p) != 0 {
                errs.push(FieldError::forbidden(&format!("spec.ports[{i}].nodePort"), "may not be used when `type` is 'ClusterIP'"));
            }
        }
    }

    // Duplicate nodePorts per protocol.
    let mut node_ports = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let np = node_port(p);
        if np == 0 {
            continue;
        }
        let key = (p.protocol.clone().unwrap_or_default(), np);
        if !node_ports.insert(key) {
            errs.push(FieldError::duplicate(&format!("spec.ports[{i}].nodePort"), np));
        }
    }

    // Duplicate (protocol, port): the key is a core.ServicePort holding only those two,
    // printed with %#v.
    let mut seen = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let proto = p.protocol.clone().unwrap_or_default();
        if !seen.insert((proto.clone(), p.port)) {
            let rendered = format!(
                "core.ServicePort{{Name:\"\", Protocol:{}, AppProtocol:(*string)(nil), Port:{}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
                go_quote(&proto),
                p.port
            );
            errs.push(FieldError::duplicate(&format!("spec.ports[{i}]"), FieldError::go_value(&rendered)));
        }
    }

    // loadBalancerSourceRanges, or the older annotation.
    let ranges = spec.load_balancer_source_ranges.clone().unwrap_or_default();
    if !ranges.is_empty() {
        let path = "spec.LoadBalancerSourceRanges";
        if t != "LoadBalancer" {
            errs.push(FieldError::forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
        }
        for (i, r) in ranges.iter().enumerate() {
            errs.extend(validate_cidr(&format!("{path}[{i}]"), r.trim()));
        }
    } else if let Some(val) = annotations.get("service.beta.kubernetes.io/load-balancer-source-ranges") {
        let path = "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]";
        if t != "LoadBalancer" {
            errs.push(FieldError::forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
        }
        let val = val.trim();
        if !val.is_empty() {
            for r in val.split(',') {
                errs.extend(validate_cidr(path, r.trim()));
            }
        }
    }

    if spec.allocate_load_balancer_node_ports.is_some() && t != "LoadBalancer" {
        errs.push(FieldError::forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
    }
    if t == "LoadBalancer" && spec.allocate_load_balancer_node_ports.is_none() {
        // Upstream builds this path without the `spec` prefix.
        errs.push(FieldError::required("allocateLoadBalancerNodePorts", ""));
    }

    // validateLoadBalancerClassField: the format is checked for LoadBalancers only;
    // any other type may not set it at all.
    if let Some(class) = &spec.load_balancer_class {
        if t == "LoadBalancer" {
            for m in names::is_qualified_name(class) {
                errs.push(FieldError::invalid("spec.loadBalancerClass", class.as_str(), &m));
            }
        } else {
            errs.push(FieldError::forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
        }
    }

    // externalTrafficPolicy and healthCheckNodePort.
    let etp = spec.external_traffic_policy.as_deref().unwrap_or("");
    if !externally_accessible(spec) {
        if !etp.is_empty() {
            errs.push(FieldError::invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"));
        }
    } else if etp.is_empty() {
        errs.push(FieldError::required("spec.externalTrafficPolicy", ""));
    } else if etp != "Cluster" && etp != "Local" {
        errs.push(FieldError::not_supported("spec.externalTrafficPolicy", etp, &["Cluster", "Local"]));
    }
    let hc = spec.health_check_node_port.unwrap_or(0);
    if !needs_health_check(spec) {
        if hc != 0 {
            errs.push(FieldError::invalid(
                "spec.healthCheckNodePort",
                hc,
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            ));
        }
    } else if hc == 0 {
        errs.push(FieldError::required("spec.healthCheckNodePort", ""));
    } else if !(1..=65535).contains(&hc) {
        errs.push(FieldError::invalid("spec.healthCheckNodePort", hc, "must be between 1 and 65535, inclusive"));
    }

    match spec.internal_traffic_policy.as_deref() {
        None => {
            if matches!(t, "NodePort" | "LoadBalancer" | "ClusterIP") {
                errs.push(FieldError::required("spec.internalTrafficPolicy", ""));
            }
        }
        Some(p) if p != "Cluster" && p != "Local" => {
            errs.push(FieldError::not_supported("spec.internalTrafficPolicy", p, &["Cluster", "Local"]));
        }
        Some(_) => {}
    }

    if let Some(td) = &spec.traffic_distribution {
        if td != "PreferClose" {
            errs.push(FieldError::not_supported("spec.trafficDistribution", td.as_str(), &["PreferClose"]));
        }
    }
    errs
}

/// `validateServicePort`.
fn validate_service_port(p: &ServicePort, require_name: bool, all_names: &mut BTreeSet<String>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = p.name.as_deref().unwrap_or("");
    if require_name && name.is_empty() {
        errs.push(FieldError::required(&format!("{path}.name"), ""));
    } else if !name.is_empty() {
        for m in names::is_dns1123_label(name) {
            errs.push(FieldError::invalid(&format!("{path}.name"), name, &m));
        }
        if !all_names.insert(name.to_string()) {
            errs.push(FieldError::duplicate(&format!("{path}.name"), name));
        }
    }
    if !(1..=65535).contains(&p.port) {
        errs.push(FieldError::invalid(&format!("{path}.port"), p.port, "must be between 1 and 65535, inclusive"));
    }
    let proto = p.protocol.as_deref().unwrap_or("");
    if proto.is_empty() {
        errs.push(FieldError::required(&format!("{path}.protocol"), ""));
    } else if !matches!(proto, "TCP" | "UDP" | "SCTP") {
        errs.push(FieldError::not_supported(&format!("{path}.protocol"), proto, &["SCTP", "TCP", "UDP"]));
    }
    errs.extend(validate_port_num_or_name(p.target_port.as_ref(), &format!("{path}.targetPort")));
    if let Some(ap) = &p.app_protocol {
        for m in names::is_qualified_name(ap) {
            errs.push(FieldError::invalid(&format!("{path}.appProtocol"), ap.as_str(), &m));
        }
    }
    errs
}

/// `ValidatePortNumOrName`: a number 1-65535 or an IANA service name.
pub fn validate_port_num_or_name(port: Option<&IntOrString>, path: &str) -> Vec<FieldError> {
    match port {
        None => vec![FieldError::invalid(path, 0, "must be between 1 and 65535, inclusive")],
        Some(IntOrString::Int(n)) => {
            if (1..=65535).contains(n) {
                vec![]
            } else {
                vec![FieldError::invalid(path, *n, "must be between 1 and 65535, inclusive")]
            }
        }
        Some(IntOrString::String(s)) => {
            names::is_valid_port_name(s).into_iter().map(|m| FieldError::invalid(path, s.as_str(), &m)).collect()
        }
    }
}

fn validate_client_ip_affinity(spec: &ServiceSpec) -> Vec<FieldError> {
    let why = "when session affinity type is ClientIP";
    let Some(config) = &spec.session_affinity_config else {
        return vec![FieldError::required("spec.sessionAffinityConfig", why)];
    };
    let Some(client_ip) = &config.client_ip else {
        return vec![FieldError::required("spec.sessionAffinityConfig.clientIP", why)];
    };
    let Some(timeout) = client_ip.timeout_seconds else {
        return vec![FieldError::required("spec.sessionAffinityConfig.clientIP.timeoutSeconds", why)];
    };
    if timeout <= 0 || timeout > 86400 {
        return vec![FieldError::invalid(
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
            timeout,
            "must be greater than 0 and less than 86400",
        )];
    }
    vec![]
}

/// Go's `netutils.ParseIPSloppy`: IPv4 allows leading zeros.
fn parse_ip(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit())) {
        let octets: Vec<u8> = parts.iter().filter_map(|p| p.parse::<u8>().ok()).collect();
        if let [a, b, c, d] = octets.as_slice() {
            return Some(IpAddr::V4(Ipv4Addr::new(*a, *b, *c, *d)));
        }
    }
    None
}

/// `ValidateNonSpecialIP`.
fn validate_non_special_ip(raw: &str, ip: IpAddr, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if ip.is_unspecified() {
        errs.push(FieldError::invalid(path, raw, &format!("may not be unspecified ({raw})")));
    }
    if ip.is_loopback() {
        errs.push(FieldError::invalid(path, raw, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
    }
    let link_local_unicast = match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    };
    if link_local_unicast {
        errs.push(FieldError::invalid(path, raw, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
    }
    let link_local_multicast = match ip {
        IpAddr::V4(v4) => v4.octets()[0] == 224 && v4.octets()[1] == 0 && v4.octets()[2] == 0,
        IpAddr::V6(v6) => (v6.segments()[0] & 0xff0f) == 0xff02,
    };
    if link_local_multicast {
        errs.push(FieldError::invalid(path, raw, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
    }
    errs
}

/// `IsValidCIDR`.
fn validate_cidr(path: &str, value: &str) -> Vec<FieldError> {
    let ok = value.split_once('/').is_some_and(|(ip, bits)| {
        let Some(ip) = parse_ip(ip) else { return false };
        let max = if ip.is_ipv4() { 32 } else { 128 };
        bits.parse::<u32>().is_ok_and(|b| b <= max)
    });
    if ok {
        vec![]
    } else {
        vec![FieldError::invalid(path, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")]
    }
}

/// `ValidateServiceClusterIPsRelatedFields`.
fn validate_cluster_ips_related_fields(spec: &ServiceSpec) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if type_of(spec) == "ExternalName" {
        return errs;
    }
    let ips = cluster_ips(spec);
    let ips_value = json!(ips);
    let single = spec.cluster_ip.as_deref().unwrap_or("");
    if !single.is_empty() {
        if ips.is_empty() {
            errs.push(FieldError::required("spec.clusterIPs", ""));
        } else if ips[0] != single {
            errs.push(FieldError::invalid("spec.clusterIPs", ips_value.clone(), "first value must match `clusterIP`"));
        }
    } else if !ips.is_empty() {
        errs.push(FieldError::invalid("spec.clusterIPs", ips_value.clone(), "must be empty when `clusterIP` is not specified"));
    }

    let mut seen = BTreeSet::new();
    for (i, fam) in spec.ip_families.iter().flatten().enumerate() {
        let path = format!("spec.ipFamilies[{i}]");
        if fam != "IPv4" && fam != "IPv6" {
            errs.push(FieldError::not_supported(&path, fam.as_str(), &["IPv4", "IPv6"]));
        }
        if !seen.insert(fam.clone()) {
            errs.push(FieldError::duplicate(&path, fam.as_str()));
        }
    }
    if let Some(policy) = &spec.ip_family_policy {
        if !matches!(policy.as_str(), "PreferDualStack" | "RequireDualStack" | "SingleStack") {
            errs.push(FieldError::not_supported(
                "spec.ipFamilyPolicy",
                policy.as_str(),
                &["PreferDualStack", "RequireDualStack", "SingleStack"],
            ));
        }
    }

    let mut has_invalid = false;
    for (i, ip) in ips.iter().enumerate() {
        if i == 0 && ip == "None" {
            if ips.len() > 1 {
                has_invalid = true;
                errs.push(FieldError::invalid("spec.clusterIPs", ips_value.clone(), "'None' must be the first and only value"));
            }
            continue;
        }
        if parse_ip(ip).is_none() {
            has_invalid = true;
            errs.push(FieldError::invalid(
                &format!("spec.clusterIPs[{i}]"),
                ip.as_str(),
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ));
        }
    }
    if ips.len() > 2 {
        errs.push(FieldError::invalid("spec.clusterIPs", ips_value.clone(), "may only hold up to 2 values"));
    }
    if has_invalid {
        return errs;
    }
    if ips.len() > 1 {
        // netutils.IsDualStackIPStrings: at least one address of each family.
        let v6: Vec<bool> = ips.iter().filter_map(|ip| parse_ip(ip)).map(|a| a.is_ipv6()).collect();
        let dual = v6.contains(&true) && v6.contains(&false);
        if !dual {
            errs.push(FieldError::invalid("spec.clusterIPs", ips_value.clone(), "may specify no more than one IP for each IP family"));
        }
    }
    let families = spec.ip_families.clone().unwrap_or_default();
    if !is_headless(spec) && !ips.is_empty() && !families.is_empty() {
        for (i, ip) in ips.iter().enumerate() {
            let Some(fam) = families.get(i) else { break };
            let is_v6 = parse_ip(ip).is_some_and(|a| a.is_ipv6());
            if fam == "IPv4" && is_v6 {
                errs.push(FieldError::invalid(
                    &format!("spec.clusterIPs[{i}]"),
                    ip.as_str(),
                    &format!("expected an IPv4 value as indicated by `ipFamilies[{i}]`"),
                ));
            }
            if fam == "IPv6" && !is_v6 {
                errs.push(FieldError::invalid(
                    &format!("spec.clusterIPs[{i}]"),
                    ip.as_str(),
                    &format!("expected an IPv6 value as indicated by `ipFamilies[{i}]`"),
                ));
            }
        }
    }
    errs
}

/// `ValidateServiceUpdate`'s own checks (it then runs `ValidateService`): the primary
/// clusterIP may not change, except to or from ExternalName.
pub fn validate_update(old: &Service, new: &Service) -> Vec<FieldError> {
    let default_spec = ServiceSpec::default();
    let o = old.spec.as_ref().unwrap_or(&default_spec);
    let n = new.spec.as_ref().unwrap_or(&default_spec);
    let mut errs = Vec::new();
    if type_of(n) == "ExternalName" || type_of(o) == "ExternalName" {
        errs.extend(validate_load_balancer_class_update(o, n));
        return errs;
    }
    if is_headless(o) && is_headless(n) {
        return errs;
    }
    let old_ips = cluster_ips(o);
    let new_ips = cluster_ips(n);
    let value = json!(new_ips);
    if old_ips.len() == new_ips.len() {
        for (i, ip) in old_ips.iter().enumerate() {
            if new_ips.get(i) != Some(ip) {
                errs.push(FieldError::invalid(&format!("spec.clusterIPs[{i}]"), value.clone(), "may not change once set"));
            }
        }
    } else if old_ips.len() > new_ips.len() {
        if new_ips.is_empty() {
            errs.push(FieldError::invalid("spec.clusterIPs[0]", value.clone(), "primary clusterIP can not be unset"));
        }
        if !old_ips.is_empty() && !new_ips.is_empty() && new_ips[0] != old_ips[0] {
            errs.push(FieldError::invalid("spec.clusterIPs[0]", value.clone(), "may not change once set"));
        }
        if new_ips.len() == 1 && n.ip_family_policy.as_deref() != Some("SingleStack") {
            errs.push(FieldError::invalid(
                "spec.clusterIPs[0]",
                value.clone(),
                "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP",
            ));
        }
    } else if !old_ips.is_empty() && new_ips[0] != old_ips[0] {
        errs.push(FieldError::invalid("spec.clusterIPs[0]", value, "may not change once set"));
    }
    errs.extend(validate_load_balancer_class_update(o, n));
    errs
}

/// A LoadBalancer's loadBalancerClass may not change while it stays a LoadBalancer.
fn validate_load_balancer_class_update(o: &ServiceSpec, n: &ServiceSpec) -> Vec<FieldError> {
    if type_of(o) == "LoadBalancer" && type_of(n) == "LoadBalancer" && o.load_balancer_class != n.load_balancer_class {
        let value = n.load_balancer_class.clone().map(Value::String).unwrap_or(Value::Null);
        return vec![FieldError::invalid("spec.loadBalancerClass", value, "may not change once set")];
    }
    vec![]
}

// ---------------------------------------------------------------------------
// Allocation
// ---------------------------------------------------------------------------

/// `NormalizeClusterIPs` for a create: a lone `clusterIP` fills `clusterIPs`.
fn normalize_cluster_ips_create(spec: &mut ServiceSpec) {
    let single = spec.cluster_ip.clone().unwrap_or_default();
    if !single.is_empty() && spec.cluster_ips.as_ref().is_none_or(|v| v.is_empty()) {
        spec.cluster_ips = Some(vec![single]);
    }
}

/// `initIPFamilyFields` on a single-stack IPv4 cluster.
fn init_ip_family_fields(name: &str, spec: &mut ServiceSpec, old: Option<&ServiceSpec>) -> Result<(), Status> {
    if type_of(spec) == "ExternalName" {
        return Ok(());
    }
    if spec.ip_family_policy.is_none() {
        let selector_empty = spec.selector.as_ref().is_none_or(|s| s.is_empty());
        spec.ip_family_policy = Some(if let Some(p) = old.and_then(|o| o.ip_family_policy.clone()) {
            p
        } else if spec.cluster_ip.as_deref() == Some("None") && selector_empty {
            // Headless and selector-less: upstream's special case defaults to dual-stack.
            "RequireDualStack".to_string()
        } else {
            "SingleStack".to_string()
        });
    }
    let pre = validate_cluster_ips_related_fields(spec);
    if !pre.is_empty() {
        return Err(invalid_status(name, pre));
    }
    let policy = spec.ip_family_policy.clone().unwrap_or_default();
    let policy_value = Value::String(policy.clone());
    let mut errs = Vec::new();
    let ips = cluster_ips(spec);
    if let Some(o) = old {
        if policy == "SingleStack" {
            if o.cluster_ips == spec.cluster_ips && ips.len() > 1 {
                spec.cluster_ips = Some(ips[..1].to_vec());
            }
            let fams = spec.ip_families.clone().unwrap_or_default();
            if o.ip_families == spec.ip_families && fams.len() > 1 {
                spec.ip_families = Some(fams[..1].to_vec());
            }
        } else {
            if cluster_ips(o).len() > ips.len() && !ips.is_empty() {
                errs.push(FieldError::invalid("spec.ipFamilyPolicy", policy_value.clone(), "must be 'SingleStack' to release the secondary cluster IP"));
            }
            let of = o.ip_families.clone().unwrap_or_default();
            let nf = spec.ip_families.clone().unwrap_or_default();
            if of.len() > nf.len() && !nf.is_empty() {
                errs.push(FieldError::invalid("spec.ipFamilyPolicy", policy_value.clone(), "must be 'SingleStack' to release the secondary IP family"));
            }
        }
    }
    let ips = cluster_ips(spec);
    if policy == "SingleStack" {
        if ips.len() == 2 {
            errs.push(FieldError::invalid(
                "spec.ipFamilyPolicy",
                policy_value.clone(),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
            ));
        }
        if spec.ip_families.as_ref().is_some_and(|f| f.len() == 2) {
            errs.push(FieldError::invalid(
                "spec.ipFamilyPolicy",
                policy_value.clone(),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
            ));
        }
    }
    // Infer families from given IPs.
    for (i, ip) in ips.iter().enumerate() {
        if ip == "None" {
            break;
        }
        let fam = if parse_ip(ip).is_some_and(|a| a.is_ipv6()) { "IPv6" } else { "IPv4" };
        let families = spec.ip_families.get_or_insert_with(Vec::new);
        if i >= families.len() {
            if fam == "IPv4" {
                families.push(fam.to_string());
            } else {
                errs.push(FieldError::invalid(&format!("spec.clusterIPs[{i}]"), json!(ips), &format!("{fam} is not configured on this cluster")));
            }
        }
    }
    if spec.ip_families.as_ref().is_some_and(|f| f.is_empty()) {
        spec.ip_families = None;
    }
    if !errs.is_empty() {
        return Err(invalid_status(name, errs));
    }
    let selector_empty = spec.selector.as_ref().is_none_or(|s| s.is_empty());
    if spec.cluster_ip.as_deref() == Some("None") && selector_empty {
        let families = spec.ip_families.get_or_insert_with(Vec::new);
        if families.is_empty() {
            families.push("IPv4".to_string());
        }
        if families.len() < 2 && policy != "SingleStack" {
            let alt = if families[0] == "IPv4" { "IPv6" } else { "IPv4" };
            families.push(alt.to_string());
        }
        return Ok(());
    }
    if policy == "RequireDualStack" {
        errs.push(FieldError::invalid("spec.ipFamilyPolicy", policy_value, "this cluster is not configured for dual-stack services"));
    }
    for (i, fam) in spec.ip_families.iter().flatten().enumerate() {
        if fam != "IPv4" {
            errs.push(FieldError::invalid(&format!("spec.ipFamilies[{i}]"), fam.as_str(), "not configured on this cluster"));
        }
    }
    if !errs.is_empty() {
        return Err(invalid_status(name, errs));
    }
    if spec.ip_families.as_ref().is_none_or(|f| f.is_empty()) {
        spec.ip_families = Some(vec!["IPv4".to_string()]);
    }
    Ok(())
}

/// Allocates the IPv4 clusterIP (`allocClusterIPs`): a given address is reserved or
/// refused, an empty one drawn at random; `None` allocates nothing.
fn alloc_cluster_ip(cluster: &mut Cluster, name: &str, spec: &mut ServiceSpec, ips: &mut IpAllocator) -> Result<(), Status> {
    let given = cluster_ips(spec);
    if given.first().map(String::as_str) == Some("None") {
        return Ok(());
    }
    let wants_v4 = spec.ip_families.as_ref().is_some_and(|f| f.iter().any(|f| f == "IPv4"));
    if !wants_v4 {
        return Ok(());
    }
    match given.first() {
        Some(ip) if !ip.is_empty() => {
            let parsed = parse_ip(ip);
            let result = match parsed {
                Some(IpAddr::V4(v4)) => ips.allocate(v4),
                _ => Err(AllocError::NotInRange),
            };
            if let Err(e) = result {
                let msg = format!("failed to allocate IP {}: {}", ip, ips.message(&e, ip));
                return Err(invalid_status(name, vec![FieldError::invalid("spec.clusterIPs", json!(given), &msg)]));
            }
        }
        _ => {
            let ip = ips
                .allocate_next(&mut cluster.rng)
                .map_err(|e| Status::internal_error(&format!("failed to allocate a serviceIP: {}", ips.message(&e, ""))))?;
            spec.cluster_ips = Some(vec![ip.to_string()]);
            spec.cluster_ip = Some(ip.to_string());
        }
    }
    Ok(())
}

/// `findRequestedNodePort`: a nodePort the user pinned on any port with this number.
fn find_requested_node_port(port: i32, ports: &[ServicePort]) -> i32 {
    ports.iter().find(|p| p.port == port && node_port(p) != 0).map(node_port).unwrap_or(0)
}

fn port_error(name: &str, i: usize, np: i32, msg: String) -> Status {
    invalid_status(name, vec![FieldError::invalid(&format!("spec.ports[{i}].nodePort"), np, &msg)])
}

/// `initNodePorts`: every port gets a nodePort; ports sharing a number share one.
fn init_node_ports(cluster: &mut Cluster, name: &str, spec: &mut ServiceSpec, alloc: &mut PortAllocator) -> Result<(), Status> {
    let should = should_allocate_node_ports(spec);
    let snapshot = spec.ports.clone().unwrap_or_default();
    let mut by_port: BTreeMap<i32, i32> = BTreeMap::new();
    for (i, p) in spec.ports.iter_mut().flatten().enumerate() {
        if node_port(p) == 0 && !should {
            continue;
        }
        let allocated = by_port.get(&p.port).copied().unwrap_or(0);
        if allocated == 0 {
            let np = find_requested_node_port(p.port, &snapshot);
            if np != 0 {
                alloc.allocate(np).map_err(|e| port_error(name, i, np, alloc.message(&e)))?;
                p.node_port = Some(np);
                by_port.insert(p.port, np);
            } else {
                let np = alloc
                    .allocate_next(&mut cluster.rng)
                    .map_err(|e| Status::internal_error(&format!("failed to allocate a nodePort: {}", alloc.message(&e))))?;
                p.node_port = Some(np);
                by_port.insert(p.port, np);
            }
        } else if node_port(p) != allocated {
            if node_port(p) == 0 {
                p.node_port = Some(allocated);
            } else {
                let np = node_port(p);
                alloc.allocate(np).map_err(|e| port_error(name, i, np, alloc.message(&e)))?;
            }
        }
    }
    Ok(())
}

/// `allocHealthCheckNodePort`: its errors are plain errors upstream, which the API
/// server returns as InternalError.
fn alloc_health_check_node_port(cluster: &mut Cluster, spec: &mut ServiceSpec, alloc: &mut PortAllocator) -> Result<(), Status> {
    let hc = spec.health_check_node_port.unwrap_or(0);
    if hc != 0 {
        alloc.allocate(hc).map_err(|e| {
            Status::internal_error(&format!("failed to allocate requested HealthCheck NodePort {hc}: {}", alloc.message(&e)))
        })?;
    } else {
        let np = alloc.allocate_next(&mut cluster.rng).map_err(|e| {
            Status::internal_error(&format!("failed to allocate a HealthCheck NodePort 0: {}", alloc.message(&e)))
        })?;
        spec.health_check_node_port = Some(np);
    }
    Ok(())
}

/// `beginCreate` → `allocateCreate`: IP families, ClusterIP, node ports and the
/// health-check node port, in that order.
pub fn allocate_create(cluster: &mut Cluster, svc: &mut Service) -> Result<(), Status> {
    let name = svc.metadata.name.clone().unwrap_or_default();
    let spec = svc.spec.get_or_insert_with(Default::default);
    normalize_cluster_ips_create(spec);
    init_ip_family_fields(&name, spec, None)?;
    let mut ips = IpAllocator::new(IpRange::kind_default(), used_cluster_ips(cluster, None));
    if type_of(spec) != "ExternalName" {
        alloc_cluster_ip(cluster, &name, spec, &mut ips)?;
    }
    let mut ports = PortAllocator::new(PortRange::kind_default(), used_node_ports(cluster, None));
    if needs_node_port(spec) {
        init_node_ports(cluster, &name, spec, &mut ports)?;
    }
    if needs_health_check(spec) {
        alloc_health_check_node_port(cluster, spec, &mut ports)?;
    }
    Ok(())
}

/// The strategy's `PrepareForUpdate` for Services: `patchAllocatedValues`,
/// `NormalizeClusterIPs` and `dropTypeDependentFields`.
pub fn prepare_update(_cluster: &mut Cluster, old: &Service, new: &mut Service) -> Result<(), Status> {
    let default_spec = ServiceSpec::default();
    let o = old.spec.as_ref().unwrap_or(&default_spec);
    let n = new.spec.get_or_insert_with(Default::default);
    patch_allocated_values(o, n);
    normalize_cluster_ips_update(o, n);
    drop_type_dependent_fields(o, n);
    if type_of(n) != "LoadBalancer" {
        if let Some(status) = new.status.as_mut() {
            status.load_balancer = Some(Default::default());
        }
    }
    Ok(())
}

fn patch_allocated_values(o: &ServiceSpec, n: &mut ServiceSpec) {
    if needs_cluster_ip(o) && needs_cluster_ip(n) {
        if n.cluster_ip.as_deref().unwrap_or("").is_empty() {
            n.cluster_ip = o.cluster_ip.clone();
        }
        if n.cluster_ips.as_ref().is_none_or(|v| v.is_empty()) && o.cluster_ips.as_ref().is_some_and(|v| !v.is_empty()) {
            n.cluster_ips = o.cluster_ips.clone();
        }
    }
    if needs_node_port(o) && needs_node_port(n) {
        let old_used: BTreeSet<i32> = o.ports.iter().flatten().map(node_port).filter(|p| *p != 0).collect();
        let new_used: BTreeSet<i32> = n.ports.iter().flatten().map(node_port).filter(|p| *p != 0).collect();
        let mut used: BTreeSet<i32> = old_used.intersection(&new_used).copied().collect();
        // Matched by port name: the user may have changed anything else.
        let mut by_name: BTreeMap<String, i32> = BTreeMap::new();
        for p in o.ports.iter().flatten() {
            by_name.insert(p.name.clone().unwrap_or_default(), node_port(p));
        }
        for p in n.ports.iter_mut().flatten() {
            if node_port(p) != 0 {
                continue;
            }
            if let Some(&np) = by_name.get(p.name.as_deref().unwrap_or("")) {
                if !used.contains(&np) {
                    p.node_port = if np == 0 { None } else { Some(np) };
                    used.insert(np);
                }
            }
        }
    }
    if needs_health_check(o) && needs_health_check(n) && n.health_check_node_port.unwrap_or(0) == 0 {
        n.health_check_node_port = o.health_check_node_port;
    }
}

fn normalize_cluster_ips_update(o: &ServiceSpec, n: &mut ServiceSpec) {
    if o.cluster_ip == n.cluster_ip {
        return;
    }
    // The singular changed and the plural did not: the singular is what the user meant.
    if o.cluster_ips == n.cluster_ips {
        let single = n.cluster_ip.clone().unwrap_or_default();
        if single.is_empty() {
            n.cluster_ips = None;
        } else {
            let mut ips = n.cluster_ips.clone().unwrap_or_default();
            if ips.len() <= 1 {
                ips = vec![single];
            } else {
                ips[0] = single;
            }
            n.cluster_ips = Some(ips);
        }
    }
}

fn drop_type_dependent_fields(o: &ServiceSpec, n: &mut ServiceSpec) {
    if needs_cluster_ip(o) && !needs_cluster_ip(n) {
        if o.cluster_ip == n.cluster_ip && o.cluster_ips == n.cluster_ips {
            n.cluster_ip = None;
            n.cluster_ips = None;
        }
        if o.ip_families == n.ip_families {
            n.ip_families = None;
        }
        if o.ip_family_policy == n.ip_family_policy {
            n.ip_family_policy = None;
        }
    }
    let old_nps: Vec<i32> = o.ports.iter().flatten().map(node_port).collect();
    let new_nps: Vec<i32> = n.ports.iter().flatten().map(node_port).collect();
    // sameNodePorts: every nodePort the new object names was the old one's.
    let same_node_ports = new_nps.iter().all(|np| *np == 0 || old_nps.contains(np));
    if needs_node_port(o) && !needs_node_port(n) && same_node_ports {
        for p in n.ports.iter_mut().flatten() {
            p.node_port = None;
        }
    }
    if needs_health_check(o) && !needs_health_check(n) && o.health_check_node_port == n.health_check_node_port {
        n.health_check_node_port = None;
    }
    if type_of(o) == "LoadBalancer" && type_of(n) != "LoadBalancer" {
        if let (Some(a), Some(b)) = (o.allocate_load_balancer_node_ports, n.allocate_load_balancer_node_ports) {
            if a == b {
                n.allocate_load_balancer_node_ports = None;
            }
        }
        if o.load_balancer_class == n.load_balancer_class {
            n.load_balancer_class = None;
        }
    }
    if externally_accessible(o) && !externally_accessible(n) && o.external_traffic_policy == n.external_traffic_policy {
        n.external_traffic_policy = None;
    }
}

/// `beginUpdate` → `allocateUpdate`: IP families, ClusterIP on a change from
/// ExternalName, node ports for new or changed ports, health-check node port on a
/// change to LoadBalancer+Local. Releases are implicit: the allocators read the store.
pub fn allocate_update(cluster: &mut Cluster, old: &Service, new: &mut Service) -> Result<(), Status> {
    let name = new.metadata.name.clone().unwrap_or_default();
    let ns = new.metadata.namespace.clone().unwrap_or_default();
    let default_spec = ServiceSpec::default();
    let o = old.spec.as_ref().unwrap_or(&default_spec);
    let n = new.spec.get_or_insert_with(Default::default);
    init_ip_family_fields(&name, n, Some(o))?;

    // ClusterIPs: only a Service that had none (ExternalName) gets one now.
    let mut ips = IpAllocator::new(IpRange::kind_default(), used_cluster_ips(cluster, Some((&ns, &name))));
    if needs_cluster_ip(n) && !needs_cluster_ip(o) {
        alloc_cluster_ip(cluster, &name, n, &mut ips)?;
    }

    // Node ports: the old object's stay held until this update is written.
    let mut used = used_node_ports(cluster, Some((&ns, &name)));
    let old_nps: BTreeSet<i32> = o.ports.iter().flatten().map(node_port).filter(|p| *p != 0).collect();
    used.extend(old_nps.iter().copied());
    if let Some(h) = o.health_check_node_port.filter(|h| *h != 0) {
        used.insert(h);
    }
    let mut ports = PortAllocator::new(PortRange::kind_default(), used);
    if needs_node_port(n) {
        let should = should_allocate_node_ports(n);
        let mut allocated_here = BTreeSet::new();
        let mut seen: Vec<(String, i32)> = Vec::new();
        for (i, p) in n.ports.iter_mut().flatten().enumerate() {
            if node_port(p) == 0 && !should {
                continue;
            }
            let np = node_port(p);
            if np != 0 {
                if !old_nps.contains(&np) && !allocated_here.contains(&np) {
                    ports.allocate(np).map_err(|e| port_error(&name, i, np, ports.message(&e)))?;
                    allocated_here.insert(np);
                }
            } else {
                let np = ports
                    .allocate_next(&mut cluster.rng)
                    .map_err(|e| Status::internal_error(&format!("failed to allocate a nodePort: {}", ports.message(&e))))?;
                p.node_port = Some(np);
            }
            let key = (p.protocol.clone().unwrap_or_default(), node_port(p));
            if seen.contains(&key) {
                return Err(Status::internal_error(&format!(
                    "duplicate nodePort: {{{} {}}}",
                    key.0, key.1
                )));
            }
            seen.push(key);
        }
    }
    if !needs_health_check(o) && needs_health_check(n) {
        alloc_health_check_node_port(cluster, n, &mut ports)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(v: Value) -> Service {
        serde_json::from_value(v).unwrap_or_default()
    }

    #[test]
    fn duplicate_ports_render_the_go_struct() {
        let s = svc(json!({"metadata": {"name": "w", "namespace": "d"}, "spec": {"type": "ClusterIP", "sessionAffinity": "None",
            "internalTrafficPolicy": "Cluster",
            "ports": [{"name": "a", "port": 80, "protocol": "TCP", "targetPort": 80}, {"name": "b", "port": 80, "protocol": "TCP", "targetPort": 81}]}}));
        let errs: Vec<String> = validate(&s).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, ["spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"]);
    }

    #[test]
    fn external_name_needs_no_ports() {
        let s = svc(json!({"metadata": {"name": "w", "namespace": "d"}, "spec": {"type": "ExternalName", "sessionAffinity": "None", "externalName": "db.example.com."}}));
        assert!(validate(&s).is_empty());
    }
}
