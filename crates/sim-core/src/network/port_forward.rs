//! The kubelet's end of `kubectl port-forward`: for each forwarded connection the
//! container runtime (containerd, in kind) dials `localhost:PORT` inside the pod's
//! network namespace and copies bytes both ways. `kubesim serve` speaks the
//! `pods/portforward` protocol around this; sim-core's own kubectl reports the same
//! error text when its forwarded connection finds nothing listening.

use std::net::{Ipv4Addr, SocketAddrV4};

use crate::cluster::Cluster;
use crate::network::addresses;
use crate::network::http::{Request, Response};
use crate::network::trace::Server;
use crate::network::workloads::{self, Reply};

/// A connection the runtime opened inside the pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialed {
    pub server: Server,
    /// The runtime connects from the pod's own loopback.
    pub seen_client: SocketAddrV4,
}

/// Dials `port` of pod `namespace/name` from inside it; `Err` is the text the kubelet
/// writes on the port-forward's error stream, which kubectl prints as
/// `an error occurred forwarding LOCAL -> PORT: <text>`.
pub fn dial(cluster: &Cluster, namespace: &str, name: &str, port: u16, client_port: u16) -> Result<Dialed, String> {
    let Some(pod) = addresses::pod(cluster, namespace, name) else {
        // The sandbox is gone with the pod: containerd no longer finds it.
        return Err(format!(
            "error forwarding port {port} to pod {}, uid : failed to find sandbox {:?} in store: not found",
            sandbox_id(cluster, namespace, name),
            sandbox_id(cluster, namespace, name)
        ));
    };
    if pod.running && workloads::listens(&pod, port) {
        return Ok(Dialed {
            server: Server::Pod { namespace: pod.namespace.clone(), name: pod.name.clone(), ip: Ipv4Addr::LOCALHOST, port },
            seen_client: SocketAddrV4::new(Ipv4Addr::LOCALHOST, client_port),
        });
    }
    Err(refused_message(cluster, namespace, name, port))
}

/// containerd's error when nothing listens on the port (`sandbox_portforward_linux.go`:
/// a tcp4 dial, then a tcp6 one, both refused), wrapped by the kubelet's stream
/// handler (`error forwarding port P to pod SANDBOX, uid : ...`: containerd's
/// streaming server names the sandbox and passes no uid).
pub fn refused_message(cluster: &Cluster, namespace: &str, name: &str, port: u16) -> String {
    let sandbox = sandbox_id(cluster, namespace, name);
    format!(
        "error forwarding port {port} to pod {sandbox}, uid : failed to execute portforward in network namespace \"/var/run/netns/{}\": failed to connect to localhost:{port} inside namespace \"{sandbox}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused ",
        netns_name(cluster, namespace, name)
    )
}

/// One HTTP exchange over a dialed connection: the response as the bytes the
/// server writes, or `Err` with why the answer is not simulated.
pub fn exchange(cluster: &mut Cluster, dialed: &Dialed, request: &Request) -> Result<Vec<u8>, String> {
    match workloads::serve(cluster, &dialed.server, request, dialed.seen_client) {
        Reply::Http(response) => Ok(response_bytes(&response)),
        Reply::NotSimulated(why) => Err(if why.starts_with("kubesim:") { why } else { format!("kubesim: {why}") }),
    }
}

/// A response on the wire: status line, headers, blank line, body.
pub fn response_bytes(response: &Response) -> Vec<u8> {
    let mut text = format!("{}\r\n", response.status_line());
    for (k, v) in &response.headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    // Some servers write CRLF line ends (nginx's error pages); the simulated body
    // keeps the \n the terminal shows, and Content-Length counts what goes on the wire.
    let newlines = response.body.matches('\n').count();
    let declared = response.header("Content-Length").and_then(|l| l.parse::<usize>().ok());
    if newlines > 0 && declared == Some(response.body.len() + newlines) {
        text.push_str(&response.body.replace('\n', "\r\n"));
    } else {
        text.push_str(&response.body);
    }
    text.into_bytes()
}

/// Splits the first whole HTTP/1.1 request off `buffer`: the request and how many
/// bytes it took (head plus a `Content-Length` body). `None` until it is complete.
pub fn parse_request(buffer: &[u8]) -> Option<(Request, usize)> {
    let end = buffer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(buffer.get(..end)?).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_string();
    let target = request_line.next().unwrap_or("/").to_string();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let body_length = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("Content-Length")).and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0);
    let total = end + 4 + body_length;
    (buffer.len() >= total).then_some((Request { method, target, headers }, total))
}

/// The pod sandbox's id: containerd names a sandbox by 64 hex digits. Derived from
/// the pod's uid so that it is stable for the pod's life.
pub fn sandbox_id(cluster: &Cluster, namespace: &str, name: &str) -> String {
    let uid = pod_uid(cluster, namespace, name);
    (0..4u8).map(|i| format!("{:016x}", mix(&uid, i))).collect()
}

/// The CNI network namespace under /var/run/netns (`cni-` and a UUID).
fn netns_name(cluster: &Cluster, namespace: &str, name: &str) -> String {
    let uid = pod_uid(cluster, namespace, name);
    let hex: String = (4..6u8).map(|i| format!("{:016x}", mix(&uid, i))).collect();
    let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default().to_string();
    format!("cni-{}-{}-{}-{}-{}", part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32))
}

fn pod_uid(cluster: &Cluster, namespace: &str, name: &str) -> String {
    cluster
        .store
        .get(&crate::store::ObjectKey::new(crate::resources::Kind::Pod, namespace, name))
        .and_then(|o| o.metadata().uid.clone())
        .unwrap_or_else(|| format!("{namespace}/{name}"))
}

/// FNV-1a over the uid and a salt, then SplitMix64's finalizer to spread the bits.
fn mix(uid: &str, salt: u8) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in uid.bytes().chain(std::iter::once(salt)) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_complete_with_its_body() {
        let wire = b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nab";
        assert_eq!(parse_request(wire), None);
        let mut whole = wire.to_vec();
        whole.extend_from_slice(b"cGET / HTTP/1.1\r\n\r\n");
        let (request, used) = parse_request(&whole).unwrap_or((Request { method: String::new(), target: String::new(), headers: Vec::new() }, 0));
        assert_eq!((request.method.as_str(), request.target.as_str(), request.header("host")), ("POST", "/x", Some("a")));
        assert_eq!(used, wire.len() + 1);
    }
}
