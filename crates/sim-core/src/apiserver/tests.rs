//! Behaviour tests of the API server: each test drives a fresh kind-like cluster
//! through `create`/`update`/`patch`/`delete` and checks what a real API server
//! answers (objects, allocations, exact error texts). Property tests at the end check
//! the allocators' invariants.

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::allocator::{AllocError, IpAllocator, IpRange, PortAllocator, PortRange};
use super::*;
use crate::cluster::Cluster;
use crate::store::Object;
use crate::{ClusterConfig, Simulator};

fn cluster() -> Cluster {
    Simulator::new(ClusterConfig::default()).cluster
}

fn obj(v: Value) -> Object {
    match Object::from_json(v) {
        Ok(o) => o,
        Err(e) => panic!("test object does not decode: {e:?}"),
    }
}

fn svc(name: &str, spec: Value) -> Object {
    obj(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": spec}))
}

fn create_ok(c: &mut Cluster, o: Object) -> Value {
    match create(c, o, &CreateOptions::default()) {
        Ok(o) => o.to_json(),
        Err(s) => panic!("create failed: {}", s.kubectl_message()),
    }
}

fn create_err(c: &mut Cluster, o: Object) -> String {
    match create(c, o, &CreateOptions::default()) {
        Ok(o) => panic!("create unexpectedly succeeded: {}", o.to_json()),
        Err(s) => s.kubectl_message(),
    }
}

fn update_ok(c: &mut Cluster, o: Object) -> Value {
    match update(c, o, &UpdateOptions::default()) {
        Ok(o) => o.to_json(),
        Err(s) => panic!("update failed: {}", s.kubectl_message()),
    }
}

fn node_ports(v: &Value) -> Vec<i64> {
    v["spec"]["ports"].as_array().map(|ps| ps.iter().filter_map(|p| p["nodePort"].as_i64()).collect()).unwrap_or_default()
}

#[test]
fn a_service_is_defaulted_and_gets_a_cluster_ip_from_the_upper_band() {
    let mut c = cluster();
    let v = create_ok(&mut c, svc("web", json!({"selector": {"app": "web"}, "ports": [{"port": 80}]})));
    let ip: std::net::Ipv4Addr = v["spec"]["clusterIP"].as_str().and_then(|s| s.parse().ok()).unwrap_or(std::net::Ipv4Addr::UNSPECIFIED);
    let index = IpRange::kind_default().index_of(ip);
    assert!(index.is_some_and(|i| i >= 256), "{ip} not in the dynamic band");
    assert_eq!(v["spec"]["clusterIPs"], json!([ip.to_string()]));
    assert_eq!(v["spec"]["ipFamilies"], json!(["IPv4"]));
    assert_eq!(v["spec"]["ipFamilyPolicy"], "SingleStack");
    assert_eq!(v["spec"]["ports"], json!([{"port": 80, "protocol": "TCP", "targetPort": 80}]));
    assert_eq!(v["spec"]["sessionAffinity"], "None");
    assert_eq!(v["spec"]["internalTrafficPolicy"], "Cluster");
    assert_eq!(v["status"], json!({"loadBalancer": {}}));
    assert!(v["metadata"]["uid"].is_string() && v["metadata"]["resourceVersion"].is_string());
    assert!(v["metadata"].get("generation").is_none());
    assert!(get(&c, Kind::Service, "default", "web").is_ok());
}

#[test]
fn not_found_and_already_exists_read_like_kubectl() {
    let mut c = cluster();
    assert_eq!(
        get(&c, Kind::Service, "default", "x").err().map(|s| s.kubectl_message()).as_deref(),
        Some("Error from server (NotFound): services \"x\" not found")
    );
    assert_eq!(
        get(&c, Kind::Deployment, "default", "x").err().map(|s| s.kubectl_message()).as_deref(),
        Some("Error from server (NotFound): deployments.apps \"x\" not found")
    );
    create_ok(&mut c, svc("web5", json!({"ports": [{"port": 80}]})));
    let err = match create(&mut c, svc("web5", json!({"ports": [{"port": 80}]})), &CreateOptions::default()) {
        Err(s) => s.with_source("creating", "STDIN").kubectl_message(),
        Ok(_) => String::new(),
    };
    assert_eq!(err, "Error from server (AlreadyExists): error when creating \"STDIN\": services \"web5\" already exists");
}

#[test]
fn recreating_a_service_with_a_pinned_node_port_reports_the_allocation() {
    let mut c = cluster();
    let spec = json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30081}]});
    create_ok(&mut c, svc("web4", spec.clone()));
    assert_eq!(
        create_err(&mut c, svc("web4", spec)),
        "The Service \"web4\" is invalid: spec.ports[0].nodePort: Invalid value: 30081: provided port is already allocated"
    );
}

