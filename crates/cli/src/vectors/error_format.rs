//! Vector handler for `error_format` cases: a field error rendered as
//! `field.Error.Error()`, or an API Status (or a client-side error) rendered as
//! kubectl's `checkErr` prints it, with its exit code.

use serde_json::Value;
use sim_core::apiserver::{ErrorType, FieldError, KubectlError, Status};

pub fn check(case: &Value) -> Result<(), String> {
    let input = case.get("input").unwrap_or(&Value::Null);
    if let Some(expected) = case.get("expected").and_then(Value::as_str) {
        let type_name = input.get("type").and_then(Value::as_str).unwrap_or("");
        let error_type = ErrorType::parse(type_name).ok_or_else(|| format!("unknown field error type {type_name:?}"))?;
        let err = FieldError {
            field: input.get("field").and_then(Value::as_str).unwrap_or("").to_string(),
            error_type,
            bad_value: input.get("badValue").cloned().unwrap_or(Value::Null),
            detail: input.get("detail").and_then(Value::as_str).unwrap_or("").to_string(),
            supported: Vec::new(),
        };
        let got = err.to_string();
        return if got == expected { Ok(()) } else { Err(super::text_diff("field error", expected, &got)) };
    }
    let expected_stderr = case.get("expected_stderr").and_then(Value::as_str).unwrap_or("");
    let expected_code = case.get("expected_exit_code").and_then(Value::as_i64).unwrap_or(1);
    let (stderr, code) = match input.get("status") {
        Some(status) if status.is_object() => {
            let status = Status::from_json(status).ok_or("status does not decode")?;
            (format!("{}\n", status.kubectl_message()), 1)
        }
        // No Status: the error is kubectl's own; the case's notes name which one.
        _ => {
            let notes = case.get("notes").and_then(Value::as_str).unwrap_or("");
            let err = client_error(notes).ok_or_else(|| format!("no client-side error matches the notes {notes:?}"))?;
            (format!("{}\n", err.kubectl_message()), 1)
        }
    };
    if stderr != expected_stderr {
        return Err(super::text_diff("stderr", expected_stderr, &stderr));
    }
    if code != expected_code {
        return Err(format!("exit code: expected {expected_code}, got {code}"));
    }
    Ok(())
}

/// The kubectl-side error a case's notes describe: a `NoResourceMatchError` for the
/// command in backticks, or a refused connection to the simulated API server.
fn client_error(notes: &str) -> Option<KubectlError> {
    if notes.contains("NoResourceMatchError") {
        let command = notes.split('`').nth(1)?;
        let resource = command.split_whitespace().nth(2)?;
        return Some(KubectlError::NoResourceType { resource: resource.to_string() });
    }
    if notes.contains("connection refused") {
        return Some(KubectlError::ConnectionRefused { host: sim_core::apiserver::API_SERVER_HOST.to_string() });
    }
    None
}
