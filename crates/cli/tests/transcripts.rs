//! Transcript tests: every `tests/transcripts/*.txt` at the repository root is
//! replayed against a fresh default simulator and compared byte for byte.
//! `UPDATE_EXPECT=1 cargo test -p kubesim-cli --test transcripts` rewrites the files
//! with what the simulator printed (read the diff before committing it).

use std::path::PathBuf;

#[allow(dead_code)]
#[path = "../src/transcript.rs"]
mod transcript;

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
        if let Err(diff) = transcript::check(&text) {
            if update {
                std::fs::write(file, transcript::replay(&text)).expect("writable transcript");
            } else {
                failures.push(format!("{}:\n{diff}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} transcript(s) differ:\n{}", failures.len(), failures.join("\n"));
}
