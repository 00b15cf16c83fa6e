//! Installs what the build and the tests need, each only when missing, so a fresh
//! Debian 12 machine with rustup, node and npm gets everything from one command and a
//! prepared one spends a second here.
//!
//! Everything comes from the package registries (crates.io, npm, Debian): Trunk runs
//! with `offline = true` and uses the tools found on PATH, never downloading its own.

use std::path::Path;
use std::process::Command;

use crate::{run, Failure};

/// Trunk's newest releases need a newer rustc than ours; 0.21.14 builds on Rust 1.95.
const TRUNK_VERSION: &str = "0.21.14";

pub fn ensure_build_tools(root: &Path) -> Result<(), Failure> {
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen(root)?;
    ensure_npm_packages(root)?;
    // Trunk builds with `cargo build --offline` (offline = true): fetch crates first.
    run(Command::new("cargo").args(["fetch", "--quiet"]).current_dir(root))
}

pub fn ensure_browser() -> Result<(), Failure> {
    if Path::new(crate::CHROMIUM).exists() {
        return Ok(());
    }
    println!("xtask: installing Debian's chromium (apt-get)");
    run(Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "chromium"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn ensure_wasm_target() -> Result<(), Failure> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_trunk() -> Result<(), Failure> {
    if output(Command::new("trunk").arg("--version")).trim() == format!("trunk {TRUNK_VERSION}") {
        return Ok(());
    }
    println!("xtask: installing trunk {TRUNK_VERSION} (cargo install, about 8 minutes on 2 cores)");
    run(Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

/// wasm-bindgen-cli must be exactly the version of the `wasm-bindgen` crate in
/// Cargo.lock (the two share a private ABI). It installs only without `--locked`.
fn ensure_wasm_bindgen(root: &Path) -> Result<(), Failure> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| Failure(format!("Cargo.lock: {e}")))?;
    let version = locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| Failure("Cargo.lock has no wasm-bindgen package".to_string()))?;
    if output(Command::new("wasm-bindgen").arg("--version")).trim() == format!("wasm-bindgen {version}") {
        return Ok(());
    }
    println!("xtask: installing wasm-bindgen-cli {version} (cargo install, about 3 minutes)");
    run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version, "--force"]))
}

/// The version of `package` recorded in a Cargo.lock.
pub fn locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name_line {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_string());
        }
    }
    None
}

/// `npm ci` unless every package in package-lock.json is installed at its version.
fn ensure_npm_packages(root: &Path) -> Result<(), Failure> {
    if npm_packages_current(root) {
        return Ok(());
    }
    println!("xtask: installing npm packages (npm ci)");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(root))
}

fn npm_packages_current(root: &Path) -> bool {
    let Ok(lock) = std::fs::read_to_string(root.join("package-lock.json")) else { return false };
    let Ok(lock) = serde_json::from_str::<serde_json::Value>(&lock) else { return false };
    let Some(packages) = lock.get("packages").and_then(|p| p.as_object()) else { return false };
    packages.iter().filter(|(path, _)| !path.is_empty()).all(|(path, entry)| {
        let installed = std::fs::read_to_string(root.join(path).join("package.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
        installed.as_ref().and_then(|p| p.get("version")) == entry.get("version")
    })
}

/// A command's stdout, or "" when it cannot run (the tool is missing).
fn output(command: &mut Command) -> String {
    command.output().ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_locked_version_of_a_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.1\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(locked_version(lock, "yew"), None);
    }
}
