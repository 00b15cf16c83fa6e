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

/// `GET` of a collection or an object: `/api/v1[/namespaces/NS]/PLURAL[/NAME]` and
/// `/apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME]`. A list is the typed
/// `<Kind>List` whose items carry no `kind`/`apiVersion` (the API server encodes
/// them as typed structs with empty TypeMeta); a list in a namespace that does not
/// exist is simply empty, as the API server answers. The body is pretty-printed
/// (two spaces, struct order, no final newline) because the API server does so
/// for a `curl` user agent. Paths that are not resources give `None`.
fn read_resource(cluster: &Cluster, segments: &[&str]) -> Option<Response> {
    let (group, version, rest) = match segments {
        ["", "api", version, rest @ ..] => ("", *version, rest),
        ["", "apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let rest: Vec<&str> = rest.iter().copied().filter(|s| !s.is_empty()).collect();
    let (namespace, plural, name) = match rest.as_slice() {
        ["namespaces", ns, plural] => (Some(*ns), *plural, None),
        ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
        [plural] => (None, *plural, None),
        [plural, name] => (None, *plural, Some(*name)),
        _ => return None,
    };
    let rt = crate::resources::RESOURCE_TYPES.iter().find(|r| r.plural == plural && r.group == group && r.version == version)?;
    if namespace.is_some() && !rt.namespaced {
        return None;
    }
    let mut body = String::new();
    match name {
        Some(name) => {
            let key = crate::store::ObjectKey::new(rt.kind, if rt.namespaced { namespace.unwrap_or("") } else { "" }, name);
            let Some(object) = cluster.store.get(&key) else {
                let message = format!("{} \"{name}\" not found", rt.qualified_plural());
                return Some(status(cluster, 404, "NotFound", &message, Some((name, rt.plural))));
            };
            crate::kubectl::output::write_go_json(&object.to_json(), "  ", &mut body);
        }
        None => {
            let items: Vec<serde_json::Value> = cluster
                .store
                .list(rt.kind, if rt.namespaced { namespace } else { None })
                .map(|o| {
                    let mut item = o.to_json();
                    if let Some(map) = item.as_object_mut() {
                        map.remove("kind");
                        map.remove("apiVersion");
                    }
                    item
                })
                .collect();
            let list = serde_json::json!({
                "kind": format!("{}List", rt.kind_name),
                "apiVersion": rt.api_version(),
                "metadata": {"resourceVersion": cluster.store.resource_version().to_string()},
                "items": items,
            });
            crate::kubectl::output::write_go_json(&list, "  ", &mut body);
        }
    }
    Some(json_ok(cluster, body))
}

/// Answers a request that reached `kubectl proxy`.
pub fn serve(cluster: &mut Cluster, request: &Request) -> Reply {
    let path = request.path().to_string();
    let segments: Vec<&str> = path.split('/').collect();
    // ["", "api", "v1", "namespaces", NS, "services"|"pods", NAME[:PORT], "proxy", rest...]
    let (namespace, kind, target) = match segments.as_slice() {
        ["", "api", "v1", "namespaces", ns, kind @ ("services" | "pods"), target, "proxy", ..] => (*ns, *kind, *target),
        _ if request.method == "GET" => {
            if let Some(response) = read_resource(cluster, &segments) {
                return Reply::Http(response);
            }
            return Reply::NotSimulated(format!(
                "kubesim: the API at {path} through kubectl proxy is not simulated (reads of resources and the service and pod proxy paths are); use kubectl"
            ));
        }
        _ => {
            return Reply::NotSimulated(format!(
                "kubesim: the API at {path} through kubectl proxy is not simulated (service and pod proxy paths are); use kubectl"
            ))
        }
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
