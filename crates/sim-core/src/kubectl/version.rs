//! `kubectl version`: the client's version and the simulated server's.

use crate::cluster::{KUBECTL_VERSION, KUBELET_VERSION, KUSTOMIZE_VERSION};
use crate::simulator::Output;

pub fn run(args: &[String], out: &mut Output) -> i32 {
    let flags = match super::flags::parse_or_report("version", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let output = flags.string("output");
    // kubectl's own check (`Options.Validate`): only yaml and json are formats here.
    if !output.is_empty() && output != "yaml" && output != "json" {
        out.err("error: --output must be 'yaml' or 'json'\n");
        return 1;
    }
    if !output.is_empty() {
        out.err(&format!("kubesim: 'kubectl version -o {output}' is not simulated\n"));
        return 1;
    }
    if let Some(other) = flags.positional.first() {
        out.err(&format!("kubesim: 'kubectl version {other}' is not simulated\n"));
        return 1;
    }
    out.out(&format!("Client Version: {KUBECTL_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"));
    if !flags.bool("client") {
        out.out(&format!("Server Version: {KUBELET_VERSION}\n"));
    }
    0
}
