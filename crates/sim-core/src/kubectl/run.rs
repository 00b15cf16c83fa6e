//! `kubectl run NAME --image=IMAGE`: one Pod, built as kubectl's pod generator
//! builds it (`run=NAME` label unless `--labels`, `dnsPolicy: ClusterFirst`,
//! `restartPolicy` from `--restart`, arguments after `--` as `args`, or as `command`
//! with `--command`), and with `--expose` a ClusterIP Service in front of it.
//! `-i`/`-it` attach as kubectl does: wait for the pod on the virtual clock, then a
//! shell (`-- sh`) takes the terminal as a [`PodSession`], other commands show their
//! output; `--rm` deletes the pod afterwards (`pod "test" deleted`).

use serde_json::{json, Map, Value};

use super::create::{field_validation, namespace_of, send_create};
use super::flags;
use super::host::Host;
use super::output::{self, DryRun};
use crate::cluster::Cluster;
use crate::network;
use crate::resources::{self, Kind};
use crate::shell::pod_session::{self, PodSession, SessionEnd};
use k8s_openapi::api::core::v1::{Container, Pod};
use crate::simulator::Output;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("run", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let format = flags.string("output");
    if let Err(code) = output::check_output_format(&format, out) {
        return code;
    }
    // cobra checks the required flag before the command looks at NAME.
    if !flags.changed("image") {
        out.err("error: required flag(s) \"image\" not set\n");
        return 1;
    }
    let before_dash = flags.args_len_at_dash.unwrap_or(flags.positional.len()).min(flags.positional.len());
    let Some(name) = flags.positional.first().filter(|_| before_dash > 0).cloned() else {
        out.err("error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n");
        return 1;
    };
    let rest: Vec<String> = flags.positional[1..].to_vec();
    let image = flags.string("image");
    let restart = flags.string("restart");
    let restart = if restart.is_empty() { "Always".to_string() } else { restart };
    if !matches!(restart.as_str(), "Always" | "OnFailure" | "Never") {
        out.err(&format!("error: invalid restart policy: {restart}\nSee 'kubectl run -h' for help and examples\n"));
        return 1;
    }
    let interactive = flags.bool("stdin");
    let tty = flags.bool("tty");
    let remove = flags.bool("rm");
    // -i implies --attach unless --attach was given.
    let attach = if flags.changed("attach") { flags.bool("attach") } else { interactive };
    if tty && !interactive {
        out.err("error: -i/--stdin is required for containers with -t/--tty=true\nSee 'kubectl run -h' for help and examples\n");
        return 1;
    }
    if remove && !attach {
        out.err("error: --rm should only be used for attached containers\nSee 'kubectl run -h' for help and examples\n");
        return 1;
    }
    let dry_run = match output::dry_run(cluster, &flags, out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if attach && dry_run != DryRun::None {
        out.err("error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)\nSee 'kubectl run -h' for help and examples\n");
        return 1;
    }
    // `--port` is a string flag here; empty means no port.
    let port_text = flags.string("port");
    let port: i64 = if port_text.is_empty() {
        -1
    } else {
        match port_text.parse::<i64>() {
            Ok(p) => p,
            Err(_) => {
                out.err(&format!("error: strconv.Atoi: parsing \"{port_text}\": invalid syntax\n"));
                return 1;
            }
        }
    };
    let expose = flags.bool("expose");
    if expose && port < 1 {
        out.err("error: --port must be set when exposing a service\nSee 'kubectl run -h' for help and examples\n");
        return 1;
    }

    // Labels: `--labels=a=b,c=d`, else `run=NAME`.
    let mut labels = Map::new();
    let labels_text = flags.string("labels");
    if labels_text.is_empty() {
        labels.insert("run".into(), json!(name));
    } else {
        for pair in labels_text.split(',') {
            let Some((k, v)) = pair.split_once('=') else {
                out.err(&format!("error: invalid label spec: {pair}\n"));
                return 1;
            };
            labels.insert(k.to_string(), json!(v));
        }
    }
    let mut container = json!({"image": image, "name": name, "resources": {}});
    if !rest.is_empty() {
        let field = if flags.bool("command") { "command" } else { "args" };
        container[field] = json!(rest);
    }
    let envs = flags.list("env");
    if !envs.is_empty() {
        let mut list = Vec::new();
        for e in envs {
            let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
            list.push(json!({"name": k, "value": v}));
        }
        container["env"] = Value::Array(list);
    }
    if port >= 0 {
        container["ports"] = json!([{"containerPort": port}]);
    }
    let pull_policy = flags.string("image-pull-policy");
    if !pull_policy.is_empty() {
        container["imagePullPolicy"] = json!(pull_policy);
    }
    if flags.bool("stdin") {
        container["stdin"] = json!(true);
        container["stdinOnce"] = json!(true);
    }
    if flags.bool("tty") {
        container["tty"] = json!(true);
    }
    let mut metadata = json!({"creationTimestamp": null, "labels": Value::Object(labels.clone()), "name": name});
    let annotations = flags.list("annotations");
    if !annotations.is_empty() {
        let mut a = Map::new();
        for pair in annotations {
            let (k, v) = pair.split_once('=').unwrap_or((pair.as_str(), ""));
            a.insert(k.to_string(), json!(v));
        }
        metadata["annotations"] = Value::Object(a);
    }
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
        "status": {},
    });
    let namespace = namespace_of(host, &flags);
    let validation = field_validation(&flags);

    // The Service goes first, as `kubectl run --expose` creates it before the pod.
    if expose {
        let service = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"creationTimestamp": null, "name": name},
            "spec": {"ports": [{"port": port, "protocol": "TCP", "targetPort": port}], "selector": Value::Object(labels)},
            "status": {"loadBalancer": {}},
        });
        let rt = resources::resource_type(Kind::Service);
        if dry_run == DryRun::Client {
            output::print_typed_result(rt, &service, &format, "created", dry_run, out);
        } else {
            match send_create(cluster, Kind::Service, &namespace, service, dry_run, validation) {
                Ok(v) => output::print_typed_result(rt, &v, &format, "created", dry_run, out),
                Err(status) => return output::print_status(&status, out),
            }
        }
        if format == "yaml" {
            // run's own separator, then the YAML printer's before its second object.
            out.out("---\n---\n");
        }
    }
    let rt = resources::resource_type(Kind::Pod);
    if dry_run == DryRun::Client {
        output::print_typed_result(rt, &pod, &format, "created", dry_run, out);
        return 0;
    }
    let created = send_create(cluster, Kind::Pod, &namespace, pod, dry_run, validation);
    if created.is_ok() && dry_run == DryRun::None {
        cluster.network.forget_pod(&namespace, &name);
    }
    match created {
        // An attached run prints no "created" line: the terminal belongs to the pod.
        Ok(_) if attach => {
            let how = Attach { namespace: &namespace, name: &name, restart: &restart, interactive, tty, remove };
            attach_to_pod(cluster, host, &how, stdin, out)
        }
        Ok(v) => {
            output::print_typed_result(rt, &v, &format, "created", dry_run, out);
            0
        }
        Err(status) => output::print_status(&status, out),
    }
}

