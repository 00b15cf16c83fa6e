//! `curl`, as curl 8.11 prints on a terminal: the body on stdout, `-v` connection
//! lines on stderr, real error texts and exit codes (6 could not resolve, 7 could
//! not connect, 28 timeout, 22 with `--fail`, 52 empty reply).
//!
//! Every request first computes its packet trace ([`crate::network::trace`]); what
//! curl prints is read from that trace. Timeouts advance the virtual clock by the
//! time curl would wait. Without `-m`/`--connect-timeout` a dropped SYN is retried by
//! the kernel (`net.ipv4.tcp_syn_retries = 6`: 1+2+4+...+64 s ≈ 127 s) before the
//! connect fails; curl's own 300 s default never comes into play.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::Cluster;
use crate::network::addresses;
use crate::network::dns::{self, Resolution};
use crate::network::http::{Request, Response};
use crate::network::trace::{self, DnsStep, Outcome, Trace};
use crate::network::workloads::{self, Reply, Tls};
use crate::network::getopt::{self, Arg};
use crate::network::{FileSink, Io, Place};
use crate::simulator::Output;

/// The curl version kubesim's curl reports in `User-Agent`.
pub const CURL_VERSION: &str = "8.11.1";
/// How long the kernel keeps retrying an unanswered SYN (tcp_syn_retries = 6: the
/// seventh SYN goes out at 63 s and the kernel gives up after another 64 s; curl
/// reports about 130 s, up to a second more).
pub const KERNEL_SYN_TIMEOUT_MS: i64 = 130_000;
/// How long ARP tries before the kernel reports "No route to host".
pub const ARP_TIMEOUT_MS: i64 = 3_000;

/// curl_easy_strerror(CURLE_COULDNT_CONNECT) since curl 8.10 ("Couldn't" before).
const COULD_NOT_CONNECT: &str = "Could not connect to server";

const TRY_HELP: &str = "curl: try 'curl --help' or 'curl --manual' for more information\n";

/// Parsed command line.
#[derive(Clone, Debug, Default)]
struct Options {
    silent: bool,
    show_error: bool,
    verbose: bool,
    head: bool,
    include: bool,
    fail: bool,
    headers: Vec<(String, String)>,
    output: Option<String>,
    max_time_ms: Option<i64>,
    connect_timeout_ms: Option<i64>,
    write_out: Option<String>,
    method: Option<String>,
    data: Option<String>,
    user_agent: Option<String>,
    insecure: bool,
    cacert: Option<String>,
    urls: Vec<String>,
}

/// A parsed URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    pub explicit_port: bool,
    /// Path and query, starting with `/`.
    pub target: String,
}

impl Url {
    /// The Host header curl sends: the port only when it is not the scheme's default.
    pub fn host_header(&self) -> String {
        if self.explicit_port && self.port != default_port(&self.scheme) {
            format!("{}:{}", self.host, self.port)
        } else {
            self.host.clone()
        }
    }

    pub fn effective(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host_header(), self.target)
    }
}

fn default_port(scheme: &str) -> u16 {
    if scheme == "https" {
        443
    } else {
        80
    }
}

/// Why a URL is rejected: curl's exit code and message.
pub fn parse_url(text: &str) -> Result<Url, (i32, String)> {
    let (scheme, rest) = match text.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), text),
    };
    if scheme != "http" && scheme != "https" {
        return Err((1, format!("Protocol \"{scheme}\" not supported")));
    }
    let (authority, target) = match rest.find(['/', '?']) {
        Some(i) => {
            let (a, t) = rest.split_at(i);
            let t = if t.starts_with('?') { format!("/{t}") } else { t.to_string() };
            (a, t)
        }
        None => (rest, "/".to_string()),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port, explicit_port) = match authority.rsplit_once(':') {
        Some((h, p)) => match p.parse::<u16>() {
            Ok(port) => (h, port, true),
            Err(_) if p.is_empty() => (h, default_port(&scheme), false),
            Err(_) => return Err((3, "URL rejected: Port number was not a decimal number between 0 and 65535".to_string())),
        },
        None => (authority, default_port(&scheme), false),
    };
    if host.is_empty() {
        return Err((3, "URL rejected: No host part in the URL".to_string()));
    }
    Ok(Url { scheme, host: host.to_ascii_lowercase(), port, explicit_port, target })
}

