//! Behaviour tests of the controllers together: a Deployment becoming pods with IPs
//! and endpoints, rolling updates, scheduling failures, image pull failures, deletion,
//! the default cluster, the load-balancer provider, and determinism.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Endpoints, Event, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::chrono::Duration;
use serde_json::json;

use super::*;
use crate::clock::Clock;
use crate::cluster::{Cluster, Topology};
use crate::resources::Kind;
use crate::store::{Object, ObjectKey};

fn cluster() -> Cluster {
    // 2026-01-05T09:00:00Z, as the transcripts use.
    Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default())
}

fn create(cluster: &mut Cluster, value: serde_json::Value) {
    let object = Object::from_json(value).unwrap_or_else(|e| panic!("{e:?}"));
    cluster.insert_new(object);
    reconcile(cluster);
}

fn deployment(name: &str, image: &str, replicas: i32) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "generation": 1, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": image, "ports": [{"containerPort": 80, "name": "http"}]}]}
            }
        }
    })
}

fn service(name: &str, selector: &str, target: serde_json::Value) -> serde_json::Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"app": selector}, "clusterIP": "10.96.100.1", "type": "ClusterIP",
                 "ports": [{"port": 80, "protocol": "TCP", "targetPort": target}]}
    })
}

fn sleep(cluster: &mut Cluster, seconds: i64) {
    let to = cluster.clock.now() + Duration::seconds(seconds);
    advance(cluster, to);
}

fn pods(cluster: &Cluster, ns: &str) -> Vec<Pod> {
    cluster
        .store
        .list(Kind::Pod, Some(ns))
        .filter_map(|o| match o {
            Object::Pod(p) => Some((**p).clone()),
            _ => None,
        })
        .collect()
}

fn pods_of(cluster: &Cluster, prefix: &str) -> Vec<Pod> {
    pods(cluster, "default").into_iter().filter(|p| p.metadata.name.as_deref().unwrap_or("").starts_with(prefix)).collect()
}