/// How `kubectl run` attaches to the pod it created.
struct Attach<'a> {
    namespace: &'a str,
    name: &'a str,
    restart: &'a str,
    interactive: bool,
    tty: bool,
    remove: bool,
}

/// What the container's main process is, as far as attaching goes.
fn main_shell(container: &Container) -> Option<String> {
    let mut words: Vec<String> = container.command.clone().unwrap_or_default();
    words.extend(container.args.clone().unwrap_or_default());
    let image = container.image.clone().unwrap_or_default();
    match words.as_slice() {
        // The image's default command: a shell for the distribution images.
        [] => match network::workloads::image_name(&image).as_str() {
            "busybox" | "alpine" => Some("sh".to_string()),
            "ubuntu" | "debian" => Some("bash".to_string()),
            _ => None,
        },
        [one] if matches!(one.rsplit('/').next(), Some("sh" | "bash" | "ash")) => Some(one.clone()),
        _ => None,
    }
}

/// kubectl run's attach: wait (on the virtual clock, up to `--pod-running-timeout`,
/// one minute) for the pod to be running and ready or to have finished; then a shell
/// gets the terminal (`-it`) or reads stdin (`-i`), and any other command's output is
/// shown as it is written. Afterwards kubectl waits for the exit code (restart policy
/// Never or OnFailure) and with `--rm` deletes the pod.
fn attach_to_pod(cluster: &mut Cluster, host: &mut Host, how: &Attach<'_>, stdin: Option<&str>, out: &mut Output) -> i32 {
    let (namespace, name) = (how.namespace, how.name);
    let ready = |p: &Pod| {
        let phase = pod_session::phase_of(p);
        phase == "Succeeded" || phase == "Failed" || (phase == "Running" && network::addresses::PodView::from_pod(p).ready)
    };
    let Some(pod) = pod_session::wait_for(cluster, namespace, name, 60, ready) else {
        let code = remove_if_asked(cluster, how, out);
        out.err("error: timed out waiting for the condition\n");
        return code.max(1);
    };
    let Some(container) = pod.spec.as_ref().and_then(|s| s.containers.first()).cloned() else { return 1 };
    let image = container.image.clone().unwrap_or_default();
    if pod_session::phase_of(&pod) == "Running" {
        if let Some(program) = main_shell(&container) {
            let Some(kind) = pod_session::image_shell(&image, &program) else {
                out.err(&format!("kubesim: the image {image} has no {program}; the container cannot start it\n"));
                return 1;
            };
            let end = SessionEnd::Attach { remove: how.remove, restart_policy: how.restart.to_string() };
            let session = PodSession::new(cluster, &pod, &container, kind, end, how.tty);
            if how.interactive && how.tty {
                if let Some(sh) = host.shell.as_deref_mut() {
                    // attach prints this on stderr before handing over the terminal.
                    out.err("If you don't see a command prompt, try pressing enter.\n");
                    sh.pod_session = Some(session);
                    return 0;
                }
            }
            // Without a terminal the shell reads its script from stdin and exits at its end.
            let mut session = session;
            let script = if how.interactive { stdin.unwrap_or("") } else { "" };
            let code = pod_session::run_script(cluster, &mut session, script, out);
            return pod_session::end_session(cluster, &session, code, out);
        }
        if how.interactive && how.tty {
            out.err("If you don't see a command prompt, try pressing enter.\n");
        }
    }
    // Any other command: its output as the container writes it, up to its exit.
    let finished_once = |p: &Pod| {
        let phase = pod_session::phase_of(p);
        phase == "Succeeded"
            || phase == "Failed"
            || p.status.as_ref().and_then(|s| s.container_statuses.as_ref()).and_then(|cs| cs.first()).is_some_and(|c| {
                c.restart_count > 0 || c.state.as_ref().is_some_and(|s| s.terminated.is_some())
            })
    };
    if pod_session::wait_for(cluster, namespace, name, 300, finished_once).is_none() {
        let code = remove_if_asked(cluster, how, out);
        out.err(&format!(
            "kubesim: attaching to a container that keeps running ({image}) is not simulated; use 'kubectl logs -f {name}'\n"
        ));
        return code.max(1);
    }
    for line in network::access_log(cluster, namespace, name) {
        out.out(&format!("{line}\n"));
    }
    pod_session::finish_attached_run(cluster, namespace, name, how.remove, how.restart, out)
}

