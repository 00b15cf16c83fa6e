//! Vector handler for `kubectl_cli` cases (stub until its owner lands it).

pub fn check(_case: &serde_json::Value) -> Result<(), String> {
    Err("not implemented yet".to_string())
}
