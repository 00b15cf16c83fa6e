//! `kubectl proxy [--port=PORT]`: serves the API server on 127.0.0.1:PORT of the
//! learner's machine (`NetworkState::kubectl_proxy_port`; what it answers is
//! `network::api_proxy`). kubectl prints `Starting to serve on 127.0.0.1:PORT` and
//! holds the terminal until Ctrl-C; `kubectl proxy &` keeps it as a background job
//! until `kill %N`.

use super::flags;
use super::host::Host;
use crate::cluster::Cluster;
use crate::shell::{Foreground, StreamJob};
use crate::simulator::Output;

/// Flags of `kubectl proxy` that change what it serves or where; kubesim serves
/// the API on a local TCP port only, with the default filter.
const UNSIMULATED_FLAGS: &[&str] = &[
    "unix-socket",
    "www",
    "www-prefix",
    "api-prefix",
    "accept-hosts",
    "accept-paths",
    "reject-paths",
    "reject-methods",
    "disable-filter",
    "append-server-path",
];

/// The foreground job of a running proxy: it serves until Ctrl-C.
#[derive(Clone, Debug)]
struct Serving {
    port: u16,
}

impl StreamJob for Serving {
    fn poll(&mut self, _cluster: &mut Cluster, _out: &mut Output) -> Option<i32> {
        None
    }

    fn interrupt(&mut self, cluster: &mut Cluster, _out: &mut Output) {
        stop(cluster, self.port);
    }

    fn clone_box(&self) -> Box<dyn StreamJob> {
        Box::new(self.clone())
    }
}

/// Ends the proxy listening on `port`, if it is the one running.
pub fn stop(cluster: &mut Cluster, port: u16) {
    if cluster.network.kubectl_proxy_port == Some(port) {
        cluster.network.kubectl_proxy_port = None;
    }
}

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("proxy", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if let Err(code) = flags::reject_unsimulated(&flags, "proxy", UNSIMULATED_FLAGS, out) {
        return code;
    }
    let address = flags.string("address");
    if address != "127.0.0.1" && address != "localhost" {
        out.err("kubesim: 'kubectl proxy --address' other than 127.0.0.1 is not simulated\n");
        return 1;
    }
    // pflag has already checked that --port is an int; Go's net.Listen then refuses
    // what is not a TCP port.
    let requested = flags.int("port");
    let port: u16 = match u16::try_from(requested) {
        // Port 0 asks the kernel for a free ephemeral port.
        Ok(0) => 32768 + (cluster.rng.below(28232) as u16),
        Ok(p) => p,
        Err(_) => {
            out.err(&format!("error: listen tcp: address {requested}: invalid port\n"));
            return 1;
        }
    };
    let taken = cluster.network.kubectl_proxy_port == Some(port)
        || cluster.network.port_forwards.iter().any(|f| f.local_port == port);
    if taken {
        out.err(&format!("error: listen tcp {address}:{port}: bind: address already in use\n"));
        return 1;
    }
    if cluster.network.kubectl_proxy_port.is_some() {
        // The network model has room for one proxy; a second on another port would
        // silently replace the first, so say so instead.
        out.err("kubesim: a second 'kubectl proxy' while one is running is not simulated\n");
        return 1;
    }
    cluster.network.kubectl_proxy_port = Some(port);
    out.out(&format!("Starting to serve on {address}:{port}\n"));
    if let Some(sh) = host.shell.as_mut() {
        if sh.interactive_terminal {
            sh.foreground = Some(Foreground::Stream(Box::new(Serving { port })));
        }
    }
    0
}

/// What ends with a background `kubectl proxy` job (`kill %1`): the command line
/// as typed gives its port.
pub fn stop_background(cluster: &mut Cluster, argv: &[String]) {
    if let Some(port) = flags::parse_command_line(argv, "proxy").and_then(|f| u16::try_from(f.int("port")).ok()) {
        stop(cluster, port);
    }
}

#[cfg(test)]
mod tests {
    use crate::simulator::{ClusterConfig, Simulator};

    #[test]
    fn proxy_holds_the_terminal_and_serves_until_ctrl_c() {
        let mut sim = Simulator::new(ClusterConfig::default());
        sim.shell.set_interactive_terminal(true);
        let started = sim.run_line("kubectl proxy --port=8080");
        assert_eq!(started.stdout, "Starting to serve on 127.0.0.1:8080\n");
        assert_eq!(sim.cluster.network.kubectl_proxy_port, Some(8080));
        assert!(sim.shell.foreground_active());
        let stopped = sim.feed_keys("\x03");
        assert_eq!((stopped.display.as_str(), stopped.exit_code), ("^C\n", 130));
        assert_eq!(sim.cluster.network.kubectl_proxy_port, None);
    }

    #[test]
    fn a_proxy_brought_back_with_fg_stops_on_ctrl_c() {
        let mut sim = Simulator::new(ClusterConfig::default());
        sim.shell.set_interactive_terminal(true);
        sim.run_line("kubectl proxy --port=8001 &");
        assert_eq!(sim.cluster.network.kubectl_proxy_port, Some(8001));
        let resumed = sim.run_line("fg");
        assert_eq!(resumed.stdout, "kubectl proxy --port=8001\n");
        assert!(sim.shell.foreground_active());
        assert_eq!(sim.feed_keys("\x03").exit_code, 130);
        assert_eq!(sim.cluster.network.kubectl_proxy_port, None);
        assert!(sim.shell.jobs.is_empty());
    }

    #[test]
    fn the_default_filter_refuses_exec_and_attach() {
        let mut sim = Simulator::new(ClusterConfig::default());
        sim.run_line("kubectl proxy --port=8001 &");
        let exec = sim.run_line("curl -s -w ' %{http_code}' 127.0.0.1:8001/api/v1/namespaces/default/pods/x/exec");
        assert_eq!(exec.stdout, "Forbidden\n 403");
        let attach = sim.run_line("curl -s -o /dev/null -w '%{http_code}' -X POST 127.0.0.1:8001/api/v1/namespaces/default/pods/x/attach");
        assert_eq!(attach.stdout, "403");
        // Not under /api/: the filter lets it through to the API server.
        let apis = sim.run_line("curl -s -o /dev/null -w '%{http_code}' 127.0.0.1:8001/apis/apps/v1/namespaces/default/pods/x/exec");
        assert_eq!(apis.stdout, "404");
    }

    #[test]
    fn proxy_errors() {
        let mut sim = Simulator::new(ClusterConfig::default());
        let bad = sim.run_line("kubectl proxy --port=abc");
        assert_eq!(
            bad.stderr,
            "error: invalid argument \"abc\" for \"-p, --port\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax\nSee 'kubectl proxy --help' for usage.\n"
        );
        assert_eq!(sim.run_line("kubectl proxy -p 70000").stderr, "error: listen tcp: address 70000: invalid port\n");
        assert_eq!(sim.run_line("kubectl proxy --www=.").stderr, "kubesim: 'kubectl proxy --www' is not simulated\n");
        sim.run_line("kubectl proxy &");
        let again = sim.run_line("kubectl proxy");
        assert_eq!(again.stderr, "error: listen tcp 127.0.0.1:8001: bind: address already in use\n");
        assert_eq!(again.exit_code, 1);
    }
}
