//! kubesim's chores, run by `./dev` (or `cargo run -p xtask -- COMMAND`).
//!
//! - `setup`: install what is missing (wasm target, Trunk, wasm-bindgen-cli pinned to
//!   Cargo.lock, npm packages, and with `--browser` Debian's chromium).
//! - `build`: the static site in `dist/` (Trunk; the wasm's custom sections dropped) and
//!   the offline page, with sizes.
//! - `offline`: only the offline page, from an existing `dist/`.
//! - `serve [--port N]`: build, then serve `dist/` at http://127.0.0.1:8080/.
//! - `browser-test`: the headless Chromium tests against an existing build.
//! - `bench [--quick] [--no-build] [--no-crates] [--dev]`: benchmarks and budgets into BENCHMARKS.md.
//! - `size-floor`: what the crates the design names cost in the wasm with no kubesim code.
//! - `test`: every test: cargo tests, the reference vectors, the differential test against
//!   the real kubectl, the build, the browser tests.

mod bench;
mod offline;
#[cfg(feature = "openapi")]
mod openapi;
mod openapi_enums;
mod serve;
mod setup;
mod size_floor;
mod sizes;
mod strip;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Where the served site is mounted in the browser tests: a sub-path, to prove the
/// build uses relative URLs only.
const TEST_PREFIX: &str = "/course/kubesim/";

/// A chore that failed, with what to tell the person running it.
#[derive(Debug)]
pub struct Failure(pub String);

const USAGE: &str = "\
usage: ./dev COMMAND   (or: cargo run -p xtask -- COMMAND)
  serve [--port N]   install what is missing, build, serve dist/ at http://127.0.0.1:8080/
  test               install what is missing, run every test (cargo, vectors, differential, build, browser)
  setup [--browser]  install what is missing
  build              build dist/ (Trunk) and dist/kubesim-offline.html, print sizes
  offline            rebuild only dist/kubesim-offline.html from dist/
  openapi [--check]  regenerate (or check) the explain schemas from k8s-openapi
                     (needs the feature: cargo run -p xtask --features openapi -- openapi)
  openapi --enums-from DIR  re-extract the enum facts from a k8s.io/api checkout
  browser-test       run the headless Chromium tests against dist/
  bench [--quick] [--no-build] [--no-crates] [--dev]
                     build, measure size, load time, latency, throughput and memory,
                     check the budgets, write BENCHMARKS.md
  crate-costs [WASM] the per-crate code table of a wasm linked with names
                     (default: the one the last bench kept)
  size-floor         the gzipped bytes of k8s-openapi, serde_yaml_ng and yew alone
                     (crates/size-floor), beside xterm.js and the page budget
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    add_tools_to_path(&root);
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["setup"] => setup::ensure_build_tools(&root),
        ["setup", "--browser"] => setup::ensure_build_tools(&root).and_then(|()| setup::ensure_browser()),
        ["build"] => setup::ensure_build_tools(&root).and_then(|()| build(&root)),
        ["offline"] => offline_only(&root),
        ["serve"] => serve(&root, 8080),
        ["serve", "--port", port] => match port.parse() {
            Ok(port) => serve(&root, port),
            Err(_) => Err(Failure(format!("not a port: {port}"))),
        },
        ["browser-test"] => setup::ensure_browser().and_then(|()| browser_test(&root)),
        ["test"] => test(&root),
        ["crate-costs"] => bench::crate_costs_command(&root, None),
        ["crate-costs", wasm] => bench::crate_costs_command(&root, Some(Path::new(wasm))),
        ["size-floor"] => setup::ensure_build_tools(&root).and_then(|()| size_floor::size_floor(&root)),
        #[cfg(feature = "openapi")]
        ["openapi"] => openapi::openapi(&root, false),
        #[cfg(feature = "openapi")]
        ["openapi", "--check"] => openapi::openapi(&root, true),
        #[cfg(not(feature = "openapi"))]
        ["openapi"] | ["openapi", "--check"] => {
            Err(Failure("the schema generator is behind a feature: cargo run -p xtask --features openapi -- openapi [--check]".into()))
        }
        ["openapi", "--enums-from", dir] => openapi_enums::extract(&root, Path::new(dir)),
        ["bench", rest @ ..] => match bench::parse_options(rest) {
            Some(options) => bench::bench(&root, &options),
            None => {
                eprint!("{USAGE}");
                std::process::exit(2);
            }
        },
        _ => {
            eprint!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(Failure(message)) = result {
        eprintln!("xtask: {message}");
        std::process::exit(1);
    }
}

fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Tools installed by `cargo install` (Trunk, wasm-bindgen) and by npm must be found
/// by the commands we start.
fn add_tools_to_path(root: &Path) {
    let mut paths = vec![root.join("node_modules/.bin")];
    if let Some(home) = std::env::var_os("HOME") {
        paths.push(PathBuf::from(home).join(".cargo/bin"));
    }
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    if let Ok(joined) = std::env::join_paths(paths) {
        std::env::set_var("PATH", joined);
    }
}

/// Runs a command with inherited output; a non-zero exit is a failure.
pub fn run(command: &mut Command) -> Result<(), Failure> {
    let shown = format!("{command:?}");
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(Failure(format!("{shown} failed ({status})"))),
        Err(e) => Err(Failure(format!("cannot run {shown}: {e}"))),
    }
}