fn phase(p: &Pod) -> &str {
    p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

fn waiting_reason(p: &Pod) -> Option<String> {
    p.status.as_ref()?.container_statuses.as_ref()?.first()?.state.as_ref()?.waiting.as_ref()?.reason.clone()
}

fn get_deployment(cluster: &Cluster, name: &str) -> Deployment {
    match cluster.store.get(&ObjectKey::new(Kind::Deployment, "default", name)) {
        Some(Object::Deployment(d)) => (**d).clone(),
        other => panic!("no deployment {name}: {other:?}"),
    }
}

fn events(cluster: &Cluster) -> Vec<Event> {
    cluster
        .store
        .list(Kind::Event, Some("default"))
        .filter_map(|o| match o {
            Object::Event(e) => Some((**e).clone()),
            _ => None,
        })
        .collect()
}

fn messages(cluster: &Cluster, reason: &str) -> Vec<String> {
    events(cluster).into_iter().filter(|e| e.reason.as_deref() == Some(reason)).filter_map(|e| e.message).collect()
}

#[test]
fn default_cluster_is_running_like_kind() {
    let c = cluster();
    let system = pods(&c, "kube-system");
    let names: Vec<&str> = system.iter().filter_map(|p| p.metadata.name.as_deref()).collect();
    assert_eq!(system.len(), 4 + 2 + 3 * 2, "{names:?}");
    for p in &system {
        assert_eq!(phase(p), "Running", "{:?}", p.metadata.name);
        assert!(is_pod_ready(p), "{:?}", p.metadata.name);
    }
    assert!(names.contains(&"etcd-kind-control-plane"));
    let coredns: Vec<&Pod> = system.iter().filter(|p| p.metadata.name.as_deref().unwrap_or("").starts_with("coredns-")).collect();
    assert_eq!(coredns.len(), 2);
    let mut ips: Vec<&str> = coredns.iter().filter_map(|p| p.status.as_ref()?.pod_ip.as_deref()).collect();
    assert!(coredns.iter().all(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some("kind-control-plane")));
    let lpp = pods(&c, "local-path-storage");
    assert_eq!(lpp.len(), 1);
    ips.extend(lpp[0].status.as_ref().and_then(|s| s.pod_ip.as_deref()));
    ips.sort();
    // The control plane's three pod-network pods took the first three addresses of its /24.
    assert_eq!(ips, ["10.244.0.2", "10.244.0.3", "10.244.0.4"]);
    // kube-dns has endpoints for both CoreDNS pods, on the resolved target ports.
    let Some(Object::Endpoints(ep)) = c.store.get(&ObjectKey::new(Kind::Endpoints, "kube-system", "kube-dns")) else { panic!("no kube-dns endpoints") };
    let subset = &ep.subsets.as_ref().unwrap()[0];
    assert_eq!(subset.addresses.as_ref().unwrap().len(), 2);
    assert_eq!(subset.ports.as_ref().unwrap().len(), 3);
    let coredns_deploy = match c.store.get(&ObjectKey::new(Kind::Deployment, "kube-system", "coredns")) {
        Some(Object::Deployment(d)) => d.clone(),
        _ => panic!("no coredns"),
    };
    assert_eq!(coredns_deploy.status.as_ref().and_then(|s| s.available_replicas), Some(2));
    assert_eq!(c.clock.now().timestamp_millis(), 1_767_603_600_000, "the clock ends at now");
}

#[test]
fn deployment_becomes_running_pods_with_ips_and_endpoints() {
    let mut c = cluster();
    create(&mut c, deployment("web", "nginx", 2));
    create(&mut c, service("web", "web", json!(80)));
    let d = get_deployment(&c, "web");
    let rs_name = c
        .store
        .list(Kind::ReplicaSet, Some("default"))
        .map(|o| o.name().to_string())
        .next()
        .unwrap_or_default();
    let hash = rs_name.strip_prefix("web-").unwrap_or("");
    assert!(!hash.is_empty() && hash.len() <= 10 && hash.bytes().all(|b| b"456789bcdf".contains(&b)), "{rs_name}");
    let ps = pods_of(&c, "web-");
    assert_eq!(ps.len(), 2);
    for p in &ps {
        let name = p.metadata.name.as_deref().unwrap_or("");
        assert_eq!(name.len(), rs_name.len() + 6, "{name}");
        assert_eq!(p.metadata.labels.as_ref().and_then(|l| l.get("pod-template-hash")).map(String::as_str), Some(hash));
        assert_eq!(waiting_reason(p).as_deref(), Some("ContainerCreating"));
    }
    // Spread over the two workers.
    let mut nodes: Vec<String> = ps.iter().filter_map(|p| p.spec.as_ref()?.node_name.clone()).collect();
    nodes.sort();
    assert_eq!(nodes, ["kind-worker", "kind-worker2"]);
    assert_eq!(d.metadata.annotations.as_ref().and_then(|a| a.get("deployment.kubernetes.io/revision")).map(String::as_str), Some("1"));
    assert_eq!(messages(&c, "ScalingReplicaSet"), [format!("Scaled up replica set {rs_name} from 0 to 2")]);

    sleep(&mut c, 10);
    let ps = pods_of(&c, "web-");
    for p in &ps {
        assert_eq!(phase(p), "Running");
        assert!(is_pod_ready(p));
        let ip = p.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
        assert!(ip == "10.244.1.2" || ip == "10.244.2.2", "{ip}");
    }
    let d = get_deployment(&c, "web");
    let status = d.status.clone().unwrap_or_default();
    assert_eq!((status.replicas, status.updated_replicas, status.ready_replicas, status.available_replicas), (Some(2), Some(2), Some(2), Some(2)));
    let conditions: Vec<(String, String, String)> = status
        .conditions
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.type_, c.reason.unwrap_or_default(), c.message.unwrap_or_default()))
        .collect();
    assert_eq!(
        conditions,
        [
            ("Available".to_string(), "MinimumReplicasAvailable".to_string(), "Deployment has minimum availability.".to_string()),
            ("Progressing".to_string(), "NewReplicaSetAvailable".to_string(), format!("ReplicaSet \"{rs_name}\" has successfully progressed.")),
        ]
    );
    let Some(Object::Endpoints(ep)) = c.store.get(&ObjectKey::new(Kind::Endpoints, "default", "web")).cloned() else { panic!("no endpoints") };
    let ep: Endpoints = *ep;
    let addresses: Vec<String> = ep.subsets.unwrap_or_default()[0].addresses.clone().unwrap_or_default().into_iter().map(|a| a.ip).collect();
    assert_eq!(addresses, ["10.244.1.2", "10.244.2.2"]);
    let slices: Vec<EndpointSlice> = c
        .store
        .list(Kind::EndpointSlice, Some("default"))
        .filter_map(|o| match o {
            Object::EndpointSlice(s) if o.name().starts_with("web-") => Some((**s).clone()),
            _ => None,
        })
        .collect();
    assert_eq!(slices.len(), 1);
    assert_eq!(slices[0].endpoints.len(), 2);
    assert_eq!(slices[0].ports.as_ref().unwrap()[0].port, Some(80));
    // The kubelet's story is in the events.
    let pulled = messages(&c, "Pulled");
    assert!(pulled.iter().all(|m| m.starts_with("Successfully pulled image \"nginx\" in ")), "{pulled:?}");
    assert_eq!(messages(&c, "Started").len(), 2);
    let scheduled = messages(&c, "Scheduled");
    assert!(scheduled.iter().any(|m| m.starts_with("Successfully assigned default/web-") && m.ends_with(" to kind-worker")), "{scheduled:?}");
}

