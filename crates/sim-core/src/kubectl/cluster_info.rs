//! `kubectl cluster-info`: the API server's URL from the kubeconfig and every
//! kube-system Service labelled `kubernetes.io/cluster-service=true` (CoreDNS on
//! kind), as `https://<server>/api/v1/namespaces/kube-system/services/<name>:<port>/proxy`.

use super::flags;
use super::host::Host;
use crate::cluster::Cluster;
use crate::resources::Kind;
use crate::simulator::Output;
use crate::store::Object;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("cluster-info", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if flags.positional.first().map(String::as_str) == Some("dump") {
        out.err("kubesim: 'kubectl cluster-info dump' is not simulated\n");
        return 1;
    }
    let server = host.kubeconfig().server();
    let mut text = format!("Kubernetes control plane is running at {server}\n");
    for object in cluster.store.list(Kind::Service, Some("kube-system")) {
        let Object::Service(svc) = object else { continue };
        let labels = svc.metadata.labels.clone().unwrap_or_default();
        if labels.get("kubernetes.io/cluster-service").map(String::as_str) != Some("true") {
            continue;
        }
        let name = labels.get("kubernetes.io/name").cloned().unwrap_or_else(|| object.name().to_string());
        // The first port, by name when it has one (`kube-dns:dns`).
        let port = svc
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .and_then(|p| p.first())
            .map(|p| p.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| p.port.to_string()))
            .unwrap_or_default();
        let link = if port.is_empty() {
            format!("{server}/api/v1/namespaces/kube-system/services/{}/proxy", object.name())
        } else {
            format!("{server}/api/v1/namespaces/kube-system/services/{}:{port}/proxy", object.name())
        };
        text.push_str(&format!("{name} is running at {link}\n"));
    }
    text.push_str("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
    out.out(&text);
    0
}
