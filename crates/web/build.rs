//! Compiles the course into the wasm: writes `$OUT_DIR/lessons.rs`, a table of every
//! `lessons/*.md` (but the format's README) as `include_str!`, so the static site
//! and the one-file offline page carry all lessons and a new lesson file needs no
//! code change.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let lessons = manifest.join("../../lessons");
    println!("cargo:rerun-if-changed={}", lessons.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&lessons)
        .map(|dir| dir.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "md") && p.file_name().is_some_and(|n| n != "README.md"));
    files.sort();
    let mut table = String::from("/// Every course lesson: (file name, markdown source).\npub const LESSON_SOURCES: &[(&str, &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let path = file.canonicalize().unwrap_or_else(|_| file.clone());
        table.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    table.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("lessons.rs");
    if let Err(e) = std::fs::write(&out, table) {
        panic!("cannot write {}: {e}", out.display());
    }
}