#[test]
fn named_target_port_resolves_against_container_ports() {
    let mut c = cluster();
    create(&mut c, deployment("web", "nginx", 1));
    create(&mut c, service("web", "web", json!("http")));
    create(&mut c, service("web-bad", "web", json!("nope")));
    sleep(&mut c, 10);
    let get = |name: &str| match c.store.get(&ObjectKey::new(Kind::Endpoints, "default", name)) {
        Some(Object::Endpoints(e)) => e.clone(),
        _ => panic!("no endpoints {name}"),
    };
    assert_eq!(get("web").subsets.unwrap()[0].ports.as_ref().unwrap()[0].port, 80);
    assert_eq!(get("web-bad").subsets, None);
}

#[test]
fn rolling_update_replaces_pods_and_records_revisions() {
    let mut c = cluster();
    create(&mut c, deployment("web", "nginx:1.26", 3));
    sleep(&mut c, 20);
    let mut d = get_deployment(&c, "web");
    if let Some(t) = d.spec.as_mut().and_then(|s| s.template.spec.as_mut()) {
        t.containers[0].image = Some("nginx:1.27".into());
    }
    d.metadata.generation = Some(2);
    c.store.put(Object::Deployment(Box::new(d)));
    reconcile(&mut c);
    // maxSurge 25% of 3 rounds up to 1, maxUnavailable rounds down to 0: one extra pod.
    let active = pods_of(&c, "web-").into_iter().filter(|p| p.metadata.deletion_timestamp.is_none()).count();
    assert_eq!(active, 4);
    sleep(&mut c, 60);
    let rss: Vec<(String, i32, String)> = c
        .store
        .list(Kind::ReplicaSet, Some("default"))
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) => Some((
                rs.metadata.name.clone().unwrap_or_default(),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(-1),
                rs.metadata.annotations.as_ref().and_then(|a| a.get("deployment.kubernetes.io/revision")).cloned().unwrap_or_default(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(rss.len(), 2, "{rss:?}");
    let replicas: BTreeMap<String, i32> = rss.iter().map(|(_, r, rev)| (rev.clone(), *r)).collect();
    assert_eq!(replicas.get("1"), Some(&0));
    assert_eq!(replicas.get("2"), Some(&3));
    let ps = pods_of(&c, "web-");
    assert_eq!(ps.len(), 3, "old pods are gone after their grace period");
    assert!(ps.iter().all(|p| phase(p) == "Running"));
    let d = get_deployment(&c, "web");
    assert_eq!(d.metadata.annotations.as_ref().and_then(|a| a.get("deployment.kubernetes.io/revision")).map(String::as_str), Some("2"));
    let scaling = messages(&c, "ScalingReplicaSet");
    assert!(scaling.iter().any(|m| m.starts_with("Scaled down replica set ")), "{scaling:?}");

    // Rolling back to the first template reuses its ReplicaSet as revision 3.
    let mut d = get_deployment(&c, "web");
    if let Some(t) = d.spec.as_mut().and_then(|s| s.template.spec.as_mut()) {
        t.containers[0].image = Some("nginx:1.26".into());
    }
    c.store.put(Object::Deployment(Box::new(d)));
    reconcile(&mut c);
    sleep(&mut c, 60);
    let revisions: Vec<String> = c
        .store
        .list(Kind::ReplicaSet, Some("default"))
        .filter_map(|o| o.metadata().annotations.as_ref()?.get("deployment.kubernetes.io/revision").cloned())
        .collect();
    let mut revisions = revisions;
    revisions.sort();
    assert_eq!(revisions, ["2", "3"]);
}

#[test]
fn unschedulable_pod_explains_why() {
    let mut c = cluster();
    let mut d = deployment("picky", "nginx", 1);
    d["spec"]["template"]["spec"]["nodeSelector"] = json!({"disk": "ssd"});
    create(&mut c, d);
    sleep(&mut c, 5);
    let ps = pods_of(&c, "picky-");
    assert_eq!(ps.len(), 1);
    assert_eq!(phase(&ps[0]), "Pending");
    let cond = pod_condition(&ps[0], "PodScheduled").cloned().unwrap_or_default();
    assert_eq!(cond.status, "False");
    assert_eq!(cond.reason.as_deref(), Some("Unschedulable"));
    let expected = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    assert_eq!(cond.message.as_deref(), Some(expected));
    assert_eq!(messages(&c, "FailedScheduling"), [expected.to_string()]);
    // Labelling a node lets it schedule.
    let key = ObjectKey::new(Kind::Node, "", "kind-worker2");
    if let Some(Object::Node(mut n)) = c.store.get(&key).cloned() {
        n.metadata.labels.get_or_insert_with(BTreeMap::new).insert("disk".into(), "ssd".into());
        c.store.put(Object::Node(n));
    }
    reconcile(&mut c);
    sleep(&mut c, 10);
    let ps = pods_of(&c, "picky-");
    assert_eq!(ps[0].spec.as_ref().and_then(|s| s.node_name.as_deref()), Some("kind-worker2"));
    assert_eq!(phase(&ps[0]), "Running");
}

#[test]
fn unknown_image_backs_off() {
    let mut c = cluster();
    create(&mut c, json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "typo", "namespace": "default"},
        "spec": {"containers": [{"name": "typo", "image": "ngnix"}]}
    }));
    sleep(&mut c, 3);
    let p = &pods_of(&c, "typo")[0];
    assert_eq!(waiting_reason(p).as_deref(), Some("ErrImagePull"));
    sleep(&mut c, 2);
    let p = &pods_of(&c, "typo")[0];
    assert_eq!(waiting_reason(p).as_deref(), Some("ImagePullBackOff"));
    assert_eq!(phase(p), "Pending");
    let failed = messages(&c, "Failed");
    assert!(failed.iter().any(|m| m.starts_with("Failed to pull image \"ngnix\": failed to pull and unpack image \"docker.io/library/ngnix:latest\"")), "{failed:?}");
    assert!(failed.contains(&"Error: ImagePullBackOff".to_string()));
    // Retries back off: 10 s, 20 s, 40 s ... so a minute later the pull has been tried
    // 3 times (at 0, ~11, ~32 s).
    sleep(&mut c, 60);
    let pulling: Vec<i32> = events(&c).into_iter().filter(|e| e.reason.as_deref() == Some("Pulling")).filter_map(|e| e.count).collect();
    assert_eq!(pulling, [3]);
}

