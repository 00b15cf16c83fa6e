//! `kubectl proxy` on the learner's terminal and the API server's proxy
//! subresources behind it: `/api/v1/namespaces/NS/services/NAME[:PORT]/proxy/PATH`
//! and `/api/v1/namespaces/NS/pods/NAME[:PORT]/proxy/PATH`.
//!
//! What we copy from kube-apiserver: the service proxy picks one ready endpoint of
//! the Service port itself (it does not go through the ClusterIP) and connects from
//! the control-plane node; a missing Service is a 404 Status, a Service without
//! endpoints a 503 `no endpoints available for service`; Status bodies are
//! pretty-printed for curl. Reads of resources (`GET /api/v1/namespaces/NS/pods`,
//! `/apis/apps/v1/.../deployments/NAME`, cluster-scoped lists) answer with the
//! objects as the API server serializes them; other API paths through the proxy are
//! not simulated (kubectl is the tool for them).

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::Cluster;
use crate::network::http::{http_date, Request, Response};
use crate::network::kube_proxy;
use crate::network::trace::{self, Outcome};
use crate::apiserver::rest::Reply as RestReply;
use crate::network::workloads::{self, Reply};
use crate::network::{addresses, Place};

fn status(cluster: &Cluster, code: u16, reason: &str, message: &str, details: Option<(&str, &str)>) -> Response {
    let details = match details {
        Some((name, kind)) => format!(",\n  \"details\": {{\n    \"name\": \"{name}\",\n    \"kind\": \"{kind}\"\n  }}"),
        None => String::new(),
    };
    let body = format!(
        "{{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {{}},\n  \"status\": \"Failure\",\n  \"message\": \"{}\",\n  \"reason\": \"{reason}\"{details},\n  \"code\": {code}\n}}",
        message.replace('"', "\\\"")
    );
    Response::new(
        code,
        vec![
            ("Cache-Control".to_string(), "no-cache, private".to_string()),
            ("Content-Length".to_string(), body.len().to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
            ("Date".to_string(), http_date(cluster.clock.now())),
        ],
        body,
    )
}

/// A `200 OK` with a JSON body, as kube-apiserver writes it.
fn json_ok(cluster: &Cluster, body: String) -> Response {
    Response::new(
        200,
        vec![
            ("Cache-Control".to_string(), "no-cache, private".to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
            ("Date".to_string(), http_date(cluster.clock.now())),
            ("Transfer-Encoding".to_string(), "chunked".to_string()),
        ],
        body,
    )
}

/// A read through the proxy (`GET /api/v1/namespaces/NS/pods`, `/apis/apps/v1/...`,
/// discovery, `/version`): answered by the API server's one REST path
/// (`apiserver::rest`), the body pretty-printed (two spaces, struct order, no final
/// newline) because the API server does so for a `curl` user agent. Watches are
/// not simulated here.
fn read(cluster: &mut Cluster, request: &Request) -> Reply {
    let req = crate::apiserver::rest::Request::get(&request.target);
    match crate::apiserver::rest::route(cluster, &req) {
        RestReply::Json(code, value) if code >= 400 => {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
            let details = value.get("details").map(|d| (text(&d["name"]), text(&d["kind"])));
            let details = details.as_ref().filter(|(n, k)| !n.is_empty() || !k.is_empty()).map(|(n, k)| (n.as_str(), k.as_str()));
            Reply::Http(status(cluster, code, &text(&value["reason"]), &text(&value["message"]), details))
        }
        RestReply::Json(_, value) => {
            let mut body = String::new();
            crate::kubectl::output::write_go_json(&value, "  ", &mut body);
            Reply::Http(json_ok(cluster, body))
        }
        RestReply::Raw(code, content_type, body) => Reply::Http(Response::new(
            code,
            vec![
                ("Cache-Control".to_string(), "no-cache, private".to_string()),
                ("Content-Length".to_string(), body.len().to_string()),
                ("Content-Type".to_string(), content_type.to_string()),
                ("Date".to_string(), http_date(cluster.clock.now())),
            ],
            String::from_utf8_lossy(&body).into_owned(),
        )),
        RestReply::Proxied(response) => Reply::Http(response),
        RestReply::NotSimulated(message) => Reply::NotSimulated(message),
        RestReply::Watch(_) => Reply::NotSimulated(format!(
            "kubesim: watches through kubectl proxy are not simulated ({}); use kubectl get -w",
            request.path()
        )),
    }
}

/// Answers a request that reached `kubectl proxy`.
pub fn serve(cluster: &mut Cluster, request: &Request) -> Reply {
    let path = request.path().to_string();
    if rejected_by_default_filter(&path) {
        // Go's `http.Error(w, "Forbidden", 403)`.
        let body = "Forbidden\n".to_string();
        return Reply::Http(Response::new(
            403,
            vec![
                ("Content-Length".to_string(), body.len().to_string()),
                ("Content-Type".to_string(), "text/plain; charset=utf-8".to_string()),
                ("Date".to_string(), http_date(cluster.clock.now())),
                ("X-Content-Type-Options".to_string(), "nosniff".to_string()),
            ],
            body,
        ));
    }
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["", "api", "v1", "namespaces", _, "services" | "pods", _, "proxy", ..] => proxy_subresource(cluster, request),
        _ if request.method == "GET" => read(cluster, request),
        _ => Reply::NotSimulated(format!(
            "kubesim: the API at {path} through kubectl proxy is not simulated (reads and the service and pod proxy paths are); use kubectl"
        )),
    }
}

/// kubectl proxy's default `--reject-paths` (`^/api/.*/pods/.*/exec`,
/// `^/api/.*/pods/.*/attach`): exec and attach are refused before the request
/// reaches the API server.
fn rejected_by_default_filter(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/") else { return false };
    let Some(at) = rest.find("/pods/") else { return false };
    let after = rest.get(at + "/pods/".len()..).unwrap_or("");
    after.contains("/exec") || after.contains("/attach")
}

/// The service and pod proxy subresources: what the API server answers for
/// `/api/v1/namespaces/NS/services/NAME[:PORT]/proxy/PATH` (and `pods/...`), whether
/// the request came through `kubectl proxy` or straight to the API server.
pub fn proxy_subresource(cluster: &mut Cluster, request: &Request) -> Reply {
    let path = request.path().to_string();
    let segments: Vec<&str> = path.split('/').collect();
    let (namespace, kind, target) = match segments.as_slice() {
        ["", "api", "v1", "namespaces", ns, kind @ ("services" | "pods"), target, "proxy", ..] => (*ns, *kind, *target),
        _ => return Reply::NotSimulated(format!("kubesim: {path} is not a proxy path")),
    };
    let rest: String = segments.iter().skip(8).map(|s| format!("/{s}")).collect();
    let rest = if rest.is_empty() { "/".to_string() } else { rest };
    let query = request.target.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    // NAME, NAME:PORT or scheme:NAME:PORT.
    let parts: Vec<&str> = target.split(':').collect();
    let (name, port) = match parts.as_slice() {
        [name] => (*name, None),
        [name, port] => (*name, Some(*port)),
        [_scheme, name, port] => (*name, Some(*port)),
        _ => (target, None),
    };
    let upstream: Option<SocketAddrV4> = if kind == "services" {
        let rules = kube_proxy::compute(cluster);
        let ports: Vec<&kube_proxy::ServicePortRules> =
            rules.services.iter().filter(|s| s.namespace == namespace && s.name == name).collect();
        let exists = addresses::services(cluster)
            .iter()
            .any(|s| s.metadata.namespace.as_deref() == Some(namespace) && s.metadata.name.as_deref() == Some(name));
        if !exists {
            let message = format!("services \"{name}\" not found");
            return Reply::Http(status(cluster, 404, "NotFound", &message, Some((name, "services"))));
        }
        let chosen = match port {
            None => ports.first().copied(),
            Some(p) => ports.iter().copied().find(|s| s.port_name == p || s.port.to_string() == p),
        };
        let endpoints: Vec<SocketAddrV4> =
            chosen.map(|s| s.usable_endpoints().into_iter().map(|e| e.addr()).collect()).unwrap_or_default();
        if endpoints.is_empty() {
            let message = format!("no endpoints available for service \"{name}\"");
            return Reply::Http(status(cluster, 503, "ServiceUnavailable", &message, None));
        }
        let index = cluster.rng.below(endpoints.len() as u64) as usize;
        endpoints.get(index).copied()
    } else {
        let Some(pod) = addresses::pod(cluster, namespace, name) else {
            let message = format!("pods \"{name}\" not found");
            return Reply::Http(status(cluster, 404, "NotFound", &message, Some((name, "pods"))));
        };
        let port = port.and_then(|p| p.parse().ok()).unwrap_or(80);
        pod.ip.map(|ip| SocketAddrV4::new(ip, port))
    };
    let Some(upstream) = upstream else {
        return Reply::Http(status(cluster, 503, "ServiceUnavailable", "the pod has no IP yet", None));
    };
    // The API server dials from the control-plane node's network namespace.
    let control_plane = addresses::nodes(cluster)
        .into_iter()
        .find(|n| n.name.ends_with("control-plane"))
        .map(|n| n.name)
        .unwrap_or_default();
    let mut leg = trace::connect(cluster, &Place::node(&control_plane), upstream);
    leg.program = "kube-apiserver proxy".to_string();
    leg.requested_host = format!("{namespace}/{name}");
    let reply = match leg.outcome.clone() {
        Outcome::Connected { server, seen_client } => {
            let mut headers: Vec<(String, String)> =
                vec![("Host".to_string(), format!("localhost:{}", cluster.network.kubectl_proxy_port.unwrap_or(8001)))];
            headers.extend(request.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("Host")).cloned());
            headers.push(("X-Forwarded-For".to_string(), Ipv4Addr::LOCALHOST.to_string()));
            let upstream_request = Request { method: request.method.clone(), target: format!("{rest}{query}"), headers };
            let reply = workloads::serve(cluster, &server, &upstream_request, seen_client);
            if let Reply::Http(r) = &reply {
                leg.http_status = Some(r.status);
            }
            reply
        }
        Outcome::Refused { .. } | Outcome::Reset { .. } => {
            let message = format!("error trying to reach service: dial tcp {upstream}: connect: connection refused");
            Reply::Http(status(cluster, 503, "ServiceUnavailable", &message, None))
        }
        Outcome::Dropped { .. } | Outcome::Unreachable { .. } => {
            // The API server's dialer gives up after 30 seconds.
            cluster.clock.advance_by(k8s_openapi::chrono::Duration::seconds(30));
            let message = format!("error trying to reach service: dial tcp {upstream}: i/o timeout");
            Reply::Http(status(cluster, 503, "ServiceUnavailable", &message, None))
        }
    };
    trace::record(cluster, leg);
    reply
}
