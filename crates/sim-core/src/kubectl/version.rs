//! `kubectl version`: the client's version and the simulated server's.

use crate::cluster::{KUBECTL_VERSION, KUBELET_VERSION, KUSTOMIZE_VERSION};
use crate::simulator::Output;

pub fn run(args: &[String], out: &mut Output) -> i32 {
    let client_only = args.iter().any(|a| a == "--client" || a == "--client=true");
    if let Some(other) = args.iter().find(|a| !a.starts_with("--client")) {
        out.err(&format!("kubesim: 'kubectl version {other}' is not simulated\n"));
        return 1;
    }
    out.out(&format!("Client Version: {KUBECTL_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"));
    if !client_only {
        out.out(&format!("Server Version: {KUBELET_VERSION}\n"));
    }
    0
}
