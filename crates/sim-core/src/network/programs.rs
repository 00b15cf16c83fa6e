//! The network programs as the shell and kubectl run them: adapters with the shell's
//! program signature (full argv, the shell's files, whether stdout is the terminal)
//! and one entry point for running a program inside a pod (`kubectl exec POD --
//! curl ...`, `kubectl run --rm -it --image=curlimages/curl -- curl ...`).

use k8s_openapi::chrono::{DateTime, Utc};

use crate::cluster::Cluster;
use crate::network::{addresses, curl, dig, image_has_program, image_programs_known, nslookup, ping, wget, FileSink, Io, Place};
use crate::shell::Shell;
use crate::simulator::Output;
use crate::vfs::Vfs;

/// The shell's virtual filesystem as a place for `curl -o` and `wget -O`.
struct VfsSink<'a> {
    vfs: &'a mut Vfs,
    cwd: String,
    now: DateTime<Utc>,
}

impl FileSink for VfsSink<'_> {
    fn write_file(&mut self, path: &str, content: &str) -> Result<(), String> {
        let path = Vfs::resolve(&self.cwd, path);
        self.vfs.write(&path, content, false, self.now).map_err(|e| e.message().to_string())
    }
}

/// The place the learner's shell runs at. The shell on the kind host is the only one
/// so far; a shell inside a pod passes its own place to [`run_program`].
fn shell_place(_sh: &Shell) -> Place {
    Place::Host
}

