//! The ingress-nginx controller as a workload: it answers on 80, picks an Ingress
//! rule by Host header and path, and proxies to one endpoint of the backend Service
//! directly (ingress-nginx balances over the EndpointSlices itself, not through the
//! ClusterIP), as its own second connection with its own trace.
//!
//! What we copy from ingress-nginx: a rule with a host beats the catch-all rule;
//! `Exact` paths must match exactly and win over prefixes; `Prefix` matches whole
//! path elements (`/foo` matches `/foo/bar`, not `/foobar`), the longest first;
//! unmatched requests get the default server's 404 and a backend without endpoints
//! a 503; the upstream sees the controller pod as the client and the original
//! client in `X-Forwarded-For`/`X-Real-IP`; the `Server` header is cleared.

use std::net::SocketAddrV4;

use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use k8s_openapi::chrono::{DateTime, Utc};

use crate::cluster::Cluster;
use crate::network::http::{http_date, log_date, Request, Response};
use crate::network::kube_proxy;
use crate::network::trace::{self, Outcome};
use crate::network::workloads::{self, Reply};
use crate::network::Place;
use crate::resources::Kind;
use crate::store::Object;

/// Whether an image is the ingress-nginx controller.
pub fn is_controller_image(name: &str) -> bool {
    name == "ingress-nginx/controller" || name == "kubernetes/ingress-nginx/controller"
}

/// An nginx error page with nginx's CRLF line ends counted in Content-Length (the
/// text shown uses `\n`), as ingress-nginx's default server sends it.
fn error_page(status: u16, reason: &str, now: DateTime<Utc>) -> Response {
    let body = format!(
        "<html>\n<head><title>{status} {reason}</title></head>\n<body>\n<center><h1>{status} {reason}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
    );
    let wire_length = body.len() + body.matches('\n').count();
    Response {
        status,
        reason: reason.to_string(),
        headers: vec![
            ("Date".to_string(), http_date(now)),
            ("Content-Type".to_string(), "text/html".to_string()),
            ("Content-Length".to_string(), wire_length.to_string()),
            ("Connection".to_string(), "keep-alive".to_string()),
        ],
        body,
    }
}

/// The backend a request goes to: the Ingress it matched and the Service port.
struct Route {
    namespace: String,
    service: String,
    port_number: Option<i32>,
    port_name: Option<String>,
}

fn backend_route(namespace: &str, backend: &IngressBackend) -> Option<Route> {
    let svc = backend.service.as_ref()?;
    let port = svc.port.as_ref();
    Some(Route {
        namespace: namespace.to_string(),
        service: svc.name.clone(),
        port_number: port.and_then(|p| p.number),
        port_name: port.and_then(|p| p.name.clone()),
    })
}

fn class_matches(ingress: &Ingress) -> bool {
    let class = ingress.spec.as_ref().and_then(|s| s.ingress_class_name.as_deref());
    let annotation = ingress.metadata.annotations.as_ref().and_then(|a| a.get("kubernetes.io/ingress.class")).map(String::as_str);
    matches!(class.or(annotation), None | Some("nginx"))
}

fn host_matches(rule_host: Option<&str>, host: &str) -> Option<u8> {
    match rule_host {
        None | Some("") => Some(0),
        Some(h) if h.eq_ignore_ascii_case(host) => Some(2),
        Some(h) => {
            // `*.example.com` matches exactly one more label.
            let suffix = h.strip_prefix('*')?;
            let head = host.strip_suffix(suffix)?;
            (!head.is_empty() && !head.contains('.')).then_some(1)
        }
    }
}

fn path_score(path_type: &str, rule_path: &str, path: &str) -> Option<(u8, usize)> {
    match path_type {
        "Exact" => (rule_path == path).then_some((2, rule_path.len())),
        _ => {
            let prefix = rule_path.trim_end_matches('/');
            let element_match = prefix.is_empty()
                || path == prefix
                || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
            // ImplementationSpecific is a plain prefix in ingress-nginx.
            let plain = path_type == "ImplementationSpecific" && path.starts_with(rule_path);
            (element_match || plain).then_some((1, rule_path.len()))
        }
    }
}

