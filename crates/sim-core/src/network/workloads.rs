//! What the images a learner runs answer over HTTP, and the access logs they write.
//!
//! A container listens where its process listens, not where `containerPort` says:
//! nginx on 80, httpd on 80, agnhost `netexec` on 8080 (`--http-port`), http-echo on
//! 5678 (`-listen`), whoami on 80 (`--port`). A Service whose targetPort points
//! elsewhere gets connection refused, as on a real cluster. Client images (busybox,
//! curlimages/curl, alpine, dnsutils) listen nowhere. For images the simulator does
//! not know, the declared containerPorts are taken as listening and the HTTP answer
//! is reported as not simulated rather than invented.

use std::net::SocketAddrV4;

use k8s_openapi::api::core::v1::Container;
use k8s_openapi::chrono::{DateTime, TimeZone, Utc};

use crate::cluster::Cluster;
use crate::network::addresses::{self, PodView};
use crate::network::http::{http_date, log_date, Request, Response};
use crate::network::kube_proxy;
use crate::network::trace::Server;

/// The nginx version an untagged or `latest`/`stable` nginx image reports.
pub const NGINX_DEFAULT_VERSION: &str = "1.27.4";
/// The httpd version of `httpd:2.4`.
pub const HTTPD_VERSION: &str = "2.4.63";
/// The http-echo version of `hashicorp/http-echo:1.0`.
pub const HTTP_ECHO_VERSION: &str = "1.0.0";

/// nginx's default page, `/usr/share/nginx/html/index.html` (615 bytes).
pub const NGINX_INDEX: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

/// httpd's default page, `htdocs/index.html` (45 bytes).
pub const HTTPD_INDEX: &str = "<html><body><h1>It works!</h1></body></html>\n";

/// The repository part of an image reference without registry, tag or digest, with
/// Docker Hub's `library/` dropped: `registry.k8s.io/e2e-test-images/agnhost:2.53`
/// → `e2e-test-images/agnhost`, `docker.io/library/nginx:1.27` → `nginx`.
pub fn image_name(image: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    let mut parts: Vec<&str> = without_digest.split('/').collect();
    if parts.len() > 1 {
        let first = parts.first().copied().unwrap_or("");
        if first.contains('.') || first.contains(':') || first == "localhost" {
            parts.remove(0);
        }
    }
    let mut name = parts.join("/");
    // The tag is after the last colon of the last path component.
    if let Some(slash) = name.rfind('/') {
        if let Some(colon) = name[slash..].find(':') {
            name.truncate(slash + colon);
        }
    } else if let Some(colon) = name.find(':') {
        name.truncate(colon);
    }
    name.strip_prefix("library/").map(str::to_string).unwrap_or(name)
}

/// The tag of an image reference (`latest` when absent).
pub fn image_tag(image: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    match last.split_once(':') {
        Some((_, tag)) => tag.to_string(),
        None => "latest".to_string(),
    }
}

/// What a container runs, as far as the network cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Workload {
    Nginx { version: String },
    Httpd,
    /// agnhost `netexec`.
    Netexec { port: u16 },
    HttpEcho { text: String, port: u16 },
    Whoami { port: u16 },
    /// The ingress-nginx controller (HTTP on 80; 443 is TLS, not simulated).
    IngressNginx,
    /// A client image that runs a shell or sleeps and listens nowhere.
    Client,
    /// An image the simulator does not know; its declared ports are assumed open.
    Unknown { image: String, ports: Vec<u16> },
}

impl Workload {
    pub fn ports(&self) -> Vec<u16> {
        match self {
            Workload::Nginx { .. } | Workload::Httpd => vec![80],
            Workload::Netexec { port } | Workload::HttpEcho { port, .. } | Workload::Whoami { port } => vec![*port],
            Workload::IngressNginx => vec![80, 443],
            Workload::Client => Vec::new(),
            Workload::Unknown { ports, .. } => ports.clone(),
        }
    }
}

/// The value of `-name=value`, `--name=value`, `-name value` or `--name value`.
fn flag_value(args: &[String], name: &str) -> Option<String> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let bare = arg.trim_start_matches('-');
        if bare.len() == arg.len() {
            continue;
        }
        if let Some(value) = bare.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')) {
            return Some(value.to_string());
        }
        if bare == name {
            return iter.next().cloned();
        }
    }
    None
}

