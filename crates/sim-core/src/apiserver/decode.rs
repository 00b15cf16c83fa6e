//! Decoding a request body into a typed object, with the API server's error texts.
//!
//! A body whose values have the wrong JSON type (`replicas: "3"`, `port: "80"`) fails
//! in Go's `encoding/json` with `json: cannot unmarshal string into Go struct field
//! DeploymentSpec.spec.replicas of type int32`; the API server wraps it as
//! `Deployment in version "v1" cannot be handled as a Deployment: <that>`. serde's
//! message names neither the field nor the Go types, so the offending value is found
//! here by decoding the body without each value in turn (the deepest value whose
//! removal makes the body decode is the culprit) and the Go names come from a table
//! of the structs the course's kinds use.

use serde_json::Value;

use super::status::{go_quote, Status};
use crate::resources::{resource_type, Kind};
use crate::store::{DecodeError, Object};

/// Decodes JSON that must be of `kind`; a failure is the server's BadRequest.
pub fn decode_as(kind: Kind, value: Value) -> Result<Object, Status> {
    let rt = resource_type(kind);
    match Object::from_json(value.clone()) {
        Ok(o) if o.kind() == kind => Ok(o),
        Ok(o) => Err(Status::bad_request(&format!(
            "the body of the request was in an unknown format - accepted media types include: application/json; kind {} is not {}",
            o.resource_type().kind_name,
            rt.kind_name
        ))),
        Err(DecodeError::UnknownKind { api_version, kind: k }) => Err(Status::bad_request(&format!(
            "no kind {} is registered for version {}",
            go_quote(&k),
            go_quote(&api_version)
        ))),
        Err(DecodeError::Invalid(e)) => {
            let detail = go_unmarshal_error(kind, &value, &e).unwrap_or(e);
            Err(Status::bad_request(&format!(
                "{} in version {} cannot be handled as a {}: {}",
                rt.kind_name,
                go_quote(rt.version),
                rt.kind_name,
                detail
            )))
        }
    }
}

/// One step of a path into the body.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Go's `UnmarshalTypeError` text for the value that breaks decoding, if one is found.
fn go_unmarshal_error(kind: Kind, body: &Value, serde_message: &str) -> Option<String> {
    let mut path = Vec::new();
    let culprit = find_culprit(body, body, serde_message, &mut path)?;
    let value = lookup(body, &culprit)?;
    let json_type = match value {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => return None,
    };
    // The field stack: object keys only; a value inside a map stops at the map field.
    let mut fields: Vec<String> = Vec::new();
    let mut in_map = false;
    for step in &culprit {
        if let Step::Key(k) = step {
            if in_map {
                break;
            }
            fields.push(k.clone());
            in_map = is_map_field(kind, &fields);
        }
    }
    let go_type = go_type_from_serde(serde_message)?;
    let parent: Vec<String> = fields[..fields.len().saturating_sub(1)].to_vec();
    let structure = go_struct(kind, &parent)?;
    Some(format!(
        "json: cannot unmarshal {json_type} into Go struct field {structure}.{} of type {go_type}",
        fields.join(".")
    ))
}

/// The deepest value (post-order, document order) whose removal changes the decoding
/// error (the body then decodes, or fails further on).
fn find_culprit(root: &Value, node: &Value, error: &str, path: &mut Vec<Step>) -> Option<Vec<Step>> {
    match node {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(Step::Key(k.clone()));
                let found = find_culprit(root, v, error, path);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Step::Index(i));
                let found = find_culprit(root, v, error, path);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
        }
        _ => {}
    }
    if path.is_empty() {
        return None;
    }
    let mut trial = root.clone();
    remove(&mut trial, path);
    match Object::from_json(trial) {
        Ok(_) => Some(path.clone()),
        Err(DecodeError::Invalid(e)) if e != error => Some(path.clone()),
        Err(_) => None,
    }
}

fn lookup<'a>(root: &'a Value, path: &[Step]) -> Option<&'a Value> {
    let mut v = root;
    for s in path {
        v = match s {
            Step::Key(k) => v.get(k)?,
            Step::Index(i) => v.get(*i)?,
        };
    }
    Some(v)
}