fn build(root: &Path) -> Result<(), Failure> {
    let started = Instant::now();
    run(Command::new("trunk").args(["build", "--release"]).current_dir(root))?;
    let dist = root.join("dist");
    let wasm = offline::Site::read(&dist)?.wasm;
    let saved = strip::strip_dist(&dist, &wasm)?;
    println!("xtask: dropped {:.1} KiB of custom sections (symbol names) from dist/{wasm}", saved as f64 / 1024.0);
    let offline_size = offline::build(&dist)?;
    sizes::print(&dist, offline_size)?;
    println!("xtask: built dist/ in {:.0?}", started.elapsed());
    Ok(())
}

fn offline_only(root: &Path) -> Result<(), Failure> {
    let dist = root.join("dist");
    let size = offline::build(&dist)?;
    sizes::print(&dist, size)
}

fn serve(root: &Path, port: u16) -> Result<(), Failure> {
    setup::ensure_build_tools(root)?;
    build(root)?;
    let dist = root.join("dist");
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| Failure(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    println!();
    println!("kubesim is served at   http://127.0.0.1:{port}/");
    println!("offline page (file://) {}", dist.join(offline::OFFLINE_PAGE).display());
    println!("press Ctrl-C to stop");
    serve::serve_forever(listener, dist, "/".to_string());
    Ok(())
}

/// Runs the browser tests (tests/browser/, node's test runner driving Debian's
/// Chromium through playwright-core) against the site served under a sub-path and
/// against the offline page opened from disk.
fn browser_test(root: &Path) -> Result<(), Failure> {
    let dist = root.join("dist");
    let offline_page = dist.join(offline::OFFLINE_PAGE);
    if !offline_page.is_file() {
        return Err(Failure("no dist/kubesim-offline.html: run `./dev` build first".to_string()));
    }
    let addr = serve::spawn("127.0.0.1:0", dist, TEST_PREFIX.to_string())
        .map_err(|e| Failure(format!("cannot start the test server: {e}")))?;
    let tests: Vec<PathBuf> = std::fs::read_dir(root.join("tests/browser"))
        .map_err(|e| Failure(format!("tests/browser: {e}")))?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    run(Command::new("node")
        .arg("--test")
        .arg("--test-concurrency=1")
        .args(&tests)
        .current_dir(root)
        .env("KUBESIM_SITE_URL", format!("http://{addr}{TEST_PREFIX}"))
        .env("KUBESIM_OFFLINE_PAGE", &offline_page)
        .env("KUBESIM_CHROMIUM", CHROMIUM)
        .env("KUBESIM_SCREENSHOTS", root.join("target/screenshots")))
}

/// Every test, each step run even when an earlier one failed, then a summary.
fn test(root: &Path) -> Result<(), Failure> {
    let started = Instant::now();
    setup::ensure_build_tools(root)?;
    setup::ensure_browser()?;
    let mut steps: Vec<(&str, Result<(), Failure>)> = Vec::new();

    steps.push(("cargo test", run(Command::new("cargo").args(["test", "--workspace", "--exclude", "size-floor", "--no-fail-fast"]).current_dir(root))));

    // The reference vectors live in the steering repository's shared/ directory,
    // checked out beside this one; a clone without it skips them, saying so.
    let vectors = root.join("../shared/reference/vectors");
    if vectors.is_dir() {
        let result = run(Command::new("cargo")
            .args(["run", "-q", "-p", "kubesim-cli", "--", "vectors", "--known-deviations", "tests/vector-deviations.txt"])
            .arg(&vectors)
            .current_dir(root));
        steps.push(("reference vectors", result));
    } else {
        println!("xtask: skipping the reference vectors: {} does not exist", vectors.display());
    }

    // Our kubectl against the real one talking to `kubesim serve` (tests/differential);
    // needs a kubectl binary on PATH, skipped with a message otherwise.
    let has_kubectl = Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success());
    if has_kubectl {
        let result = run(Command::new("cargo").args(["run", "-q", "-p", "kubesim-cli", "--", "differential", "tests/differential"]).current_dir(root));
        steps.push(("differential (real kubectl)", result));
    } else {
        println!("xtask: skipping the differential test: no kubectl on PATH");
    }

    // Every lesson's reference solution, checks and console transcripts.
    steps.push(("lesson check", run(Command::new("cargo").args(["run", "-q", "-p", "kubesim-cli", "--", "lesson", "check", "lessons"]).current_dir(root))));

    let built = build(root);
    let built_ok = built.is_ok();
    steps.push(("build (trunk + offline page)", built));
    if built_ok {
        steps.push(("browser tests", browser_test(root)));
    } else {
        steps.push(("browser tests", Err(Failure("not run: the build failed".to_string()))));
    }

    println!();
    let mut failed = Vec::new();
    for (name, result) in &steps {
        match result {
            Ok(()) => println!("xtask: ok      {name}"),
            Err(Failure(why)) => {
                println!("xtask: FAILED  {name}: {why}");
                failed.push(*name);
            }
        }
    }
    println!("xtask: test took {:.0?}", started.elapsed());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!("failed: {}", failed.join(", "))))
    }
}