#[test]
fn allocation_errors_win_over_validation_errors() {
    let mut c = cluster();
    let msg = create_err(&mut c, svc("bad", json!({"type": "NodePort", "ports": [{"port": 70000, "nodePort": 40000}]})));
    assert_eq!(
        msg,
        "The Service \"bad\" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767"
    );
    let msg = create_err(
        &mut c,
        svc("bad-port-range", json!({"ports": [{"name": "a", "port": 70000}, {"port": 81}]})),
    );
    assert_eq!(
        msg,
        "The Service \"bad-port-range\" is invalid: \n* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n* spec.ports[1].name: Required value"
    );
}

#[test]
fn explicit_cluster_ips_are_checked() {
    let mut c = cluster();
    assert_eq!(
        create_err(&mut c, svc("dns2", json!({"clusterIP": "10.96.0.10", "ports": [{"port": 53}]}))),
        "The Service \"dns2\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already allocated"
    );
    assert_eq!(
        create_err(&mut c, svc("far", json!({"clusterIP": "10.0.0.5", "ports": [{"port": 53}]}))),
        "The Service \"far\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.5\"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/16"
    );
    let v = create_ok(&mut c, svc("pinned", json!({"clusterIP": "10.96.0.50", "ports": [{"port": 53}]})));
    assert_eq!(v["spec"]["clusterIPs"], json!(["10.96.0.50"]));
}

#[test]
fn names_and_namespaces_are_validated() {
    let mut c = cluster();
    assert_eq!(
        create_err(&mut c, svc("Bad-Name", json!({"ports": [{"port": 80}]}))),
        "The Service \"Bad-Name\" is invalid: metadata.name: Invalid value: \"Bad-Name\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    );
    let o = obj(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "foo"}}));
    assert_eq!(create_err(&mut c, o), "Error from server (NotFound): namespaces \"foo\" not found");
}

#[test]
fn generate_name_gets_five_random_characters() {
    let mut c = cluster();
    let o = obj(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "web-", "namespace": "default"}}));
    let v = create_ok(&mut c, o);
    let name = v["metadata"]["name"].as_str().unwrap_or("");
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
    assert!(name[4..].bytes().all(|b| crate::rand::NAME_ALPHABET.contains(&b)));
}

#[test]
fn ports_with_one_number_share_a_node_port() {
    let mut c = cluster();
    let v = create_ok(
        &mut c,
        svc("dns", json!({"type": "NodePort", "ports": [{"name": "udp", "port": 53, "protocol": "UDP"}, {"name": "tcp", "port": 53, "protocol": "TCP"}]})),
    );
    let nps = node_ports(&v);
    assert_eq!(nps.len(), 2);
    assert_eq!(nps[0], nps[1]);
    assert!((30086..=32767).contains(&nps[0]));
}

#[test]
fn load_balancer_local_gets_a_health_check_node_port() {
    let mut c = cluster();
    let v = create_ok(&mut c, svc("lb", json!({"type": "LoadBalancer", "externalTrafficPolicy": "Local", "ports": [{"port": 80}]})));
    assert_eq!(v["spec"]["allocateLoadBalancerNodePorts"], true);
    let hc = v["spec"]["healthCheckNodePort"].as_i64().unwrap_or(0);
    assert!((30000..=32767).contains(&hc));
    assert!(!node_ports(&v).contains(&hc));
}

