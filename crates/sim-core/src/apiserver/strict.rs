//! Strict field validation (`fieldValidation=Strict`, what kubectl 1.32 sends): fields
//! the kind's schema does not know are an error, as the API server's strict decoder
//! (`sigs.k8s.io/json` UnmarshalStrict) reports them:
//! `Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"`.
//!
//! Detection: decode into the typed k8s-openapi struct, encode again, and look for
//! every non-null path of the client's JSON in the re-encoding. What serde dropped is
//! what the schema does not have.

use serde_json::Value;

use super::status::{go_quote, Status};
use crate::resources::{resource_type, Kind};
use crate::store::Object;

/// Unknown field paths of `raw` for `kind`, in document order (`spec.ports[0].foo`).
/// Returns an empty list if `raw` does not decode at all (that is another error).
pub fn unknown_fields(kind: Kind, raw: &Value) -> Vec<String> {
    let mut with_type = raw.clone();
    if let Some(obj) = with_type.as_object_mut() {
        let rt = resource_type(kind);
        obj.insert("apiVersion".into(), Value::String(rt.api_version()));
        obj.insert("kind".into(), Value::String(rt.kind_name.to_string()));
    }
    let Ok(decoded) = Object::from_json(with_type) else { return Vec::new() };
    let encoded = decoded.to_json();
    let mut out = Vec::new();
    collect(raw, &encoded, "", &mut out);
    out
}

fn collect(raw: &Value, known: &Value, prefix: &str, out: &mut Vec<String>) {
    match (raw, known) {
        (Value::Object(r), Value::Object(k)) => {
            for (key, value) in r {
                if value.is_null() {
                    continue;
                }
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                match k.get(key) {
                    Some(kv) => collect(value, kv, &path, out),
                    None => {
                        // An empty `{}`/`[]` of a known field can vanish in the
                        // re-encoding, so only non-empty values are reported.
                        if !is_empty_container(value) {
                            out.push(path);
                        }
                    }
                }
            }
        }
        (Value::Array(r), Value::Array(k)) => {
            for (i, (rv, kv)) in r.iter().zip(k.iter()).enumerate() {
                collect(rv, kv, &format!("{prefix}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn is_empty_container(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// The strict decoding error for `raw`, if it has unknown fields.
pub fn check(kind: Kind, raw: &Value) -> Result<(), Status> {
    let unknown = unknown_fields(kind, raw);
    if unknown.is_empty() {
        return Ok(());
    }
    let rt = resource_type(kind);
    let list: Vec<String> = unknown.iter().map(|f| format!("unknown field {}", go_quote(f))).collect();
    Err(Status::bad_request(&format!(
        "{} in version {} cannot be handled as a {}: strict decoding error: {}",
        rt.kind_name,
        go_quote(rt.version),
        rt.kind_name,
        list.join(", ")
    )))
}

/// The warnings kubectl prints for `fieldValidation=Warn` (`Warning: unknown field "spec.foo"`).
pub fn warnings(kind: Kind, raw: &Value) -> Vec<String> {
    unknown_fields(kind, raw).iter().map(|f| format!("unknown field {}", go_quote(f))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_found_with_their_paths() {
        let raw = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "creationTimestamp": null},
            "spec": {"foo": 1, "ports": [{"port": 80, "bar": true}], "selector": {}}});
        assert_eq!(unknown_fields(Kind::Service, &raw), ["spec.foo", "spec.ports[0].bar"]);
        let err = check(Kind::Service, &raw).err().map(|s| s.kubectl_message());
        assert_eq!(
            err.as_deref(),
            Some("Error from server (BadRequest): Service in version \"v1\" cannot be handled as a Service: strict decoding error: unknown field \"spec.foo\", unknown field \"spec.ports[0].bar\"")
        );
    }

    #[test]
    fn known_manifests_pass() {
        let raw = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
              "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}}},
            "status": {}});
        assert!(unknown_fields(Kind::Deployment, &raw).is_empty());
    }
}
