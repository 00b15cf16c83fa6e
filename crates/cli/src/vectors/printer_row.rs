//! Vector handler for `printer_row` cases: the table cells the API server computes
//! for one object (printers.go), compared cell by cell.
//!
//! The server always generates wide rows; a case with `options.wide: false` lists
//! only the cells of the priority-0 columns, so the row is cut to those.

use serde_json::Value;
use sim_core::printers::table;
use sim_core::snapshot;

/// The instant relative timestamps (`@now-10s`) in inputs are resolved against;
/// any fixed instant works because the cells depend only on differences.
const NOW_RFC3339: &str = "2026-01-05T09:00:00Z";

pub fn check(case: &Value) -> Result<(), String> {
    let resource = case.get("resource").and_then(Value::as_str).ok_or("case has no resource")?;
    let wide = case.pointer("/options/wide").and_then(Value::as_bool).unwrap_or(false);
    let now = k8s_openapi_now()?;
    let mut input = case.get("input").cloned().ok_or("case has no input")?;
    snapshot::resolve_relative_times(&mut input, now);
    let (columns, cells) = match table::row_for_json(resource, input, now) {
        None => return Err(format!("no printer for resource {resource:?}")),
        Some(Err(e)) => return Err(format!("input does not decode as {resource}: {e}")),
        Some(Ok(row)) => row,
    };
    let got: Vec<String> = cells
        .into_iter()
        .zip(columns.iter())
        .filter(|(_, c)| wide || c.priority == 0)
        .map(|(cell, _)| cell)
        .collect();
    let expected: Vec<String> = case
        .get("expected_cells")
        .and_then(Value::as_array)
        .ok_or("case has no expected_cells")?
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    if got == expected {
        Ok(())
    } else {
        Err(format!("cells differ:\n  expected {expected:?}\n  actual   {got:?}"))
    }
}

fn k8s_openapi_now() -> Result<sim_core::snapshot::Instant, String> {
    snapshot::parse_rfc3339(NOW_RFC3339).ok_or_else(|| "bad fixed instant".to_string())
}