#[test]
fn headless_selectorless_services_default_to_require_dual_stack() {
    let mut c = cluster();
    let v = create_ok(&mut c, svc("h", json!({"clusterIP": "None", "ports": [{"port": 80}]})));
    assert_eq!(v["spec"]["ipFamilyPolicy"], "RequireDualStack");
    assert_eq!(v["spec"]["ipFamilies"], json!(["IPv4", "IPv6"]));
    assert_eq!(v["spec"]["clusterIPs"], json!(["None"]));
    let v = create_ok(&mut c, svc("h2", json!({"clusterIP": "None", "selector": {"app": "x"}, "ports": [{"port": 80}]})));
    assert_eq!(v["spec"]["ipFamilyPolicy"], "SingleStack");
}

#[test]
fn updates_keep_allocated_values_and_refuse_ip_changes() {
    let mut c = cluster();
    let created = create_ok(&mut c, svc("web", json!({"type": "NodePort", "ports": [{"name": "http", "port": 80}]})));
    // Re-applying the original manifest (no clusterIP, no nodePort) keeps both.
    let updated = update_ok(&mut c, svc("web", json!({"type": "NodePort", "ports": [{"name": "http", "port": 80, "targetPort": 8080}]})));
    assert_eq!(updated["spec"]["clusterIP"], created["spec"]["clusterIP"]);
    assert_eq!(node_ports(&updated), node_ports(&created));
    assert_eq!(updated["spec"]["ports"][0]["targetPort"], 8080);
    let msg = match update(&mut c, svc("web", json!({"type": "NodePort", "clusterIP": "10.96.100.100", "ports": [{"port": 80}]})), &UpdateOptions::default()) {
        Err(s) => s.kubectl_message(),
        Ok(_) => String::new(),
    };
    assert_eq!(msg, "The Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.100.100\"}: may not change once set");
}

