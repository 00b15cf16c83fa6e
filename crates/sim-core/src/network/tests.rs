//! Feature tests of the network model: what curl, wget, nslookup, dig and ping print
//! on a kind cluster built by inserting objects into the store, a table over Service
//! types × traffic policies × client places × endpoint placements, and a property
//! test that every connection kube-proxy delivers ends at a ready endpoint of a
//! Service that selects the pod.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::Cluster;
use crate::network::testkit::{self, Svc};
use crate::network::trace::{HopKind, Outcome, Rewrite, Server};
use crate::network::{access_log, curl, dig, nslookup, ping, wget, Place};

const CP: &str = "172.18.0.2";
const W1: &str = "172.18.0.3";
const W2: &str = "172.18.0.4";

/// Two nginx pods on kind-worker and kind-worker2 behind a NodePort Service, and a
/// curl client pod on kind-worker.
fn nginx_cluster() -> Cluster {
    let mut c = testkit::kind();
    testkit::pod(&mut c, "web-1", "kind-worker", "10.244.1.5", true, "nginx:1.27.4", &[], "web");
    testkit::pod(&mut c, "web-2", "kind-worker2", "10.244.2.7", true, "nginx:1.27.4", &[], "web");
    testkit::pod(&mut c, "client", "kind-worker", "10.244.1.9", true, "curlimages/curl", &["sleep", "infinity"], "client");
    testkit::service(&mut c, &Svc { type_: "NodePort", node_port: Some(30080), ..Default::default() });
    c
}

fn client() -> Place {
    Place::pod("default", "client")
}

#[test]
fn nodeport_from_the_terminal_serves_nginx_on_every_node() {
    let mut c = nginx_cluster();
    for node in [CP, W1, W2] {
        let (out, code) = testkit::run(&mut c, &Place::Host, curl, &format!("http://{node}:30080"));
        assert_eq!(code, 0, "{node}: {out}");
        assert_eq!(out, crate::network::workloads::NGINX_INDEX);
        let t = c.network.last_trace().cloned().unwrap_or_else(|| panic!("no trace"));
        // externalTrafficPolicy Cluster: the node masquerades the client to its own IP.
        let snat = t.hops.iter().flat_map(|h| h.rewrites.iter()).any(
            |r| matches!(r, Rewrite::Snat { from, to } if from.ip() == &Ipv4Addr::new(172, 18, 0, 1) && to.ip().to_string() == node),
        );
        assert!(snat, "{node}: {t:#?}");
    }
}

