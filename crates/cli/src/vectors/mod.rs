//! The test-vector runner: `kubesim vectors DIR...`.
//!
//! Reads every `*.jsonl` file in the given directories (the schema of
//! `shared/reference/vectors/`), checks each case with the handler for its `kind`,
//! and prints, per file, `N passed, N failed` followed by each failure's id and a
//! readable diff. Handlers live one per file and compare simulator behaviour with
//! the captured expectation; none of them knows any case id.

mod allocation;
mod defaults;
mod duration;
mod error_format;
mod kubectl_cli;
mod naming;
mod printer_row;
mod service_validation;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The result of one vector file.
#[derive(Debug, Default)]
pub struct FileReport {
    pub path: PathBuf,
    pub passed: usize,
    pub failures: Vec<(String, String)>,
}

/// Checks one case by its `kind`.
pub fn check_case(case: &serde_json::Value) -> Result<(), String> {
    let kind = case.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    match kind {
        "duration" => duration::check(case),
        "printer_row" => printer_row::check(case),
        "service_validation" => service_validation::check(case),
        "error_format" => error_format::check(case),
        "defaults" => defaults::check(case),
        "allocation" => allocation::check(case),
        "naming" => naming::check(case),
        "kubectl_cli" => kubectl_cli::check(case),
        other => Err(format!("no handler for vector kind {other:?}")),
    }
}

/// Runs one `.jsonl` file.
pub fn run_file(path: &Path) -> FileReport {
    let mut report = FileReport { path: path.to_path_buf(), ..Default::default() };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            report.failures.push(("<file>".into(), format!("cannot read: {e}")));
            return report;
        }
    };
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                report.failures.push((format!("line {}", index + 1), format!("not JSON: {e}")));
                continue;
            }
        };
        let id = case.get("id").and_then(|v| v.as_str()).unwrap_or("<no id>").to_string();
        // Handlers see the file's directory through the case so that kubectl_cli can
        // find kubectl_states.json beside it.
        let mut case = case;
        if let Some(obj) = case.as_object_mut() {
            obj.insert("_dir".into(), serde_json::Value::String(path.parent().unwrap_or(Path::new(".")).display().to_string()));
        }
        // A handler that panics is a failure of that case, not of the run.
        match std::panic::catch_unwind(|| check_case(&case)) {
            Ok(Ok(())) => report.passed += 1,
            Ok(Err(diff)) => report.failures.push((id, diff)),
            Err(_) => report.failures.push((id, "PANIC in the simulator".into())),
        }
    }
    report
}

/// Cases where kubesim follows real Kubernetes rather than a captured vector, read
/// from a deviations file: one `ID  reason` per line, `#` comments. They still count
/// as failed in every report; `--known-deviations FILE` only keeps them from making
/// the exit status non-zero, so that the test command can pass while the deviation
/// stays visible.
pub fn read_deviations(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Runs every `.jsonl` file in the directories (sorted by name) and prints the
/// report. Returns true when every case passed, or failed only as a listed deviation.
pub fn run(dirs: &[String], deviations: &[String], out: &mut String) -> bool {
    let mut all_ok = true;
    let mut documented = 0;
    let mut total_passed = 0;
    let mut total_failed = 0;
    for dir in dirs {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "jsonl")).collect(),
            Err(e) => {
                let _ = writeln!(out, "{dir}: cannot read directory: {e}");
                all_ok = false;
                continue;
            }
        };
        files.sort();
        for file in files {
            let report = run_file(&file);
            let _ = writeln!(out, "{}: {} passed, {} failed", report.path.display(), report.passed, report.failures.len());
            for (id, diff) in &report.failures {
                if deviations.contains(id) {
                    documented += 1;
                    let _ = writeln!(out, "  FAIL {id} (a documented deviation: kubesim follows real Kubernetes here)");
                } else {
                    all_ok = false;
                    let _ = writeln!(out, "  FAIL {id}");
                }
                for line in diff.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
            total_passed += report.passed;
            total_failed += report.failures.len();
        }
    }
    let _ = writeln!(out, "vectors: {total_passed} passed, {total_failed} failed");
    if documented > 0 {
        let _ = writeln!(out, "vectors: {documented} of the failures are documented deviations");
    }
    all_ok
}

/// A line diff of expected against actual text, for failure reports.
pub fn text_diff(label: &str, expected: &str, actual: &str) -> String {
    let mut out = format!("{label} differs (- expected, + actual):\n");
    let e: Vec<&str> = expected.split('\n').collect();
    let a: Vec<&str> = actual.split('\n').collect();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => {
                let _ = writeln!(out, "  {x:?}");
            }
            (x, y) => {
                if let Some(x) = x {
                    let _ = writeln!(out, "- {x:?}");
                }
                if let Some(y) = y {
                    let _ = writeln!(out, "+ {y:?}");
                }
            }
        }
    }
    out
}