#[test]
fn type_changes_release_node_ports_and_cluster_ips() {
    let mut c = cluster();
    let created = create_ok(&mut c, svc("web", json!({"type": "NodePort", "ports": [{"port": 80}]})));
    let np = node_ports(&created)[0];
    let as_cluster_ip = {
        let mut v = created.clone();
        v["spec"]["type"] = json!("ClusterIP");
        update_ok(&mut c, obj(v))
    };
    assert!(node_ports(&as_cluster_ip).is_empty());
    assert!(as_cluster_ip["spec"].get("externalTrafficPolicy").is_none());
    // The released port is free again.
    create_ok(&mut c, svc("other", json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": np}]})));
    let mut v = as_cluster_ip.clone();
    v["spec"]["type"] = json!("ExternalName");
    v["spec"]["externalName"] = json!("db.example.com");
    let ext = update_ok(&mut c, obj(v));
    assert!(ext["spec"].get("clusterIP").is_none() && ext["spec"].get("ipFamilies").is_none());
    let ip = created["spec"]["clusterIP"].as_str().unwrap_or("");
    create_ok(&mut c, svc("takes-ip", json!({"clusterIP": ip, "ports": [{"port": 80}]})));
    // And back: ExternalName → ClusterIP allocates a new address.
    let mut v = ext.clone();
    v["spec"]["type"] = json!("ClusterIP");
    v["spec"].as_object_mut().map(|s| s.remove("externalName"));
    let back = update_ok(&mut c, obj(v));
    assert!(back["spec"]["clusterIP"].as_str().is_some_and(|s| s != ip));
}

#[test]
fn stale_resource_versions_conflict() {
    let mut c = cluster();
    let v = create_ok(&mut c, svc("web", json!({"ports": [{"port": 80}]})));
    update_ok(&mut c, obj(v.clone()));
    let mut stale = v.clone();
    stale["metadata"]["labels"] = json!({"a": "b"});
    let msg = match update(&mut c, obj(stale), &UpdateOptions::default()) {
        Err(s) => s.kubectl_message(),
        Ok(_) => String::new(),
    };
    // The no-op update above wrote nothing, so the version is still current.
    assert_eq!(msg, "");
    let current = get(&c, Kind::Service, "default", "web").map(|o| o.to_json()).unwrap_or_default();
    let mut stale = current.clone();
    stale["metadata"]["resourceVersion"] = json!("1");
    let msg = match update(&mut c, obj(stale), &UpdateOptions::default()) {
        Err(s) => s.kubectl_message(),
        Ok(_) => String::new(),
    };
    assert_eq!(msg, "Error from server (Conflict): Operation cannot be fulfilled on services \"web\": the object has been modified; please apply your changes to the latest version and try again");
}

fn deployment(name: &str, labels: Value, selector: Value) -> Object {
    obj(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": selector, "template": {"metadata": {"labels": labels},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}))
}

#[test]
fn deployments_are_defaulted_validated_and_versioned() {
    let mut c = cluster();
    let v = create_ok(&mut c, deployment("web", json!({"app": "web"}), json!({"matchLabels": {"app": "web"}})));
    assert_eq!(v["metadata"]["generation"], 1);
    assert_eq!(v["spec"]["replicas"], 1);
    assert_eq!(v["spec"]["strategy"], json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}));
    assert_eq!(v["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
    let mut scaled = get(&c, Kind::Deployment, "default", "web").map(|o| o.to_json()).unwrap_or_default();
    scaled["spec"]["replicas"] = json!(3);
    let after = update_ok(&mut c, obj(scaled));
    assert_eq!(after["metadata"]["generation"], 2);
    assert_eq!(
        create_err(&mut c, deployment("bad", json!({"app": "x"}), json!({"matchLabels": {"app": "y"}}))),
        "The Deployment \"bad\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`"
    );
    let mut moved = after.clone();
    moved["spec"]["selector"] = json!({"matchLabels": {"app": "web2"}});
    moved["spec"]["template"]["metadata"]["labels"] = json!({"app": "web2"});
    let msg = match update(&mut c, obj(moved), &UpdateOptions::default()) {
        Err(s) => s.kubectl_message(),
        Ok(_) => String::new(),
    };
    assert_eq!(msg, "The Deployment \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
}

#[test]
fn strategic_merge_patch_changes_one_container() {
    let mut c = cluster();
    create_ok(&mut c, deployment("web", json!({"app": "web"}), json!({"matchLabels": {"app": "web"}})));
    let p = json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.28"}]}}}});
    let out = patch(&mut c, Kind::Deployment, "default", "web", PatchType::StrategicMerge, &p).map(|o| o.to_json()).unwrap_or_default();
    assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.28");
    assert_eq!(out["spec"]["template"]["spec"]["containers"][0]["name"], "nginx");
    assert_eq!(out["metadata"]["generation"], 2);
    let p = json!([{"op": "replace", "path": "/spec/replicas", "value": 4}]);
    let out = patch(&mut c, Kind::Deployment, "default", "web", PatchType::Json, &p).map(|o| o.to_json()).unwrap_or_default();
    assert_eq!(out["spec"]["replicas"], 4);
}

#[test]
fn unknown_fields_are_refused_strictly() {
    let mut c = cluster();
    let raw = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"foo": 1, "ports": [{"port": 80}]}});
    let opts = CreateOptions { raw: Some(raw.clone()), ..Default::default() };
    let msg = create(&mut c, obj(raw.clone()), &opts).err().map(|s| s.with_source("creating", "STDIN").kubectl_message());
    assert_eq!(
        msg.as_deref(),
        Some("Error from server (BadRequest): error when creating \"STDIN\": Service in version \"v1\" cannot be handled as a Service: strict decoding error: unknown field \"spec.foo\"")
    );
    let opts = CreateOptions { raw: Some(raw.clone()), field_validation: FieldValidation::Ignore, ..Default::default() };
    assert!(create(&mut c, obj(raw), &opts).is_ok());
}

#[test]
fn deleting_a_service_releases_its_node_port() {
    let mut c = cluster();
    let v = create_ok(&mut c, svc("web", json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]})));
    assert_eq!(node_ports(&v), [30080]);
    assert!(delete(&mut c, Kind::Service, "default", "web", &DeleteOptions::default()).is_ok());
    assert!(get(&c, Kind::Service, "default", "web").is_err());
    create_ok(&mut c, svc("web2", json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]})));
    assert_eq!(
        delete(&mut c, Kind::Service, "default", "nope", &DeleteOptions::default()).err().map(|s| s.kubectl_message()).as_deref(),
        Some("Error from server (NotFound): services \"nope\" not found")
    );
}