#[test]
fn deleting_a_deployment_cascades() {
    let mut c = cluster();
    create(&mut c, deployment("web", "nginx", 2));
    create(&mut c, service("web", "web", json!(80)));
    sleep(&mut c, 10);
    c.store.remove(&ObjectKey::new(Kind::Deployment, "default", "web"));
    reconcile(&mut c);
    assert_eq!(c.store.list(Kind::ReplicaSet, Some("default")).count(), 0);
    let ps = pods_of(&c, "web-");
    assert_eq!(ps.len(), 2);
    assert!(ps.iter().all(|p| p.metadata.deletion_timestamp.is_some()), "pods are Terminating");
    sleep(&mut c, 3);
    assert!(pods_of(&c, "web-").is_empty());
    let Some(Object::Endpoints(ep)) = c.store.get(&ObjectKey::new(Kind::Endpoints, "default", "web")).cloned() else { panic!() };
    assert_eq!(ep.subsets, None);
    // Removing the Service removes its Endpoints and slices.
    c.store.remove(&ObjectKey::new(Kind::Service, "default", "web"));
    reconcile(&mut c);
    assert!(c.store.get(&ObjectKey::new(Kind::Endpoints, "default", "web")).is_none());
    assert_eq!(c.store.list(Kind::EndpointSlice, Some("default")).filter(|o| o.name().starts_with("web-")).count(), 0);
}