/// Seconds (fractions allowed) to milliseconds, as curl reads `-m 2.5`.
fn seconds_ms(text: &str) -> Option<i64> {
    let secs: f64 = text.parse().ok()?;
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    Some((secs * 1000.0).round() as i64)
}

fn parse(args: &[String]) -> Result<Options, (i32, String)> {
    let mut o = Options::default();
    // Flags that take a value, by short and long name.
    let takes_value = |name: &str| {
        matches!(
            name,
            "H" | "header" | "o" | "output" | "m" | "max-time" | "connect-timeout" | "w" | "write-out" | "X"
                | "request" | "d" | "data" | "data-raw" | "data-binary" | "A" | "user-agent" | "retry" | "u" | "user"
                | "e" | "referer" | "resolve" | "cacert" | "x" | "proxy"
        )
    };
    for arg in getopt::scan(args, takes_value) {
        let (name, value) = match arg {
            Arg::Operand(url) => {
                o.urls.push(url);
                continue;
            }
            Arg::Option { name, value } => (name, value),
        };
        let shown = if name.len() == 1 { format!("-{name}") } else { format!("--{name}") };
        let need = |v: Option<String>| v.ok_or_else(|| (2, format!("option {shown}: requires parameter")));
        match name.as_str() {
            "s" | "silent" => o.silent = true,
            "S" | "show-error" => o.show_error = true,
            "v" | "verbose" => o.verbose = true,
            "I" | "head" => o.head = true,
            "i" | "include" => o.include = true,
            "f" | "fail" => o.fail = true,
            "k" | "insecure" => o.insecure = true,
            "cacert" => o.cacert = Some(need(value)?),
            "L" | "location" | "4" | "ipv4" | "compressed" | "http1.1" | "N" | "no-buffer" => {}
            "H" | "header" => {
                let v = need(value)?;
                if let Some((k, val)) = v.split_once(':') {
                    o.headers.push((k.trim().to_string(), val.trim().to_string()));
                }
            }
            "o" | "output" => o.output = Some(need(value)?),
            "m" | "max-time" => {
                let v = need(value)?;
                o.max_time_ms = Some(seconds_ms(&v).ok_or((2, "option --max-time: expected a proper numerical parameter".to_string()))?);
            }
            "connect-timeout" => {
                let v = need(value)?;
                o.connect_timeout_ms =
                    Some(seconds_ms(&v).ok_or((2, "option --connect-timeout: expected a proper numerical parameter".to_string()))?);
            }
            "w" | "write-out" => o.write_out = Some(need(value)?),
            "X" | "request" => o.method = Some(need(value)?),
            "d" | "data" | "data-raw" | "data-binary" => o.data = Some(need(value)?),
            "A" | "user-agent" => o.user_agent = Some(need(value)?),
            "retry" | "u" | "user" | "e" | "referer" | "resolve" | "x" | "proxy" => {
                need(value)?;
            }
            _ => return Err((2, format!("option {shown}: is unknown"))),
        }
    }
    Ok(o)
}

/// `curl` at `place`, printing to a terminal; `-o FILE` writes vanish (see [`curl_with`]).
pub fn curl(cluster: &mut Cluster, place: &Place, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    curl_with(cluster, place, args, stdin, out, Io::terminal())
}

/// `curl` with the shell's files and knowledge of where stdout goes.
pub fn curl_with(
    cluster: &mut Cluster,
    place: &Place,
    args: &[String],
    _stdin: Option<&str>,
    out: &mut Output,
    io: Io<'_>,
) -> i32 {
    let Io { mut files, stdout_is_terminal } = io;
    let options = match parse(args) {
        Ok(o) => o,
        Err((code, message)) => {
            out.err(&format!("curl: {message}\n"));
            out.err(TRY_HELP);
            return code;
        }
    };
    if options.urls.is_empty() {
        out.err(TRY_HELP);
        return 2;
    }
    let mut code = 0;
    for (index, url) in options.urls.clone().iter().enumerate() {
        code = transfer(cluster, place, &options, url, index, out, files.as_deref_mut(), stdout_is_terminal);
    }
    code
}