#[test]
fn pods_are_deleted_gracefully_only_when_running_somewhere() {
    let mut c = cluster();
    let pod = |name: &str, node: Option<&str>| {
        let mut v = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
        if let Some(n) = node {
            v["spec"]["nodeName"] = json!(n);
        }
        obj(v)
    };
    let created = create_ok(&mut c, pod("p1", Some("kind-worker")));
    assert_eq!(created["spec"]["enableServiceLinks"], true);
    assert_eq!(created["status"]["phase"], "Pending");
    let marked = delete(&mut c, Kind::Pod, "default", "p1", &DeleteOptions::default()).map(|o| o.to_json()).unwrap_or_default();
    assert_eq!(marked["metadata"]["deletionGracePeriodSeconds"], 30);
    assert!(get(&c, Kind::Pod, "default", "p1").is_ok());
    create_ok(&mut c, pod("p2", None));
    let _ = delete(&mut c, Kind::Pod, "default", "p2", &DeleteOptions::default());
    assert!(get(&c, Kind::Pod, "default", "p2").is_err());
}

#[test]
fn finalizers_hold_an_object_until_removed() {
    let mut c = cluster();
    let o = obj(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "default", "finalizers": ["example.com/hold"]}}));
    create_ok(&mut c, o);
    let marked = delete(&mut c, Kind::ConfigMap, "default", "cm", &DeleteOptions::default()).map(|o| o.to_json()).unwrap_or_default();
    assert!(marked["metadata"]["deletionTimestamp"].is_string());
    let mut released = marked.clone();
    released["metadata"].as_object_mut().map(|m| m.remove("finalizers"));
    let _ = update(&mut c, obj(released), &UpdateOptions::default());
    reconcile_deletions(&mut c);
    assert!(get(&c, Kind::ConfigMap, "default", "cm").is_err());
}

#[test]
fn namespaces_terminate_and_take_their_contents() {
    let mut c = cluster();
    let v = create_ok(&mut c, obj(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}})));
    assert_eq!(v["metadata"]["labels"]["kubernetes.io/metadata.name"], "demo");
    assert_eq!(v["spec"]["finalizers"], json!(["kubernetes"]));
    assert_eq!(v["status"]["phase"], "Active");
    create_ok(&mut c, obj(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "demo"}})));
    let marked = delete(&mut c, Kind::Namespace, "", "demo", &DeleteOptions::default()).map(|o| o.to_json()).unwrap_or_default();
    assert_eq!(marked["status"]["phase"], "Terminating");
    let o = obj(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "demo"}}));
    assert_eq!(
        create_err(&mut c, o),
        "Error from server (Forbidden): configmaps \"late\" is forbidden: unable to create new content in namespace demo because it is being terminated"
    );
    assert_eq!(
        delete(&mut c, Kind::Namespace, "", "demo", &DeleteOptions::default()).err().map(|s| s.kubectl_message()).as_deref(),
        Some("Error from server (Conflict): Operation cannot be fulfilled on namespaces \"demo\": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.")
    );
    reconcile_deletions(&mut c);
    assert!(get(&c, Kind::Namespace, "", "demo").is_err());
    assert_eq!(
        delete(&mut c, Kind::Namespace, "", "default", &DeleteOptions::default()).err().map(|s| s.kubectl_message()).as_deref(),
        Some("Error from server (Forbidden): namespaces \"default\" is forbidden: this namespace may not be deleted")
    );
}