#[test]
fn orphan_and_foreground_deletion() {
    let mut c = cluster();
    create(&mut c, deployment("keep", "nginx", 1));
    sleep(&mut c, 10);
    let key = ObjectKey::new(Kind::Deployment, "default", "keep");
    if let Some(mut o) = c.store.get(&key).cloned() {
        let m = o.metadata_mut();
        m.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(c.clock.now()));
        m.finalizers = Some(vec!["orphan".into()]);
        c.store.put(o);
    }
    reconcile(&mut c);
    assert!(c.store.get(&key).is_none());
    let rss: Vec<&Object> = c.store.list(Kind::ReplicaSet, Some("default")).collect();
    assert_eq!(rss.len(), 1);
    assert_eq!(rss[0].metadata().owner_references, None);
    assert_eq!(pods_of(&c, "keep-").len(), 1);

    create(&mut c, deployment("fg", "nginx", 1));
    sleep(&mut c, 10);
    let key = ObjectKey::new(Kind::Deployment, "default", "fg");
    if let Some(mut o) = c.store.get(&key).cloned() {
        let m = o.metadata_mut();
        m.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(c.clock.now()));
        m.finalizers = Some(vec!["foregroundDeletion".into()]);
        c.store.put(o);
    }
    reconcile(&mut c);
    assert!(c.store.get(&key).is_some(), "the owner waits for its dependents");
    sleep(&mut c, 5);
    assert!(c.store.get(&key).is_none());
    assert!(pods_of(&c, "fg-").is_empty());
}

#[test]
fn scale_down_deletes_newest_pods_first() {
    let mut c = cluster();
    create(&mut c, deployment("web", "nginx", 3));
    sleep(&mut c, 10);
    let mut d = get_deployment(&c, "web");
    if let Some(s) = d.spec.as_mut() {
        s.replicas = Some(1);
    }
    c.store.put(Object::Deployment(Box::new(d)));
    reconcile(&mut c);
    let deleted = messages(&c, "SuccessfulDelete");
    assert_eq!(deleted.len(), 2);
    sleep(&mut c, 5);
    assert_eq!(pods_of(&c, "web-").len(), 1);
    let scaling = messages(&c, "ScalingReplicaSet");
    assert!(scaling.last().is_some_and(|m| m.ends_with(" from 3 to 1")), "{scaling:?}");
}

#[test]
fn load_balancer_gets_an_ip_only_with_a_provider() {
    let mut c = cluster();
    let mut svc = service("lb", "web", json!(80));
    svc["spec"]["type"] = json!("LoadBalancer");
    create(&mut c, svc.clone());
    sleep(&mut c, 10);
    let ingress = |c: &Cluster, name: &str| match c.store.get(&ObjectKey::new(Kind::Service, "default", name)) {
        Some(Object::Service(s)) => {
            let s: Service = (**s).clone();
            s.status.and_then(|st| st.load_balancer).and_then(|lb| lb.ingress).map(|i| i[0].ip.clone().unwrap_or_default())
        }
        _ => None,
    };
    assert_eq!(ingress(&c, "lb"), None);
    c.cloud_provider = Some(cloud_provider::CloudProvider::metallb());
    reconcile(&mut c);
    assert_eq!(ingress(&c, "lb"), None, "not at once");
    sleep(&mut c, 3);
    assert_eq!(ingress(&c, "lb").as_deref(), Some("172.18.255.200"));
    svc["metadata"]["name"] = json!("lb2");
    create(&mut c, svc);
    sleep(&mut c, 3);
    assert_eq!(ingress(&c, "lb2").as_deref(), Some("172.18.255.201"));
}