fn route(cluster: &Cluster, request: &Request) -> Option<Route> {
    let host = request.header("Host").unwrap_or("").split(':').next().unwrap_or("").to_ascii_lowercase();
    let path = request.path().to_string();
    let mut best: Option<((u8, u8, usize), Route)> = None;
    let mut fallback = None;
    for object in cluster.store.list(Kind::Ingress, None) {
        let Object::Ingress(ingress) = object else { continue };
        if !class_matches(ingress) {
            continue;
        }
        let namespace = ingress.metadata.namespace.clone().unwrap_or_default();
        let Some(spec) = ingress.spec.as_ref() else { continue };
        if fallback.is_none() {
            fallback = spec.default_backend.as_ref().and_then(|b| backend_route(&namespace, b));
        }
        for rule in spec.rules.iter().flatten() {
            let Some(host_score) = host_matches(rule.host.as_deref(), &host) else { continue };
            for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
                let rule_path = p.path.clone().unwrap_or_else(|| "/".to_string());
                let Some((kind_score, length)) = path_score(&p.path_type, &rule_path, &path) else { continue };
                let score = (host_score, kind_score, length);
                if best.as_ref().is_none_or(|(b, _)| score > *b) {
                    if let Some(r) = backend_route(&namespace, &p.backend) {
                        best = Some((score, r));
                    }
                }
            }
        }
    }
    best.map(|(_, r)| r).or(fallback)
}

