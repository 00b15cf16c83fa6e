//! The network model: where packets come from, what kube-proxy's rules do to them,
//! which pod (if any) answers, and the programs (`curl`, `wget`, `nslookup`, `dig`,
//! `ping`) that print what a learner would see on a kind cluster.
//!
//! One model, no second story: every request computes its path from the live store
//! (Nodes, Pods, Services, EndpointSlices) into a [`trace::Trace`], a plain data
//! record of every hop, every address rewrite and the reason for any drop. `curl`
//! prints from the trace; the visualizer animates the same trace, read back from
//! [`NetworkState::traces`].
//!
//! # Layout
//! - [`addresses`]: the places and addresses of a kind cluster (host, nodes, pods,
//!   ClusterIPs, load-balancer IPs) and the read-only views of the store they come from.
//! - [`kube_proxy`]: Services plus EndpointSlices as per-node rules, as iptables mode
//!   programs them, and the verdict a rule gives a packet.
//! - [`dns`]: CoreDNS's answers, resolv.conf search lists and ndots.
//! - [`trace`]: the packet path engine and the serialisable trace it returns.
//! - [`getopt`]: the argument scanning curl and wget share.
//! - [`view`]: what the traffic-flow visualizer draws: the cluster as boxes, their
//!   layout, and each hop of a trace mapped to the box it happens at.
//! - [`http`]: HTTP requests and responses as the programs and workloads share them.
//! - [`api_proxy`]: `kubectl proxy` and the API server's service/pod proxy.
//! - [`ingress`]: the ingress-nginx controller routing by host and path.
//! - [`workloads`]: what the images a learner runs answer (nginx, httpd, agnhost,
//!   http-echo, whoami) and the access logs they write.
//! - [`curl`], [`wget`], [`nslookup`] (also `dig`), [`ping`]: the programs.
//! - [`programs`]: the programs with the shell's signature, and [`programs::run_program`]
//!   for `kubectl exec`/`kubectl run` inside a pod.
//!
//! # Choices
//! - curl is curl 8.11.1 everywhere (its `-v` lines, `Could not connect to server`).
//!   Without `-m`/`--connect-timeout` an unanswered SYN fails after the kernel's
//!   retries, about 130 s of virtual time (exit 28); the clock moves by what curl waits.
//! - `nslookup` prints BIND's format in every image (busybox's differs slightly).
//! - `ping` is modelled: pods and nodes answer, ClusterIPs never do.
//! - Load-balancer IPs behave as MetalLB's layer 2 (the simulated cloud provider's pool
//!   is on the kind network): one node answers ARP for each address.
//! - Random choices (source ports, endpoints, A-record order) come from `cluster.rng`.

pub mod addresses;
pub mod api_proxy;
pub mod curl;
pub mod dns;
pub mod getopt;
pub mod http;
pub mod ingress;
pub mod kube_proxy;
pub mod nslookup;
pub mod ping;
pub mod port_forward;
pub mod programs;
pub mod trace;
pub mod view;
pub mod wget;
pub mod workloads;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, VecDeque};
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::cluster::Cluster;

pub use curl::{curl, curl_with};
pub use nslookup::{dig, nslookup};
pub use ping::ping;
pub use trace::Trace;
pub use wget::{wget, wget_with};

/// Where a program runs: the learner's terminal on the kind host, a node (as with
/// `docker exec kind-worker ...`), or a pod's network namespace (`kubectl exec`,
/// `kubectl run -it`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// The learner's machine: the docker host of a kind cluster, on the kind docker
    /// network as 172.18.0.1. It reaches node IPs, not ClusterIPs or pod IPs.
    Host,
    Node { name: String },
    Pod { namespace: String, name: String },
}

impl Place {
    pub fn pod(namespace: &str, name: &str) -> Self {
        Place::Pod { namespace: namespace.to_string(), name: name.to_string() }
    }

    pub fn node(name: &str) -> Self {
        Place::Node { name: name.to_string() }
    }
}

/// Where a program may write the file named by `curl -o` or `wget -O`. The shell
/// implements it over its virtual filesystem; without one, writes vanish as into
/// /dev/null.
pub trait FileSink {
    /// Writes `content` to `path` (as typed); `Err` carries the strerror text
    /// (`No such file or directory`).
    fn write_file(&mut self, path: &str, content: &str) -> Result<(), String>;
}

/// What a program may touch besides the cluster: the shell's files and whether its
/// stdout is the terminal (curl prints its progress meter only when it is not).
pub struct Io<'a> {
    pub files: Option<&'a mut dyn FileSink>,
    pub stdout_is_terminal: bool,
}

impl Io<'_> {
    /// A terminal and no files: `-o FILE` writes vanish as into /dev/null.
    pub fn terminal() -> Io<'static> {
        Io { files: None, stdout_is_terminal: true }
    }
}

/// A running `kubectl port-forward`: connections to 127.0.0.1:`local_port` on the
/// host go to `pod_port` of the pod, through the API server rather than kube-proxy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortForward {
    pub local_port: u16,
    pub namespace: String,
    pub pod: String,
    pub pod_port: u16,
    /// Where the kubectl behind it writes, when that is not the terminal: a
    /// background `kubectl port-forward ... >pf.log 2>&1 &` (set by the shell).
    #[serde(default)]
    pub output: Option<ForwardOutput>,
}

/// The files a background port-forward's stdout and stderr go to (`None`: discarded).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardOutput {
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    /// The job's process id (klog prints it in its error lines).
    pub pid: u32,
}