#[test]
fn same_seed_same_cluster() {
    let run = || {
        let mut c = cluster();
        create(&mut c, deployment("web", "nginx", 3));
        create(&mut c, service("web", "web", json!(80)));
        sleep(&mut c, 7);
        create(&mut c, deployment("bad", "nosuchimage", 2));
        sleep(&mut c, 45);
        c.store.all().map(|o| o.to_json()).collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn advance_is_cheap_when_nothing_is_due() {
    let mut c = cluster();
    sleep(&mut c, 3600);
    let rv = c.store.resource_version();
    assert_eq!(c.controllers.next_wakeup, None, "a settled cluster has nothing scheduled");
    sleep(&mut c, 3600);
    assert_eq!(c.store.resource_version(), rv);
}

fn bare_pod(name: &str, image: &str, command: Option<Vec<&str>>, restart: &str) -> serde_json::Value {
    let mut container = json!({"name": name, "image": image});
    if let Some(cmd) = command {
        container["command"] = json!(cmd);
    }
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [container], "restartPolicy": restart}
    })
}

fn container_status(c: &Cluster, name: &str) -> k8s_openapi::api::core::v1::ContainerStatus {
    let p = pods_of(c, name).into_iter().find(|p| p.metadata.name.as_deref() == Some(name)).unwrap_or_else(|| panic!("no pod {name}"));
    p.status.and_then(|s| s.container_statuses).and_then(|cs| cs.into_iter().next()).unwrap_or_else(|| panic!("no status for {name}"))
}

#[test]
fn a_shell_image_with_nothing_to_do_crash_loops() {
    let mut c = cluster();
    create(&mut c, bare_pod("bb", "busybox", None, "Always"));
    create(&mut c, bare_pod("sleeper", "busybox", Some(vec!["sleep", "3600"]), "Always"));
    sleep(&mut c, 8);
    let s = container_status(&c, "bb");
    assert!(s.restart_count >= 1, "restarted once at once: {s:?}");
    assert_eq!(container_status(&c, "sleeper").state.and_then(|st| st.running).is_some(), true);
    sleep(&mut c, 5);
    let s = container_status(&c, "bb");
    let waiting = s.state.and_then(|st| st.waiting).unwrap_or_default();
    assert_eq!(waiting.reason.as_deref(), Some("CrashLoopBackOff"));
    assert!(waiting.message.as_deref().unwrap_or("").starts_with("back-off 10s restarting failed container=bb pod=bb_default("), "{waiting:?}");
    assert_eq!(s.last_state.and_then(|l| l.terminated).map(|t| (t.exit_code, t.reason)), Some((0, Some("Completed".into()))));
    assert_eq!(phase(&pods_of(&c, "bb")[0]), "Running");
    let backoff = messages(&c, "BackOff");
    assert!(backoff.iter().any(|m| m.starts_with("Back-off restarting failed container bb in pod bb_default(")), "{backoff:?}");
    // Over five minutes the delays grow 10, 20, 40, 80, 160 s: about 6 restarts.
    sleep(&mut c, 300);
    let restarts = container_status(&c, "bb").restart_count;
    assert!((5..=7).contains(&restarts), "{restarts}");
}

#[test]
fn pods_that_never_restart_finish() {
    let mut c = cluster();
    create(&mut c, bare_pod("ok", "busybox", Some(vec!["sh", "-c", "echo hello"]), "Never"));
    create(&mut c, bare_pod("bad", "busybox", Some(vec!["sh", "-c", "exit 3"]), "Never"));
    sleep(&mut c, 10);
    assert_eq!(phase(&pods_of(&c, "ok")[0]), "Succeeded");
    assert_eq!(phase(&pods_of(&c, "bad")[0]), "Failed");
    let t = container_status(&c, "bad").state.and_then(|s| s.terminated).unwrap_or_default();
    assert_eq!((t.exit_code, t.reason.as_deref()), (3, Some("Error")));
}