#[test]
fn curl_verbose_prints_connection_lines_and_headers() {
    let mut c = nginx_cluster();
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-sv -o /dev/null http://172.18.0.3:30080/");
    assert_eq!(code, 0);
    let expected = "*   Trying 172.18.0.3:30080...
* Connected to 172.18.0.3 (172.18.0.3) port 30080
* using HTTP/1.x
> GET / HTTP/1.1\r
> Host: 172.18.0.3:30080\r
> User-Agent: curl/8.11.1\r
> Accept: */*\r
> \r
* Request completely sent off
< HTTP/1.1 200 OK\r
< Server: nginx/1.27.4\r
< Date: Mon, 05 Jan 2026 09:00:00 GMT\r
< Content-Type: text/html\r
< Content-Length: 615\r
< Last-Modified: Wed, 05 Feb 2025 11:06:32 GMT\r
< Connection: keep-alive\r
< ETag: \"67a34638-267\"\r
< Accept-Ranges: bytes\r
< \r
{ [615 bytes data]
* Connection #0 to host 172.18.0.3 left intact
";
    assert_eq!(out, expected);
}

#[test]
fn head_include_and_write_out() {
    let mut c = nginx_cluster();
    let (out, _) = testkit::run(&mut c, &Place::Host, curl, "-I http://172.18.0.3:30080/");
    assert!(out.starts_with("HTTP/1.1 200 OK\r\nServer: nginx/1.27.4\r\n"), "{out}");
    assert!(out.ends_with("Accept-Ranges: bytes\r\n\r\n"), "{out}");
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-s -o /dev/null -w %{http_code} http://172.18.0.3:30080/nope");
    assert_eq!((out.as_str(), code), ("404", 0));
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-sf http://172.18.0.3:30080/nope");
    assert_eq!((out.as_str(), code), ("", 22));
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-sSf http://172.18.0.3:30080/nope");
    assert_eq!((out.as_str(), code), ("curl: (22) The requested URL returned error: 404\n", 22));
    let (out, _) = testkit::run(&mut c, &Place::Host, curl, "-i http://172.18.0.3:30080/nope");
    assert!(out.starts_with("HTTP/1.1 404 Not Found\r\n"), "{out}");
    assert!(out.ends_with("<hr><center>nginx/1.27.4</center>\n</body>\n</html>\n"), "{out}");
}

#[test]
fn progress_meter_with_output_file() {
    let mut c = nginx_cluster();
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-o /dev/null http://172.18.0.3:30080/");
    assert_eq!(code, 0);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current"));
    assert_eq!(lines.next(), Some("                                 Dload  Upload   Total   Spent    Left  Speed"));
    let last = lines.next().unwrap_or("");
    assert!(last.starts_with("100   615  100   615    0     0  "), "{last}");
}

#[test]
fn cluster_ip_from_the_terminal_times_out() {
    let mut c = nginx_cluster();
    let before = c.clock.now();
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "--connect-timeout 5 http://10.96.100.10");
    assert_eq!(code, 28);
    assert_eq!(out, "curl: (28) Failed to connect to 10.96.100.10 port 80 after 5001 ms: Timeout was reached\n");
    assert_eq!((c.clock.now() - before).num_milliseconds(), 5001);
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-m 3 http://10.96.100.10");
    assert_eq!((out.as_str(), code), ("curl: (28) Connection timed out after 3001 milliseconds\n", 28));
    let t = c.network.last_trace().cloned().unwrap_or_else(|| panic!("no trace"));
    assert_eq!(t.hops.last().map(|h| h.kind), Some(HopKind::Gateway));
    assert!(matches!(t.outcome, Outcome::Dropped { .. }));
    // Without a timeout the kernel gives up after its SYN retries.
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "http://10.244.1.5");
    assert_eq!(code, 28);
    assert!(out.starts_with("curl: (28) Failed to connect to 10.244.1.5 port 80 after 130"), "{out}");
    assert!(out.ends_with(" ms: Could not connect to server\n"), "{out}");
}

#[test]
fn cluster_names_do_not_resolve_on_the_terminal() {
    let mut c = nginx_cluster();
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "http://web.default.svc.cluster.local");
    assert_eq!((out.as_str(), code), ("curl: (6) Could not resolve host: web.default.svc.cluster.local\n", 6));
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-s web");
    assert_eq!((out.as_str(), code), ("", 6));
}

#[test]
fn inside_a_pod_names_and_cluster_ips_work() {
    let mut c = nginx_cluster();
    for name in ["web", "web.default", "web.default.svc", "web.default.svc.cluster.local", "10.96.100.10"] {
        let (out, code) = testkit::run(&mut c, &client(), curl, &format!("-s http://{name}/"));
        assert_eq!(code, 0, "{name}: {out}");
        assert_eq!(out.len(), 615);
    }
    // The server logs the client pod's own IP: no SNAT for pod-to-ClusterIP traffic.
    let mut logs = access_log(&c, "default", "web-1");
    logs.extend(access_log(&c, "default", "web-2"));
    assert_eq!(logs.len(), 5);
    assert!(logs.iter().all(|l| l.starts_with("10.244.1.9 - - [05/Jan/2026:09:00:00 +0000] \"GET / HTTP/1.1\" 200 615 \"-\" \"curl/8.11.1\" \"-\"")), "{logs:?}");
    // Docker's DNS behind CoreDNS knows the node containers.
    let (out, code) = testkit::run(&mut c, &client(), curl, "-s -o /dev/null -w %{remote_ip} http://kind-worker2:30080/");
    assert_eq!((out.as_str(), code), ("172.18.0.4", 0));
    let (out, code) = testkit::run(&mut c, &client(), curl, "http://nope");
    assert_eq!((out.as_str(), code), ("curl: (6) Could not resolve host: nope\n", 6));
}

#[test]
fn no_endpoints_is_refused_at_once() {
    let mut c = testkit::kind();
    testkit::pod(&mut c, "client", "kind-worker", "10.244.1.9", true, "curlimages/curl", &[], "client");
    testkit::service(&mut c, &Svc { type_: "NodePort", node_port: Some(30081), app: "nothing", ..Default::default() });
    let (out, code) = testkit::run(&mut c, &client(), curl, "http://web");
    assert_eq!((out.as_str(), code), ("curl: (7) Failed to connect to web port 80 after 0 ms: Could not connect to server\n", 7));
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "http://172.18.0.3:30081");
    assert_eq!(code, 7, "{out}");
    let t = c.network.last_trace().cloned().unwrap_or_else(|| panic!("no trace"));
    assert!(t.hops.iter().any(|h| h.rule.as_deref().is_some_and(|r| r.contains("has no endpoints"))), "{t:#?}");
}

#[test]
fn local_policy_drops_on_nodes_without_an_endpoint() {
    let mut c = testkit::kind();
    testkit::pod(&mut c, "echo-1", "kind-worker", "10.244.1.5", true, "registry.k8s.io/e2e-test-images/agnhost:2.53", &["netexec"], "echo");
    testkit::service(&mut c, &Svc {
        name: "echo",
        type_: "NodePort",
        node_port: Some(30090),
        target_port: 8080,
        external_traffic_policy: "Local",
        app: "echo",
        ..Default::default()
    });
    // The node with the endpoint answers, and the pod sees the real client.
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, &format!("-s http://{W1}:30090/clientip"));
    assert_eq!(code, 0);
    assert!(out.starts_with("172.18.0.1:"), "{out}");
    // The other worker drops the packet: curl waits for its timeout.
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, &format!("-sS -m 2 http://{W2}:30090/clientip"));
    assert_eq!((out.as_str(), code), ("curl: (28) Connection timed out after 2001 milliseconds\n", 28));
    // From a pod the same nodePort uses every endpoint (pod traffic short-circuits).
    testkit::pod(&mut c, "client", "kind-worker2", "10.244.2.9", true, "curlimages/curl", &[], "client");
    let (out, code) = testkit::run(&mut c, &client(), curl, &format!("-s http://{W2}:30090/clientip"));
    assert_eq!(code, 0);
    assert!(out.starts_with("10.244.2.9:"), "{out}");
}

#[test]
fn agnhost_shows_load_balancing_and_snat() {
    let mut c = testkit::kind();
    testkit::pod(&mut c, "echo-a", "kind-worker", "10.244.1.5", true, "registry.k8s.io/e2e-test-images/agnhost:2.53", &["netexec"], "echo");
    testkit::pod(&mut c, "echo-b", "kind-worker2", "10.244.2.5", true, "registry.k8s.io/e2e-test-images/agnhost:2.53", &["netexec"], "echo");
    testkit::service(&mut c, &Svc { name: "echo", type_: "NodePort", node_port: Some(30090), target_port: 8080, app: "echo", ..Default::default() });
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let (out, code) = testkit::run(&mut c, &Place::Host, curl, &format!("-s http://{W1}:30090/hostname"));
        assert_eq!(code, 0);
        seen.insert(out.clone());
        let (out, _) = testkit::run(&mut c, &Place::Host, curl, &format!("-s http://{W1}:30090/clientip"));
        assert!(out.starts_with(&format!("{W1}:")), "SNAT to the node IP: {out}");
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["echo-a", "echo-b"]);
}

#[test]
fn session_affinity_sticks_to_one_endpoint() {
    let mut c = testkit::kind();
    testkit::pod(&mut c, "echo-a", "kind-worker", "10.244.1.5", true, "registry.k8s.io/e2e-test-images/agnhost:2.53", &["netexec"], "echo");
    testkit::pod(&mut c, "echo-b", "kind-worker2", "10.244.2.5", true, "registry.k8s.io/e2e-test-images/agnhost:2.53", &["netexec"], "echo");
    testkit::pod(&mut c, "client", "kind-worker", "10.244.1.9", true, "curlimages/curl", &[], "client");
    testkit::service(&mut c, &Svc { name: "echo", target_port: 8080, app: "echo", session_affinity: true, ..Default::default() });
    let first = testkit::run(&mut c, &client(), curl, "-s http://echo/hostname").0;
    for _ in 0..10 {
        assert_eq!(testkit::run(&mut c, &client(), curl, "-s http://echo/hostname").0, first);
    }
}

#[test]
fn wrong_target_port_is_refused_by_the_pod() {
    let mut c = testkit::kind();
    testkit::pod(&mut c, "web-1", "kind-worker", "10.244.1.5", true, "nginx", &[], "web");
    testkit::pod(&mut c, "client", "kind-worker2", "10.244.2.9", true, "curlimages/curl", &[], "client");
    testkit::service(&mut c, &Svc { target_port: 8080, ..Default::default() });
    let (out, code) = testkit::run(&mut c, &client(), curl, "-v http://web");
    assert_eq!(code, 7);
    assert!(out.contains("* connect to 10.96.100.10 port 80 from 10.244.2.9 port "), "{out}");
    assert!(out.ends_with("failed: Connection refused\n* Failed to connect to web port 80 after 0 ms: Could not connect to server\n* closing connection #0\ncurl: (7) Failed to connect to web port 80 after 0 ms: Could not connect to server\n"), "{out}");
    let t = c.network.last_trace().cloned().unwrap_or_else(|| panic!("no trace"));
    let kinds: Vec<HopKind> = t.hops.iter().map(|h| h.kind).collect();
    assert_eq!(kinds, [HopKind::Client, HopKind::KubeProxy, HopKind::NodeToNode, HopKind::Pod]);
}

#[test]
fn headless_and_external_name_dns() {
    let mut c = nginx_cluster();
    testkit::service(&mut c, &Svc { name: "web-headless", cluster_ip: None, ..Default::default() });
    testkit::service(&mut c, &Svc { name: "db", type_: "ExternalName", external_name: Some("db.example.com"), ..Default::default() });
    let (out, code) = testkit::run(&mut c, &client(), nslookup, "web-headless");
    assert_eq!(code, 0);
    assert!(out.starts_with("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"), "{out}");
    assert!(out.contains("Name:\tweb-headless.default.svc.cluster.local\nAddress: 10.244.1.5\n"), "{out}");
    assert!(out.contains("Name:\tweb-headless.default.svc.cluster.local\nAddress: 10.244.2.7\n"), "{out}");
    let (out, code) = testkit::run(&mut c, &client(), nslookup, "web");
    assert_eq!(
        (out.as_str(), code),
        ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.100.10\n\n", 0)
    );
    let (out, code) = testkit::run(&mut c, &client(), nslookup, "nope");
    assert_eq!((out.as_str(), code), ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find nope: NXDOMAIN\n\n", 1));
    let (out, _) = testkit::run(&mut c, &client(), dig, "+short db.default.svc.cluster.local");
    assert_eq!(out, "db.example.com.\n");
    let (out, _) = testkit::run(&mut c, &client(), dig, "+short web");
    assert_eq!(out, "", "dig does not use the search list");
    let (out, _) = testkit::run(&mut c, &client(), dig, "+short +search web");
    assert_eq!(out, "10.96.100.10\n");
    // A headless name connects straight to a pod: no kube-proxy hop.
    let (_, code) = testkit::run(&mut c, &client(), curl, "-s web-headless");
    assert_eq!(code, 0);
    let t = c.network.last_trace().cloned().unwrap_or_else(|| panic!("no trace"));
    assert!(!t.hops.iter().any(|h| h.kind == HopKind::KubeProxy), "{t:#?}");
    let (out, code) = testkit::run(&mut c, &client(), curl, "-s db");
    assert_eq!(code, 6);
    assert!(out.starts_with("kubesim: db is an alias (CNAME) for db.example.com"), "{out}");
}

#[test]
fn load_balancer_pending_and_assigned() {
    let mut c = testkit::kind();
    testkit::pod(&mut c, "web-1", "kind-worker", "10.244.1.5", true, "httpd:2.4", &[], "web");
    testkit::service(&mut c, &Svc { type_: "LoadBalancer", node_port: Some(31000), ..Default::default() });
    // Pending: the address is not there; the nodePort still works.
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, &format!("-s http://{W2}:31000"));
    assert_eq!((out.as_str(), code), ("<html><body><h1>It works!</h1></body></html>\n", 0));
    let mut c = testkit::kind();
    testkit::pod(&mut c, "web-1", "kind-worker", "10.244.1.5", true, "httpd:2.4", &[], "web");
    testkit::service(&mut c, &Svc {
        type_: "LoadBalancer",
        node_port: Some(31000),
        load_balancer_ip: Some("172.18.255.200"),
        external_traffic_policy: "Local",
        health_check_node_port: Some(32000),
        ..Default::default()
    });
    for _ in 0..5 {
        let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-s http://172.18.255.200");
        assert_eq!((out.as_str(), code), ("<html><body><h1>It works!</h1></body></html>\n", 0));
        let t = c.network.last_trace().cloned().unwrap_or_else(|| panic!("no trace"));
        assert_eq!(t.hops.get(1).map(|h| h.kind), Some(HopKind::LoadBalancer));
        assert_eq!(t.hops.get(2).map(|h| (h.kind, h.name.as_str())), Some((HopKind::Node, "kind-worker")));
        // Only the node with the endpoint passes the health check; the client IP is kept.
        assert!(matches!(&t.outcome, Outcome::Connected { seen_client, .. } if seen_client.ip() == &Ipv4Addr::new(172, 18, 0, 1)));
        assert!(t.hops.iter().any(|h| h.kind == HopKind::Node && h.name == "kind-worker"));
    }
    let logs = access_log(&c, "default", "web-1");
    assert!(logs.iter().all(|l| l.starts_with("172.18.0.1 - - [05/Jan/2026:09:00:00 +0000] \"GET / HTTP/1.1\" 200 45")), "{logs:?}");
    // kube-proxy's health check answers per node.
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, &format!("-s http://{W1}:32000/healthz"));
    assert_eq!(code, 0);
    assert_eq!(out, "{\n\t\"service\": {\n\t\t\"namespace\": \"default\",\n\t\t\"name\": \"web\"\n\t},\n\t\"localEndpoints\": 1,\n\t\"serviceProxyHealthy\": true\n}");
    let (out, _) = testkit::run(&mut c, &Place::Host, curl, &format!("-s -o /dev/null -w %{{http_code}} http://{W2}:32000/healthz"));
    assert_eq!(out, "503");
}

#[test]
fn internal_traffic_policy_local() {
    let mut c = testkit::kind();
    testkit::pod(&mut c, "web-1", "kind-worker", "10.244.1.5", true, "nginx", &[], "web");
    testkit::pod(&mut c, "near", "kind-worker", "10.244.1.9", true, "curlimages/curl", &[], "client");
    testkit::pod(&mut c, "far", "kind-worker2", "10.244.2.9", true, "curlimages/curl", &[], "client");
    testkit::service(&mut c, &Svc { internal_traffic_policy: "Local", ..Default::default() });
    assert_eq!(testkit::run(&mut c, &Place::pod("default", "near"), curl, "-s -o /dev/null web").1, 0);
    let (out, code) = testkit::run(&mut c, &Place::pod("default", "far"), curl, "-sS --connect-timeout 1 web");
    assert_eq!((out.as_str(), code), ("curl: (28) Failed to connect to web port 80 after 1001 ms: Timeout was reached\n", 28));
}

#[test]
fn wget_in_a_busybox_pod_and_on_the_terminal() {
    let mut c = nginx_cluster();
    let (out, code) = testkit::run(&mut c, &client(), wget, "-qO- web");
    assert_eq!((out.len(), code), (615, 0));
    let (out, code) = testkit::run(&mut c, &client(), wget, "-O- http://web/nope");
    assert_eq!(code, 1);
    assert_eq!(out, "Connecting to web (10.96.100.10:80)\nwget: server returned error: HTTP/1.1 404 Not Found\n");
    let (out, code) = testkit::run(&mut c, &client(), wget, "-qO- nope");
    assert_eq!((out.as_str(), code), ("wget: bad address 'nope'\n", 1));
    let (out, code) = testkit::run(&mut c, &client(), wget, "-T 2 -qO- 10.96.100.99");
    assert_eq!((out.as_str(), code), ("wget: download timed out\n", 1));
    let (out, code) = testkit::run(&mut c, &Place::Host, wget, "-qO- http://172.18.0.4:30080");
    assert_eq!((out.len(), code), (615, 0));
    let (_, code) = testkit::run(&mut c, &Place::Host, wget, "-q -T 1 -O- http://10.96.100.10");
    assert_eq!(code, 4);
}

#[test]
fn ping_answers_from_pods_and_nodes_but_not_cluster_ips() {
    let mut c = nginx_cluster();
    let (out, code) = testkit::run(&mut c, &client(), ping, "-c 2 10.244.2.7");
    assert_eq!(code, 0);
    assert!(out.starts_with("PING 10.244.2.7 (10.244.2.7): 56 data bytes\n64 bytes from 10.244.2.7: seq=0 ttl=62 time=0."), "{out}");
    assert!(out.contains("2 packets transmitted, 2 packets received, 0% packet loss\n"), "{out}");
    let (out, code) = testkit::run(&mut c, &client(), ping, "-c 3 web");
    assert_eq!(code, 1);
    assert_eq!(out, "PING web (10.96.100.10): 56 data bytes\n\n--- web ping statistics ---\n3 packets transmitted, 0 packets received, 100% packet loss\n");
    let (out, code) = testkit::run(&mut c, &Place::Host, ping, "-c 1 172.18.0.3");
    assert_eq!(code, 0);
    assert!(out.starts_with("PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.\n64 bytes from 172.18.0.3: icmp_seq=1 ttl=64 time="), "{out}");
    assert_eq!(testkit::run(&mut c, &Place::Host, ping, "172.18.0.3").1, 2);
}

#[test]
fn whoami_and_http_echo_report_what_they_saw() {
    let mut c = testkit::kind();
    testkit::pod(&mut c, "who", "kind-worker", "10.244.1.5", true, "traefik/whoami:v1.10", &[], "who");
    testkit::pod(&mut c, "echo", "kind-worker2", "10.244.2.5", true, "hashicorp/http-echo:1.0", &["-text=hello from echo"], "echo");
    testkit::pod(&mut c, "client", "kind-worker", "10.244.1.9", true, "curlimages/curl", &[], "client");
    let (out, code) = testkit::run(&mut c, &client(), curl, "-s -H X-Demo:yes http://10.244.1.5/");
    assert_eq!(code, 0);
    assert!(out.starts_with("Hostname: who\nIP: 127.0.0.1\nIP: ::1\nIP: 10.244.1.5\n"), "{out}");
    assert!(out.contains("\nGET / HTTP/1.1\nHost: 10.244.1.5\nUser-Agent: curl/8.11.1\nAccept: */*\nX-Demo: yes\n\n"), "{out}");
    assert!(out.contains("RemoteAddr: 10.244.1.9:"), "{out}");
    let (out, code) = testkit::run(&mut c, &client(), curl, "-si http://10.244.2.5:5678/");
    assert_eq!(code, 0);
    assert!(out.starts_with("HTTP/1.1 200 OK\r\nX-App-Name: http-echo\r\nX-App-Version: 1.0.0\r\nDate: "), "{out}");
    assert!(out.ends_with("Content-Length: 16\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello from echo\n"), "{out}");
    let logs = access_log(&c, "default", "echo");
    assert_eq!(logs.len(), 1);
    assert!(logs[0].contains(" 10.244.2.5:5678 10.244.1.9:"), "{logs:?}");
    // Client images listen nowhere.
    let (_, code) = testkit::run(&mut c, &Place::pod("default", "who"), curl, "-s http://10.244.1.9:80/");
    assert_eq!(code, 7);
}