/// How many traces are kept for the visualizer; older ones are dropped.
pub const TRACE_LIMIT: usize = 64;
/// How many access-log lines a pod keeps (a container log is rotated in reality too).
pub const ACCESS_LOG_LIMIT: usize = 1000;

/// One sessionAffinity: ClientIP memory: which endpoint a client stuck to, on which
/// node (iptables' `recent` module keeps one table per node), until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Affinity {
    pub endpoint: std::net::SocketAddrV4,
    pub expires_unix_millis: i64,
}

/// The network's own mutable state: recent traces, per-pod access logs, kube-proxy's
/// sessionAffinity memory and running port-forwards.
#[derive(Clone, Debug, Default)]
pub struct NetworkState {
    traces: VecDeque<Trace>,
    next_trace_id: u64,
    access_logs: BTreeMap<(String, String), Vec<String>>,
    /// Keyed by (node, service "ns/name:port", client IP).
    pub(crate) affinity: BTreeMap<(String, String, Ipv4Addr), Affinity>,
    pub port_forwards: Vec<PortForward>,
    /// What background port-forwards wrote to their files since the shell last
    /// looked: (path, text), appended in order.
    pub forward_writes: Vec<(String, String)>,
    /// Local ports whose kubectl port-forward exited (lost connection to pod): the
    /// shell marks their jobs done with status 1.
    pub forwards_lost: Vec<u16>,
    /// The local port of a running `kubectl proxy` (8001 by default), if any.
    pub kubectl_proxy_port: Option<u16>,
    /// Container ids whose one-shot command ([`programs::run_one_shot_commands`]) has run.
    pub(crate) one_shots: std::collections::BTreeSet<String>,
}

impl NetworkState {
    /// The most recent traces, oldest first.
    pub fn traces(&self) -> impl Iterator<Item = &Trace> {
        self.traces.iter()
    }

    pub fn last_trace(&self) -> Option<&Trace> {
        self.traces.back()
    }

    pub(crate) fn record(&mut self, mut trace: Trace) -> Trace {
        self.next_trace_id += 1;
        trace.id = self.next_trace_id;
        if self.traces.len() >= TRACE_LIMIT {
            self.traces.pop_front();
        }
        self.traces.push_back(trace.clone());
        trace
    }

    /// A new pod took this name: what an earlier pod of the same name wrote is not its log.
    pub(crate) fn forget_pod(&mut self, namespace: &str, pod: &str) {
        self.access_logs.remove(&(namespace.to_string(), pod.to_string()));
    }

    pub(crate) fn log(&mut self, namespace: &str, pod: &str, line: String) {
        let log = self.access_logs.entry((namespace.to_string(), pod.to_string())).or_default();
        if log.len() >= ACCESS_LOG_LIMIT {
            log.drain(..ACCESS_LOG_LIMIT / 2);
        }
        log.push(line);
    }
}

/// The lines a pod's server wrote for the requests it answered (nginx's combined
/// format, httpd's common format, http-echo's log line), oldest first, as
/// `kubectl logs` shows them after the image's own startup lines.
pub fn access_log(cluster: &Cluster, namespace: &str, pod: &str) -> Vec<String> {
    cluster.network.access_logs.get(&(namespace.to_string(), pod.to_string())).cloned().unwrap_or_default()
}

/// Whether kubesim knows which programs an image ships (see [`image_has_program`]).
pub fn image_programs_known(image: &str) -> bool {
    matches!(
        workloads::image_name(image).as_str(),
        "busybox" | "alpine" | "curlimages/curl" | "nginx" | "httpd" | "e2e-test-images/jessie-dnsutils" | "dnsutils"
            | "nicolaka/netshoot" | "e2e-test-images/agnhost"
    )
}

/// Whether an image ships a program, so a shell inside a pod can answer
/// `sh: curl: not found` as the real image would. Unknown images answer `false`.
pub fn image_has_program(image: &str, program: &str) -> bool {
    let name = workloads::image_name(image);
    // busybox applets that the busybox-based images share.
    let busybox = ["sh", "wget", "nslookup", "ping", "cat", "echo", "ls", "sleep", "env", "hostname"];
    match name.as_str() {
        "busybox" | "alpine" => busybox.contains(&program),
        // curlimages/curl is alpine with curl added.
        "curlimages/curl" => program == "curl" || busybox.contains(&program),
        // The Debian-based nginx image ships curl (for health checks) but no DNS tools.
        "nginx" => matches!(program, "sh" | "bash" | "curl" | "cat" | "echo" | "ls" | "sleep" | "env" | "hostname"),
        "httpd" => matches!(program, "sh" | "bash" | "cat" | "echo" | "ls" | "sleep" | "env" | "hostname"),
        // The DNS debugging image the Kubernetes docs use.
        "e2e-test-images/jessie-dnsutils" | "dnsutils" => {
            matches!(program, "sh" | "bash" | "nslookup" | "dig" | "ping" | "cat" | "echo" | "ls" | "sleep" | "env" | "hostname")
        }
        "nicolaka/netshoot" => matches!(
            program,
            "sh" | "bash" | "curl" | "wget" | "nslookup" | "dig" | "ping" | "cat" | "echo" | "ls" | "sleep" | "env" | "hostname"
        ),
        // agnhost is built on a busybox-like base with curl-free shell tools.
        "e2e-test-images/agnhost" => busybox.contains(&program) || program == "dig",
        _ => false,
    }
}