/// What one transfer produced, for `-w` and the trace.
struct Result_ {
    code: i32,
    status: Option<u16>,
    remote: Option<SocketAddrV4>,
    local: Option<SocketAddrV4>,
    downloaded: usize,
    elapsed_ms: i64,
    content_type: String,
    error: String,
}

#[allow(clippy::too_many_arguments)]
fn transfer(
    cluster: &mut Cluster,
    place: &Place,
    o: &Options,
    url_text: &str,
    index: usize,
    out: &mut Output,
    files: Option<&mut (dyn FileSink + '_)>,
    stdout_is_terminal: bool,
) -> i32 {
    let show_errors = !o.silent || o.show_error;
    let url = match parse_url(url_text) {
        Ok(u) => u,
        Err((code, message)) => {
            if show_errors {
                out.err(&format!("curl: ({code}) {message}\n"));
            }
            return code;
        }
    };
    // curl shows its progress meter whenever the body does not go to the terminal.
    let to_terminal = stdout_is_terminal && matches!(o.output.as_deref(), None | Some("-"));
    let meter = !to_terminal && !o.silent && !o.verbose;
    let mut result = Result_ {
        code: 0,
        status: None,
        remote: None,
        local: None,
        downloaded: 0,
        elapsed_ms: 0,
        content_type: String::new(),
        error: String::new(),
    };
    let (trace_opt, code) = run(cluster, place, o, &url, out, files, &mut result);
    result.code = code;
    if meter {
        out.err(&progress_meter(result.downloaded, result.elapsed_ms, code == 0));
    }
    if code != 0 && show_errors && !result.error.is_empty() {
        out.err(&format!("curl: ({code}) {}\n", result.error));
    }
    if let Some(format) = &o.write_out {
        out.out(&write_out(format, &url, &result));
    }
    if let Some(mut t) = trace_opt {
        t.program = "curl".to_string();
        t.requested_host = url.host.clone();
        t.elapsed_ms = result.elapsed_ms;
        t.http_status = result.status;
        trace::record(cluster, t);
    }
    let _ = index;
    code
}

fn run(
    cluster: &mut Cluster,
    place: &Place,
    o: &Options,
    url: &Url,
    out: &mut Output,
    files: Option<&mut (dyn FileSink + '_)>,
    result: &mut Result_,
) -> (Option<Trace>, i32) {
    // Resolve the host.
    let mut dns_step = None;
    let ip: Ipv4Addr = if let Ok(ip) = url.host.parse::<Ipv4Addr>() {
        ip
    } else if url.host == "localhost" {
        Ipv4Addr::LOCALHOST
    } else {
        let conf = dns::resolv_conf(cluster, place);
        let resolution = match &conf {
            Some(conf) => dns::resolve(cluster, &url.host, conf),
            None => Resolution::NotFound { tried: vec![url.host.clone()] },
        };
        dns_step = Some(DnsStep { server: conf.as_ref().map(|c| c.nameserver), query: url.host.clone(), resolution: resolution.clone() });
        match (&resolution, resolution.addresses().first().copied()) {
            (_, Some(ip)) => {
                if o.verbose {
                    out.err(&format!("* Host {}:{} was resolved.\n* IPv6: (none)\n", url.host, url.port));
                    let all: Vec<String> = resolution.addresses().iter().map(|a| a.to_string()).collect();
                    out.err(&format!("* IPv4: {}\n", all.join(", ")));
                }
                ip
            }
            (Resolution::Found { .. }, None) => {
                let target = resolution.cname().unwrap_or("").trim_end_matches('.').to_string();
                out.err(&format!(
                    "kubesim: {} is an alias (CNAME) for {target}, outside the cluster; reaching it is not simulated\n",
                    url.host
                ));
                return (None, 6);
            }
            (Resolution::Upstream { .. }, None) => {
                out.err(&format!(
                    "kubesim: {} is outside the cluster domain; CoreDNS would forward it upstream, which is not simulated\n",
                    url.host
                ));
                return (None, 6);
            }
            _ => {
                if o.verbose {
                    out.err(&format!("* Could not resolve host: {}\n* closing connection #0\n", url.host));
                }
                result.error = format!("Could not resolve host: {}", url.host);
                return (None, 6);
            }
        }
    };
    let destination = SocketAddrV4::new(ip, url.port);
    let mut t = trace::connect(cluster, place, destination);
    t.dns = dns_step;
    result.remote = Some(destination);
    let local = t.hops.first().map(|h| h.packet.src);
    result.local = local;
    if o.verbose && url.host == "localhost" {
        // localhost resolves to ::1 first; kubectl port-forward listens on both
        // families, anything else refuses ::1 before curl falls back to 127.0.0.1.
        out.err(&format!("* Host localhost:{} was resolved.\n* IPv6: ::1\n* IPv4: 127.0.0.1\n*   Trying [::1]:{}...\n", url.port, url.port));
        if matches!(t.outcome, Outcome::Connected { .. } | Outcome::Reset { .. }) {
            out.err(&format!("* Connected to localhost (::1) port {}\n", url.port));
        } else {
            let port = local.map(|l| l.port()).unwrap_or(0);
            out.err(&format!("* connect to ::1 port {} from ::1 port {port} failed: Connection refused\n", url.port));
            out.err(&format!("*   Trying {destination}...\n"));
        }
    } else if o.verbose {
        out.err(&format!("*   Trying {destination}...\n"));
    }
    let connected_line = if url.host == "localhost" {
        format!("* Connected to localhost (::1) port {}\n", url.port)
    } else {
        format!("* Connected to {} ({}) port {}\n", url.host, ip, url.port)
    };
    let connected_line = if o.verbose && url.host != "localhost" { connected_line } else { String::new() };
    let connect_limit = match (o.connect_timeout_ms, o.max_time_ms) {
        (Some(c), Some(m)) => Some(c.min(m)),
        (c, m) => c.or(m),
    };
    let fail_connect = |elapsed: i64, why: &str, out: &mut Output, result: &mut Result_, verbose: bool| {
        let message = format!("Failed to connect to {} port {} after {elapsed} ms: {why}", url.host, url.port);
        if verbose {
            out.err(&format!("* {message}\n* closing connection #0\n"));
        }
        result.error = message;
    };
    let timeout_message = |elapsed: i64| -> String {
        // --connect-timeout fails in the connect filter; -m in the transfer's own clock.
        if o.connect_timeout_ms.is_some() && o.connect_timeout_ms <= o.max_time_ms.or(o.connect_timeout_ms) {
            format!("Failed to connect to {} port {} after {elapsed} ms: Timeout was reached", url.host, url.port)
        } else {
            format!("Connection timed out after {elapsed} milliseconds")
        }
    };
    match t.outcome.clone() {
        Outcome::Refused { .. } => {
            if o.verbose {
                let from = local.map(|l| format!(" from {} port {}", l.ip(), l.port())).unwrap_or_default();
                out.err(&format!("* connect to {} port {}{from} failed: Connection refused\n", ip, url.port));
            }
            fail_connect(0, COULD_NOT_CONNECT, out, result, o.verbose);
            finish(cluster, &mut t, 0, result);
            (Some(t), 7)
        }
        Outcome::Dropped { .. } | Outcome::Unreachable { .. } => {
            let unreachable = matches!(t.outcome, Outcome::Unreachable { .. });
            let natural =
                if unreachable { ARP_TIMEOUT_MS + cluster.rng.below(100) as i64 } else { KERNEL_SYN_TIMEOUT_MS + cluster.rng.below(1000) as i64 };
            match connect_limit {
                Some(limit) if limit < natural => {
                    let elapsed = limit.saturating_add(1);
                    let message = timeout_message(elapsed);
                    if o.verbose {
                        out.err(&format!("* {message}\n* closing connection #0\n"));
                    }
                    result.error = message;
                    finish(cluster, &mut t, elapsed, result);
                    (Some(t), 28)
                }
                _ => {
                    if o.verbose {
                        let from = local.map(|l| format!(" from {} port {}", l.ip(), l.port())).unwrap_or_default();
                        // strerror texts: glibc on the host, musl in the Alpine-based curl image.
                        let musl = *place != Place::Host;
                        let why = match (unreachable, musl) {
                            (true, false) => "No route to host",
                            (true, true) => "Host is unreachable",
                            (false, false) => "Connection timed out",
                            (false, true) => "Operation timed out",
                        };
                        out.err(&format!("* connect to {} port {}{from} failed: {why}\n", ip, url.port));
                    }
                    fail_connect(natural, COULD_NOT_CONNECT, out, result, o.verbose);
                    finish(cluster, &mut t, natural, result);
                    // A connect the kernel timed out is curl's CURLE_OPERATION_TIMEDOUT;
                    // an ICMP host-unreachable is CURLE_COULDNT_CONNECT.
                    (Some(t), if unreachable { 7 } else { 28 })
                }
            }
        }
        Outcome::Reset { .. } => {
            out.err(&connected_line);
            announce_port_forward(cluster, &t, out);
            if o.verbose {
                out.err(&request_lines(&build_request(o, url)));
                out.err("* Empty reply from server\n* shutting down connection #0\n");
            }
            result.error = "Empty reply from server".to_string();
            finish(cluster, &mut t, 1, result);
            (Some(t), 52)
        }
        Outcome::Connected { server, seen_client } => {
            out.err(&connected_line);
            announce_port_forward(cluster, &t, out);
            let mut http2 = false;
            if url.scheme == "https" {
                let tls = workloads::tls_of(cluster, &server);
                let fail = |code: i32, message: &str, out: &mut Output, result: &mut Result_| {
                    result.error = message.to_string();
                    if o.verbose {
                        out.err(&format!("* {message}\n* closing connection #0\n"));
                    }
                    code
                };
                let code = match tls {
                    Tls::Plain => Some(fail(35, "OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number", out, result)),
                    Tls::Unknown => {
                        out.err("kubesim: what this server answers over TLS is not simulated\n");
                        Some(1)
                    }
                    // The service account's CA file verifies the API server's certificate.
                    Tls::ApiServer if o.insecure || o.cacert.as_deref().is_some_and(|c| c.ends_with("ca.crt")) => None,
                    Tls::Kubelet | Tls::IngressFake | Tls::ApiServer if o.insecure => None,
                    Tls::ApiServer => Some(fail(60, "SSL certificate problem: unable to get local issuer certificate", out, result)),
                    Tls::Kubelet | Tls::IngressFake => Some(fail(60, "SSL certificate problem: self-signed certificate", out, result)),
                };
                if let Some(code) = code {
                    finish(cluster, &mut t, 1, result);
                    if code == 60 && (!o.silent || o.show_error) {
                        result.error.push_str("\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the webpage mentioned above.");
                    }
                    return (Some(t), code);
                }
                if o.verbose {
                    out.err("kubesim: curl -v's TLS handshake lines are not simulated\n");
                }
                http2 = tls == Tls::ApiServer;
            }
            let request = build_request(o, url);
            if o.verbose {
                out.err("* using HTTP/1.x\n");
                out.err(&request_lines(&request));
                out.err("* Request completely sent off\n");
            }
            let reply = if url.scheme == "https" {
                workloads::serve_tls(cluster, &server, &request, seen_client)
            } else {
                workloads::serve(cluster, &server, &request, seen_client)
            };
            let response = match reply {
                Reply::Http(r) => r,
                Reply::NotSimulated(why) => {
                    let message = if why.starts_with("kubesim:") { why } else { format!("kubesim: {why}") };
                    out.err(&format!("{message}\n"));
                    finish(cluster, &mut t, 1, result);
                    return (Some(t), 1);
                }
            };
            let elapsed = 1 + cluster.rng.below(3) as i64;
            result.status = Some(response.status);
            result.content_type = response.header("Content-Type").unwrap_or("").to_string();
            let code = print_response(o, url, &response, http2, out, files, result);
            finish(cluster, &mut t, elapsed, result);
            (Some(t), code)
        }
    }
}

/// A running `kubectl port-forward` prints a line for every connection it accepts
/// (on its stdout: the terminal, or the file a background job's output goes to).
/// When the pod end refuses, kubectl logs the kubelet's error (klog's `E` line),
/// closes the connection and exits with `error: lost connection to pod`.
pub(crate) fn announce_port_forward(cluster: &mut Cluster, t: &Trace, out: &mut Output) {
    let forwarded = t.hops.iter().any(|h| h.kind == crate::network::trace::HopKind::PortForward && h.name == "kubectl port-forward");
    if !forwarded {
        return;
    }
    let local_port = t.destination.port();
    let Some(forward) = cluster.network.port_forwards.iter().find(|f| f.local_port == local_port).cloned() else { return };
    let handling = format!("Handling connection for {local_port}\n");
    let mut lost = String::new();
    if matches!(t.outcome, Outcome::Reset { .. }) {
        let message = crate::network::port_forward::refused_message(cluster, &forward.namespace, &forward.pod, forward.pod_port);
        let err = format!("an error occurred forwarding {local_port} -> {}: {message}", forward.pod_port);
        let pid = forward.output.as_ref().map(|o| o.pid).unwrap_or(0);
        // klog's header: severity, MMDD, wall time in microseconds, pid, file:line.
        let now = cluster.clock.now();
        lost = format!(
            "E{} {:>7} portforward.go:424] \"Unhandled Error\" err=\"{}\"\nerror: lost connection to pod\n",
            now.format("%m%d %H:%M:%S%.6f"),
            pid,
            err.replace('\\', "\\\\").replace('"', "\\\"")
        );
        // The whole kubectl exits, taking its forwards with it.
        cluster.network.port_forwards.retain(|f| f.output != forward.output || f.pod != forward.pod);
        cluster.network.forwards_lost.push(local_port);
    }
    match &forward.output {
        None => {
            out.err(&handling);
            out.err(&lost);
        }
        Some(output) => {
            if let Some(path) = &output.stdout {
                cluster.network.forward_writes.push((path.clone(), handling));
            }
            if let (Some(path), false) = (&output.stderr, lost.is_empty()) {
                cluster.network.forward_writes.push((path.clone(), lost));
            }
        }
    }
}

fn finish(cluster: &mut Cluster, t: &mut Trace, elapsed_ms: i64, result: &mut Result_) {
    result.elapsed_ms = elapsed_ms;
    t.elapsed_ms = elapsed_ms;
    cluster.clock.advance_by(k8s_openapi::chrono::Duration::milliseconds(elapsed_ms));
}

fn build_request(o: &Options, url: &Url) -> Request {
    let method = o
        .method
        .clone()
        .unwrap_or_else(|| if o.head { "HEAD".to_string() } else if o.data.is_some() { "POST".to_string() } else { "GET".to_string() });
    let mut headers = vec![
        ("Host".to_string(), url.host_header()),
        ("User-Agent".to_string(), o.user_agent.clone().unwrap_or_else(|| format!("curl/{CURL_VERSION}"))),
        ("Accept".to_string(), "*/*".to_string()),
    ];
    for (k, v) in &o.headers {
        match headers.iter_mut().find(|(existing, _)| existing.eq_ignore_ascii_case(k)) {
            Some(slot) => slot.1 = v.clone(),
            None => headers.push((k.clone(), v.clone())),
        }
    }
    // An empty value (`-H 'Accept:'`) removes the header, as in curl.
    headers.retain(|(_, v)| !v.is_empty());
    if let Some(data) = &o.data {
        headers.push(("Content-Length".to_string(), data.len().to_string()));
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("Content-Type")) {
            headers.push(("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string()));
        }
    }
    Request { method, target: url.target.clone(), headers }
}

fn request_lines(request: &Request) -> String {
    // Sent header lines keep their CR, as curl's verbose trace shows them.
    let mut text = format!("> {}\r\n", request.request_line());
    for (k, v) in &request.headers {
        text.push_str(&format!("> {k}: {v}\r\n"));
    }
    text.push_str("> \r\n");
    text
}

/// `HTTP/1.1 200 OK`, or `HTTP/2 403 ` as curl shows an HTTP/2 status (no reason).
fn status_line(response: &Response, http2: bool) -> String {
    if http2 {
        format!("HTTP/2 {} ", response.status)
    } else {
        response.status_line()
    }
}

/// What `-i`/`-I` print: the header lines as they came off the wire, each ending in
/// CR LF (curl writes received headers unchanged; `curl -sI URL | head -1` keeps the CR).
fn header_block(response: &Response, http2: bool) -> String {
    let mut text = format!("{}\r\n", status_line(response, http2));
    for (k, v) in &response.headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text
}

fn print_response(
    o: &Options,
    url: &Url,
    response: &Response,
    http2: bool,
    out: &mut Output,
    files: Option<&mut (dyn FileSink + '_)>,
    result: &mut Result_,
) -> i32 {
    if o.verbose {
        // Received header lines keep their CR, as curl's verbose trace shows them.
        let mut text = format!("< {}\r\n", status_line(response, http2));
        for (k, v) in &response.headers {
            text.push_str(&format!("< {k}: {v}\r\n"));
        }
        text.push_str("< \r\n");
        out.err(&text);
    }
    if o.fail && response.status >= 400 {
        result.error = format!("The requested URL returned error: {}", response.status);
        if o.verbose {
            out.err(&format!("* {}\n* closing connection #0\n", result.error));
        }
        return 22;
    }
    let mut document = String::new();
    if o.include || o.head {
        document.push_str(&header_block(response, http2));
    }
    if !o.head {
        document.push_str(&response.body);
        // Error pages count their CRLF line ends on the wire.
        result.downloaded = response.header("Content-Length").and_then(|l| l.parse().ok()).unwrap_or(response.body.len());
    }
    match o.output.as_deref() {
        None | Some("-") => out.out(&document),
        Some("/dev/null") => {}
        Some(path) => {
            if let Some(sink) = files {
                if let Err(why) = sink.write_file(path, &document) {
                    result.error = "Failed writing body".to_string();
                    out.err(&format!("Warning: Failed to open the file {path}: {why}\n"));
                    return 23;
                }
            }
        }
    }
    if o.verbose {
        if o.output.is_some() {
            let wire = response.header("Content-Length").and_then(|l| l.parse().ok()).unwrap_or(response.body.len());
            out.err(&format!("{{ [{wire} bytes data]\n"));
        }
        out.err(&format!("* Connection #0 to host {} left intact\n", url.host));
    }
    0
}

/// curl's five-character size: `615`, `300k`, `12.3M`.
fn max5(bytes: i64) -> String {
    if bytes < 100_000 {
        format!("{bytes:>5}")
    } else if bytes < 10_000 * 1024 {
        format!("{:>4}k", bytes / 1024)
    } else {
        format!("{:>4}M", bytes / (1024 * 1024))
    }
}

fn time2str(ms: i64) -> String {
    let secs = ms / 1000;
    if secs <= 0 {
        return "--:--:--".to_string();
    }
    format!("{:>2}:{:02}:{:02}", secs / 3600, (secs / 60) % 60, secs % 60)
}

/// The last line of curl's progress meter, as a terminal is left showing it.
fn progress_meter(bytes: usize, elapsed_ms: i64, done: bool) -> String {
    let bytes = bytes as i64;
    let speed = if elapsed_ms > 0 { bytes * 1000 / elapsed_ms } else { bytes };
    let percent = if done && bytes > 0 { 100 } else { 0 };
    let spent = time2str(elapsed_ms);
    format!(
        "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n{:>3} {}  {:>3} {}  {:>3} {}  {}  {} {} {} {} {}\n",
        percent,
        max5(bytes),
        percent,
        max5(bytes),
        0,
        max5(0),
        max5(speed),
        max5(0),
        if done { spent.clone() } else { "--:--:--".to_string() },
        spent,
        "--:--:--",
        max5(if done { speed } else { 0 }),
    )
}

fn write_out(format: &str, url: &Url, r: &Result_) -> String {
    let mut text = String::new();
    let mut rest = format;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("%{") {
            if let Some(end) = after.find('}') {
                let name = after.get(..end).unwrap_or("");
                let value = match name {
                    "http_code" | "response_code" => format!("{:03}", r.status.unwrap_or(0)),
                    "remote_ip" => r.remote.map(|a| a.ip().to_string()).unwrap_or_default(),
                    "remote_port" => r.remote.map(|a| a.port().to_string()).unwrap_or_default(),
                    "local_ip" => r.local.map(|a| a.ip().to_string()).unwrap_or_default(),
                    "local_port" => r.local.map(|a| a.port().to_string()).unwrap_or_default(),
                    "size_download" => r.downloaded.to_string(),
                    "time_total" | "time_connect" => format!("{}.{:06}", r.elapsed_ms / 1000, (r.elapsed_ms % 1000) * 1000),
                    "url_effective" | "url" => url.effective(),
                    "exitcode" => r.code.to_string(),
                    "errormsg" => r.error.clone(),
                    "content_type" => r.content_type.clone(),
                    "num_connects" => if r.remote.is_some() { "1" } else { "0" }.to_string(),
                    _ => String::new(),
                };
                text.push_str(&value);
                rest = after.get(end + 1..).unwrap_or("");
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix('\\') {
            let (replacement, skip) = match after.chars().next() {
                Some('n') => ("\n", 1),
                Some('t') => ("\t", 1),
                Some('r') => ("\r", 1),
                Some('\\') => ("\\", 1),
                _ => ("\\", 0),
            };
            text.push_str(replacement);
            rest = after.get(skip..).unwrap_or("");
            continue;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            text.push(c);
        }
        rest = chars.as_str();
    }
    text
}

/// The address a host name resolves to at a place, as curl would use it (tests and
/// the visualizer use this to label hops).
pub fn resolve_for(cluster: &mut Cluster, place: &Place, host: &str) -> Option<Ipv4Addr> {
    if let Ok(ip) = host.parse() {
        return Some(ip);
    }
    let conf = dns::resolv_conf(cluster, place)?;
    dns::resolve(cluster, host, &conf).addresses().first().copied()
}

#[allow(dead_code)]
fn unused(_: &addresses::NodeView) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = parse_url("http://172.18.0.2:30080/x?y=1").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((u.host.as_str(), u.port, u.target.as_str()), ("172.18.0.2", 30080, "/x?y=1"));
        assert_eq!(u.host_header(), "172.18.0.2:30080");
        let u = parse_url("web").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((u.host.as_str(), u.port, u.target.as_str(), u.host_header()), ("web", 80, "/", "web".to_string()));
        assert_eq!(parse_url("ftp://x").map_err(|e| e.0), Err(1));
        assert_eq!(parse_url("http://x:99999/").map_err(|e| e.0), Err(3));
    }

    #[test]
    fn flags_combine() {
        let args: Vec<String> = ["-sSo", "/dev/null", "-w", "%{http_code}\\n", "-m5", "web"].iter().map(|s| s.to_string()).collect();
        let o = parse(&args).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(o.silent && o.show_error);
        assert_eq!(o.output.as_deref(), Some("/dev/null"));
        assert_eq!(o.max_time_ms, Some(5000));
        assert_eq!(o.urls, ["web"]);
        let bad: Vec<String> = vec!["--frobnicate".into()];
        assert_eq!(parse(&bad).err().map(|e| e.1), Some("option --frobnicate: is unknown".to_string()));
    }

    #[test]
    fn meter_line() {
        let m = progress_meter(615, 2, true);
        assert!(m.ends_with("100   615  100   615    0     0   300k      0 --:--:-- --:--:-- --:--:--  300k\n"), "{m}");
    }
}
