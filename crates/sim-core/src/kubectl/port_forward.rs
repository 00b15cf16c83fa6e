//! `kubectl port-forward (POD | TYPE/NAME) [LOCAL:]REMOTE...`: registers a forward
//! from 127.0.0.1:LOCAL on the learner's machine to the pod's port in the network
//! model (`NetworkState::port_forwards`), prints kubectl's `Forwarding from` lines
//! and holds the terminal until Ctrl-C, which ends the forward. A Service or
//! Deployment forwards to one of its pods, with a Service port resolved to the
//! pod's target port, as kubectl does.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::create::namespace_of;
use super::flags;
use super::host::Host;
use super::output;
use crate::apiserver;
use crate::cluster::Cluster;
use crate::network::PortForward;
use crate::resources::Kind;
use crate::shell::{Foreground, StreamJob};
use crate::simulator::Output;
use crate::store::Object;

/// The foreground job of a running port-forward: it ends on Ctrl-C, taking its
/// forwards with it.
#[derive(Clone, Debug)]
struct Forwarding {
    local_ports: Vec<u16>,
}

impl StreamJob for Forwarding {
    fn poll(&mut self, _cluster: &mut Cluster, _out: &mut Output) -> Option<i32> {
        None
    }

    fn interrupt(&mut self, cluster: &mut Cluster, _out: &mut Output) {
        cluster.network.port_forwards.retain(|f| !self.local_ports.contains(&f.local_port));
    }

    fn clone_box(&self) -> Box<dyn StreamJob> {
        Box::new(self.clone())
    }
}

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("port-forward", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    if flags.positional.len() < 2 {
        out.err("error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n");
        return 1;
    }
    let addresses = flags.comma_list("address");
    if addresses.iter().any(|a| a != "localhost" && a != "127.0.0.1") {
        out.err("kubesim: 'kubectl port-forward --address' other than localhost is not simulated\n");
        return 1;
    }
    let target = &flags.positional[0];
    let (type_name, name) = target.split_once('/').unwrap_or(("pod", target.as_str()));
    let rt = match output::lookup(type_name) {
        Ok(rt) => rt,
        Err(t) => {
            out.err(&t);
            return 1;
        }
    };
    let object = match apiserver::get(cluster, rt.kind, &namespace, name) {
        Ok(o) => o.clone(),
        Err(status) => return output::print_status(&status, out),
    };
    let (pod, service) = match &object {
        Object::Pod(p) => (Some((**p).clone()), None),
        Object::Service(s) => {
            let sel = s.spec.as_ref().and_then(|s| s.selector.clone()).unwrap_or_default();
            (first_pod(cluster, &namespace, |p| crate::labels::map_matches(&sel, p.metadata.labels.as_ref()) && !sel.is_empty()), Some((**s).clone()))
        }
        Object::Deployment(d) => {
            let sel = d.spec.as_ref().map(|s| s.selector.clone());
            (first_pod(cluster, &namespace, |p| crate::labels::label_selector_matches(sel.as_ref(), p.metadata.labels.as_ref())), None)
        }
        Object::ReplicaSet(r) => {
            let sel = r.spec.as_ref().map(|s| s.selector.clone());
            (first_pod(cluster, &namespace, |p| crate::labels::label_selector_matches(sel.as_ref(), p.metadata.labels.as_ref())), None)
        }
        _ => {
            out.err(&format!("error: cannot attach to *v1.{}: selector for *v1.{} not implemented\n", rt.kind_name, rt.kind_name));
            return 1;
        }
    };
    let Some(pod) = pod else {
        out.err("error: timed out waiting for the condition\n");
        return 1;
    };
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase != "Running" {
        out.err(&format!("error: unable to forward port because pod is not running. Current status={phase}\n"));
        return 1;
    }
    let mut forwards: Vec<(u16, u16)> = Vec::new();
    for spec in &flags.positional[1..] {
        let (local, remote) = match spec.split_once(':') {
            Some((l, r)) => (l.to_string(), r.to_string()),
            None => (spec.clone(), spec.clone()),
        };
        let remote_port = match resolve_remote(&remote, service.as_ref(), &pod) {
            Some(p) => p,
            None => {
                out.err(&format!("error: Service {name} does not have a service port {remote}\n"));
                return 1;
            }
        };
        let local_port: u16 = if local.is_empty() {
            // `:80` picks a free local port; kubesim picks from the ephemeral range.
            32768 + (cluster.rng.below(28232) as u16)
        } else {
            match local.parse() {
                Ok(p) => p,
                Err(_) => {
                    out.err(&format!("error: Error parsing local port '{local}': strconv.ParseUint: parsing \"{local}\": invalid syntax\n"));
                    return 1;
                }
            }
        };
        forwards.push((local_port, remote_port));
    }
    for (local, _) in &forwards {
        if cluster.network.port_forwards.iter().any(|f| f.local_port == *local) {
            out.err(&format!(
                "Unable to listen on port {local}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:{local}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:{local}: bind: address already in use]\nerror: unable to listen on any of the requested ports: [{{{local} {}}}]\n",
                forwards.iter().find(|(l, _)| l == local).map(|(_, r)| *r).unwrap_or(0)
            ));
            return 1;
        }
    }
    let pod_namespace = pod.metadata.namespace.clone().unwrap_or(namespace);
    for (local, remote) in &forwards {
        cluster.network.port_forwards.push(PortForward { local_port: *local, namespace: pod_namespace.clone(), pod: pod_name.clone(), pod_port: *remote });
        out.out(&format!("Forwarding from 127.0.0.1:{local} -> {remote}\nForwarding from [::1]:{local} -> {remote}\n"));
    }
    if let Some(sh) = host.shell.as_mut() {
        if sh.interactive_terminal {
            sh.foreground = Some(Foreground::Stream(Box::new(Forwarding { local_ports: forwards.iter().map(|(l, _)| *l).collect() })));
        }
    }
    0
}

