//! The three patch formats the API server accepts: JSON merge patch (RFC 7386),
//! strategic merge patch (lists merged by their `patchMergeKey`, directives such as
//! `$patch: delete`) and JSON patch (RFC 6902).
//!
//! Upstream: `k8s.io/apimachinery/pkg/util/strategicpatch` (merge keys come from the
//! Go struct tags `patchStrategy:"merge" patchMergeKey:"name"`; the table here lists
//! the ones of the types kubesim serves), `github.com/evanphx/json-patch` (v4, its
//! error texts), and `k8s.io/apiserver/pkg/endpoints/handlers/patch.go` (how patch
//! errors become Status errors).

use serde_json::{Map, Value};

use super::status::{Status, StatusDetails, StatusReason};
use crate::resources::Kind;

/// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
pub fn merge_patch(original: &Value, patch: &Value) -> Result<Value, String> {
    Ok(merge_value(original, patch))
}

fn merge_value(original: &Value, patch: &Value) -> Value {
    match (original, patch) {
        (Value::Object(o), Value::Object(p)) => {
            let mut out = o.clone();
            for (k, v) in p {
                if v.is_null() {
                    out.remove(k);
                } else {
                    let merged = match out.get(k) {
                        Some(existing) => merge_value(existing, v),
                        None => merge_value(&Value::Null, v),
                    };
                    out.insert(k.clone(), merged);
                }
            }
            Value::Object(out)
        }
        (_, Value::Object(p)) => merge_value(&Value::Object(Map::new()), &Value::Object(p.clone())),
        (_, p) => p.clone(),
    }
}

/// How a list at a path is patched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListStrategy {
    /// Items are objects matched by this key.
    MergeByKey(&'static str),
    /// A list of scalars merged as a set (`metadata.finalizers`).
    MergePrimitives,
    Replace,
}

/// The `patchMergeKey` of the list at `path` (segments with list items written `[]`).
pub fn list_strategy(kind: Kind, path: &[String]) -> ListStrategy {
    let Some(last) = path.last() else { return ListStrategy::Replace };
    let parent = path.len().checked_sub(2).and_then(|i| path.get(i)).map(String::as_str).unwrap_or("");
    match last.as_str() {
        "containers" | "initContainers" | "ephemeralContainers" => ListStrategy::MergeByKey("name"),
        "ports" if parent == "[]" && path.iter().any(|s| s.ends_with("ontainers")) => ListStrategy::MergeByKey("containerPort"),
        "ports" if kind == Kind::Service && path.len() == 2 && path[0] == "spec" => ListStrategy::MergeByKey("port"),
        "env" | "volumes" | "imagePullSecrets" | "resourceClaims" => ListStrategy::MergeByKey("name"),
        "volumeMounts" => ListStrategy::MergeByKey("mountPath"),
        "volumeDevices" => ListStrategy::MergeByKey("devicePath"),
        "hostAliases" => ListStrategy::MergeByKey("ip"),
        "topologySpreadConstraints" => ListStrategy::MergeByKey("topologyKey"),
        "ownerReferences" => ListStrategy::MergeByKey("uid"),
        "conditions" if path.first().map(String::as_str) == Some("status") => ListStrategy::MergeByKey("type"),
        "addresses" if kind == Kind::Node => ListStrategy::MergeByKey("type"),
        "finalizers" if path.len() == 2 && path[0] == "metadata" => ListStrategy::MergePrimitives,
        _ => ListStrategy::Replace,
    }
}

/// Strategic merge patch of an object of `kind`.
pub fn strategic_merge_patch(kind: Kind, original: &Value, patch: &Value) -> Result<Value, String> {
    if !patch.is_object() {
        return Err(format!("json: cannot unmarshal {} into Go value of type map[string]interface {{}}", json_type(patch)));
    }
    let mut path = Vec::new();
    Ok(smp_value(kind, original, patch, &mut path))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn smp_value(kind: Kind, original: &Value, patch: &Value, path: &mut Vec<String>) -> Value {
    match (original, patch) {
        (Value::Object(o), Value::Object(p)) => Value::Object(smp_map(kind, o, p, path)),
        (_, Value::Object(p)) => Value::Object(smp_map(kind, &Map::new(), p, path)),
        (Value::Array(o), Value::Array(p)) => Value::Array(smp_list(kind, o, p, path)),
        (_, Value::Array(p)) => Value::Array(smp_list(kind, &[], p, path)),
        (_, p) => p.clone(),
    }
}

fn smp_map(kind: Kind, original: &Map<String, Value>, patch: &Map<String, Value>, path: &mut Vec<String>) -> Map<String, Value> {
    // `$patch: replace` swaps the whole map; `$patch: delete` is handled by the caller.
    if patch.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut p = patch.clone();
        p.remove("$patch");
        return strip_directives(&p);
    }
    let mut out = original.clone();
    for (k, v) in patch {
        if k == "$patch" || k.starts_with("$setElementOrder/") {
            continue;
        }
        if k == "$retainKeys" {
            if let Some(keep) = v.as_array() {
                let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
                out.retain(|key, _| keep.contains(&key.as_str()) || patch.contains_key(key));
            }
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Some(remove)) = (out.get_mut(field), v.as_array()) {
                list.retain(|item| !remove.contains(item));
            }
            continue;
        }
        if v.is_null() {
            out.remove(k);
            continue;
        }
        if v.as_object().and_then(|m| m.get("$patch")).and_then(Value::as_str) == Some("delete") {
            out.remove(k);
            continue;
        }
        path.push(k.clone());
        let merged = match out.get(k) {
            Some(existing) => smp_value(kind, existing, v, path),
            None => smp_value(kind, &Value::Null, v, path),
        };
        path.pop();
        out.insert(k.clone(), merged);
    }
    out
}

