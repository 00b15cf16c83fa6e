//! Transcript tests: every `tests/transcripts/*.txt` at the repository root is
//! replayed against a fresh default simulator and compared byte for byte.
//! `UPDATE_EXPECT=1 cargo test -p kubesim-cli --test transcripts` rewrites the files
//! with what the simulator printed (read the diff before committing it).

use std::path::PathBuf;

#[path = "../src/transcript.rs"]
mod transcript;

use sim_core::{ClusterConfig, Simulator};

fn transcript_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/transcripts")
}

#[test]
fn transcripts_replay_exactly() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(transcript_dir())
        .expect("tests/transcripts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no transcripts found");
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable transcript");
        let header: String = text.split_inclusive('\n').take_while(|l| !l.starts_with("$ ") && *l != "$\n").collect();
        let entries = transcript::parse(&text);
        let mut sim = Simulator::new(ClusterConfig::default());
        let inputs: Vec<String> = entries.iter().map(|e| e.input.clone()).collect();
        let (actual, _) = transcript::run_inputs(&mut sim, &inputs);
        let actual = format!("{header}{actual}");
        if actual != text {
            if update {
                std::fs::write(file, &actual).expect("writable transcript");
            } else {
                failures.push(format!("{}:\n{}", file.display(), diff(&text, &actual)));
            }
        }
    }
    assert!(failures.is_empty(), "{} transcript(s) differ:\n{}", failures.len(), failures.join("\n"));
}

fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) => {
                out.push_str(&format!("line {}:\n  - {:?}\n  + {:?}\n", i + 1, x, y));
            }
        }
    }
    out
}