#[test]
fn node_port_exhaustion_is_an_internal_error() {
    let mut c = cluster();
    let mut made = 0;
    let message = loop {
        match create(&mut c, svc(&format!("s{made}"), json!({"type": "NodePort", "ports": [{"port": 80}]})), &CreateOptions::default()) {
            Ok(_) => made += 1,
            Err(s) => break s.kubectl_message(),
        }
        if made > 3000 {
            break String::new();
        }
    };
    let used = super::allocator::used_node_ports(&c, None);
    assert_eq!(used.len(), 2768);
    assert_eq!(message, "Error from server (InternalError): Internal error occurred: failed to allocate a nodePort: range is full");
}

// ---------------------------------------------------------------------------
// Properties of the allocators
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Op {
    Next,
    Specific(i32),
    Release(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => Just(Op::Next),
        2 => (0i32..48).prop_map(Op::Specific),
        2 => (0usize..64).prop_map(Op::Release),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever the order of requests, no port is handed out twice, a dynamic request
    /// fails only when every port is taken (and then with "range is full"), and a
    /// released port can be allocated again.
    #[test]
    fn node_ports_are_never_duplicated(seed in any::<u64>(), ops in prop::collection::vec(op(), 1..200)) {
        let range = PortRange { base: 30000, size: 40 };
        let mut alloc = PortAllocator::new(range, BTreeSet::new());
        let mut rng = crate::rand::SeededRng::new(seed);
        let mut held: Vec<i32> = Vec::new();
        for op in ops {
            match op {
                Op::Next => match alloc.allocate_next(&mut rng) {
                    Ok(p) => {
                        prop_assert!(range.contains(p));
                        prop_assert!(!held.contains(&p), "duplicate {}", p);
                        held.push(p);
                    }
                    Err(e) => {
                        prop_assert_eq!(e.clone(), AllocError::Full);
                        prop_assert_eq!(held.len(), 40);
                        prop_assert_eq!(alloc.message(&e), "range is full");
                    }
                },
                Op::Specific(offset) => {
                    let p = 30000 + offset - 4; // a few below the range too
                    match alloc.allocate(p) {
                        Ok(()) => {
                            prop_assert!(!held.contains(&p));
                            held.push(p);
                        }
                        Err(AllocError::Allocated) => prop_assert!(held.contains(&p)),
                        Err(AllocError::NotInRange) => prop_assert!(!range.contains(p)),
                        Err(AllocError::Full) => prop_assert!(false, "specific requests never report Full"),
                    }
                }
                Op::Release(i) => {
                    if !held.is_empty() {
                        let p = held.remove(i % held.len());
                        alloc.release(p);
                        prop_assert!(alloc.allocate(p).is_ok(), "released {} not reusable", p);
                        held.push(p);
                        alloc.release(p);
                        held.pop();
                    }
                }
            }
        }
    }

    /// The same for ClusterIPs in a /27 (30 addresses, 16 of them static).
    #[test]
    fn cluster_ips_are_never_duplicated(seed in any::<u64>(), ops in prop::collection::vec(op(), 1..200)) {
        let range = IpRange::parse("10.96.0.0/27").unwrap_or(IpRange::kind_default());
        let mut alloc = IpAllocator::new(range.clone(), BTreeSet::new());
        let mut rng = crate::rand::SeededRng::new(seed);
        let mut held: Vec<std::net::Ipv4Addr> = Vec::new();
        for op in ops {
            match op {
                Op::Next => match alloc.allocate_next(&mut rng) {
                    Ok(ip) => {
                        prop_assert!(range.index_of(ip).is_some());
                        prop_assert!(!held.contains(&ip));
                        // The static band is only used when the dynamic one is full.
                        if range.index_of(ip).unwrap_or(0) < range.offset() {
                            let dynamic_held = held.iter().filter(|h| range.index_of(**h).unwrap_or(0) >= range.offset()).count() as u64;
                            prop_assert_eq!(dynamic_held, range.max() - range.offset());
                        }
                        held.push(ip);
                    }
                    Err(e) => {
                        prop_assert_eq!(e, AllocError::Full);
                        prop_assert_eq!(held.len() as u64, range.max());
                    }
                },
                Op::Specific(offset) => {
                    let ip = std::net::Ipv4Addr::from(u32::from(std::net::Ipv4Addr::new(10, 96, 0, 0)) + offset as u32);
                    match alloc.allocate(ip) {
                        Ok(()) => { prop_assert!(!held.contains(&ip)); held.push(ip); }
                        Err(AllocError::Allocated) => prop_assert!(held.contains(&ip)),
                        Err(AllocError::NotInRange) => prop_assert!(range.index_of(ip).is_none()),
                        Err(AllocError::Full) => prop_assert!(false),
                    }
                }
                Op::Release(i) => {
                    if !held.is_empty() {
                        let ip = held.remove(i % held.len());
                        alloc.release(ip);
                        prop_assert!(alloc.allocate(ip).is_ok());
                        alloc.release(ip);
                    }
                }
            }
        }
    }

}

proptest! {
    // Each case builds a whole kind cluster: fewer cases keep the suite quick.
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Through the API server: creating and deleting NodePort Services in any order
    /// never leaves two Services with the same nodePort or ClusterIP.
    #[test]
    fn services_never_share_allocations(ops in prop::collection::vec((0u8..3, 0usize..6, prop::option::of(30000i32..30010)), 1..25)) {
        let mut c = cluster();
        for (action, n, pinned) in ops {
            let name = format!("s{n}");
            match action {
                0 | 1 => {
                    let mut port = json!({"port": 80});
                    if let Some(p) = pinned { port["nodePort"] = json!(p); }
                    let _ = create(&mut c, svc(&name, json!({"type": "NodePort", "ports": [port]})), &CreateOptions::default());
                }
                _ => { let _ = delete(&mut c, Kind::Service, "default", &name, &DeleteOptions::default()); }
            }
            let mut ports = BTreeSet::new();
            let mut ips = BTreeSet::new();
            for o in c.store.list(Kind::Service, None) {
                let v = o.to_json();
                for p in node_ports(&v) { prop_assert!(ports.insert(p), "nodePort {} twice", p); }
                if let Some(ip) = v["spec"]["clusterIP"].as_str().filter(|ip| *ip != "None") {
                    prop_assert!(ips.insert(ip.to_string()), "clusterIP {} twice", ip);
                }
            }
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-70000i64..70000).prop_map(Value::from),
        prop::sample::select(vec!["", "None", "web", "TCP", "NodePort", "LoadBalancer", "ExternalName", "10.96.0.10", "Local", "-x-", "a/b/c", "80"])
            .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "spec", "ports", "port", "nodePort", "type", "clusterIP", "clusterIPs", "selector", "metadata", "name",
                    "labels", "externalTrafficPolicy", "healthCheckNodePort", "ipFamilies", "ipFamilyPolicy", "replicas",
                    "template", "containers", "image", "targetPort", "protocol", "$patch", "op", "path", "value",
                ])
                .prop_map(str::to_string),
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No input makes the API server panic: arbitrary specs are created, and arbitrary
    /// documents are applied with every patch type.
    #[test]
    fn arbitrary_requests_never_panic(spec in arb_json(), doc in arb_json()) {
        let mut c = cluster();
        let raw = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "fuzz", "namespace": "default"}, "spec": spec});
        if let Ok(o) = Object::from_json(raw.clone()) {
            let _ = create(&mut c, o, &CreateOptions { raw: Some(raw), ..Default::default() });
        }
        create_ok(&mut c, svc("web", json!({"type": "NodePort", "ports": [{"port": 80}]})));
        for t in [PatchType::Merge, PatchType::StrategicMerge, PatchType::Json] {
            let _ = patch(&mut c, Kind::Service, "default", "web", t, &doc);
            let _ = patch(&mut c, Kind::Service, "default", "fuzz", t, &doc);
        }
        let _ = delete(&mut c, Kind::Service, "default", "web", &DeleteOptions::default());
    }
}
