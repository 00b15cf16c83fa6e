//! `kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [-it] -- COMMAND [ARGS...]`: runs a
//! command inside a running pod (a Deployment, ReplicaSet or Service picks one of
//! its pods, as kubectl's attachable-pod lookup does). `-it -- sh` (or bash) opens
//! the pod's shell on the learner's terminal ([`crate::shell::pod_session`]); `sh -c
//! SCRIPT` and a script on stdin (`-i`) run through the same shell; other commands run
//! through [`pod_session::run_in_pod`]: the network tools from the pod's place,
//! `hostname`, `env`, the files the kubelet writes into every pod.

use k8s_openapi::api::core::v1::{Container, Pod};

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
    if let Some(phase) = completed_phase(&pod) {
        out.err(&format!("error: cannot exec into a container in a completed pod; current phase is {phase}\n"));
        return 1;
    }
    if !container_running(&pod, &container.name) {
        out.err(&format!("error: unable to upgrade connection: container not found (\"{}\")\n", container.name));
        return 1;
    }
    let stdin_flag = flags.bool("stdin");
    let tty = flags.bool("tty");
    let program = command[0].rsplit('/').next().unwrap_or("").to_string();
    let image = container.image.clone().unwrap_or_default();
    let is_shell = matches!(program.as_str(), "sh" | "bash" | "ash");
    if is_shell && command.len() == 1 && stdin_flag && tty {
        let Some(kind) = pod_session::image_shell(&image, &program) else {
            return exit_status(missing_executable_on_terminal(&command[0], out), out);
        };
        // `kubectl exec -it POD -- sh`: the learner's terminal now talks to the pod.
        if let Some(sh) = host.shell.as_deref_mut() {
            sh.pod_session = Some(PodSession::new(cluster, &pod, &container, kind, SessionEnd::Exec, tty));
            return 0;
        }
        out.err(&format!("kubesim: 'kubectl exec -it ... -- {program}' needs the terminal; run single commands with 'kubectl exec POD -- COMMAND'\n"));
        return 1;
    }
    let stdin = if stdin_flag { stdin } else { None };
    match run_in_container(cluster, &pod, &container, &command, stdin, tty, out) {
        Finished::Exit(code) => exit_status(code, out),
        Finished::Error(message) => {
            out.err(&format!("error: {message}\n"));
            1
        }
    }
}

/// How a command in a container ended, as the kubelet reports it on the exec
/// stream's status channel: an exit code (0 is success), or an error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    Exit(i32),
    Error(String),
}

/// The kubelet's side of `pods/exec` for one command without the learner's terminal
/// (sim-core's `kubectl exec POD -- CMD` and `kubesim serve`'s exec stream): its
/// output goes to `out`; `stdin` is what the client sent (`-i`), if anything.
/// A lone shell reads its script from stdin (`echo ... | kubectl exec -i POD -- sh`)
/// or exits at once on an empty one; `sh -c SCRIPT` runs through the same shell;
/// other commands run through [`pod_session::run_in_pod`].
pub fn run_in_container(
    cluster: &mut Cluster,
    pod: &Pod,
    container: &Container,
    command: &[String],
    stdin: Option<&str>,
    tty: bool,
    out: &mut Output,
) -> Finished {
    let Some(first) = command.first() else { return Finished::Error("you must specify at least one command for the container".into()) };
    let program = first.rsplit('/').next().unwrap_or("").to_string();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let place = Place::pod(&namespace, &pod_name);
    let image = container.image.clone().unwrap_or_default();
    let is_shell = matches!(program.as_str(), "sh" | "bash" | "ash");
    let script = match command.get(1).map(String::as_str) {
        None if is_shell => Some(stdin.unwrap_or("").to_string()),
        Some("-c") if is_shell => Some(command.get(2).cloned().unwrap_or_default()),
        _ => None,
    };
    if let Some(script) = script {
        let Some(kind) = pod_session::image_shell(&image, &program) else {
            return missing_executable(cluster, first, tty, out);
        };
        let mut session = PodSession::new(cluster, pod, container, kind, SessionEnd::Exec, tty);
        let code = pod_session::run_script(cluster, &mut session, &script, out);
        return Finished::Exit(pod_session::end_session(cluster, &session, code, out));
    }
    let env = pod_session::process_env(cluster, pod, container, tty);
    let (user, cwd) = match network::workloads::image_name(&image).as_str() {
        "curlimages/curl" => ("curl_user", "/home/curl_user"),
        "httpd" => ("root", "/usr/local/apache2"),
        _ => ("root", "/"),
    };
    let context = InPod { place, pod, image: &image, cwd, user, env: &env, shell: None };
    match pod_session::run_in_pod(cluster, &context, command, stdin, out) {
        Ran::Code(code) => Finished::Exit(code),
        Ran::Missing => missing_executable(cluster, first, tty, out),
    }
}

