//! A short, deterministic smoke run of every fuzz target on stable Rust, in every
//! `cargo test`: the seeds `fuzz/corpus.sh` would give libFuzzer (the transcripts'
//! commands and manifests, the lessons), each run as it is and then mutated a fixed
//! number of times by a seeded generator (bit flips, byte insertions and deletions,
//! splices of two seeds, cuts). It finds what the coverage-guided run finds first:
//! panics on near-valid input. The long runs are `fuzz/run.sh SECONDS` (nightly).

use std::path::{Path, PathBuf};

use sim_core::rand::SeededRng;

/// Mutants per target: enough to reach every parser's error paths, few enough that
/// the slowest target (a cluster per input) stays within seconds.
const MUTANTS: usize = 120;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every command of the transcript tests, with its `> ` continuation lines.
fn transcript_commands() -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/transcripts"))
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    let mut commands = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some(cmd) = line.strip_prefix("$ ") {
                commands.extend(current.replace(cmd.to_string()));
            } else if let (Some(more), Some(cmd)) = (line.strip_prefix("> "), current.as_mut()) {
                cmd.push('\n');
                cmd.push_str(more);
            }
        }
        commands.extend(current);
    }
    commands
}

fn lessons() -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("lessons"))
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "md"));
    files.sort();
    files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

fn mutate(rng: &mut SeededRng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let pick = |rng: &mut SeededRng| seeds[rng.below(seeds.len() as u64) as usize].clone();
    let mut data = pick(rng);
    for _ in 0..=rng.below(4) {
        let len = data.len() as u64;
        match rng.below(6) {
            0 if len > 0 => {
                let at = rng.below(len) as usize;
                data[at] ^= 1 << rng.below(8);
            }
            1 => {
                let at = rng.below(len + 1) as usize;
                let byte = *b"\0\t\n \"'$`\\{}[]:-|&;<>#*%!~\x1b\x7f\xff".get(rng.below(29) as usize).unwrap_or(&b'x');
                data.insert(at, byte);
            }
            2 if len > 0 => {
                let at = rng.below(len) as usize;
                let end = (at + 1 + rng.below(16) as usize).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let other = pick(rng);
                let cut = rng.below(other.len() as u64 + 1) as usize;
                let at = rng.below(len + 1) as usize;
                data.splice(at..at, other[cut..].iter().copied());
            }
            4 if len > 0 => data.truncate(rng.below(len) as usize),
            _ => {
                let at = rng.below(len + 1) as usize;
                let copy: Vec<u8> = data[at..].iter().take(64).copied().collect();
                data.splice(at..at, copy);
            }
        }
    }
    data
}

fn smoke(name: &str, seeds: Vec<Vec<u8>>, target: fn(&[u8])) {
    assert!(!seeds.is_empty(), "{name}: no seeds (tests/transcripts or lessons missing?)");
    for seed in &seeds {
        target(seed);
    }
    let mut rng = SeededRng::new(0x6b75_6265_7369_6d);
    for _ in 0..MUTANTS {
        target(&mutate(&mut rng, &seeds));
    }
}

#[test]
fn shell_line() {
    let seeds = transcript_commands().into_iter().map(String::into_bytes).collect();
    smoke("shell_line", seeds, kubesim_fuzz_targets::shell_line);
}

#[test]
fn kubectl_args() {
    let seeds: Vec<Vec<u8>> = transcript_commands()
        .iter()
        .filter_map(|c| c.strip_prefix("kubectl "))
        .filter(|c| !c.contains(['|', '<', '>', '$', '\n', '\'', '"']))
        .map(|c| c.split_whitespace().collect::<Vec<_>>().join("\n").into_bytes())
        .collect();
    smoke("kubectl_args", seeds, kubesim_fuzz_targets::kubectl_args);
}

#[test]
fn manifest_apply() {
    // Heredoc bodies: the lines between `<<EOF` and the closing `EOF`.
    let seeds: Vec<Vec<u8>> = transcript_commands()
        .iter()
        .filter(|c| c.contains("<<") && c.contains("apiVersion"))
        .filter_map(|c| {
            let body = c.split_once('\n')?.1;
            Some(body.rsplit_once('\n').map_or(body, |(b, _)| b).as_bytes().to_vec())
        })
        .collect();
    smoke("manifest_apply", seeds, kubesim_fuzz_targets::manifest_apply);
}

#[test]
fn lesson_parse() {
    let seeds = lessons().into_iter().map(String::into_bytes).collect();
    smoke("lesson_parse", seeds, kubesim_fuzz_targets::lesson_parse);
}

#[test]
fn persist_restore() {
    let seeds = vec![
        b"{}".to_vec(),
        br#"{"version":1,"objects":[]}"#.to_vec(),
        vec![0, 0, 0],
        vec![0x40, 0, 8, b'"', b'}'],
        vec![0x80, 0x10, 255, b'[', b'1'],
        vec![0xff, 0xff, 0],
    ];
    smoke("persist_restore", seeds, kubesim_fuzz_targets::persist_restore);
}
