//! kubectl: the command line parsed as kubectl parses it, one module per verb.
//!
//! - [`get`]: `kubectl get`.
//! - [`version`]: `kubectl version`.

pub mod get;
pub mod version;

use crate::cluster::Cluster;
use crate::simulator::Output;

/// Runs `kubectl ARGS` against the cluster, writing to `out`; returns the exit code.
pub fn run(cluster: &mut Cluster, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(verb) = args.first() else {
        out.err("kubesim: 'kubectl' without a command is not simulated\n");
        return 1;
    };
    let rest = &args[1..];
    match verb.as_str() {
        "get" => get::run(cluster, rest, out),
        "version" => version::run(rest, out),
        other => {
            out.err(&format!("kubesim: 'kubectl {other}' is not simulated\n"));
            1
        }
    }
}