/// `--rm` after a failed attach: kubectl's deferred removal still runs.
fn remove_if_asked(cluster: &mut Cluster, how: &Attach<'_>, out: &mut Output) -> i32 {
    if how.remove {
        let opts = crate::apiserver::DeleteOptions::default();
        if crate::apiserver::delete(cluster, Kind::Pod, how.namespace, how.name, &opts).is_ok() {
            out.out(&format!("pod \"{}\" deleted\n", how.name));
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use crate::clock::Clock;
    use crate::cluster::{Cluster, Topology};
    use crate::simulator::Output;

    fn kubectl(cluster: &mut Cluster, args: &[&str]) -> Output {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Output::default();
        out.exit_code = super::super::run(cluster, &args, None, &mut out);
        out
    }

    #[test]
    fn pod_as_the_generator_builds_it() {
        let mut c = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        let out = kubectl(&mut c, &["run", "test", "--image=nginx", "--port=80", "--env=X=1", "--dry-run=client", "-o", "yaml", "--", "sleep", "10"]);
        assert_eq!(
            out.stdout,
            "apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: null\n  labels:\n    run: test\n  name: test\nspec:\n  containers:\n  - args:\n    - sleep\n    - \"10\"\n    env:\n    - name: X\n      value: \"1\"\n    image: nginx\n    name: test\n    ports:\n    - containerPort: 80\n    resources: {}\n  dnsPolicy: ClusterFirst\n  restartPolicy: Always\nstatus: {}\n"
        );
        assert_eq!(kubectl(&mut c, &["run", "test", "--image=nginx"]).stdout, "pod/test created\n");
        assert_eq!(kubectl(&mut c, &["run", "test", "--image=nginx"]).stderr, "Error from server (AlreadyExists): pods \"test\" already exists\n");
        let out = kubectl(&mut c, &["run", "web", "--image=nginx", "--port=80", "--expose"]);
        assert_eq!(out.stdout, "service/web created\npod/web created\n");
        assert_eq!(kubectl(&mut c, &["run", "x"]).stderr, "error: required flag(s) \"image\" not set\n");
        assert_eq!(kubectl(&mut c, &["run", "--image=nginx"]).stderr, "error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n");
    }
}
