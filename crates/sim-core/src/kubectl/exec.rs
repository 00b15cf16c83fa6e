//! `kubectl exec POD [-c CONTAINER] -- COMMAND [ARGS...]`: runs a command inside a
//! running pod. The network tools (curl, wget, nslookup, dig, ping) run through the
//! network model from the pod's place; `hostname`, `echo` and the files the kubelet
//! writes into every pod (`/etc/resolv.conf`, `/etc/hosts`) are answered here;
//! `sh -c 'ONE COMMAND'` runs that command. Interactive shells (`-it -- sh`) and
//! other programs say plainly that they are not simulated.

use k8s_openapi::api::core::v1::Pod;

use super::create::namespace_of;
use super::flags;
use super::host::Host;
use super::output;
use crate::apiserver;
use crate::cluster::Cluster;
use crate::network::{self, Place};
use crate::resources::Kind;
use crate::simulator::Output;
use crate::store::Object;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("exec", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    let dash = flags.args_len_at_dash;
    let before: Vec<String> = flags.positional[..dash.unwrap_or(flags.positional.len()).min(flags.positional.len())].to_vec();
    let command: Vec<String> = match dash {
        Some(n) => flags.positional.get(n..).unwrap_or(&[]).to_vec(),
        None => Vec::new(),
    };
    let Some(target) = before.first() else {
        out.err("error: pod, type/name or --filename must be specified\n");
        return 1;
    };
    if before.len() > 1 {
        out.err("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples\n");
        return 1;
    }
    if command.is_empty() {
        out.err("error: you must specify at least one command for the container\n");
        return 1;
    }
    let pod = match find_pod(cluster, target, &namespace, out) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let containers = pod.spec.as_ref().map(|s| s.containers.clone()).unwrap_or_default();
    let container_name = flags.string("container");
    let container = if container_name.is_empty() {
        if containers.len() > 1 {
            let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
            out.err(&format!("Defaulted container \"{}\" out of: {}\n", names[0], names.join(", ")));
        }
        containers.first().cloned()
    } else {
        match containers.iter().find(|c| c.name == container_name) {
            Some(c) => Some(c.clone()),
            None => {
                out.err(&format!("Error from server (BadRequest): container {container_name} is not valid for pod {pod_name}\n"));
                return 1;
            }
        }
    };
    let Some(container) = container else { return 1 };
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        out.err(&format!("error: cannot exec into a container in a completed pod; current phase is {phase}\n"));
        return 1;
    }
    let running = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.name == container.name))
        .and_then(|c| c.state.as_ref())
        .is_some_and(|s| s.running.is_some());
    if !running {
        out.err(&format!("error: unable to upgrade connection: container not found (\"{}\")\n", container.name));
        return 1;
    }
    let interactive = flags.bool("stdin") || flags.bool("tty");
    let program = command[0].rsplit('/').next().unwrap_or("").to_string();
    if interactive && matches!(program.as_str(), "sh" | "bash" | "ash") && command.len() == 1 {
        out.err(&format!("kubesim: 'kubectl exec -it ... -- {program}' (an interactive shell in a pod) is not simulated; run single commands with 'kubectl exec POD -- COMMAND'\n"));
        return 1;
    }
    let place = Place::pod(pod.metadata.namespace.as_deref().unwrap_or(&namespace), &pod_name);
    let image = container.image.clone().unwrap_or_default();
    run_in_pod(cluster, &place, &pod, &image, &command, stdin, out)
}

fn find_pod(cluster: &Cluster, target: &str, namespace: &str, out: &mut Output) -> Result<Pod, i32> {
    let (type_name, name) = match target.split_once('/') {
        Some((t, n)) => (t, n),
        None => ("pod", target),
    };
    let rt = match output::lookup(type_name) {
        Ok(rt) => rt,
        Err(t) => {
            out.err(&t);
            return Err(1);
        }
    };
    let object = match apiserver::get(cluster, rt.kind, namespace, name) {
        Ok(o) => o.clone(),
        Err(status) => return Err(output::print_status(&status, out)),
    };
    let selector = match &object {
        Object::Pod(p) => return Ok(p.clone()),
        Object::Deployment(d) => d.spec.as_ref().map(|s| s.selector.clone()),
        Object::ReplicaSet(r) => r.spec.as_ref().map(|s| s.selector.clone()),
        _ => None,
    };
    let Some(selector) = selector else {
        out.err(&format!("error: cannot attach to {}: selector for {} not implemented\n", object.resource_type().qualified_kind_lower(), rt.kind_name));
        return Err(1);
    };
    let pod = cluster
        .store
        .list(Kind::Pod, Some(namespace))
        .filter_map(|o| match o {
            Object::Pod(p) => Some(p.clone()),
            _ => None,
        })
        .find(|p| crate::labels::label_selector_matches(Some(&selector), p.metadata.labels.as_ref()));
    pod.ok_or_else(|| {
        out.err("error: timed out waiting for the condition\n");
        1
    })
}

/// Runs one command line inside the pod.
fn run_in_pod(cluster: &mut Cluster, place: &Place, pod: &Pod, image: &str, command: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let program = command[0].rsplit('/').next().unwrap_or("").to_string();
    if matches!(program.as_str(), "sh" | "bash" | "ash") && command.get(1).map(String::as_str) == Some("-c") {
        let script = command.get(2).cloned().unwrap_or_default();
        let words = split_words(&script);
        if words.is_empty() || script.contains(['|', ';', '&', '>', '<', '$', '`']) {
            out.err(&format!("kubesim: '{program} -c {script}' inside a pod is not simulated (one simple command is)\n"));
            return 1;
        }
        return run_in_pod(cluster, place, pod, image, &words, stdin, out);
    }
    if let Some(code) = network::programs::run_program(cluster, place, command, stdin, out) {
        return exit_status(code, out);
    }
    let known = network::image_programs_known(image);
    if known && !network::image_has_program(image, &program) {
        // containerd names each exec session with a random 64-hex-digit id.
        let exec_id = format!("{}{}", cluster.rng.uuid(), cluster.rng.uuid()).replace('-', "");
        out.err(&format!(
            "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{exec_id}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown\n",
            command[0]
        ));
        return 1;
    }
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    match program.as_str() {
        "hostname" => {
            out.out(&format!("{pod_name}\n"));
            0
        }
        "echo" => {
            out.out(&format!("{}\n", command[1..].join(" ")));
            0
        }
        "true" => 0,
        "false" => exit_status(1, out),
        "cat" if command.len() == 2 => match command[1].as_str() {
            "/etc/resolv.conf" => {
                out.out(&format!(
                    "search {namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
                ));
                0
            }
            "/etc/hostname" => {
                out.out(&format!("{pod_name}\n"));
                0
            }
            "/etc/hosts" => {
                let ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
                out.out(&format!(
                    "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\t{pod_name}\n"
                ));
                0
            }
            other => {
                out.err(&format!("kubesim: 'cat {other}' inside a pod is not simulated\n"));
                1
            }
        },
        _ => {
            out.err(&format!("kubesim: '{}' inside a pod is not simulated\n", command.join(" ")));
            1
        }
    }
}

/// kubectl reports a non-zero exit of the remote command and exits with it.
fn exit_status(code: i32, out: &mut Output) -> i32 {
    if code != 0 {
        out.err(&format!("command terminated with exit code {code}\n"));
    }
    code
}

/// Splits `sh -c` text into words, honouring single and double quotes.
fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        words.push(cur);
    }
    words
}
