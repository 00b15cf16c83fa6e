//! How the engine acts on a simulator: building a lesson's start cluster, placing
//! files, switching the cloud provider, and looking at files or the network
//! without disturbing the learner.
//!
//! Objects are created through the simulator's own commands (`kubectl apply -f -`,
//! or the lesson's command lines), exactly as a learner would type them, so a
//! lesson exercises the same code paths as the learner. Files go straight into the
//! shell's filesystem, as the browser's "create file" button does (no command in
//! the learner's history). Looks that have side effects (a curl advances the
//! clock and draws from the seeded generator) run on a clone of the simulator, so
//! checking never changes what the learner sees.

use sim_core::controllers::cloud_provider::CloudProvider;
use sim_core::vfs::{Vfs, HOME};
use sim_core::{ClusterConfig, Output, Simulator};

use crate::model::{Action, ClusterSetup, FileSpec, Place, SetupObject};

/// The heredoc terminator the engine uses; a manifest containing it on a line of
/// its own cannot be applied (reported as an error).
const EOF_MARK: &str = "KUBESIM_LESSON_EOF";

/// Builds the simulator a lesson starts from. `base` carries what the host decides
/// (start time, command step); the lesson decides seed and topology.
pub fn start(setup: &ClusterSetup, files: &[FileSpec], base: ClusterConfig) -> Result<Simulator, String> {
    let mut config = base;
    config.seed = setup.seed;
    config.topology.workers = setup.workers;
    let mut sim = Simulator::new(config);
    // Images the lesson's workloads use besides the kubelet's known list.
    sim.cluster.controllers.extra_images.extend(setup.images.iter().cloned());
    if setup.cloud_provider {
        apply_action(&mut sim, &Action::CloudProvider { enabled: true })?;
    }
    for object in &setup.objects {
        let line = match object {
            SetupObject { manifest: Some(m), command: None } => heredoc("kubectl apply -f -", m)?,
            SetupObject { manifest: None, command: Some(c) } => c.clone(),
            _ => return Err("each cluster object is either `manifest:` or `command:`".to_string()),
        };
        let out = sim.run_line(&line);
        if out.exit_code != 0 {
            return Err(format!("setup command failed (exit {}):\n$ {line}\n{}", out.exit_code, out.display));
        }
    }
    for file in files {
        create_file(&mut sim, &file.path, &file.content)?;
    }
    // The learner's session starts fresh: the setup's commands are not theirs to
    // find with the up arrow or `history`.
    sim.shell.history.clear();
    sim.shell.last_exit_code = 0;
    Ok(sim)
}

/// `COMMAND <<'EOF'` followed by `body` and the terminator.
fn heredoc(command: &str, body: &str) -> Result<String, String> {
    if body.lines().any(|l| l.trim() == EOF_MARK) {
        return Err(format!("content contains the line {EOF_MARK}"));
    }
    let mut line = format!("{command} <<'{EOF_MARK}'\n{body}");
    if !body.ends_with('\n') {
        line.push('\n');
    }
    line.push_str(EOF_MARK);
    Ok(line)
}

/// Writes a file into the learner's filesystem, as the "create file" button does.
/// Relative paths are relative to the home directory; missing parent directories
/// are created (the button is not a shell and need not fail on them).
pub fn create_file(sim: &mut Simulator, path: &str, content: &str) -> Result<(), String> {
    let now = sim.cluster.clock.now();
    let full = Vfs::resolve(HOME, path);
    let vfs = &mut sim.shell.vfs;
    let parent = Vfs::parent(&full).to_string();
    if !vfs.is_dir(&parent) {
        vfs.mkdir(&parent, true, now).map_err(|e| format!("{path}: {}", e.message()))?;
    }
    vfs.write(&full, content, false, now).map_err(|e| format!("{path}: {}", e.message()))
}

/// Reads a file from the learner's filesystem (relative to the home directory).
pub fn read_file(sim: &Simulator, path: &str) -> Result<String, String> {
    let full = Vfs::resolve(HOME, path);
    sim.shell.vfs.read(&full).map(str::to_string).map_err(|e| format!("{path}: {}", e.message()))
}

/// Runs `curl` from a place on a clone of the simulator and returns its output.
pub fn curl(sim: &Simulator, from: &Place, host: Option<&str>, url: &str) -> Output {
    let mut probe = sim.clone();
    let header = host.map(|h| format!("-H {} ", shell_quote(&format!("Host: {h}")))).unwrap_or_default();
    let curl = format!("curl -sS -m 5 {header}{}", shell_quote(url));
    let line = match from {
        Place::Host => curl,
        Place::Pod(pod) => format!("kubectl exec {} -- {curl}", shell_quote(pod)),
    };
    probe.run_line(&line)
}

/// Applies a lesson action to the environment.
pub fn apply_action(sim: &mut Simulator, action: &Action) -> Result<(), String> {
    match action {
        // Switching on twice keeps the running provider (and what it is waiting on).
        Action::CloudProvider { enabled: true } => {
            if sim.cluster.cloud_provider.is_none() {
                sim.cluster.cloud_provider = Some(CloudProvider::metallb());
            }
        }
        Action::CloudProvider { enabled: false } => sim.cluster.cloud_provider = None,
    }
    Ok(())
}

/// Single-quotes a word for the shell unless it is plainly safe.
fn shell_quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@~%".contains(c)) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