#[test]
fn a_stuck_rollout_exceeds_its_progress_deadline() {
    let mut c = cluster();
    let mut d = deployment("stuck", "nginxx", 1);
    d["spec"]["progressDeadlineSeconds"] = json!(30);
    create(&mut c, d);
    sleep(&mut c, 10);
    let cond = |c: &Cluster, t: &str| {
        get_deployment(c, "stuck").status.and_then(|s| s.conditions).unwrap_or_default().into_iter().find(|x| x.type_ == t).unwrap_or_default()
    };
    assert_eq!(cond(&c, "Available").reason.as_deref(), Some("MinimumReplicasUnavailable"));
    assert_eq!(cond(&c, "Progressing").status, "True");
    sleep(&mut c, 30);
    let p = cond(&c, "Progressing");
    assert_eq!((p.status.as_str(), p.reason.as_deref()), ("False", Some("ProgressDeadlineExceeded")));
    assert!(p.message.as_deref().unwrap_or("").ends_with("has timed out progressing."));
}

#[test]
fn system_pods_are_as_old_as_the_cluster() {
    let c = cluster();
    let created = c.clock.now() - Duration::minutes(10);
    for p in pods(&c, "kube-system") {
        let name = p.metadata.name.clone().unwrap_or_default();
        let t = p.metadata.creation_timestamp.map(|t| t.0);
        if name.starts_with("coredns-") || name.starts_with("etcd-") {
            assert_eq!(t, Some(created), "{name}");
        }
    }
}


#[test]
fn a_settled_reconcile_writes_nothing() {
    let mut c = cluster();
    create(&mut c, deployment("web", "nginx", 3));
    create(&mut c, service("web", "web", json!(80)));
    let mut picky = deployment("picky", "nginx", 1);
    picky["spec"]["template"]["spec"]["nodeSelector"] = json!({"disk": "ssd"});
    create(&mut c, picky);
    create(&mut c, bare_pod("typo", "ngnix", None, "Always"));
    create(&mut c, bare_pod("bb", "busybox", None, "Always"));
    sleep(&mut c, 30);
    let rv = c.store.resource_version();
    reconcile(&mut c);
    reconcile(&mut c);
    assert_eq!(c.store.resource_version(), rv);
}

#[test]
fn readiness_probe_delays_ready_and_endpoints() {
    let mut c = cluster();
    let mut d = deployment("slow", "nginx", 1);
    d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] =
        json!({"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 20, "periodSeconds": 5});
    create(&mut c, d);
    create(&mut c, service("slow", "slow", json!(80)));
    sleep(&mut c, 10);
    let p = &pods_of(&c, "slow-")[0];
    assert_eq!(phase(p), "Running");
    assert!(!is_pod_ready(p));
    let ep = |c: &Cluster| match c.store.get(&ObjectKey::new(Kind::Endpoints, "default", "slow")) {
        Some(Object::Endpoints(e)) => e.subsets.clone().unwrap_or_default(),
        _ => Vec::new(),
    };
    assert_eq!(ep(&c)[0].addresses, None);
    assert_eq!(ep(&c)[0].not_ready_addresses.as_ref().map(Vec::len), Some(1));
    sleep(&mut c, 20);
    assert!(is_pod_ready(&pods_of(&c, "slow-")[0]));
    assert_eq!(ep(&c)[0].addresses.as_ref().map(Vec::len), Some(1));
}

#[test]
fn a_month_long_jump_is_bounded_and_lands_on_time() {
    let mut c = cluster();
    for i in 0..5 {
        create(&mut c, bare_pod(&format!("bb{i}"), "busybox", None, "Always"));
    }
    let to = c.clock.now() + Duration::days(30);
    advance(&mut c, to);
    assert_eq!(c.clock.now(), to);
    let s = container_status(&c, "bb0");
    assert!(s.restart_count > 10, "{}", s.restart_count);
}

#[test]
fn every_namespace_gets_the_root_ca() {
    let mut c = cluster();
    create(&mut c, json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}));
    let cm = c.store.get(&ObjectKey::new(Kind::ConfigMap, "team-a", "kube-root-ca.crt")).cloned();
    let Some(Object::ConfigMap(cm)) = cm else { panic!("no kube-root-ca.crt") };
    let ca = cm.data.unwrap_or_default().get("ca.crt").cloned().unwrap_or_default();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----\n"));
    let Some(Object::ConfigMap(default_cm)) = c.store.get(&ObjectKey::new(Kind::ConfigMap, "default", "kube-root-ca.crt")).cloned() else { panic!() };
    assert_eq!(default_cm.data.unwrap_or_default().get("ca.crt"), Some(&ca), "one CA for the cluster");
    c.store.remove(&ObjectKey::new(Kind::ConfigMap, "team-a", "kube-root-ca.crt"));
    reconcile(&mut c);
    assert!(c.store.contains(&ObjectKey::new(Kind::ConfigMap, "team-a", "kube-root-ca.crt")), "recreated");
}