fn remove(root: &mut Value, path: &[Step]) {
    let Some((last, parent_path)) = path.split_last() else { return };
    let mut v = root;
    for s in parent_path {
        let next = match s {
            Step::Key(k) => v.get_mut(k),
            Step::Index(i) => v.get_mut(*i),
        };
        match next {
            Some(n) => v = n,
            None => return,
        }
    }
    match (last, v) {
        (Step::Key(k), Value::Object(m)) => {
            m.remove(k);
        }
        (Step::Index(i), Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

/// Map-valued fields: a bad value inside one is reported at the map field.
fn is_map_field(kind: Kind, fields: &[String]) -> bool {
    let last = fields.last().map(String::as_str).unwrap_or("");
    match last {
        "labels" | "annotations" | "matchLabels" | "nodeSelector" | "data" | "binaryData" => true,
        "selector" => kind == Kind::Service,
        _ => false,
    }
}

/// Go's name of the type serde expected.
fn go_type_from_serde(message: &str) -> Option<&'static str> {
    let expected = message.split("expected ").nth(1)?;
    Some(if expected.starts_with("i32") {
        "int32"
    } else if expected.starts_with("i64") {
        "int64"
    } else if expected.starts_with("a string") {
        "string"
    } else if expected.starts_with("a boolean") {
        "bool"
    } else if expected.starts_with("u32") || expected.starts_with("u64") {
        "uint64"
    } else if expected.starts_with("f64") {
        "float64"
    } else {
        return None;
    })
}

/// The Go struct that holds the fields at `parent` (JSON path without indices).
fn go_struct(kind: Kind, parent: &[String]) -> Option<String> {
    let p: Vec<&str> = parent.iter().map(String::as_str).collect();
    let rt = resource_type(kind);
    let last = p.last().copied().unwrap_or("");
    let name = match (kind, p.as_slice()) {
        (_, []) => rt.kind_name,
        (_, [.., "metadata"]) => "ObjectMeta",
        (Kind::Service, ["spec"]) => "ServiceSpec",
        (Kind::Service, ["spec", "ports"]) => "ServicePort",
        (Kind::Service, ["spec", "sessionAffinityConfig"]) => "SessionAffinityConfig",
        (Kind::Service, ["spec", "sessionAffinityConfig", "clientIP"]) => "ClientIPConfig",
        (Kind::Deployment, ["spec"]) => "DeploymentSpec",
        (Kind::ReplicaSet, ["spec"]) => "ReplicaSetSpec",
        (Kind::Deployment, ["spec", "strategy"]) => "DeploymentStrategy",
        (Kind::Deployment, ["spec", "strategy", "rollingUpdate"]) => "RollingUpdateDeployment",
        (Kind::Pod, ["spec"]) => "PodSpec",
        (Kind::Namespace, ["spec"]) => "NamespaceSpec",
        (_, [.., "template"]) => "PodTemplateSpec",
        (_, [.., "template", "spec"]) => "PodSpec",
        (_, [.., "selector"]) | (_, [.., "labelSelector"]) => "LabelSelector",
        (_, [.., "matchExpressions"]) => "LabelSelectorRequirement",
        _ => match last {
            "containers" | "initContainers" => "Container",
            "ports" => "ContainerPort",
            "env" => "EnvVar",
            "resources" => "ResourceRequirements",
            "volumeMounts" => "VolumeMount",
            "volumes" => "Volume",
            "livenessProbe" | "readinessProbe" | "startupProbe" => "Probe",
            "httpGet" => "HTTPGetAction",
            "tcpSocket" => "TCPSocketAction",
            "securityContext" => {
                if p.iter().any(|s| *s == "containers" || *s == "initContainers") {
                    "SecurityContext"
                } else {
                    "PodSecurityContext"
                }
            }
            _ => return None,
        },
    };
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(kind: Kind, v: Value) -> String {
        decode_as(kind, v).err().map(|s| s.kubectl_message()).unwrap_or_default()
    }

    #[test]
    fn wrong_json_types_read_like_go() {
        let v = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": "3", "selector": {"matchLabels": {"app": "web"}}}});
        assert_eq!(
            message(Kind::Deployment, v),
            "Error from server (BadRequest): Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
        let v = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}, {"port": "81"}]}});
        assert_eq!(
            message(Kind::Service, v),
            "Error from server (BadRequest): Service in version \"v1\" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32"
        );
        let v = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": 1}},
            "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": "80"}]}]}});
        assert_eq!(
            message(Kind::Pod, v),
            "Error from server (BadRequest): Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"
        );
    }
}