fn port_of(text: &str) -> Option<u16> {
    text.rsplit(':').next().unwrap_or(text).parse().ok()
}

fn nginx_version(tag: &str) -> String {
    let numeric: Vec<&str> = tag.split('-').next().unwrap_or(tag).split('.').collect();
    let all_digits = |s: &&str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match numeric.as_slice() {
        [a, b, c] if [a, b, c].iter().all(|s| all_digits(s)) => format!("{a}.{b}.{c}"),
        // Minor-version tags point at that line's last patch release.
        [a, b] if all_digits(a) && all_digits(b) => match format!("{a}.{b}").as_str() {
            "1.25" => "1.25.5".to_string(),
            "1.26" => "1.26.3".to_string(),
            "1.27" => NGINX_DEFAULT_VERSION.to_string(),
            "1.28" => "1.28.0".to_string(),
            other => format!("{other}.0"),
        },
        _ => NGINX_DEFAULT_VERSION.to_string(),
    }
}

/// Recognises a container's workload from its image, command and args.
pub fn workload(container: &Container) -> Workload {
    let image = container.image.clone().unwrap_or_default();
    let name = image_name(&image);
    let mut args: Vec<String> = container.command.clone().unwrap_or_default();
    args.extend(container.args.clone().unwrap_or_default());
    match name.as_str() {
        "nginx" => Workload::Nginx { version: nginx_version(&image_tag(&image)) },
        "httpd" => Workload::Httpd,
        "e2e-test-images/agnhost" | "kubernetes-e2e-test-images/agnhost" => {
            if args.iter().any(|a| a == "netexec") {
                let port = flag_value(&args, "http-port").and_then(|p| p.parse().ok()).unwrap_or(8080);
                Workload::Netexec { port }
            } else {
                Workload::Client
            }
        }
        "hashicorp/http-echo" => {
            let text = flag_value(&args, "text").unwrap_or_else(|| "hello-world".to_string());
            let port = flag_value(&args, "listen").and_then(|l| port_of(&l)).unwrap_or(5678);
            Workload::HttpEcho { text, port }
        }
        "traefik/whoami" | "containous/whoami" => {
            let env_port = container
                .env
                .iter()
                .flatten()
                .find(|e| e.name == "WHOAMI_PORT_NUMBER")
                .and_then(|e| e.value.as_deref())
                .and_then(|p| p.parse().ok());
            let port = flag_value(&args, "port").and_then(|p| p.parse().ok()).or(env_port).unwrap_or(80);
            Workload::Whoami { port }
        }
        n if crate::network::ingress::is_controller_image(n) => Workload::IngressNginx,
        "busybox" | "alpine" | "curlimages/curl" | "e2e-test-images/jessie-dnsutils" | "nicolaka/netshoot"
        | "ubuntu" | "debian" => Workload::Client,
        _ => Workload::Unknown {
            image: image.clone(),
            ports: container
                .ports
                .iter()
                .flatten()
                .filter(|p| p.protocol.as_deref().unwrap_or("TCP") == "TCP")
                .filter_map(|p| u16::try_from(p.container_port).ok())
                .collect(),
        },
    }
}

/// The workload of the pod's container that listens on `port`.
pub fn listener(pod: &PodView, port: u16) -> Option<Workload> {
    pod.containers.iter().map(workload).find(|w| w.ports().contains(&port))
}

/// Whether any container of the pod listens on TCP `port`.
pub fn listens(pod: &PodView, port: u16) -> bool {
    listener(pod, port).is_some()
}

/// What a server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Http(Response),
    /// The connection was accepted but its answer is outside the simulation.
    NotSimulated(String),
}

