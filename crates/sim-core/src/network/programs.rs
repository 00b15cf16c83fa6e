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