#[test]
fn port_forward_reaches_the_pod_through_localhost() {
    let mut c = nginx_cluster();
    c.network.port_forwards.push(crate::network::PortForward {
        local_port: 8080,
        namespace: "default".into(),
        pod: "web-1".into(),
        pod_port: 80,
        output: None,
    });
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-s localhost:8080");
    assert_eq!(code, 0);
    assert_eq!(out.strip_prefix("Handling connection for 8080\n").map(str::len), Some(615), "{out}");
    assert!(access_log(&c, "default", "web-1").iter().all(|l| l.starts_with("127.0.0.1 - - ")));
    let (_, code) = testkit::run(&mut c, &Place::Host, curl, "-s localhost:9999");
    assert_eq!(code, 7);
}

#[test]
fn curl_argument_errors() {
    let mut c = testkit::kind();
    assert_eq!(
        testkit::run(&mut c, &Place::Host, curl, ""),
        ("curl: try 'curl --help' or 'curl --manual' for more information\n".to_string(), 2)
    );
    assert_eq!(
        testkit::run(&mut c, &Place::Host, curl, "--nope x"),
        ("curl: option --nope: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n".to_string(), 2)
    );
    assert_eq!(testkit::run(&mut c, &Place::Host, curl, "ftp://x").1, 1);
    assert_eq!(testkit::run(&mut c, &Place::Host, curl, "-s http://x:99999").1, 3);
}