/// Serves one request at `server`, writing the server's access log line.
pub fn serve(cluster: &mut Cluster, server: &Server, request: &Request, seen_client: SocketAddrV4) -> Reply {
    let now = cluster.clock.now();
    match server {
        Server::HealthCheck { node, namespace, service } => {
            let rules = kube_proxy::compute(cluster);
            let Some(svc) = rules.services.iter().find(|s| &s.namespace == namespace && &s.name == service) else {
                return Reply::NotSimulated("the health check's Service is gone".to_string());
            };
            let (status, body) = kube_proxy::health_check_response(svc, node);
            Reply::Http(head_only(request, go_response(status, now, "application/json", true, body, Vec::new())))
        }
        Server::KubectlProxy { .. } => crate::network::api_proxy::serve(cluster, request),
        Server::NodeDaemon { daemon, .. } => {
            if daemon.contains("HTTPS") {
                // Go's TLS server answers plain HTTP with this fixed reply.
                let mut response = Response::new(
                    400,
                    Vec::new(),
                    "Client sent an HTTP request to an HTTPS server.\n".to_string(),
                );
                response.reason = "Bad Request".to_string();
                return Reply::Http(response);
            }
            Reply::NotSimulated(format!("the answer of {daemon} is not simulated"))
        }
        Server::Pod { namespace, name, port, .. } => {
            let Some(pod) = addresses::pod(cluster, namespace, name) else {
                return Reply::NotSimulated(format!("pod {namespace}/{name} is gone"));
            };
            let Some(workload) = listener(&pod, *port) else {
                return Reply::NotSimulated(format!("nothing listens on port {port}"));
            };
            if workload == Workload::IngressNginx {
                if *port == 443 {
                    return Reply::NotSimulated("kubesim: TLS on ingress-nginx's port 443 is not simulated; use http://".to_string());
                }
                return crate::network::ingress::proxy(cluster, (namespace, name), request, seen_client);
            }
            let started = pod_started(cluster, namespace, name).unwrap_or(now);
            let reply = answer(&workload, &pod, request, seen_client, now, started);
            if let Reply::Http(response) = &reply {
                if let Some(line) = access_log_line(&workload, request, response, seen_client, now) {
                    cluster.network.log(namespace, name, line);
                }
            }
            reply
        }
    }
}

fn pod_started(cluster: &Cluster, namespace: &str, name: &str) -> Option<DateTime<Utc>> {
    match cluster.store.get(&crate::store::ObjectKey::new(crate::resources::Kind::Pod, namespace, name)) {
        Some(crate::store::Object::Pod(p)) => p
            .status
            .as_ref()
            .and_then(|s| s.start_time.as_ref())
            .or(p.metadata.creation_timestamp.as_ref())
            .map(|t| t.0),
        _ => None,
    }
}

fn h(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_string(), value.into())
}

/// A response as Go's net/http writes it: the handler's headers sorted by name,
/// then Date and Content-Length, then a sniffed Content-Type if the handler set none.
fn go_response(
    status: u16,
    now: DateTime<Utc>,
    content_type: &str,
    content_type_set_by_handler: bool,
    body: String,
    mut handler_headers: Vec<(String, String)>,
) -> Response {
    if content_type_set_by_handler {
        handler_headers.push(h("Content-Type", content_type));
        if status >= 400 || content_type == "application/json" {
            handler_headers.push(h("X-Content-Type-Options", "nosniff"));
        }
    }
    crate::sort::sort(&mut handler_headers);
    handler_headers.push(h("Date", http_date(now)));
    handler_headers.push(h("Content-Length", body.len().to_string()));
    if !content_type_set_by_handler {
        handler_headers.push(h("Content-Type", content_type));
    }
    Response::new(status, handler_headers, body)
}

fn head_only(request: &Request, mut response: Response) -> Response {
    if request.method == "HEAD" {
        response.body.clear();
    }
    response
}

/// The modification time of nginx's index.html in the image, which its
/// Last-Modified and ETag report.
fn nginx_index_mtime() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 2, 5, 11, 6, 32).single().unwrap_or_default()
}