/// Answers a request that reached the controller at `controller` (namespace, name),
/// seen from `client`.
pub fn proxy(cluster: &mut Cluster, controller: (&str, &str), request: &Request, client: SocketAddrV4) -> Reply {
    let now = cluster.clock.now();
    let Some(route) = route(cluster, request) else {
        let response = error_page(404, "Not Found", now);
        log(cluster, controller, request, &response, client, "", None);
        return Reply::Http(response);
    };
    let upstream_name = format!(
        "{}-{}-{}",
        route.namespace,
        route.service,
        route.port_number.map(|n| n.to_string()).or(route.port_name.clone()).unwrap_or_default()
    );
    let rules = kube_proxy::compute(cluster);
    let service = rules.services.iter().find(|s| {
        s.namespace == route.namespace
            && s.name == route.service
            && (route.port_number.is_some_and(|n| i32::from(s.port) == n)
                || route.port_name.as_deref().is_some_and(|n| n == s.port_name))
    });
    let endpoints: Vec<SocketAddrV4> =
        service.map(|s| s.usable_endpoints().into_iter().map(|e| e.addr()).collect()).unwrap_or_default();
    if endpoints.is_empty() {
        let response = error_page(503, "Service Temporarily Unavailable", now);
        log(cluster, controller, request, &response, client, &upstream_name, None);
        return Reply::Http(response);
    }
    let index = cluster.rng.below(endpoints.len() as u64) as usize;
    let Some(upstream) = endpoints.get(index).copied() else {
        return Reply::NotSimulated("ingress-nginx found no upstream".to_string());
    };
    // The second leg: the controller pod connects to the endpoint itself.
    let mut leg = trace::connect(cluster, &Place::pod(controller.0, controller.1), upstream);
    leg.program = "ingress-nginx".to_string();
    leg.requested_host = upstream_name.clone();
    let request_id = format!("{:016x}{:016x}", cluster.rng.next_u64(), cluster.rng.next_u64());
    let reply = match leg.outcome.clone() {
        Outcome::Connected { server, seen_client } => {
            let host = request.header("Host").unwrap_or("").to_string();
            let forwarded_port = host.split_once(':').map(|(_, p)| p.to_string()).unwrap_or_else(|| "80".to_string());
            let mut headers = vec![
                ("Host".to_string(), host.clone()),
                ("X-Request-ID".to_string(), request_id.clone()),
                ("X-Real-IP".to_string(), client.ip().to_string()),
                ("X-Forwarded-For".to_string(), client.ip().to_string()),
                ("X-Forwarded-Host".to_string(), host.split(':').next().unwrap_or("").to_string()),
                ("X-Forwarded-Port".to_string(), forwarded_port),
                ("X-Forwarded-Proto".to_string(), "http".to_string()),
                ("X-Forwarded-Scheme".to_string(), "http".to_string()),
                ("X-Scheme".to_string(), "http".to_string()),
            ];
            headers.extend(request.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("Host")).cloned());
            let upstream_request = Request { method: request.method.clone(), target: request.target.clone(), headers };
            match workloads::serve(cluster, &server, &upstream_request, seen_client) {
                Reply::Http(backend) => {
                    leg.http_status = Some(backend.status);
                    // nginx sends its own Date, Content-Type, Content-Length and
                    // Connection first and drops the upstream's Server and Date.
                    let mut headers = vec![("Date".to_string(), http_date(now))];
                    for name in ["Content-Type", "Content-Length"] {
                        if let Some(v) = backend.header(name) {
                            headers.push((name.to_string(), v.to_string()));
                        }
                    }
                    headers.push(("Connection".to_string(), "keep-alive".to_string()));
                    headers.extend(backend.headers.iter().filter(|(k, _)| {
                        !["Date", "Server", "Content-Type", "Content-Length", "Connection"].iter().any(|n| k.eq_ignore_ascii_case(n))
                    }).cloned());
                    Reply::Http(Response { status: backend.status, reason: backend.reason.clone(), headers, body: backend.body })
                }
                other => other,
            }
        }
        Outcome::Dropped { .. } | Outcome::Unreachable { .. } => {
            // proxy_connect_timeout is 5 s; then nginx answers 504.
            cluster.clock.advance_by(k8s_openapi::chrono::Duration::seconds(5));
            Reply::Http(error_page(504, "Gateway Time-out", now))
        }
        Outcome::Refused { .. } | Outcome::Reset { .. } => Reply::Http(error_page(502, "Bad Gateway", now)),
    };
    trace::record(cluster, leg);
    if let Reply::Http(response) = &reply {
        log(cluster, controller, request, response, client, &upstream_name, Some((upstream, request_id)));
    }
    reply
}

/// ingress-nginx's upstream log format.
fn log(
    cluster: &mut Cluster,
    controller: (&str, &str),
    request: &Request,
    response: &Response,
    client: SocketAddrV4,
    upstream_name: &str,
    upstream: Option<(SocketAddrV4, String)>,
) {
    let now = cluster.clock.now();
    let request_length = request.request_line().len()
        + 2
        + request.headers.iter().map(|(k, v)| k.len() + v.len() + 4).sum::<usize>()
        + 2;
    let sent = response.header("Content-Length").unwrap_or("0").to_string();
    let (addr, id) = match upstream {
        Some((a, id)) => (a.to_string(), id),
        None => ("-".to_string(), format!("{:032x}", u128::from(cluster.rng.next_u64()))),
    };
    let line = format!(
        "{} - - [{}] \"{}\" {} {} \"{}\" \"{}\" {} 0.001 [{}] [] {} {} 0.001 {} {}",
        client.ip(),
        log_date(now),
        request.request_line(),
        response.status,
        sent,
        request.header("Referer").unwrap_or("-"),
        request.header("User-Agent").unwrap_or("-"),
        request_length,
        upstream_name,
        addr,
        if addr == "-" { "-".to_string() } else { sent.clone() },
        if addr == "-" { "-".to_string() } else { response.status.to_string() },
        id
    );
    cluster.network.log(controller.0, controller.1, line);
}
