//! The fuzz targets' bodies, one function each, shared by the libFuzzer binaries in
//! `fuzz/` (nightly, coverage-guided) and by this crate's smoke test (stable, in every
//! `cargo test`), so the input each target gets means the same in both.
//!
//! A target returns normally on any input: errors are printed into `Output`s and
//! dropped; only a panic, a hang or runaway memory is a finding.

use std::cell::OnceCell;

use sim_core::{ClusterConfig, Output, Simulator};

thread_local! {
    // Building the kind cluster costs more than a run; each input gets a clone.
    static FRESH: OnceCell<Simulator> = const { OnceCell::new() };
    static WITH_WEB: OnceCell<Simulator> = const { OnceCell::new() };
    static SAVED: OnceCell<String> = const { OnceCell::new() };
}

fn fresh() -> Simulator {
    FRESH.with(|b| b.get_or_init(|| Simulator::new(ClusterConfig::default())).clone())
}

/// A cluster with a Deployment `web` of two ready pods behind a ClusterIP Service.
fn with_web() -> Simulator {
    WITH_WEB.with(|b| {
        b.get_or_init(|| {
            let mut sim = Simulator::new(ClusterConfig::default());
            sim.run_line("kubectl create deployment web --image=nginx --replicas=2");
            sim.run_line("kubectl expose deployment web --port=80");
            sim.advance_by_millis(60_000);
            sim
        })
        .clone()
    })
}

fn words(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Any text typed at the prompt: the shell parser and executor and every program it
/// reaches. NUL separates up to 8 lines, so state one line builds (files, aliases,
/// objects) meets the next; an editor left open is quit without saving.
pub fn shell_line(data: &[u8]) {
    let line = String::from_utf8_lossy(data);
    let mut sim = fresh();
    for part in line.split('\0').take(8) {
        let _ = sim.run_line(part);
        if sim.interactive() {
            let _ = sim.feed_keys("\u{18}n");
            let _ = sim.feed_keys("\u{3}");
        }
    }
}

/// `kubectl` with one argument per line, and standard input after a blank line.
pub fn kubectl_args(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut sim = with_web();
    let (args, stdin) = match text.split_once("\n\n") {
        Some((a, s)) => (a, Some(s)),
        None => (&*text, None),
    };
    let args: Vec<String> = args.lines().take(64).map(str::to_string).collect();
    let mut out = Output::default();
    let _ = sim_core::kubectl::run(&mut sim.cluster, &args, stdin, &mut out);
    sim.advance_by_millis(5_000);
}

/// A YAML or JSON stream through `apply`, `create`, `apply` again, then get and
/// describe of everything, `delete -f`, and a minute of controllers.
pub fn manifest_apply(data: &[u8]) {
    let doc = String::from_utf8_lossy(data);
    let mut sim = fresh();
    for verb in [["apply", "-f", "-"], ["create", "-f", "-"], ["apply", "-f", "-"]] {
        let mut out = Output::default();
        let _ = sim_core::kubectl::run(&mut sim.cluster, &words(&verb), Some(&doc), &mut out);
        sim.advance_by_millis(3_000);
    }
    let _ = sim.run_line("kubectl get all -A -o wide");
    let _ = sim.run_line("kubectl describe all");
    let _ = sim_core::kubectl::run(&mut sim.cluster, &words(&["delete", "-f", "-"]), Some(&doc), &mut Output::default());
    sim.advance_by_millis(60_000);
}

/// The lesson parser on any markdown.
pub fn lesson_parse(data: &[u8]) {
    let source = String::from_utf8_lossy(data);
    let _ = lesson::parse_lesson("fuzz.md", &source);
    let _ = lesson::parse::split_commands(&source);
}

fn saved() -> String {
    let mut sim = Simulator::new(ClusterConfig::default());
    sim.run_line("kubectl create deployment web --image=nginx --replicas=2");
    sim.run_line("kubectl expose deployment web --port=80 --type=LoadBalancer");
    sim.advance_by_millis(30_000);
    sim_core::persist::save_cluster(&sim.cluster)
}

fn restore(text: &str) {
    if let Ok(mut cluster) = sim_core::persist::restore_cluster(text) {
        sim_core::controllers::reconcile(&mut cluster);
        let _ = sim_core::persist::save_cluster(&cluster);
    }
}

/// Restoring saved state: whatever the document, restore returns a cluster or an
/// error, and a restored cluster survives its controllers and a save.
///
/// Random bytes rarely get past the JSON parser, so an input that does not start
/// with `{` is a splice into a real saved state instead: two bytes of offset, one
/// byte of how much to cut, then the bytes to insert there.
pub fn persist_restore(data: &[u8]) {
    let (&[hi, lo, cut], rest) = data.split_at(data.len().min(3)) else {
        restore(&String::from_utf8_lossy(data));
        return;
    };
    if hi == b'{' {
        restore(&String::from_utf8_lossy(data));
        return;
    }
    let mut bytes = SAVED.with(|s| s.get_or_init(saved).clone()).into_bytes();
    let at = (usize::from(hi) << 8 | usize::from(lo)) * bytes.len() / 65536;
    let end = (at + usize::from(cut)).min(bytes.len());
    bytes.splice(at..end, rest.iter().copied());
    restore(&String::from_utf8_lossy(&bytes));
}
