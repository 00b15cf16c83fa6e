//! Vector handler for `duration` cases: `HumanDuration` (AGE and every "ago") and
//! `ShortHumanDuration`.

use serde_json::Value;
use sim_core::printers::duration::{human_duration_ns, short_human_duration_ns};

pub fn check(case: &Value) -> Result<(), String> {
    let function = case.get("function").and_then(Value::as_str).unwrap_or("HumanDuration");
    let render: fn(i128) -> String = match function {
        "HumanDuration" => human_duration_ns,
        "ShortHumanDuration" => short_human_duration_ns,
        other => return Err(format!("kubesim has no duration function {other:?}")),
    };
    let ns = case
        .get("duration_ns")
        .and_then(|v| v.as_i64().map(i128::from).or_else(|| v.as_f64().map(|f| f as i128)))
        .ok_or("case has no integer duration_ns")?;
    let expected = case.get("expected").and_then(Value::as_str).ok_or("case has no expected text")?;
    let got = render(ns);
    if got == expected {
        Ok(())
    } else {
        Err(format!("{function}({ns} ns): expected {expected:?}, got {got:?}"))
    }
}
