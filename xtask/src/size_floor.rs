//! `cargo xtask size-floor`: the bytes the design's named crates take before any of
//! kubesim is written.
//!
//! Builds `crates/size-floor` (k8s-openapi's types round-tripped, serde_yaml_ng
//! reading a manifest, a Yew component) for wasm32 with the workspace's release
//! profile, once per combination of its features, runs wasm-bindgen, drops the
//! custom sections as `xtask build` does, and prints raw and gzip -9 bytes beside
//! xterm.js's (the npm package the page ships) and the page budget. It answers one
//! question of issue #11 with a measurement: can any kubesim fit in 450 KB gzipped
//! next to these crates?

use std::path::Path;
use std::process::Command;

use crate::offline::gzip;
use crate::{run, Failure};

/// The page budget of issue #11, in bytes (KB = 1,000 bytes).
const PAGE_BUDGET: usize = 450_000;

/// The combinations measured: a label and the crate's features.
const VARIANTS: &[(&str, &str)] = &[
    ("k8s-openapi (14 kinds) + serde_json", "k8s"),
    ("serde_yaml_ng + serde_json", "yaml"),
    ("yew (one component)", "ui"),
    ("all three together", "k8s,yaml,ui"),
];

pub fn size_floor(root: &Path) -> Result<(), Failure> {
    let out_dir = root.join("target/size-floor");
    let mut rows = Vec::new();
    for (label, features) in VARIANTS {
        run(Command::new("cargo")
            .args(["build", "-q", "--release", "--target", "wasm32-unknown-unknown", "-p", "size-floor", "--no-default-features", "--features", features])
            .current_dir(root))?;
        let built = root.join("target/wasm32-unknown-unknown/release/size-floor.wasm");
        let bindgen_out = out_dir.join(features.replace(',', "-"));
        run(Command::new("wasm-bindgen").args(["--target", "web", "--out-dir"]).arg(&bindgen_out).arg(&built))?;
        let wasm = read(&bindgen_out.join("size-floor_bg.wasm"))?;
        let wasm = crate::strip::without_custom_sections(&wasm).ok_or_else(|| Failure("size-floor: wasm-bindgen's output is not a wasm module".into()))?;
        let glue = read(&bindgen_out.join("size-floor.js"))?;
        rows.push((*label, wasm.len(), gzip(&wasm).len(), gzip(&glue).len()));
    }
    let mut xterm_gzip = 0;
    let mut xterm_raw = 0;
    for file in ["node_modules/@xterm/xterm/lib/xterm.js", "node_modules/@xterm/addon-fit/lib/addon-fit.js", "node_modules/@xterm/xterm/css/xterm.css"] {
        let bytes = read(&root.join(file))?;
        xterm_raw += bytes.len();
        xterm_gzip += gzip(&bytes).len();
    }
    println!("{:<40} {:>12} {:>12} {:>12}", "wasm (stripped)", "raw", "gzip -9", "+ JS glue");
    for (label, raw, gz, glue) in &rows {
        println!("{label:<40} {raw:>12} {gz:>12} {glue:>12}");
    }
    println!("{:<40} {xterm_raw:>12} {xterm_gzip:>12}", "xterm.js + addon-fit + xterm.css");
    if let Some((_, _, gz, glue)) = rows.last() {
        let floor = gz + glue + xterm_gzip;
        println!("floor of the page (all three + glue + xterm.js): {floor} bytes gzipped");
        match PAGE_BUDGET.checked_sub(floor) {
            Some(room) => println!("left for all of kubesim's own code and data within the {PAGE_BUDGET}-byte budget: {room} bytes gzipped"),
            None => println!("over the {PAGE_BUDGET}-byte budget by {} bytes before any kubesim code", floor - PAGE_BUDGET),
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure(format!("{}: {e}", path.display())))
}
