//! `wget`: busybox wget inside pods (busybox, curlimages/curl and alpine images ship
//! busybox's applet) and GNU Wget on the learner's terminal, with their own messages
//! and exit codes (busybox: 1 for every failure; GNU: 4 network failure, 8 server
//! error). Requests go through the same trace engine as `curl`.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::Cluster;
use crate::network::curl::{parse_url, Url, ARP_TIMEOUT_MS, KERNEL_SYN_TIMEOUT_MS};
use crate::network::dns::{self, Resolution};
use crate::network::http::{log_date, Request, Response};
use crate::network::trace::{self, DnsStep, Outcome};
use crate::network::workloads::{self, Reply};
use crate::network::getopt::{self, Arg};
use crate::network::{FileSink, Io, Place};
use crate::simulator::Output;

/// The GNU Wget version on the learner's terminal.
pub const GNU_WGET_VERSION: &str = "1.21.4";

#[derive(Default)]
struct Options {
    quiet: bool,
    output: Option<String>,
    timeout_ms: Option<i64>,
    headers: Vec<(String, String)>,
    spider: bool,
    urls: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let takes_value = |name: &str| matches!(name, "O" | "T" | "output-document" | "timeout" | "header");
    let seconds = |v: Option<String>| v.and_then(|v| v.parse::<f64>().ok()).map(|s| (s * 1000.0) as i64);
    for arg in getopt::scan(args, takes_value) {
        let (name, value) = match arg {
            Arg::Operand(url) => {
                o.urls.push(url);
                continue;
            }
            Arg::Option { name, value } => (name, value),
        };
        match name.as_str() {
            "q" | "quiet" => o.quiet = true,
            "spider" => o.spider = true,
            "O" | "output-document" => o.output = value,
            "T" | "timeout" => o.timeout_ms = seconds(value),
            "header" => {
                if let Some((k, v)) = value.as_deref().and_then(|h| h.split_once(':')) {
                    o.headers.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            // busybox and GNU Wget word these alike.
            long if long.chars().count() > 1 => return Err(format!("wget: unrecognized option '--{long}'")),
            flag => return Err(format!("wget: invalid option -- '{flag}'")),
        }
    }
    Ok(o)
}

/// `wget` at `place`; saved files vanish (see [`wget_with`]).
pub fn wget(cluster: &mut Cluster, place: &Place, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    wget_with(cluster, place, args, stdin, out, Io::terminal())
}

/// `wget` with the shell's files to save into.
pub fn wget_with(
    cluster: &mut Cluster,
    place: &Place,
    args: &[String],
    _stdin: Option<&str>,
    out: &mut Output,
    io: Io<'_>,
) -> i32 {
    let mut files = io.files;
    let busybox = *place != Place::Host;
    let o = match parse(args) {
        Ok(o) => o,
        Err(message) => {
            out.err(&format!("{message}\n"));
            if busybox {
                out.err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n");
                return 1;
            }
            out.err("Usage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n");
            return 2;
        }
    };
    if o.urls.is_empty() {
        if busybox {
            out.err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n");
            return 1;
        }
        out.err("wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n");
        return 1;
    }
    let mut code = 0;
    for url in o.urls.clone() {
        code = fetch(cluster, place, &o, &url, busybox, out, files.as_deref_mut());
    }
    code
}

fn fetch(
    cluster: &mut Cluster,
    place: &Place,
    o: &Options,
    url_text: &str,
    busybox: bool,
    out: &mut Output,
    files: Option<&mut (dyn FileSink + '_)>,
) -> i32 {
    let (network_error, server_error) = if busybox { (1, 1) } else { (4, 8) };
    let url: Url = match parse_url(url_text) {
        Ok(u) => u,
        Err((_, message)) => {
            out.err(&format!("wget: {message}\n"));
            return 1;
        }
    };
    if !busybox && !o.quiet {
        out.err(&format!("--{}--  {}\n", cluster.clock.now().format("%Y-%m-%d %H:%M:%S"), url.effective()));
    }
    let mut dns_step = None;
    let ip: Ipv4Addr = if let Ok(ip) = url.host.parse() {
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
        match resolution.addresses().first().copied() {
            Some(ip) => ip,
            None => {
                if let Resolution::Upstream { .. } | Resolution::Found { .. } = resolution {
                    out.err(&format!("kubesim: resolving {} needs a DNS server outside the cluster, which is not simulated\n", url.host));
                } else if busybox {
                    out.err(&format!("wget: bad address '{}'\n", url.host));
                } else if !o.quiet {
                    out.err(&format!(
                        "Resolving {} ({})... failed: Name or service not known.\nwget: unable to resolve host address ‘{}’\n",
                        url.host, url.host, url.host
                    ));
                }
                return network_error;
            }
        }
    };
    let destination = SocketAddrV4::new(ip, url.port);
    let mut t = trace::connect(cluster, place, destination);
    t.program = "wget".to_string();
    t.requested_host = url.host.clone();
    t.dns = dns_step;
    let shown = if url.host.parse::<Ipv4Addr>().is_ok() { url.host.clone() } else { format!("{} ({})", url.host, ip) };
    if busybox && !o.quiet {
        out.err(&format!("Connecting to {} ({}:{})\n", url.host, ip, url.port));
    } else if !o.quiet {
        out.err(&format!("Connecting to {shown}|{ip}|:{}... ", url.port));
    }
    crate::network::curl::announce_port_forward(cluster, &t, out);
    let elapsed;
    let code = match t.outcome.clone() {
        Outcome::Refused { .. } => {
            elapsed = 0;
            if busybox {
                out.err(&format!("wget: can't connect to remote host ({ip}): Connection refused\n"));
            } else if !o.quiet {
                out.err("failed: Connection refused.\n");
            }
            network_error
        }
        Outcome::Dropped { .. } | Outcome::Unreachable { .. } => {
            let unreachable = matches!(t.outcome, Outcome::Unreachable { .. });
            let natural = if unreachable { ARP_TIMEOUT_MS } else { KERNEL_SYN_TIMEOUT_MS };
            match o.timeout_ms {
                Some(limit) if limit < natural => {
                    elapsed = limit;
                    if busybox {
                        out.err("wget: download timed out\n");
                    } else if !o.quiet {
                        out.err("failed: Connection timed out.\nRetrying.\n\n");
                    }
                }
                _ => {
                    elapsed = natural;
                    let why = if unreachable { "No route to host" } else { "Connection timed out" };
                    if busybox {
                        out.err(&format!("wget: can't connect to remote host ({ip}): {why}\n"));
                    } else if !o.quiet {
                        out.err(&format!("failed: {why}.\n"));
                    }
                }
            }
            network_error
        }
        Outcome::Reset { .. } => {
            elapsed = 1;
            out.err(if busybox { "wget: error getting response: Connection reset by peer\n" } else { "connected.\nHTTP request sent, awaiting response... No data received.\n" });
            network_error
        }
        Outcome::Connected { server, seen_client } => {
            elapsed = 1;
            if !busybox && !o.quiet {
                out.err("connected.\n");
            }
            let mut headers = vec![
                ("Host".to_string(), url.host_header()),
                (
                    "User-Agent".to_string(),
                    if busybox { "Wget".to_string() } else { format!("Wget/{GNU_WGET_VERSION}") },
                ),
            ];
            if !busybox {
                headers.push(("Accept".to_string(), "*/*".to_string()));
                headers.push(("Accept-Encoding".to_string(), "identity".to_string()));
            }
            headers.extend(o.headers.iter().cloned());
            headers.push(("Connection".to_string(), "close".to_string()));
            let request = Request { method: if o.spider { "HEAD" } else { "GET" }.to_string(), target: url.target.clone(), headers };
            match workloads::serve(cluster, &server, &request, seen_client) {
                Reply::NotSimulated(why) => {
                    let message = if why.starts_with("kubesim:") { why } else { format!("kubesim: {why}") };
                    out.err(&format!("{message}\n"));
                    1
                }
                Reply::Http(response) => {
                    t.http_status = Some(response.status);
                    deliver(cluster, o, &url, &response, busybox, out, files, server_error)
                }
            }
        }
    };
    t.elapsed_ms = elapsed;
    cluster.clock.advance_by(k8s_openapi::chrono::Duration::milliseconds(elapsed));
    trace::record(cluster, t);
    code
}

#[allow(clippy::too_many_arguments)]
fn deliver(
    cluster: &Cluster,
    o: &Options,
    url: &Url,
    response: &Response,
    busybox: bool,
    out: &mut Output,
    files: Option<&mut (dyn FileSink + '_)>,
    server_error: i32,
) -> i32 {
    if !busybox && !o.quiet {
        out.err(&format!("HTTP request sent, awaiting response... {} {}\n", response.status, response.reason));
    }
    if response.status >= 400 {
        if busybox {
            out.err(&format!("wget: server returned error: {}\n", response.status_line()));
        } else if !o.quiet {
            out.err(&format!("{} ERROR {}: {}.\n\n", cluster.clock.now().format("%Y-%m-%d %H:%M:%S"), response.status, response.reason));
        }
        return server_error;
    }
    let file = match o.output.as_deref() {
        Some(f) => f.to_string(),
        None => {
            let last = url.target.split('?').next().unwrap_or("/").rsplit('/').next().unwrap_or("");
            if last.is_empty() { "index.html".to_string() } else { last.to_string() }
        }
    };
    let size = response.body.len();
    let to_stdout = file == "-";
    if busybox {
        if !o.quiet {
            out.err(if to_stdout { "writing to stdout\n" } else { "" });
            if !to_stdout {
                out.err(&format!("saving to '{file}'\n"));
            }
        }
        if to_stdout {
            out.out(&response.body);
        } else if let Some(sink) = files {
            if let Err(why) = sink.write_file(&file, &response.body) {
                out.err(&format!("wget: can't open '{file}': {why}\n"));
                return 1;
            }
        }
        if !o.quiet {
            let label = if to_stdout { "-".to_string() } else { file.clone() };
            out.err(&format!("{label:<20} 100% |********************************| {size:>5}  0:00:00 ETA\n"));
            out.err(&if to_stdout { "written to stdout\n".to_string() } else { format!("'{file}' saved\n") });
        }
        return 0;
    }
    if !o.quiet {
        let content_type = response.header("Content-Type").unwrap_or("");
        let kind = content_type.split(';').next().unwrap_or("");
        out.err(&format!("Length: {size} [{kind}]\n"));
        out.err(&format!("Saving to: ‘{}’\n\n", if to_stdout { "STDOUT" } else { &file }));
    }
    if to_stdout {
        out.out(&response.body);
    } else if let Some(sink) = files {
        if let Err(why) = sink.write_file(&file, &response.body) {
            out.err(&format!("{file}: {why}\n"));
            return 3;
        }
    }
    if !o.quiet {
        let label = if to_stdout { "-" } else { &file };
        out.err(&format!("{label:<19} 100%[===================>] {size:>7}  --.-KB/s    in 0s      \n\n"));
        let now = cluster.clock.now().format("%Y-%m-%d %H:%M:%S");
        // The simulated transfer takes one millisecond.
        let rate = gnu_rate(size as f64 * 1000.0);
        if to_stdout {
            out.err(&format!("{now} ({rate}) - written to stdout [{size}/{size}]\n\n"));
        } else {
            out.err(&format!("{now} ({rate}) - ‘{file}’ saved [{size}/{size}]\n\n"));
        }
    }
    let _ = log_date;
    0
}

/// GNU Wget's download rate (`retr_rate`): B/s, KB/s, MB/s or GB/s with fewer
/// decimals as the number grows.
fn gnu_rate(bytes_per_second: f64) -> String {
    let units = ["B/s", "KB/s", "MB/s", "GB/s"];
    let mut rate = bytes_per_second;
    let mut unit = 0;
    while rate >= 1024.0 && unit + 1 < units.len() {
        rate /= 1024.0;
        unit += 1;
    }
    let precision = if rate >= 99.95 { 0 } else if rate >= 9.995 { 1 } else { 2 };
    format!("{rate:.precision$} {}", units.get(unit).copied().unwrap_or("B/s"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates() {
        assert_eq!(super::gnu_rate(615_000.0), "601 KB/s");
        assert_eq!(super::gnu_rate(45_000.0), "43.9 KB/s");
        assert_eq!(super::gnu_rate(500.0), "500 B/s");
    }
}