// ---------------------------------------------------------------------------
// The table: Service types × traffic policies × client places × endpoint placement.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    None,
    Worker1,
    BothWorkers,
    NotReady,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Answered; the server saw this client IP.
    Answer(&'static str),
    /// Answered by a node-chosen endpoint; the server saw one of the node IPs.
    AnswerSnatToNode,
    Refused,
    Timeout,
    NoRoute,
    NoAddress,
    /// An ExternalName: the name is a CNAME to a name outside the cluster.
    Alias,
}

/// The expected result, written from the Kubernetes documentation's rules rather
/// than from the implementation.
fn expectation(type_: &str, etp_local: bool, itp_local: bool, client: &str, placement: Placement, target: &str) -> Expect {
    let any_ready = matches!(placement, Placement::Worker1 | Placement::BothWorkers);
    let on_worker2 = placement == Placement::BothWorkers;
    let headless = type_ == "Headless";
    if type_ == "ExternalName" {
        // No ClusterIP, no ports, no kube-proxy rules: only a DNS alias.
        return match (client, target) {
            ("host", "nodeport-w1" | "nodeport-w2") => Expect::Refused,
            ("host", _) => Expect::NoAddress,
            (_, "clusterip") => Expect::Alias,
            _ => Expect::NoAddress,
        };
    }
    match (client, target) {
        ("host", "clusterip") => if headless { Expect::NoAddress } else { Expect::Timeout },
        ("host", "nodeport-w1") | ("host", "nodeport-w2") => {
            if !matches!(type_, "NodePort" | "LoadBalancer" | "LB-pending") {
                return Expect::Refused;
            }
            if !any_ready {
                return Expect::Refused;
            }
            if !etp_local {
                return Expect::AnswerSnatToNode;
            }
            let local = target == "nodeport-w1" || on_worker2;
            if local { Expect::Answer("172.18.0.1") } else { Expect::Timeout }
        }
        ("host", "lb") => {
            if type_ != "LoadBalancer" {
                return Expect::NoAddress;
            }
            if !any_ready {
                // With Local no node announces the address: ARP fails.
                return if etp_local { Expect::NoRoute } else { Expect::Refused };
            }
            if etp_local { Expect::Answer("172.18.0.1") } else { Expect::AnswerSnatToNode }
        }
        (pod, "clusterip") => {
            let ip = if pod == "pod-w1" { "10.244.1.9" } else { "10.244.2.9" };
            if headless {
                return if any_ready { Expect::Answer(ip) } else { Expect::NoAddress };
            }
            if !any_ready {
                return Expect::Refused;
            }
            if itp_local && pod == "pod-w2" && !on_worker2 {
                return Expect::Timeout;
            }
            Expect::Answer(ip)
        }
        _ => Expect::NoAddress,
    }
}