#[test]
fn missing_config_maps_block_pods_until_created() {
    let mut c = cluster();
    create(&mut c, json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "envy", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                 "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "mode"}}}]}]}
    }));
    create(&mut c, json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "mounty", "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}]}],
                 "volumes": [{"name": "config", "configMap": {"name": "app-config"}}]}
    }));
    sleep(&mut c, 10);
    let envy = container_status(&c, "envy").state.and_then(|s| s.waiting).unwrap_or_default();
    assert_eq!(envy.reason.as_deref(), Some("CreateContainerConfigError"));
    assert_eq!(envy.message.as_deref(), Some("configmap \"app-config\" not found"));
    let mounty = container_status(&c, "mounty").state.and_then(|s| s.waiting).unwrap_or_default();
    assert_eq!(mounty.reason.as_deref(), Some("ContainerCreating"));
    assert_eq!(
        messages(&c, "FailedMount"),
        ["MountVolume.SetUp failed for volume \"config\" : configmap \"app-config\" not found".to_string()]
    );
    assert!(messages(&c, "Failed").contains(&"Error: configmap \"app-config\" not found".to_string()));
    create(&mut c, json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config", "namespace": "default"}, "data": {"mode": "fast"}}));
    sleep(&mut c, 15);
    assert_eq!(phase(&pods_of(&c, "envy")[0]), "Running");
    assert_eq!(phase(&pods_of(&c, "mounty")[0]), "Running");
}

#[test]
fn a_single_node_cluster_runs_workloads_on_its_control_plane() {
    let mut c = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology { workers: 0, ..Topology::default() });
    assert!(pods(&c, "kube-system").iter().all(|p| phase(p) == "Running"));
    create(&mut c, deployment("web", "nginx", 2));
    sleep(&mut c, 10);
    let ps = pods_of(&c, "web-");
    assert!(ps.iter().all(|p| phase(p) == "Running" && p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some("kind-control-plane")));
}

#[test]
fn an_absurd_replica_count_is_bounded() {
    let mut c = cluster();
    create(&mut c, deployment("huge", "nginx", i32::MAX));
    let count = pods_of(&c, "huge-").len();
    assert!(count <= replicaset::MAX_PODS, "{count}");
    assert!(messages(&c, "FailedCreate").iter().any(|m| m.starts_with("kubesim: more than 500 pods")));
    // 3 nodes of 110 pods: the rest stay Pending, Too many pods.
    sleep(&mut c, 2);
    let pending = pods_of(&c, "huge-").into_iter().filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_none()).count();
    assert!(pending > 100, "{pending}");
    let failed = messages(&c, "FailedScheduling");
    assert!(failed.iter().any(|m| m.contains("2 Too many pods")), "{:?}", failed.first());
    let rv = c.store.resource_version();
    reconcile(&mut c);
    assert_eq!(c.store.resource_version(), rv, "settled");
}