fn nginx_error(status: u16, reason: &str, version: &str, now: DateTime<Utc>) -> Response {
    let body = format!(
        "<html>\n<head><title>{status} {reason}</title></head>\n<body>\n<center><h1>{status} {reason}</h1></center>\n<hr><center>nginx/{version}</center>\n</body>\n</html>\n"
    );
    Response {
        status,
        reason: reason.to_string(),
        headers: vec![
            h("Server", format!("nginx/{version}")),
            h("Date", http_date(now)),
            h("Content-Type", "text/html"),
            // nginx writes its error pages with CRLF line ends; the text shown uses \n.
            h("Content-Length", (body.len() + body.matches('\n').count()).to_string()),
            h("Connection", "keep-alive"),
        ],
        body,
    }
}

fn answer(
    workload: &Workload,
    pod: &PodView,
    request: &Request,
    client: SocketAddrV4,
    now: DateTime<Utc>,
    started: DateTime<Utc>,
) -> Reply {
    match workload {
        Workload::Nginx { version } => {
            let path = request.path();
            if !matches!(request.method.as_str(), "GET" | "HEAD") {
                return Reply::Http(nginx_error(405, "Not Allowed", version, now));
            }
            if path != "/" && path != "/index.html" && path != "/50x.html" {
                return Reply::Http(head_only(request, nginx_error(404, "Not Found", version, now)));
            }
            let body = if path == "/50x.html" {
                "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n</head>\n<body>\n<h1>An error occurred.</h1>\n<p>Sorry, the page you are looking for is currently unavailable.<br/>\nPlease try again later.</p>\n<p>If you are the system administrator of this resource then you should check\nthe error log for details.</p>\n<p><em>Faithfully yours, nginx.</em></p>\n</body>\n</html>\n".to_string()
            } else {
                NGINX_INDEX.to_string()
            };
            let mtime = nginx_index_mtime();
            let response = Response::new(
                200,
                vec![
                    h("Server", format!("nginx/{version}")),
                    h("Date", http_date(now)),
                    h("Content-Type", "text/html"),
                    h("Content-Length", body.len().to_string()),
                    h("Last-Modified", http_date(mtime)),
                    h("Connection", "keep-alive"),
                    // nginx's ETag is the file's mtime and size in hex.
                    h("ETag", format!("\"{:x}-{:x}\"", mtime.timestamp(), body.len())),
                    h("Accept-Ranges", "bytes"),
                ],
                body,
            );
            Reply::Http(head_only(request, response))
        }
        Workload::Httpd => {
            if request.path() != "/" && request.path() != "/index.html" {
                let body = String::from(
                    "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"
                );
                let response = Response::new(
                    404,
                    vec![
                        h("Date", http_date(now)),
                        h("Server", format!("Apache/{HTTPD_VERSION} (Unix)")),
                        h("Content-Length", body.len().to_string()),
                        h("Content-Type", "text/html; charset=iso-8859-1"),
                    ],
                    body,
                );
                return Reply::Http(head_only(request, response));
            }
            let body = HTTPD_INDEX.to_string();
            let response = Response::new(
                200,
                vec![
                    h("Date", http_date(now)),
                    h("Server", format!("Apache/{HTTPD_VERSION} (Unix)")),
                    h("Last-Modified", "Mon, 11 Jun 2007 18:53:14 GMT"),
                    // Apache's ETag: size and mtime in microseconds, in hex.
                    h("ETag", "\"2d-432a5e4a73a80\""),
                    h("Accept-Ranges", "bytes"),
                    h("Content-Length", body.len().to_string()),
                    h("Content-Type", "text/html"),
                ],
                body,
            );
            Reply::Http(head_only(request, response))
        }
        Workload::Netexec { .. } => {
            let text = "text/plain; charset=utf-8";
            let response = match request.path() {
                "/" => {
                    let monotonic = (now - started).num_milliseconds().max(0);
                    let body = format!(
                        "NOW: {} +0000 UTC m=+{}.{:03}000000",
                        go_time(now),
                        monotonic / 1000,
                        monotonic % 1000
                    );
                    go_response(200, now, text, false, body, Vec::new())
                }
                "/hostname" => go_response(200, now, text, false, pod.hostname.clone(), Vec::new()),
                "/clientip" => go_response(200, now, text, false, client.to_string(), Vec::new()),
                "/echo" => go_response(200, now, text, false, request.query_param("msg").unwrap_or_default(), Vec::new()),
                "/header" => {
                    let key = request.query_param("key").unwrap_or_default();
                    go_response(200, now, text, false, request.header(&key).unwrap_or("").to_string(), Vec::new())
                }
                "/healthz" => go_response(200, now, text, false, String::new(), Vec::new()),
                _ => go_response(404, now, text, true, "404 page not found\n".to_string(), Vec::new()),
            };
            Reply::Http(head_only(request, response))
        }
        Workload::HttpEcho { text, .. } => {
            let response = if request.path() == "/health" {
                go_response(
                    200,
                    now,
                    "application/json",
                    true,
                    "{\"status\":\"ok\"}".to_string(),
                    vec![h("X-App-Name", "http-echo"), h("X-App-Version", HTTP_ECHO_VERSION)],
                )
            } else {
                go_response(
                    200,
                    now,
                    "text/plain; charset=utf-8",
                    false,
                    format!("{text}\n"),
                    vec![h("X-App-Name", "http-echo"), h("X-App-Version", HTTP_ECHO_VERSION)],
                )
            };
            Reply::Http(head_only(request, response))
        }
        Workload::Whoami { .. } => {
            let mut body = format!("Hostname: {}\nIP: 127.0.0.1\nIP: ::1\n", pod.hostname);
            if let Some(ip) = pod.ip {
                let o = ip.octets();
                body.push_str(&format!("IP: {ip}\n"));
                // The link-local IPv6 of eth0, derived from its MAC (stable per pod IP here).
                body.push_str(&format!("IP: fe80::{:x}:{:x}ff:fe{:02x}:{:x}\n", 0x1c0u16 + u16::from(o[0]), o[1], o[2], u16::from(o[3]) << 8 | 0x42));
            }
            body.push_str(&format!("RemoteAddr: {client}\n"));
            body.push_str(&format!("{}\n", request.request_line()));
            // Go's Request.Write: Host, User-Agent, then the rest sorted by name.
            let host = request.header("Host").unwrap_or("").to_string();
            body.push_str(&format!("Host: {host}\n"));
            if let Some(agent) = request.header("User-Agent") {
                body.push_str(&format!("User-Agent: {agent}\n"));
            }
            let mut rest: Vec<&(String, String)> = request
                .headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("Host") && !k.eq_ignore_ascii_case("User-Agent"))
                .collect();
            crate::sort::sort_by_key(&mut rest, |(k, _)| canonical_header(k));
            for (k, v) in rest {
                body.push_str(&format!("{}: {v}\n", canonical_header(k)));
            }
            body.push('\n');
            Reply::Http(head_only(request, go_response(200, now, "text/plain; charset=utf-8", false, body, Vec::new())))
        }
        Workload::Client | Workload::IngressNginx => Reply::NotSimulated("this container listens nowhere".to_string()),
        Workload::Unknown { image, .. } => {
            Reply::NotSimulated(format!("kubesim: what image '{image}' answers over HTTP is not simulated"))
        }
    }
}