fn with_shell_io(
    sh: &mut Shell,
    cluster: &mut Cluster,
    run: impl FnOnce(&mut Cluster, &Place, Io<'_>) -> i32,
) -> i32 {
    let place = shell_place(sh);
    let stdout_is_terminal = sh.stdout_tty;
    let now = cluster.clock.now();
    let mut sink = VfsSink { vfs: &mut sh.vfs, cwd: sh.cwd.clone(), now };
    run(cluster, &place, Io { files: Some(&mut sink), stdout_is_terminal })
}

fn rest(argv: &[String]) -> &[String] {
    argv.get(1..).unwrap_or(&[])
}

/// `curl` in the learner's shell (the shell's program signature: argv[0] is `curl`).
pub fn shell_curl(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    with_shell_io(sh, cluster, |cluster, place, io| curl::curl_with(cluster, place, rest(argv), stdin, out, io))
}

/// `wget` in the learner's shell.
pub fn shell_wget(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    with_shell_io(sh, cluster, |cluster, place, io| crate::network::wget::wget_with(cluster, place, rest(argv), stdin, out, io))
}

/// `nslookup` in the learner's shell.
pub fn shell_nslookup(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    nslookup(cluster, &shell_place(sh), rest(argv), stdin, out)
}

/// `dig` in the learner's shell.
pub fn shell_dig(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    dig(cluster, &shell_place(sh), rest(argv), stdin, out)
}

/// `ping` in the learner's shell.
pub fn shell_ping(sh: &mut Shell, cluster: &mut Cluster, argv: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    ping(cluster, &shell_place(sh), rest(argv), stdin, out)
}

/// The network programs by name.
pub const NETWORK_PROGRAMS: &[&str] = &["curl", "wget", "nslookup", "dig", "ping"];

/// Runs a network program (`argv[0]` is its name) at `place`, or `None` when argv[0]
/// is not one, or when the pod's (known) image does not ship it: the caller then
/// reports that as the container would.
pub fn run_program(
    cluster: &mut Cluster,
    place: &Place,
    argv: &[String],
    stdin: Option<&str>,
    out: &mut Output,
) -> Option<i32> {
    let name = argv.first()?.rsplit('/').next().unwrap_or("").to_string();
    if !NETWORK_PROGRAMS.contains(&name.as_str()) {
        return None;
    }
    if let Place::Pod { namespace, name: pod } = place {
        let images: Vec<String> = addresses::pod(cluster, namespace, pod)
            .map(|p| p.containers.iter().filter_map(|c| c.image.clone()).collect())
            .unwrap_or_default();
        let known = !images.is_empty() && images.iter().all(|image| image_programs_known(image));
        if known && !images.iter().any(|image| image_has_program(image, &name)) {
            // The caller reports it as the container would: the OCI runtime's
            // "executable file not found" for `kubectl exec`, `sh: X: not found` in a shell.
            return None;
        }
    }
    let args = rest(argv);
    Some(match name.as_str() {
        "curl" => curl::curl(cluster, place, args, stdin, out),
        "wget" => wget(cluster, place, args, stdin, out),
        "nslookup" => nslookup(cluster, place, args, stdin, out),
        "dig" => dig(cluster, place, args, stdin, out),
        _ => ping(cluster, place, args, stdin, out),
    })
}

/// The words of a container's command and args, and the script behind `sh -c`, when
/// its main process is a one-shot network program (`wget ...`, `sh -c 'curl ...'`
/// without a loop or a sleep): what [`run_one_shot_commands`] runs.
fn one_shot_command(container: &k8s_openapi::api::core::v1::Container) -> Option<(Vec<String>, Option<String>)> {
    if container.command.is_none() && container.args.is_none() {
        return None;
    }
    let mut words: Vec<String> = container.command.clone().unwrap_or_default();
    words.extend(container.args.clone().unwrap_or_default());
    let script = match words.as_slice() {
        [sh, flag, script, ..] if flag == "-c" && matches!(sh.rsplit('/').next(), Some("sh" | "bash" | "ash")) => Some(script.clone()),
        _ => None,
    };
    let first = match &script {
        Some(s) => s.split_whitespace().next().unwrap_or(""),
        None => words.first().map(String::as_str).unwrap_or(""),
    };
    let first = first.rsplit('/').next().unwrap_or("");
    let loops = script.as_deref().is_some_and(|s| s.contains("while") || s.contains("for ") || s.contains("sleep"));
    if !NETWORK_PROGRAMS.contains(&first) || loops {
        return None;
    }
    Some((words, script))
}

/// Whether [`run_one_shot_commands`] would run something at the pod's next sync: a
/// container whose main process is a one-shot network program, running, not yet
/// run, in a pod with its IP. The kubelet keeps syncing such a pod every pass (the
/// program runs without a write of its own); any other pod may be skipped as steady.
pub fn one_shot_pending(cluster: &Cluster, pod: &k8s_openapi::api::core::v1::Pod, runtime: &crate::controllers::kubelet::PodRuntime) -> bool {
    let has_ip = pod.status.as_ref().and_then(|s| s.pod_ip.as_deref()).is_some_and(|ip| !ip.is_empty());
    let Some(spec) = pod.spec.as_ref().filter(|_| has_ip) else { return false };
    runtime.containers.iter().zip(spec.containers.iter()).any(|(state, container)| {
        matches!(state.state, crate::controllers::kubelet::RuntimeState::Running { .. })
            && state.exits.is_none()
            && !cluster.network.one_shots.contains(&state.container_id)
            && one_shot_command(container).is_some()
    })
}

/// Runs the command of a container whose main process is a one-shot network program
/// (`kubectl run test --image=busybox --restart=Never -- wget -qO- http://web`, or the
/// same behind `sh -c`), once per container start: what it prints becomes the
/// container's log, and it exits when the program would, with its exit code, so the
/// kubelet reports it Completed or Error.
///
/// The kubelet calls this at each pod sync; it acts once the pod has its IP (the
/// program's packets need a source). The program's own waiting (a timeout, say) is
/// time the container spends, not time the whole cluster skips: the clock is put back
/// and the container exits that much later.
pub fn run_one_shot_commands(cluster: &mut Cluster, pod: &k8s_openapi::api::core::v1::Pod, uid: &str) {
    use crate::shell::pod_session::{self, InPod, PodSession, Ran, SessionEnd};
    let has_ip = pod.status.as_ref().and_then(|s| s.pod_ip.as_deref()).is_some_and(|ip| !ip.is_empty());
    let Some(runtime) = cluster.controllers.kubelet.pods.get(uid).cloned() else { return };
    if !has_ip {
        return;
    }
    let Some(spec) = pod.spec.as_ref() else { return };
    for (index, (state, container)) in runtime.containers.iter().zip(spec.containers.iter()).enumerate() {
        let running = matches!(state.state, crate::controllers::kubelet::RuntimeState::Running { .. });
        // `kubectl run -i ... -- curl ...` gives the container a stdin the program ignores.
        if !running || state.exits.is_some() || cluster.network.one_shots.contains(&state.container_id) {
            continue;
        }
        let Some((words, script)) = one_shot_command(container) else { continue };
        cluster.network.one_shots.insert(state.container_id.clone());
        let image = container.image.clone().unwrap_or_default();
        let started = cluster.clock.now();
        let mut out = Output::default();
        let code = match script {
            Some(script) => {
                let kind = pod_session::image_shell(&image, "sh").unwrap_or(pod_session::ShellKind::Ash);
                let mut session = PodSession::new(cluster, pod, container, kind, SessionEnd::Exec, false);
                pod_session::run_script(cluster, &mut session, &script, &mut out)
            }
            None => {
                let env = pod_session::process_env(cluster, pod, container, false);
                let namespace = pod.metadata.namespace.clone().unwrap_or_default();
                let name = pod.metadata.name.clone().unwrap_or_default();
                let context = InPod { place: Place::pod(&namespace, &name), pod, image: &image, cwd: "/", user: "root", env: &env, shell: None };
                match pod_session::run_in_pod(cluster, &context, &words, None, &mut out) {
                    Ran::Code(code) => code,
                    // The runtime could not start it; leave that to the kubelet's own story.
                    Ran::Missing => continue,
                }
            }
        };
        let took = cluster.clock.now() - started;
        cluster.clock = crate::clock::Clock::new(started);
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        for line in out.display.lines() {
            cluster.network.log(&namespace, &name, line.to_string());
        }
        // A program takes a few milliseconds even when nothing waits.
        let exits_at = started + took.max(k8s_openapi::chrono::Duration::milliseconds(30));
        if let Some(r) = cluster.controllers.kubelet.pods.get_mut(uid) {
            if let Some(c) = r.containers.get_mut(index) {
                c.exits = Some((exits_at, code));
            }
        }
    }
}