fn strip_directives(m: &Map<String, Value>) -> Map<String, Value> {
    m.iter().filter(|(k, _)| !k.starts_with('$')).map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn smp_list(kind: Kind, original: &[Value], patch: &[Value], path: &mut Vec<String>) -> Vec<Value> {
    match list_strategy(kind, path) {
        ListStrategy::Replace => patch.iter().map(strip_value).collect(),
        ListStrategy::MergePrimitives => {
            let mut out = original.to_vec();
            for v in patch {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            out
        }
        ListStrategy::MergeByKey(key) => {
            // `[{"$patch": "replace"}, ...]` replaces the list.
            if patch.iter().any(|v| v.get("$patch").and_then(Value::as_str) == Some("replace")) {
                return patch
                    .iter()
                    .filter(|v| v.get("$patch").is_none())
                    .map(strip_value)
                    .collect();
            }
            let mut out = original.to_vec();
            for item in patch {
                let Some(obj) = item.as_object() else {
                    out.push(item.clone());
                    continue;
                };
                let key_value = obj.get(key);
                let position = key_value.and_then(|kv| out.iter().position(|o| o.get(key) == Some(kv)));
                if obj.get("$patch").and_then(Value::as_str) == Some("delete") {
                    if let Some(i) = position {
                        out.remove(i);
                    }
                    continue;
                }
                path.push("[]".to_string());
                match position {
                    Some(i) => {
                        let merged = smp_value(kind, &out[i], item, path);
                        out[i] = merged;
                    }
                    None => out.push(smp_value(kind, &Value::Null, item, path)),
                }
                path.pop();
            }
            out
        }
    }
}

fn strip_value(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(strip_directives(m)),
        other => other.clone(),
    }
}

/// Why a JSON patch could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonPatchError {
    /// The patch document itself is malformed (BadRequest).
    Malformed(String),
    /// An operation does not apply to the document (BadRequest with the library's text).
    DoesNotApply(String),
    /// A `test` operation failed (422).
    TestFailed(String),
}

/// How the API server answers a failed JSON patch (`interpretJSONPatchError`).
pub fn json_patch_status(err: JsonPatchError) -> Status {
    match err {
        JsonPatchError::Malformed(m) | JsonPatchError::DoesNotApply(m) => Status::bad_request(&m),
        JsonPatchError::TestFailed(_) => Status {
            code: 422,
            reason: StatusReason::Invalid,
            message: "the server rejected our request due to an error in our request".to_string(),
            details: Some(StatusDetails { name: String::new(), group: String::new(), kind: String::new(), causes: vec![] }),
        },
    }
}