/// The phase of a pod that has finished (`Succeeded`, `Failed`): nothing runs in it
/// to exec into.
fn completed_phase(pod: &Pod) -> Option<String> {
    pod.status.as_ref().and_then(|s| s.phase.clone()).filter(|p| p == "Succeeded" || p == "Failed")
}

/// Whether the named container's status says it is running (the kubelet's check
/// before it starts an exec).
fn container_running(pod: &Pod, name: &str) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.name == name))
        .and_then(|c| c.state.as_ref())
        .is_some_and(|s| s.running.is_some())
}

/// The API server's checks before it upgrades a `pods/exec` request (the REST
/// handler and the kubelet): the pod, the container (kubectl names it after
/// defaulting), a pod that has not completed, a running container. `Err` is the
/// Status the client reports as `unable to upgrade connection: ...` (or as is).
pub fn exec_target(cluster: &Cluster, namespace: &str, pod_name: &str, container: Option<&str>) -> Result<(Pod, Container), apiserver::Status> {
    let pod = match apiserver::get(cluster, Kind::Pod, namespace, pod_name)? {
        Object::Pod(p) => (**p).clone(),
        _ => return Err(apiserver::Status::not_found(Kind::Pod, pod_name)),
    };
    let containers = pod.spec.as_ref().map(|s| s.containers.clone()).unwrap_or_default();
    let container = match container {
        Some(name) => containers.iter().find(|c| c.name == name).cloned().ok_or_else(|| {
            apiserver::Status::bad_request(&format!("container {name} is not valid for pod {pod_name}"))
        })?,
        None => match containers.as_slice() {
            [only] => only.clone(),
            _ => {
                let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
                return Err(apiserver::Status::bad_request(&format!(
                    "a container name must be specified for pod {pod_name}, choose one of: [{}]",
                    names.join(" ")
                )));
            }
        },
    };
    if let Some(phase) = completed_phase(&pod) {
        return Err(apiserver::Status::bad_request(&format!("cannot exec into a container in a completed pod; current phase is {phase}")));
    }
    if !container_running(&pod, &container.name) {
        return Err(apiserver::Status::bad_request(&format!("container not found (\"{}\")", container.name)));
    }
    Ok((pod, container))
}

/// The container runtime cannot find the program. Over a terminal (`-t`) the error
/// comes back through the stream with the runtime's exit code 126; without one the
/// kubelet reports it as the stream's error.
fn missing_executable(cluster: &mut Cluster, program: &str, tty: bool, out: &mut Output) -> Finished {
    if tty {
        return Finished::Exit(missing_executable_on_terminal(program, out));
    }
    // containerd names each exec session with a random 64-hex-digit id.
    let exec_id = format!("{}{}", cluster.rng.uuid(), cluster.rng.uuid()).replace('-', "");
    Finished::Error(format!(
        "Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{exec_id}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown"
    ))
}

fn missing_executable_on_terminal(program: &str, out: &mut Output) -> i32 {
    out.out(&format!(
        "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown\n"
    ));
    126
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
        Object::Pod(p) => return Ok((**p).clone()),
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
            Object::Pod(p) => Some((**p).clone()),
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