/// Go's canonical header key: `x-request-id` → `X-Request-Id`.
fn canonical_header(key: &str) -> String {
    key.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `2026-01-05 09:00:05.123`, Go's time String with trailing zeros of the fraction dropped.
fn go_time(at: DateTime<Utc>) -> String {
    let millis = at.timestamp_subsec_millis();
    let base = at.format("%Y-%m-%d %H:%M:%S").to_string();
    if millis == 0 {
        base
    } else {
        let fraction = format!("{millis:03}");
        format!("{base}.{}", fraction.trim_end_matches('0'))
    }
}

/// The line the server writes to its log (what `kubectl logs` shows), if it logs requests.
fn access_log_line(
    workload: &Workload,
    request: &Request,
    response: &Response,
    client: SocketAddrV4,
    now: DateTime<Utc>,
) -> Option<String> {
    let agent = request.header("User-Agent").unwrap_or("-");
    let sent = response.body.len();
    match workload {
        // The official image's `main` log_format: combined plus X-Forwarded-For.
        Workload::Nginx { .. } => Some(format!(
            "{} - - [{}] \"{}\" {} {} \"{}\" \"{}\" \"{}\"",
            client.ip(),
            log_date(now),
            request.request_line(),
            response.status,
            sent,
            request.header("Referer").unwrap_or("-"),
            agent,
            request.header("X-Forwarded-For").unwrap_or("-"),
        )),
        // httpd's default CustomLog is the common format.
        Workload::Httpd => Some(format!(
            "{} - - [{}] \"{}\" {} {}",
            client.ip(),
            log_date(now),
            request.request_line(),
            response.status,
            if sent == 0 { "-".to_string() } else { sent.to_string() }
        )),
        Workload::HttpEcho { .. } => Some(format!(
            "{} {} {} \"{}\" {} {} \"{}\" 21.4µs",
            now.format("%Y/%m/%d %H:%M:%S"),
            request.header("Host").unwrap_or(""),
            client,
            request.request_line(),
            response.status,
            sent,
            agent
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        assert_eq!(image_name("registry.k8s.io/e2e-test-images/agnhost:2.53"), "e2e-test-images/agnhost");
        assert_eq!(image_name("docker.io/library/nginx:1.27"), "nginx");
        assert_eq!(image_name("nginx"), "nginx");
        assert_eq!(image_name("localhost:5000/app:v1"), "app");
        assert_eq!(image_name("nginx@sha256:abc"), "nginx");
        assert_eq!(image_tag("nginx:1.25-alpine"), "1.25-alpine");
        assert_eq!(image_tag("localhost:5000/app"), "latest");
        assert_eq!(nginx_version("1.25-alpine"), "1.25.5");
        assert_eq!(nginx_version("1.26.1"), "1.26.1");
        assert_eq!(nginx_version("latest"), NGINX_DEFAULT_VERSION);
        assert_eq!(NGINX_INDEX.len(), 615);
        assert_eq!(HTTPD_INDEX.len(), 45);
    }

    #[test]
    fn flags_in_every_spelling() {
        let args: Vec<String> = ["netexec", "--http-port=9090"].iter().map(|s| s.to_string()).collect();
        assert_eq!(flag_value(&args, "http-port").as_deref(), Some("9090"));
        let args: Vec<String> = ["-text", "hi there", "-listen=:8080"].iter().map(|s| s.to_string()).collect();
        assert_eq!(flag_value(&args, "text").as_deref(), Some("hi there"));
        assert_eq!(flag_value(&args, "listen").and_then(|l| port_of(&l)), Some(8080));
    }
}

/// What a server speaks on a TLS port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls {
    /// kube-apiserver: a certificate from the cluster CA; HTTP/2.
    ApiServer,
    /// The kubelet: a self-signed serving certificate.
    Kubelet,
    /// ingress-nginx's default "Kubernetes Ingress Controller Fake Certificate".
    IngressFake,
    /// A plain-HTTP server: the TLS handshake fails.
    Plain,
    /// Something kubesim does not model.
    Unknown,
}

/// What the server behind a connection speaks when curl starts TLS.
pub fn tls_of(cluster: &Cluster, server: &Server) -> Tls {
    match server {
        Server::NodeDaemon { daemon, .. } if daemon.starts_with("kube-apiserver") => Tls::ApiServer,
        Server::NodeDaemon { daemon, .. } if daemon.starts_with("kubelet") => Tls::Kubelet,
        Server::NodeDaemon { .. } | Server::HealthCheck { .. } | Server::KubectlProxy { .. } => Tls::Plain,
        Server::Pod { namespace, name, port, .. } => {
            let Some(pod) = addresses::pod(cluster, namespace, name) else { return Tls::Unknown };
            match listener(&pod, *port) {
                Some(Workload::IngressNginx) if *port == 443 => Tls::IngressFake,
                Some(Workload::Unknown { .. }) | None => Tls::Unknown,
                Some(_) => Tls::Plain,
            }
        }
    }
}

/// Serves a request that arrived over TLS (after curl accepted the certificate).
pub fn serve_tls(cluster: &mut Cluster, server: &Server, request: &Request, seen_client: SocketAddrV4) -> Reply {
    let now = cluster.clock.now();
    match tls_of(cluster, server) {
        Tls::ApiServer => api_server_anonymous(cluster, request, now),
        Tls::Kubelet => {
            // kind's kubelets refuse anonymous requests.
            Reply::Http(go_response(401, now, "text/plain; charset=utf-8", false, "Unauthorized".to_string(), Vec::new()))
        }
        Tls::IngressFake => match server {
            Server::Pod { namespace, name, .. } => crate::network::ingress::proxy(cluster, (namespace, name), request, seen_client),
            _ => Reply::NotSimulated("kubesim: this TLS server is not simulated".to_string()),
        },
        Tls::Plain | Tls::Unknown => Reply::NotSimulated("kubesim: this TLS server is not simulated".to_string()),
    }
}

/// The API server's answers to an unauthenticated request: the health endpoints
/// are open to everyone (the `system:public-info-viewer` role); everything else is
/// 403 for `system:anonymous`, with the Status body pretty-printed for curl.
fn api_server_anonymous(cluster: &mut Cluster, request: &Request, now: DateTime<Utc>) -> Reply {
    let path = request.path().trim_end_matches('/');
    let mut headers = vec![
        h("audit-id", cluster.rng.uuid()),
        h("cache-control", "no-cache, private"),
        h("x-content-type-options", "nosniff"),
        h("x-kubernetes-pf-flowschema-uid", cluster.rng.uuid()),
        h("x-kubernetes-pf-prioritylevel-uid", cluster.rng.uuid()),
    ];
    if matches!(path, "/healthz" | "/livez" | "/readyz") {
        headers.push(h("content-type", "text/plain; charset=utf-8"));
        crate::sort::sort(&mut headers);
        headers.push(h("content-length", "2"));
        headers.push(h("date", http_date(now)));
        return Reply::Http(Response::new(200, headers, "ok".to_string()));
    }
    if path == "/version" {
        return Reply::NotSimulated("kubesim: the API server's /version answer is not simulated; try kubectl version".to_string());
    }
    let verb = match request.method.as_str() {
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => "get",
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // /api/v1/... or /apis/GROUP/VERSION/...
    let (group, rest): (&str, &[&str]) = match segments.as_slice() {
        ["api", _version, rest @ ..] => ("", rest),
        ["apis", group, _version, rest @ ..] => (group, rest),
        _ => ("", &[]),
    };
    let (message, details) = match rest {
        [] => (
            format!("forbidden: User \"system:anonymous\" cannot {verb} path \"{}\"", if path.is_empty() { "/" } else { path }),
            "{}".to_string(),
        ),
        rest => {
            let (namespace, resource, name) = match rest {
                ["namespaces", ns, resource, name, ..] => (Some(*ns), *resource, Some(*name)),
                ["namespaces", ns, resource] => (Some(*ns), *resource, None),
                [resource, name, ..] => (None, *resource, Some(*name)),
                [resource] => (None, *resource, None),
                [] => (None, "", None),
            };
            let verb = if verb == "get" && name.is_none() { "list" } else { verb };
            let scope = match namespace {
                Some(ns) => format!("in the namespace \"{ns}\""),
                None => "at the cluster scope".to_string(),
            };
            let mut details = String::from("{\n");
            if let Some(n) = name {
                details.push_str(&format!("    \"name\": \"{n}\",\n"));
            }
            if !group.is_empty() {
                details.push_str(&format!("    \"group\": \"{group}\",\n"));
            }
            details.push_str(&format!("    \"kind\": \"{resource}\"\n  }}"));
            let subject = match name {
                Some(n) => format!("{resource} \"{n}\" is forbidden"),
                None => format!("{resource} is forbidden"),
            };
            (
                format!("{subject}: User \"system:anonymous\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}"),
                details,
            )
        }
    };
    let body = format!(
        "{{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {{}},\n  \"status\": \"Failure\",\n  \"message\": \"{}\",\n  \"reason\": \"Forbidden\",\n  \"details\": {details},\n  \"code\": 403\n}}",
        message.replace('"', "\\\"")
    );
    headers.push(h("content-type", "application/json"));
    crate::sort::sort(&mut headers);
    headers.push(h("content-length", body.len().to_string()));
    headers.push(h("date", http_date(now)));
    Reply::Http(Response::new(403, headers, body))
}
