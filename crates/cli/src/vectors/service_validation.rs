//! Vector handler for `service_validation` cases: the Service in `input` goes through
//! the API server's create validation (`ValidateService`, metadata included, no
//! defaulting: the upstream test calls validation directly) and must produce exactly
//! the expected errors, in order.

use serde_json::Value;
use sim_core::apiserver::service;
use sim_core::store::Object;

pub fn check(case: &Value) -> Result<(), String> {
    let mut input = case.get("input").cloned().unwrap_or(Value::Null);
    if let Some(obj) = input.as_object_mut() {
        obj.insert("apiVersion".into(), Value::from("v1"));
        obj.insert("kind".into(), Value::from("Service"));
    }
    let svc = match Object::from_json(input) {
        Ok(Object::Service(svc)) => svc,
        other => return Err(format!("input does not decode as a Service: {other:?}")),
    };
    let got: Vec<String> = service::validate_service_create(&svc).iter().map(|e| e.to_string()).collect();
    let want: Vec<String> = case
        .get("expected_errors")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|e| e.get("rendered").and_then(Value::as_str)).map(str::to_string).collect())
        .unwrap_or_default();
    if let Some(n) = case.get("expected_num_errs").and_then(Value::as_u64) {
        if got.len() as u64 != n {
            return Err(format!("expected {n} errors, got {}:\n{}", got.len(), got.join("\n")));
        }
    }
    if got != want {
        return Err(super::text_diff("errors", &want.join("\n"), &got.join("\n")));
    }
    Ok(())
}
