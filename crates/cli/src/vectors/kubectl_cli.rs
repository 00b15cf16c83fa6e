//! Vector handler for `kubectl_cli` cases: load the referenced cluster state, run
//! the command line through kubectl at capture time plus the case's shift, and
//! compare stdout, stderr and the exit code exactly.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use sim_core::snapshot;
use sim_core::Output;

/// When the reference states were captured if a state does not say (see
/// `snapshot::capture_time`: its Events pin it).
const DEFAULT_CAPTURE: &str = "2026-11-22T12:44:33Z";

/// `kubectl_states.json` files by directory, read once.
fn states(dir: &str) -> Result<Value, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Value>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().map_err(|_| "state cache poisoned".to_string())?;
    if let Some(v) = cache.get(dir) {
        return Ok(v.clone());
    }
    let path = std::path::Path::new(dir).join("kubectl_states.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    cache.insert(dir.to_string(), value.clone());
    Ok(value)
}

pub fn check(case: &Value) -> Result<(), String> {
    let dir = case.get("_dir").and_then(Value::as_str).unwrap_or(".");
    let state_ref = case.get("state_ref").and_then(Value::as_str).ok_or("case has no state_ref")?;
    let all = states(dir)?;
    let objects = all
        .pointer(&format!("/states/{state_ref}"))
        .and_then(Value::as_array)
        .ok_or_else(|| format!("state {state_ref:?} not in kubectl_states.json"))?;
    let capture = snapshot::capture_time(objects)
        .or_else(|| snapshot::parse_rfc3339(DEFAULT_CAPTURE))
        .ok_or("no capture time")?;
    let shift = case.get("state_time_shift_s").and_then(Value::as_f64).unwrap_or(0.0);
    let now = capture + k8s_openapi::chrono::Duration::milliseconds((shift * 1000.0) as i64);
    // Relative times are relative to the capture; the command runs `shift` later.
    let mut cluster = snapshot::load(objects, capture, 1).map_err(|e| format!("state {state_ref}: object {}: {}", e.index, e.message))?;
    cluster.clock.advance_to(now);
    let argv: Vec<String> = case
        .get("argv")
        .and_then(Value::as_array)
        .ok_or("case has no argv")?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let args = match argv.split_first() {
        Some((first, rest)) if first == "kubectl" => rest.to_vec(),
        _ => return Err(format!("argv does not start with kubectl: {argv:?}")),
    };
    let stdin = case.get("stdin").and_then(Value::as_str);
    let mut out = Output::default();
    let code = sim_core::kubectl::run(&mut cluster, &args, stdin, &mut out);
    let want_out = case.get("expected_stdout").and_then(Value::as_str).unwrap_or("");
    let want_err = case.get("expected_stderr").and_then(Value::as_str).unwrap_or("");
    let want_code = case.get("expected_exit_code").and_then(Value::as_i64).unwrap_or(0);
    let mut problems = String::new();
    if out.stdout != want_out {
        problems.push_str(&super::text_diff("stdout", want_out, &out.stdout));
    }
    if out.stderr != want_err {
        problems.push_str(&super::text_diff("stderr", want_err, &out.stderr));
    }
    if i64::from(code) != want_code {
        problems.push_str(&format!("exit code: expected {want_code}, got {code}\n"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("$ {}\n{problems}", argv.join(" ")))
    }
}
