//! `kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [-it] -- COMMAND [ARGS...]`: runs a
//! command inside a running pod (a Deployment, ReplicaSet or Service picks one of
//! its pods, as kubectl's attachable-pod lookup does). `-it -- sh` (or bash) opens
//! the pod's shell on the learner's terminal ([`crate::shell::pod_session`]); `sh -c
//! SCRIPT` and a script on stdin (`-i`) run through the same shell; other commands run
//! through [`pod_session::run_in_pod`]: the network tools from the pod's place,
//! `hostname`, `env`, the files the kubelet writes into every pod.

use k8s_openapi::api::core::v1::Pod;

use super::create::namespace_of;
use super::flags;
use super::host::Host;
use super::output;
use crate::apiserver;
use crate::cluster::Cluster;
use crate::network::{self, Place};
use crate::shell::pod_session::{self, InPod, PodSession, Ran, SessionEnd};
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
    let stdin_flag = flags.bool("stdin");
    let tty = flags.bool("tty");
    let program = command[0].rsplit('/').next().unwrap_or("").to_string();
    let place = Place::pod(pod.metadata.namespace.as_deref().unwrap_or(&namespace), &pod_name);
    let image = container.image.clone().unwrap_or_default();
    let is_shell = matches!(program.as_str(), "sh" | "bash" | "ash");
    if is_shell && command.len() == 1 {
        let Some(kind) = pod_session::image_shell(&image, &program) else {
            return missing_executable(cluster, &command[0], tty, out);
        };
        let mut session = PodSession::new(cluster, &pod, &container, kind, SessionEnd::Exec, tty);
        if stdin_flag && tty {
            // `kubectl exec -it POD -- sh`: the learner's terminal now talks to the pod.
            if let Some(sh) = host.shell.as_deref_mut() {
                sh.pod_session = Some(session);
                return 0;
            }
            out.err(&format!("kubesim: 'kubectl exec -it ... -- {program}' needs the terminal; run single commands with 'kubectl exec POD -- COMMAND'\n"));
            return 1;
        }
        // Without a terminal the shell reads its script from stdin (`echo ... |
        // kubectl exec -i POD -- sh`), or exits at once on an empty one.
        let script = if stdin_flag { stdin.unwrap_or("") } else { "" };
        let code = pod_session::run_script(cluster, &mut session, script, out);
        return pod_session::end_session(cluster, &session, code, out);
    }
    if is_shell && command.get(1).map(String::as_str) == Some("-c") {
        let Some(kind) = pod_session::image_shell(&image, &program) else {
            return missing_executable(cluster, &command[0], tty, out);
        };
        let mut session = PodSession::new(cluster, &pod, &container, kind, SessionEnd::Exec, tty);
        let script = command.get(2).cloned().unwrap_or_default();
        let code = pod_session::run_script(cluster, &mut session, &script, out);
        return pod_session::end_session(cluster, &session, code, out);
    }
    let env = pod_session::process_env(cluster, &pod, &container, tty);
    let (user, cwd) = match network::workloads::image_name(&image).as_str() {
        "curlimages/curl" => ("curl_user", "/home/curl_user"),
        "httpd" => ("root", "/usr/local/apache2"),
        _ => ("root", "/"),
    };
    let context = InPod { place, pod: &pod, image: &image, cwd, user, env: &env, shell: None };
    match pod_session::run_in_pod(cluster, &context, &command, stdin, out) {
        Ran::Code(code) => exit_status(code, out),
        Ran::Missing => missing_executable(cluster, &command[0], tty, out),
    }
}

/// The container runtime cannot find the program. Over a terminal (`-t`) the error
/// comes back through the stream with the runtime's exit code 126; without one the
/// API server reports it.
fn missing_executable(cluster: &mut Cluster, program: &str, tty: bool, out: &mut Output) -> i32 {
    if tty {
        out.out(&format!(
            "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown\n"
        ));
        return exit_status(126, out);
    }
    // containerd names each exec session with a random 64-hex-digit id.
    let exec_id = format!("{}{}", cluster.rng.uuid(), cluster.rng.uuid()).replace('-', "");
    out.err(&format!(
        "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{exec_id}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown\n"
    ));
    1
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
        // A Service's selector is a plain map; as a LabelSelector it matches the same pods.
        Object::Service(s) => s.spec.as_ref().and_then(|s| s.selector.clone()).filter(|m| !m.is_empty()).map(|m| {
            k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector { match_labels: Some(m), match_expressions: None }
        }),
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

fn exit_status(code: i32, out: &mut Output) -> i32 {
    if code != 0 {
        out.err(&format!("command terminated with exit code {code}\n"));
    }
    code
}