/// What ends with a background `kubectl port-forward` job (`kill %1`): the
/// forwards from the local ports its command line names.
pub fn stop_background(cluster: &mut Cluster, argv: &[String]) {
    let Some(parsed) = flags::parse_command_line(argv, "port-forward") else { return };
    let local_ports: Vec<u16> = parsed
        .positional
        .iter()
        .skip(1)
        .filter_map(|spec| spec.split_once(':').map(|(l, _)| l).unwrap_or(spec).parse().ok())
        .collect();
    cluster.network.port_forwards.retain(|f| !local_ports.contains(&f.local_port));
}

fn first_pod(cluster: &Cluster, namespace: &str, matches: impl Fn(&Pod) -> bool) -> Option<Pod> {
    let mut pods: Vec<Pod> = cluster
        .store
        .list(Kind::Pod, Some(namespace))
        .filter_map(|o| match o {
            Object::Pod(p) => Some((**p).clone()),
            _ => None,
        })
        .filter(|p| matches(p))
        .collect();
    let running = |p: &Pod| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
    crate::sort::sort_by(&mut pods, |a, b| running(b).cmp(&running(a)));
    pods.into_iter().next()
}

/// The pod port a remote port names: a number, a container port name, or for a
/// Service its port, resolved to the target port.
fn resolve_remote(remote: &str, service: Option<&k8s_openapi::api::core::v1::Service>, pod: &Pod) -> Option<u16> {
    let container_port_named = |name: &str| -> Option<u16> {
        pod.spec.as_ref()?.containers.iter().flat_map(|c| c.ports.clone().unwrap_or_default()).find(|p| p.name.as_deref() == Some(name)).and_then(|p| u16::try_from(p.container_port).ok())
    };
    match service {
        None => remote.parse().ok().or_else(|| container_port_named(remote)),
        Some(svc) => {
            let ports = svc.spec.as_ref()?.ports.clone().unwrap_or_default();
            let port = ports.iter().find(|p| p.port.to_string() == remote || p.name.as_deref() == Some(remote))?;
            match &port.target_port {
                Some(IntOrString::Int(n)) => u16::try_from(*n).ok(),
                Some(IntOrString::String(name)) => container_port_named(name),
                None => u16::try_from(port.port).ok(),
            }
        }
    }
}
