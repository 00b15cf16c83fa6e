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
    // kubectl's Complete: a Service's ports become the pod's target ports, a pod's
    // named ports become numbers; errors here come before the pod's phase is checked.
    let mut specs: Vec<String> = Vec::new();
    for spec in flags.positional.iter().skip(1) {
        let translated = match &service {
            Some(svc) => translate_service_port(spec, svc, &pod),
            None => translate_pod_port(spec, &pod),
        };
        match translated {
            Ok(t) => specs.push(t),
            Err(message) => {
                out.err(&format!("error: {message}\n"));
                return 1;
            }
        }
    }
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase != "Running" {
        out.err(&format!("error: unable to forward port because pod is not running. Current status={phase}\n"));
        return 1;
    }
    // client-go's NewOnAddresses: the addresses, then the ports.
    // `localhost` listens on both loopbacks; the listeners are opened (and their
    // `Forwarding from` lines printed) in the order of the addresses as text.
    let mut listen: Vec<&str> = Vec::new();
    let mut addresses = flags.comma_list("address");
    if addresses.is_empty() {
        addresses.push("localhost".to_string());
    }
    for address in &addresses {
        let loopbacks: &[&str] = match address.as_str() {
            "localhost" => &["127.0.0.1", "::1"],
            "127.0.0.1" => &["127.0.0.1"],
            "::1" => &["::1"],
            other if other.parse::<std::net::IpAddr>().is_err() => {
                out.err(&format!("error: {other} is not a valid IP\n"));
                return 1;
            }
            _ => {
                out.err("kubesim: 'kubectl port-forward --address' other than loopback is not simulated\n");
                return 1;
            }
        };
        for l in loopbacks {
            if !listen.contains(l) {
                listen.push(l);
            }
        }
    }
    listen.sort();
    let mut forwards: Vec<(u16, u16)> = Vec::new();
    for spec in &specs {
        let (local_port, remote_port) = match parse_port_spec(spec) {
            Ok(p) => p,
            Err(message) => {
                out.err(&format!("error: {message}\n"));
                return 1;
            }
        };
        // Local port 0 (`:80`) lets the kernel pick a free port; kubesim picks from
        // the ephemeral range.
        let local_port = if local_port == 0 { 32768 + (cluster.rng.below(28232) as u16) } else { local_port };
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
        cluster.network.port_forwards.push(PortForward {
            local_port: *local,
            namespace: pod_namespace.clone(),
            pod: pod_name.clone(),
            pod_port: *remote,
            output: None,
        });
        for address in &listen {
            let shown = if address.contains(':') { format!("[{address}]") } else { address.to_string() };
            out.out(&format!("Forwarding from {shown}:{local} -> {remote}\n"));
        }
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
    let local_ports = local_ports(argv);
    cluster.network.port_forwards.retain(|f| !local_ports.contains(&f.local_port));
}

/// The local ports a `kubectl port-forward` command line names.
pub fn local_ports(argv: &[String]) -> Vec<u16> {
    let Some(parsed) = flags::parse_command_line(argv, "port-forward") else { return Vec::new() };
    parsed.positional.iter().skip(1).filter_map(|spec| spec.split_once(':').map(|(l, _)| l).unwrap_or(spec).parse().ok()).collect()
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

/// `LOCAL:REMOTE` as kubectl's `splitPort` splits it: two parts, or the whole as both.
fn split_port(spec: &str) -> (&str, &str) {
    let parts: Vec<&str> = spec.split(':').collect();
    match parts.as_slice() {
        [local, remote] => (local, remote),
        // `1:2:3` is "1" on both sides, as kubectl splits it.
        _ => (parts.first().copied().unwrap_or(spec), parts.first().copied().unwrap_or(spec)),
    }
}

/// A container port by name (`LookupContainerPortNumberByName`).
fn container_port_named(pod: &Pod, name: &str) -> Result<i32, String> {
    pod.spec
        .as_ref()
        .into_iter()
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(name))
        .map(|p| p.container_port)
        .ok_or_else(|| format!("Pod '{}' does not have a named port '{name}'", pod.metadata.name.clone().unwrap_or_default()))
}

/// kubectl's `convertPodNamedPortToNumber`.
fn translate_pod_port(spec: &str, pod: &Pod) -> Result<String, String> {
    let (local, remote) = split_port(spec);
    if remote.is_empty() {
        return Err("remote port cannot be empty".to_string());
    }
    let number = if go_atoi(remote) { remote.to_string() } else { container_port_named(pod, remote)?.to_string() };
    Ok(if local != remote { format!("{local}:{number}") } else { number })
}

/// kubectl's `translateServicePortToTargetPort`: a Service port (number or name)
/// becomes the container port its targetPort names.
fn translate_service_port(spec: &str, svc: &k8s_openapi::api::core::v1::Service, pod: &Pod) -> Result<String, String> {
    let (local, remote) = split_port(spec);
    let svc_name = svc.metadata.name.clone().unwrap_or_default();
    let ports = svc.spec.as_ref().and_then(|s| s.ports.clone()).unwrap_or_default();
    let mut local = local.to_string();
    let number: i32 = if go_atoi(remote) {
        remote.parse().unwrap_or(0)
    } else {
        let named = ports
            .iter()
            .find(|p| p.name.as_deref() == Some(remote))
            .map(|p| p.port)
            .ok_or_else(|| format!("Service '{svc_name}' does not have a named port '{remote}'"))?;
        if local == remote {
            local = named.to_string();
        }
        named
    };
    let headless = svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None");
    let container = match ports.iter().find(|p| p.port == number) {
        None => return Err(format!("Service {svc_name} does not have a service port {number}")),
        Some(_) if headless => number,
        Some(p) => match &p.target_port {
            Some(IntOrString::String(name)) => container_port_named(pod, name)?,
            Some(IntOrString::Int(0)) | None => p.port,
            Some(IntOrString::Int(n)) => *n,
        },
    };
    let remote = container.to_string();
    Ok(if local != remote { format!("{local}:{remote}") } else { remote })
}

/// Whether Go's `strconv.Atoi` takes the text (an optional sign, then digits).
fn go_atoi(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && text.parse::<i64>().is_ok()
}

/// client-go's `parsePorts` for one spec: `REMOTE`, `LOCAL:REMOTE` or `:REMOTE`.
fn parse_port_spec(spec: &str) -> Result<(u16, u16), String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (local, remote) = match parts.as_slice() {
        [one] => (*one, *one),
        [local, remote] => (if local.is_empty() { "0" } else { *local }, *remote),
        _ => return Err(format!("invalid port format '{spec}'")),
    };
    let local_port = parse_uint16(local).map_err(|e| format!("error parsing local port '{local}': {e}"))?;
    let remote_port = parse_uint16(remote).map_err(|e| format!("error parsing remote port '{remote}': {e}"))?;
    if remote_port == 0 {
        return Err("remote port must be > 0".to_string());
    }
    Ok((local_port, remote_port))
}

/// `strconv.ParseUint(text, 10, 16)` and its error text.
fn parse_uint16(text: &str) -> Result<u16, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.ParseUint: parsing {text:?}: invalid syntax"));
    }
    text.parse::<u16>().map_err(|_| format!("strconv.ParseUint: parsing {text:?}: value out of range"))
}