#[test]
fn table_of_service_types_policies_clients_and_placements() {
    let types = ["ClusterIP", "NodePort", "LoadBalancer", "LB-pending", "Headless", "ExternalName"];
    let placements = [Placement::None, Placement::Worker1, Placement::BothWorkers, Placement::NotReady];
    let clients = ["host", "pod-w1", "pod-w2"];
    let targets = ["clusterip", "nodeport-w1", "nodeport-w2", "lb"];
    let mut checked = 0;
    for type_ in types {
        for etp_local in [false, true] {
            for itp_local in [false, true] {
                for placement in placements {
                    let mut c = testkit::kind();
                    let (ready1, ready2) = match placement {
                        Placement::None => (None, None),
                        Placement::Worker1 => (Some(true), None),
                        Placement::BothWorkers => (Some(true), Some(true)),
                        Placement::NotReady => (Some(false), Some(false)),
                    };
                    let image = "registry.k8s.io/e2e-test-images/agnhost:2.53";
                    if let Some(r) = ready1 {
                        testkit::pod(&mut c, "echo-1", "kind-worker", "10.244.1.5", r, image, &["netexec", "--http-port=80"], "echo");
                    }
                    if let Some(r) = ready2 {
                        testkit::pod(&mut c, "echo-2", "kind-worker2", "10.244.2.5", r, image, &["netexec", "--http-port=80"], "echo");
                    }
                    testkit::pod(&mut c, "pod-w1", "kind-worker", "10.244.1.9", true, "curlimages/curl", &[], "client");
                    testkit::pod(&mut c, "pod-w2", "kind-worker2", "10.244.2.9", true, "curlimages/curl", &[], "client");
                    let (svc_type, lb_ip) = match type_ {
                        "LoadBalancer" => ("LoadBalancer", Some("172.18.255.200")),
                        "LB-pending" => ("LoadBalancer", None),
                        "Headless" => ("ClusterIP", None),
                        t => (t, None),
                    };
                    let node_ported = matches!(svc_type, "NodePort" | "LoadBalancer");
                    testkit::service(&mut c, &Svc {
                        name: "echo",
                        type_: svc_type,
                        cluster_ip: if matches!(type_, "Headless" | "ExternalName") { None } else { Some("10.96.100.10") },
                        external_name: (type_ == "ExternalName").then_some("echo.example.com"),
                        node_port: node_ported.then_some(30090),
                        health_check_node_port: (etp_local && svc_type == "LoadBalancer").then_some(32000),
                        external_traffic_policy: if etp_local { "Local" } else { "Cluster" },
                        internal_traffic_policy: if itp_local { "Local" } else { "Cluster" },
                        load_balancer_ip: lb_ip,
                        app: "echo",
                        ..Default::default()
                    });
                    for client in clients {
                        for target in targets {
                            let expect = expectation(type_, etp_local && node_ported, itp_local, client, placement, target);
                            let place = if client == "host" { Place::Host } else { Place::pod("default", client) };
                            let url = match target {
                                "clusterip" if client == "host" => {
                                    if matches!(type_, "Headless" | "ExternalName") { continue } else { "http://10.96.100.10/clientip".to_string() }
                                }
                                "clusterip" => "http://echo/clientip".to_string(),
                                "nodeport-w1" => format!("http://{W1}:30090/clientip"),
                                "nodeport-w2" => format!("http://{W2}:30090/clientip"),
                                _ => match lb_ip {
                                    Some(ip) => format!("http://{ip}/clientip"),
                                    None => continue,
                                },
                            };
                            if client != "host" && target != "clusterip" {
                                continue;
                            }
                            let before = c.network.traces().count();
                            let (out, code) = testkit::run(&mut c, &place, curl, &format!("-sS -m 5 {url}"));
                            let context = format!("{type_} etpLocal={etp_local} itpLocal={itp_local} {placement:?} {client} → {target}: {out}");
                            let trace = c.network.last_trace().cloned();
                            match expect {
                                Expect::Answer(ip) => {
                                    assert_eq!(code, 0, "{context}");
                                    assert!(out.starts_with(&format!("{ip}:")), "{context}");
                                    assert!(matches!(trace.map(|t| t.outcome), Some(Outcome::Connected { .. })), "{context}");
                                }
                                Expect::AnswerSnatToNode => {
                                    assert_eq!(code, 0, "{context}");
                                    assert!([W1, W2, CP].iter().any(|n| out.starts_with(&format!("{n}:"))), "{context}");
                                    let t = trace.unwrap_or_else(|| panic!("{context}"));
                                    assert!(t.hops.iter().flat_map(|h| &h.rewrites).any(|r| matches!(r, Rewrite::Snat { .. })), "{context}");
                                }
                                Expect::Refused => {
                                    assert_eq!(code, 7, "{context}");
                                    assert!(out.ends_with("after 0 ms: Could not connect to server\n"), "{context}");
                                }
                                Expect::Timeout => {
                                    assert_eq!(code, 28, "{context}");
                                    assert_eq!(out, "curl: (28) Connection timed out after 5001 milliseconds\n", "{context}");
                                    assert!(matches!(trace.map(|t| t.outcome), Some(Outcome::Dropped { .. })), "{context}");
                                }
                                Expect::NoRoute => {
                                    assert_eq!(code, 7, "{context}");
                                    assert!(out.starts_with("curl: (7) Failed to connect to 172.18.255.200 port 80 after 30"), "{context}");
                                    assert!(matches!(trace.map(|t| t.outcome), Some(Outcome::Unreachable { .. })), "{context}");
                                }
                                Expect::NoAddress => {
                                    assert_eq!(code, 6, "{context}");
                                    assert_eq!(c.network.traces().count(), before, "{context}");
                                }
                                Expect::Alias => {
                                    assert_eq!(code, 6, "{context}");
                                    assert!(out.starts_with("kubesim: echo is an alias (CNAME) for echo.example.com"), "{context}");
                                }
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 300, "{checked}");
}

// ---------------------------------------------------------------------------
// The property: every delivered connection ends at a ready endpoint of a Service
// whose selector matches the pod.

#[test]
fn every_delivered_trace_ends_at_a_ready_matching_endpoint() {
    use crate::rand::SeededRng;
    let mut delivered = 0;
    for seed in 0..60u64 {
        let mut rng = SeededRng::new(seed);
        let mut c = testkit::kind();
        let nodes = [("kind-worker", 1u8), ("kind-worker2", 2u8)];
        let apps = ["a", "b", "c"];
        let mut pod_count = 0;
        for i in 0..(2 + rng.below(6)) {
            let (node, n) = nodes[rng.below(2) as usize];
            let app = apps[rng.below(3) as usize];
            let ready = rng.below(4) != 0;
            let ip = format!("10.244.{n}.{}", 10 + i);
            testkit::pod(&mut c, &format!("p{i}"), node, &ip, ready, "nginx", &[], app);
            pod_count += 1;
        }
        testkit::pod(&mut c, "client", "kind-worker", "10.244.1.200", true, "curlimages/curl", &[], "client");
        for (i, app) in apps.iter().enumerate() {
            let type_ = ["ClusterIP", "NodePort", "LoadBalancer"][rng.below(3) as usize];
            let name = format!("svc-{app}");
            let ip = format!("10.96.0.{}", 100 + i);
            let lb = format!("172.18.255.{}", 200 + i);
            testkit::service(&mut c, &Svc {
                name: &name,
                type_,
                cluster_ip: Some(&ip),
                node_port: (type_ != "ClusterIP").then_some(30000 + i as i32),
                external_traffic_policy: if rng.below(2) == 0 { "Local" } else { "Cluster" },
                internal_traffic_policy: if rng.below(3) == 0 { "Local" } else { "Cluster" },
                load_balancer_ip: (type_ == "LoadBalancer").then_some(lb.as_str()),
                health_check_node_port: (type_ == "LoadBalancer").then_some(32000 + i as i32),
                session_affinity: rng.below(2) == 0,
                app,
                ..Default::default()
            });
        }
        for _ in 0..30 {
            let place = if rng.below(2) == 0 { Place::Host } else { Place::pod("default", "client") };
            let i = rng.below(3);
            let target = match rng.below(4) {
                0 => SocketAddrV4::new(Ipv4Addr::new(10, 96, 0, 100 + i as u8), 80),
                1 => SocketAddrV4::new(Ipv4Addr::new(172, 18, 0, 2 + rng.below(3) as u8), 30000 + i as u16),
                2 => SocketAddrV4::new(Ipv4Addr::new(172, 18, 255, 200 + i as u8), 80),
                _ => SocketAddrV4::new(Ipv4Addr::new(10, 244, 1 + rng.below(2) as u8, 10 + rng.below(pod_count) as u8), 80),
            };
            let t = crate::network::trace::connect(&mut c, &place, target);
            let Outcome::Connected { server: Server::Pod { name, ip, .. }, .. } = &t.outcome else { continue };
            let Some(proxy_hop) = t.hops.iter().find(|h| h.kind == HopKind::KubeProxy) else {
                // Straight to a pod IP: only from inside the cluster.
                assert_ne!(place, Place::Host, "{t:#?}");
                continue;
            };
            delivered += 1;
            // The rule names the Service; its selector must match the pod, which must be ready.
            let rule = proxy_hop.rule.clone().unwrap_or_default();
            let app = apps.iter().find(|a| rule.contains(&format!("default/svc-{a}"))).copied();
            let pod = crate::network::addresses::pod(&c, "default", name).unwrap_or_else(|| panic!("{t:#?}"));
            assert!(pod.ready, "delivered to a pod that is not ready: {t:#?}");
            let labels = match c.store.get(&crate::store::ObjectKey::new(crate::resources::Kind::Pod, "default", name)) {
                Some(crate::store::Object::Pod(p)) => p.metadata.labels.clone().unwrap_or_default(),
                _ => Default::default(),
            };
            assert_eq!(labels.get("app").map(String::as_str), app, "{rule}: {t:#?}");
            assert_eq!(Some(*ip), pod.ip);
            // Every DNAT lands where the next hop says the packet is.
            for hop in &t.hops {
                for r in &hop.rewrites {
                    if let Rewrite::Dnat { to, .. } = r {
                        assert_eq!(hop.packet.dst, *to, "{t:#?}");
                    }
                }
            }
        }
    }
    assert!(delivered > 100, "only {delivered} deliveries");
}

#[test]
fn localhost_tries_ipv6_first() {
    let mut c = nginx_cluster();
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-v localhost:9999");
    assert_eq!(code, 7);
    assert!(out.starts_with("* Host localhost:9999 was resolved.\n* IPv6: ::1\n* IPv4: 127.0.0.1\n*   Trying [::1]:9999...\n* connect to ::1 port 9999 from ::1 port "), "{out}");
    assert!(out.contains("*   Trying 127.0.0.1:9999...\n* connect to 127.0.0.1 port 9999 from 127.0.0.1 port "), "{out}");
    // The API server's published port answers plain HTTP as Go's TLS server does.
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-s http://127.0.0.1:36035/");
    assert_eq!((out.as_str(), code), ("Client sent an HTTP request to an HTTPS server.\n", 0));
}

/// An ingress-nginx controller on the control plane with hostPort 80 (kind's
/// ingress setup), an Ingress for web.example.com → Service web:80, nginx and whoami.
fn ingress_cluster() -> Cluster {
    use k8s_openapi::api::networking::v1::{
        HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
        ServiceBackendPort,
    };
    let mut c = testkit::kind();
    testkit::pod(&mut c, "web-1", "kind-worker", "10.244.1.5", true, "traefik/whoami", &[], "web");
    testkit::service(&mut c, &Svc::default());
    testkit::pod(&mut c, "ingress-nginx-controller-abc", "kind-control-plane", "10.244.0.5", true, "registry.k8s.io/ingress-nginx/controller:v1.12.0", &[], "ingress");
    if let Some(crate::store::Object::Pod(mut p)) =
        c.store.get(&crate::store::ObjectKey::new(crate::resources::Kind::Pod, "default", "ingress-nginx-controller-abc")).cloned()
    {
        if let Some(container) = p.spec.as_mut().and_then(|s| s.containers.first_mut()) {
            container.ports = Some(vec![k8s_openapi::api::core::v1::ContainerPort {
                container_port: 80,
                host_port: Some(80),
                ..Default::default()
            }]);
        }
        c.store.put(crate::store::Object::Pod(p));
    }
    let path = |p: &str, svc: &str| HTTPIngressPath {
        path: Some(p.to_string()),
        path_type: "Prefix".to_string(),
        backend: IngressBackend {
            service: Some(IngressServiceBackend {
                name: svc.to_string(),
                port: Some(ServiceBackendPort { number: Some(80), name: None }),
            }),
            resource: None,
        },
    };
    let ingress = Ingress {
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some("web".into()),
            namespace: Some("default".into()),
            ..Default::default()
        },
        spec: Some(IngressSpec {
            ingress_class_name: Some("nginx".into()),
            rules: Some(vec![IngressRule {
                host: Some("web.example.com".into()),
                http: Some(HTTPIngressRuleValue { paths: vec![path("/", "web"), path("/api", "missing")] }),
            }]),
            ..Default::default()
        }),
        status: None,
    };
    c.insert_new(crate::store::Object::Ingress(Box::new(ingress)));
    c
}

#[test]
fn ingress_routes_by_host_and_path() {
    let mut c = ingress_cluster();
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-s -H Host:web.example.com http://172.18.0.2/hello");
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("Hostname: web-1\n"), "{out}");
    // The backend sees the controller pod; the original client travels in headers.
    assert!(out.contains("RemoteAddr: 10.244.0.5:"), "{out}");
    assert!(out.contains("\nX-Forwarded-For: 172.18.0.1\n"), "{out}");
    assert!(out.contains("\nX-Real-Ip: 172.18.0.1\n"), "{out}");
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-si http://172.18.0.2/");
    assert_eq!(code, 0);
    assert!(out.starts_with("HTTP/1.1 404 Not Found\r\nDate: Mon, 05 Jan 2026 09:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 146\r\nConnection: keep-alive\r\n\r\n<html>\n<head><title>404 Not Found</title></head>\n"), "{out}");
    let (out, _) = testkit::run(&mut c, &Place::Host, curl, "-s -o /dev/null -w %{http_code} -H Host:web.example.com http://172.18.0.2/api/x");
    assert_eq!(out, "503");
    // /apix is not under /api: element-wise prefix, so it goes to "/".
    let (out, _) = testkit::run(&mut c, &Place::Host, curl, "-s -o /dev/null -w %{http_code} -H Host:web.example.com http://172.18.0.2/apix");
    assert_eq!(out, "200");
    let logs = access_log(&c, "default", "ingress-nginx-controller-abc");
    assert_eq!(logs.len(), 4);
    assert!(logs[0].starts_with("172.18.0.1 - - [05/Jan/2026:09:00:00 +0000] \"GET /hello HTTP/1.1\" 200 "), "{logs:?}");
    assert!(logs[0].contains(" [default-web-80] [] 10.244.1.5:80 "), "{logs:?}");
    // The proxy's own leg is a trace of its own.
    assert!(c.network.traces().any(|t| t.program == "ingress-nginx"));
}

#[test]
fn the_api_server_over_tls_from_a_pod() {
    use k8s_openapi::api::discovery::v1::{Endpoint, EndpointPort, EndpointSlice};
    let mut c = nginx_cluster();
    testkit::service(&mut c, &Svc { name: "kubernetes", cluster_ip: Some("10.96.0.1"), port: 443, target_port: 6443, app: "none", ..Default::default() });
    let slice = EndpointSlice {
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some("kubernetes".into()),
            namespace: Some("default".into()),
            labels: Some([("kubernetes.io/service-name".to_string(), "kubernetes".to_string())].into_iter().collect()),
            ..Default::default()
        },
        address_type: "IPv4".into(),
        endpoints: vec![Endpoint { addresses: vec!["172.18.0.2".into()], ..Default::default() }],
        ports: Some(vec![EndpointPort { name: Some(String::new()), port: Some(6443), protocol: Some("TCP".into()), ..Default::default() }]),
    };
    c.insert_new(crate::store::Object::EndpointSlice(Box::new(slice)));
    let (out, code) = testkit::run(&mut c, &client(), curl, "https://kubernetes");
    assert_eq!(code, 60);
    assert!(out.starts_with("curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n"), "{out}");
    let (out, code) = testkit::run(&mut c, &client(), curl, "-sk https://kubernetes/api/v1/namespaces/default/pods");
    assert_eq!(code, 0);
    assert_eq!(out, "{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n  \"status\": \"Failure\",\n  \"message\": \"pods is forbidden: User \\\"system:anonymous\\\" cannot list resource \\\"pods\\\" in API group \\\"\\\" in the namespace \\\"default\\\"\",\n  \"reason\": \"Forbidden\",\n  \"details\": {\n    \"kind\": \"pods\"\n  },\n  \"code\": 403\n}");
    let (out, code) = testkit::run(&mut c, &client(), curl, "-sk https://kubernetes.default.svc/healthz");
    assert_eq!((out.as_str(), code), ("ok", 0));
    let (out, _) = testkit::run(&mut c, &client(), curl, "-skI https://10.96.0.1/");
    assert!(out.starts_with("HTTP/2 403 \r\naudit-id: "), "{out}");
    // TLS to a plain-HTTP server fails in the handshake.
    let (out, code) = testkit::run(&mut c, &client(), curl, "https://web:80/");
    assert_eq!((out.as_str(), code), ("curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number\n", 35));
}

/// The whole stack: kubectl apply, the real controllers (scheduler, kubelet, IPs,
/// EndpointSlices) and the simulated MetalLB-like cloud provider, then curl.
#[test]
fn load_balancer_assigned_by_the_cloud_provider_end_to_end() {
    let mut sim = crate::Simulator::new(crate::ClusterConfig::default());
    sim.cluster.cloud_provider = Some(crate::controllers::cloud_provider::CloudProvider::metallb());
    let manifest = "kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector:
    app: web
  ports:
  - port: 80
YAML";
    let out = sim.run_line(manifest);
    assert_eq!(out.display, "deployment.apps/web created\nservice/web created\n");
    sim.run_line("sleep 30");
    let lb_ip = match sim.cluster.store.get(&crate::store::ObjectKey::new(crate::resources::Kind::Service, "default", "web")) {
        Some(crate::store::Object::Service(s)) => s
            .status
            .as_ref()
            .and_then(|st| st.load_balancer.as_ref())
            .and_then(|lb| lb.ingress.as_ref())
            .and_then(|i| i.first())
            .and_then(|i| i.ip.clone()),
        _ => None,
    };
    let lb_ip = lb_ip.unwrap_or_else(|| panic!("no EXTERNAL-IP: {}", sim.run_line("kubectl get svc web").display));
    for _ in 0..4 {
        let out = sim.run_line(&format!("curl -s http://{lb_ip}/ | grep title"));
        assert_eq!(out.display, "<title>Welcome to nginx!</title>\n");
        let trace = sim.cluster.network.last_trace().cloned().unwrap_or_else(|| panic!("no trace"));
        assert_eq!(trace.hops.get(1).map(|h| h.kind), Some(HopKind::LoadBalancer), "{trace:#?}");
        // externalTrafficPolicy Local keeps the client address.
        assert!(matches!(&trace.outcome, Outcome::Connected { seen_client, .. } if seen_client.ip() == &Ipv4Addr::new(172, 18, 0, 1)));
    }
    // MetalLB's layer 2 sends everything to the one node announcing the address, and
    // Local keeps it on that node's pod: one pod logged all four requests.
    let pods: Vec<String> = crate::network::addresses::pods(&sim.cluster).into_iter().map(|p| p.name).collect();
    let counts: Vec<usize> = pods.iter().map(|p| access_log(&sim.cluster, "default", p).len()).collect();
    assert!(counts.contains(&4) && counts.iter().sum::<usize>() == 4, "{pods:?} {counts:?}");
    let busy = pods.iter().find(|p| access_log(&sim.cluster, "default", p).len() == 4).cloned().unwrap_or_default();
    let logs = sim.run_line(&format!("kubectl logs {busy} --tail=1"));
    assert!(logs.display.starts_with("172.18.0.1 - - [05/Jan/2026:09:00:"), "{}", logs.display);
}

/// The programs never panic, whatever words they get.
#[test]
fn programs_survive_arbitrary_arguments() {
    use crate::rand::SeededRng;
    let words = [
        "-", "--", "-s", "-S", "-v", "-I", "-i", "-f", "-k", "-L", "-o", "-O", "-O-", "-q", "-qO-", "-T", "-m", "-m1e300", "--max-time",
        "--connect-timeout", "nan", "-1", "-w", "%{http_code}", "%{", "\\", "-H", "Host:", ":", "-X", "POST", "-d", "x=1", "-c", "0", "-c",
        "3", "+short", "+search", "@10.96.0.10", "web", "web.", ".", "..", "web.default", "db", "localhost", "localhost:8080",
        "http://", "http://:80", "http://web:", "http://web:99999", "https://web", "ftp://x", "http://[::1]/", "http://a:b@web/x?y",
        "10.96.100.10", "10.244.1.5:80", "172.18.0.3:30080", "http://172.18.255.200", "é", "http://é/", "%", "http://web/%zz",
    ];
    let mut rng = SeededRng::new(7);
    let mut c = nginx_cluster();
    testkit::service(&mut c, &Svc { name: "db", type_: "ExternalName", external_name: Some("db.example.com"), ..Default::default() });
    let programs: [fn(&mut Cluster, &Place, &[String], Option<&str>, &mut crate::simulator::Output) -> i32; 5] = [curl, wget, nslookup, dig, ping];
    for _ in 0..400 {
        let n = rng.below(5) as usize;
        let args: Vec<String> = (0..n).map(|_| words[rng.below(words.len() as u64) as usize].to_string()).collect();
        let place = if rng.below(2) == 0 { Place::Host } else { client() };
        let program = programs[rng.below(5) as usize];
        let mut out = crate::simulator::Output::default();
        let code = program(&mut c, &place, &args, None, &mut out);
        assert!((0..=255).contains(&code), "{args:?} → {code}");
    }
}

#[test]
fn kubectl_proxy_reaches_services_through_the_api_server() {
    let mut c = nginx_cluster();
    c.network.kubectl_proxy_port = Some(8001);
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-s localhost:8001/api/v1/namespaces/default/services/web/proxy/");
    assert_eq!((out.len(), code), (615, 0));
    // The API server's own leg is recorded before curl's trace.
    let leg = c.network.traces().find(|t| t.program == "kube-apiserver proxy").cloned().unwrap_or_else(|| panic!("no leg"));
    assert_eq!(leg.client, Place::node("kind-control-plane"));
    let (out, _) = testkit::run(&mut c, &Place::Host, curl, "-s localhost:8001/api/v1/namespaces/default/services/nope/proxy/");
    assert_eq!(out, "{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n  \"status\": \"Failure\",\n  \"message\": \"services \\\"nope\\\" not found\",\n  \"reason\": \"NotFound\",\n  \"details\": {\n    \"name\": \"nope\",\n    \"kind\": \"services\"\n  },\n  \"code\": 404\n}");
    let (out, _) = testkit::run(&mut c, &Place::Host, curl, "-s -o /dev/null -w %{http_code} localhost:8001/api/v1/namespaces/default/pods/web-1/proxy/nope");
    assert_eq!(out, "404");
    // Reads answer as the API server does (its REST code, `apiserver::rest`):
    // resources and discovery; writes through the proxy are not simulated.
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-s localhost:8001/api/v1/pods");
    assert!(out.starts_with("{\n  \"kind\": \"PodList\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {\n    \"resourceVersion\": "), "{out}");
    assert_eq!(code, 0);
    let (out, code) = testkit::run(&mut c, &Place::Host, curl, "-s localhost:8001/apis");
    assert!(out.contains("\"kind\": \"APIGroupList\""), "{out}");
    assert_eq!(code, 0);
    let (_, code) = testkit::run(&mut c, &Place::Host, curl, "-s -X POST localhost:8001/api/v1/namespaces/default/configmaps");
    assert_eq!(code, 1);
}