/// RFC 6902 JSON patch.
pub fn json_patch(original: &Value, patch: &Value) -> Result<Value, JsonPatchError> {
    let Some(ops) = patch.as_array() else {
        return Err(JsonPatchError::Malformed(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            json_type(patch)
        )));
    };
    let mut doc = original.clone();
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        match name {
            "add" => {
                let value = op.get("value").cloned().ok_or_else(|| JsonPatchError::Malformed("missing value".into()))?;
                add(&mut doc, path, value).map_err(|_| {
                    JsonPatchError::DoesNotApply(format!("add operation does not apply: doc is missing path: \"{path}\": missing value"))
                })?;
            }
            "remove" => {
                remove(&mut doc, path).map_err(|_| {
                    JsonPatchError::DoesNotApply(format!("remove operation does not apply: doc is missing path: \"{path}\": missing value"))
                })?;
            }
            "replace" => {
                let value = op.get("value").cloned().ok_or_else(|| JsonPatchError::Malformed("missing value".into()))?;
                match pointer_mut(&mut doc, path) {
                    Some(slot) => *slot = value,
                    None => {
                        return Err(JsonPatchError::DoesNotApply(format!(
                            "replace operation does not apply: doc is missing key: {path}: missing value"
                        )))
                    }
                }
            }
            "move" | "copy" => {
                let from = op.get("from").and_then(Value::as_str).unwrap_or("");
                let value = doc.pointer(from).cloned().ok_or_else(|| {
                    JsonPatchError::DoesNotApply(format!("{name} operation does not apply: doc is missing from path: {from}: missing value"))
                })?;
                if name == "move" {
                    remove(&mut doc, from).map_err(|_| {
                        JsonPatchError::DoesNotApply(format!("move operation does not apply: doc is missing from path: {from}: missing value"))
                    })?;
                }
                add(&mut doc, path, value).map_err(|_| {
                    JsonPatchError::DoesNotApply(format!("{name} operation does not apply: doc is missing destination path: {path}: missing value"))
                })?;
            }
            "test" => {
                let expected = op.get("value").cloned().unwrap_or(Value::Null);
                if doc.pointer(path) != Some(&expected) {
                    return Err(JsonPatchError::TestFailed(format!("testing value {path} failed: test failed")));
                }
            }
            other => return Err(JsonPatchError::Malformed(format!("Unexpected kind: {other}"))),
        }
    }
    Ok(doc)
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn split_pointer(path: &str) -> Option<(String, String)> {
    if path.is_empty() {
        return None;
    }
    let idx = path.rfind('/')?;
    Some((path[..idx].to_string(), unescape(&path[idx + 1..])))
}

fn pointer_mut<'a>(doc: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    if path.is_empty() {
        return Some(doc);
    }
    doc.pointer_mut(path)
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), ()> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = split_pointer(path).ok_or(())?;
    let container = pointer_mut(doc, &parent).ok_or(())?;
    match container {
        Value::Object(m) => {
            m.insert(last, value);
            Ok(())
        }
        Value::Array(list) => {
            if last == "-" {
                list.push(value);
                return Ok(());
            }
            let i: usize = last.parse().map_err(|_| ())?;
            if i > list.len() {
                return Err(());
            }
            list.insert(i, value);
            Ok(())
        }
        _ => Err(()),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<(), ()> {
    let (parent, last) = split_pointer(path).ok_or(())?;
    let container = pointer_mut(doc, &parent).ok_or(())?;
    match container {
        Value::Object(m) => m.remove(&last).map(|_| ()).ok_or(()),
        Value::Array(list) => {
            let i: usize = last.parse().map_err(|_| ())?;
            if i >= list.len() {
                return Err(());
            }
            list.remove(i);
            Ok(())
        }
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let original = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "nginx", "ports": [{"containerPort": 80}]},
            {"name": "b", "image": "redis"}]}}}});
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "nginx:1.27", "ports": [{"containerPort": 443}]},
            {"name": "b", "$patch": "delete"}]}}}});
        let out = strategic_merge_patch(Kind::Deployment, &original, &patch).unwrap_or(Value::Null);
        assert_eq!(
            out,
            json!({"spec": {"template": {"spec": {"containers": [
                {"name": "a", "image": "nginx:1.27", "ports": [{"containerPort": 80}, {"containerPort": 443}]}]}}}})
        );
    }

    #[test]
    fn service_ports_merge_by_port_and_other_lists_replace() {
        let original = json!({"spec": {"ports": [{"port": 80, "targetPort": 80}], "externalIPs": ["1.2.3.4"]}});
        let patch = json!({"spec": {"ports": [{"port": 80, "nodePort": 30080}], "externalIPs": ["5.6.7.8"]}});
        let out = strategic_merge_patch(Kind::Service, &original, &patch).unwrap_or(Value::Null);
        assert_eq!(out, json!({"spec": {"ports": [{"port": 80, "targetPort": 80, "nodePort": 30080}], "externalIPs": ["5.6.7.8"]}}));
        let merged = merge_patch(&original, &patch).unwrap_or(Value::Null);
        assert_eq!(merged["spec"]["ports"], json!([{"port": 80, "nodePort": 30080}]));
    }

    #[test]
    fn json_patch_ops_and_errors() {
        let doc = json!({"spec": {"replicas": 1, "list": [1, 2]}});
        let p = json!([{"op": "replace", "path": "/spec/replicas", "value": 3}, {"op": "add", "path": "/spec/list/-", "value": 3},
                      {"op": "remove", "path": "/spec/list/0"}, {"op": "test", "path": "/spec/replicas", "value": 3}]);
        assert_eq!(json_patch(&doc, &p), Ok(json!({"spec": {"replicas": 3, "list": [2, 3]}})));
        let bad = json!([{"op": "replace", "path": "/spec/foo", "value": 1}]);
        assert_eq!(
            json_patch(&doc, &bad),
            Err(JsonPatchError::DoesNotApply("replace operation does not apply: doc is missing key: /spec/foo: missing value".into()))
        );
    }
}
