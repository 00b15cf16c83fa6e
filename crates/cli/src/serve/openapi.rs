//! OpenAPI v3 documents of the served group versions.

use serde_json::{json, Value};

pub fn index() -> Value {
    json!({"paths": {}})
}

pub fn document(_path: &str) -> Option<Value> {
    None
}
