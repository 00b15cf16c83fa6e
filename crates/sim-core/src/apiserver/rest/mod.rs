//! The REST API of the simulated cluster, sans-IO: a [`Request`] in, a [`Reply`] out
//! (status, content type, body), in the wire format of kube-apiserver 1.32 (objects,
//! lists, `Status` errors, server-side `Table`s from the same printers, the `scale`
//! and `status` subresources, `pods/log`, the service and pod `proxy` subresources,
//! discovery and OpenAPI). One code path for every reader of the API: `kubesim
//! serve` (crates/cli) answers the real kubectl from it, and sim-core's `kubectl get
//! --raw` and `kubectl proxy` print what it answers.
//!
//! Watches are not answered here: [`route`] returns [`Reply::Watch`] and the caller
//! streams the events (serve's connection loop).
//!
//! Modules: `discovery` (`/version`, `/api`, `/apis`, aggregated discovery, health
//! checks), `openapi` (the v3 documents kubectl's validation reads), `protobuf`
//! (typed clients' request bodies).

mod discovery;
mod openapi;
mod protobuf;

use k8s_openapi::chrono::SecondsFormat;
use serde_json::{json, Value};
use crate::apiserver::{
    self, CreateOptions, DeleteOptions, FieldValidation, PatchOptions, PatchType, Propagation, Status, StatusReason,
};
use crate::cluster::Cluster;
use crate::kubectl::get::FieldSelector;
use crate::labels;
use crate::printers::table;
use crate::resources::{Kind, ResourceType, RESOURCE_TYPES};
use crate::store::Object;


/// One HTTP request to the API server, already parsed off the wire.
#[derive(Debug, Default)]
pub struct Request {
    pub method: String,
    /// The path without the query, percent-decoded.
    pub path: String,
    /// Query parameters in order, percent-decoded.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A `GET` of `target` (a path with an optional `?query`), as `kubectl get --raw`
    /// and `kubectl proxy` send it.
    pub fn get(target: &str) -> Request {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (crate::network::http::percent_decode(k), crate::network::http::percent_decode(v))
            })
            .collect();
        Request {
            method: "GET".into(),
            path: crate::network::http::percent_decode(path),
            query,
            headers: vec![("Accept".into(), "application/json, */*".into())],
            body: Vec::new(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// What to send back.
pub enum Reply {
    /// An API object, list or Status: compact JSON in Go's field order, then a
    /// newline (the API server's JSON serializer is Go's `json.Encoder`).
    Json(u16, Value),
    /// A body with its own content type (OpenAPI documents, logs, `/healthz`).
    Raw(u16, &'static str, Vec<u8>),
    /// What a proxied server answered (`services/NAME/proxy/PATH`).
    Proxied(crate::network::http::Response),
    /// A request the simulation cannot answer (a proxied server whose reply is not
    /// simulated): the message says so.
    NotSimulated(String),
    Watch(Watch),
}

/// A reply as bytes on the wire: status code, content type, body. `None` for a
/// watch (streamed by the caller).
pub fn encode(reply: &Reply) -> Option<(u16, String, Vec<u8>)> {
    Some(match reply {
        Reply::Json(code, value) => {
            let mut body = String::new();
            crate::kubectl::output::write_go_json(value, "", &mut body);
            body.push('\n');
            (*code, "application/json".to_string(), body.into_bytes())
        }
        Reply::Raw(code, content_type, body) => (*code, content_type.to_string(), body.clone()),
        Reply::Proxied(response) => {
            let content_type = response
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
                .map_or_else(|| "text/plain".to_string(), |(_, v)| v.clone());
            (response.status, content_type, response.body.clone().into_bytes())
        }
        Reply::NotSimulated(message) => {
            let status = Status { code: 503, reason: StatusReason::Unknown, message: message.clone(), details: None };
            return encode(&status_reply(&status));
        }
        Reply::Watch(_) => return None,
    })
}

/// A watch request, resolved: what to stream and from where.
#[derive(Clone, Debug)]
pub struct Watch {
    pub kind: Kind,
    pub namespace: Option<String>,
    pub labels: Option<labels::Selector>,
    pub fields: FieldSelector,
    /// Events after this resourceVersion; `None` starts with the current objects as
    /// ADDED events (`resourceVersion` unset or "0").
    pub since: Option<u64>,
    pub timeout_seconds: Option<u64>,
    /// `Accept: ...;as=Table`: each event carries a one-row Table.
    pub as_table: bool,
}

impl Watch {
    /// Whether an object belongs to this watch.
    pub fn matches(&self, object: &Object) -> bool {
        object.kind() == self.kind
            && self.namespace.as_deref().is_none_or(|ns| object.namespace() == ns)
            && self.labels.as_ref().is_none_or(|s| s.matches_opt(object.metadata().labels.as_ref()))
            && self.fields.matches(object)
    }
}

fn status_reply(status: &Status) -> Reply {
    Reply::Json(status.code, status.to_json())
}

fn not_found_path() -> Reply {
    let status = Status { code: 404, reason: StatusReason::NotFound, message: "the server could not find the requested resource".into(), details: None };
    status_reply(&status)
}

fn bad_request(message: &str) -> Reply {
    status_reply(&Status::bad_request(message))
}

/// A parsed resource path: `/api/v1/namespaces/ns/pods/name/status` and friends.
struct Target<'a> {
    rt: &'static ResourceType,
    namespace: Option<String>,
    name: Option<String>,
    subresource: Option<&'a str>,
}

fn parse_target<'a>(segments: &[&'a str]) -> Option<Target<'a>> {
    // segments after the group version: [namespaces, ns,] resource [, name [, sub]]
    let (namespace, rest) = match segments {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(ns.to_string()), rest),
        _ => (None, segments),
    };
    let (resource, name, sub) = match rest {
        [r] => (*r, None, None),
        [r, n] => (*r, Some(n.to_string()), None),
        [r, n, s] => (*r, Some(n.to_string()), Some(*s)),
        _ => return None,
    };
    let rt = RESOURCE_TYPES.iter().find(|rt| rt.plural == resource)?;
    Some(Target { rt, namespace, name, subresource: sub })
}

/// Answers one request. `cluster` is the simulated cluster under the server's lock.
pub fn route(cluster: &mut Cluster, req: &Request) -> Reply {
    let path = req.path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(reply) = discovery::route(req, &segments) {
        return reply;
    }
    if let Some(reply) = side_resources(cluster, req, &segments) {
        return reply;
    }
    // `services/NAME[:PORT]/proxy/PATH` and `pods/NAME[:PORT]/proxy/PATH`: the same
    // network model as `kubectl proxy` and curl (network/api_proxy.rs).
    if let ["api", "v1", "namespaces", _, "services" | "pods", _, "proxy", ..] = segments.as_slice() {
        return proxy(cluster, req);
    }
    let (group, version, rest) = match segments.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return not_found_path(),
    };
    // `/api/v1/namespaces/default` is the namespaces resource itself.
    let rest: Vec<&str> = rest.to_vec();
    let target = match rest.as_slice() {
        ["namespaces", name] if group.is_empty() => parse_target(&["namespaces", name]),
        ["namespaces", name, sub] if group.is_empty() && matches!(*sub, "status" | "finalize") => {
            parse_target(&["namespaces", name, sub])
        }
        _ => parse_target(&rest),
    };
    let Some(target) = target else { return not_found_path() };
    if target.rt.group != group || target.rt.version != version {
        return not_found_path();
    }
    // Cluster-scoped resources have no namespace in their path.
    if target.namespace.is_some() && !target.rt.namespaced {
        return not_found_path();
    }
    match (req.method.as_str(), &target.name, target.subresource) {
        ("GET", None, None) => {
            if matches!(req.param("watch"), Some("1" | "true")) {
                watch(req, &target)
            } else {
                list(cluster, req, &target)
            }
        }
        ("GET", Some(name), None | Some("status")) => get(cluster, req, &target, name),
        ("GET", Some(name), Some("scale")) if has_scale(target.rt.kind) => scale_get(cluster, &target, name),
        ("GET", Some(name), Some("log")) if target.rt.kind == Kind::Pod => pod_log(cluster, req, &target, name),
        ("POST", None, None) => create(cluster, req, &target),
        ("PUT", Some(name), None) => update(cluster, req, &target, name, false),
        ("PUT", Some(name), Some("status")) => update(cluster, req, &target, name, true),
        ("PATCH", Some(name), None) => patch(cluster, req, &target, name),
        ("PATCH", Some(name), Some("scale")) | ("PUT", Some(name), Some("scale")) if has_scale(target.rt.kind) => {
            scale_write(cluster, req, &target, name)
        }
        ("DELETE", Some(name), None) => delete(cluster, req, &target, name),
        ("DELETE", None, None) => delete_collection(cluster, req, &target),
        (method, _, _) => {
            let status = Status {
                code: 405,
                reason: StatusReason::MethodNotAllowed,
                message: format!("{method} is not supported on this path by kubesim serve"),
                details: None,
            };
            status_reply(&status)
        }
    }
}

fn has_scale(kind: Kind) -> bool {
    matches!(kind, Kind::Deployment | Kind::ReplicaSet)
}

fn namespace_of(target: &Target) -> String {
    if target.rt.namespaced {
        target.namespace.clone().unwrap_or_default()
    } else {
        String::new()
    }
}

/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
fn wants_table(req: &Request) -> bool {
    req.header("Accept").is_some_and(|a| a.split(',').next().is_some_and(|first| first.contains("as=Table")))
}

fn selectors(req: &Request, rt: &ResourceType) -> Result<(Option<labels::Selector>, FieldSelector), Reply> {
    let label_text = req.param("labelSelector").unwrap_or("");
    let field_text = req.param("fieldSelector").unwrap_or("");
    // The API server answers with the parse or conversion error alone; kubectl's
    // builder adds the "Unable to find ..." context.
    let refuse = |e: String| bad_request(&e);
    let labels = if label_text.is_empty() {
        None
    } else {
        Some(labels::parse(label_text).map_err(|e| refuse(e.to_string()))?)
    };
    let fields = FieldSelector::parse(field_text).map_err(|e| bad_request(&e))?;
    fields.check(rt.kind).map_err(refuse)?;
    Ok((labels, fields))
}

fn list(cluster: &mut Cluster, req: &Request, target: &Target) -> Reply {
    let (label_selector, fields) = match selectors(req, target.rt) {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    let scope = target.namespace.as_deref().filter(|_| target.rt.namespaced);
    let objects: Vec<Object> = apiserver::list(cluster, target.rt.kind, scope)
        .into_iter()
        .filter(|o| label_selector.as_ref().is_none_or(|s| s.matches_opt(o.metadata().labels.as_ref())))
        .filter(|o| fields.matches(o))
        .cloned()
        .collect();
    let rv = cluster.store.resource_version().to_string();
    if wants_table(req) {
        return Reply::Json(200, table_json(cluster, target.rt, &objects, &rv, req.param("includeObject")));
    }
    let items: Vec<Value> = objects.iter().map(|o| strip_type_meta(o.to_json())).collect();
    Reply::Json(
        200,
        json!({
            "kind": format!("{}List", target.rt.kind_name),
            "apiVersion": target.rt.api_version(),
            "metadata": {"resourceVersion": rv},
            "items": items,
        }),
    )
}

/// Items of a typed list carry no apiVersion and kind on the wire.
fn strip_type_meta(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("apiVersion");
        m.remove("kind");
    }
    v
}

/// The server-side Table (`TableConvertor` over the printers), with each row's
/// object as `includeObject` asks: `Metadata` (the default), `Object` or `None`.
pub fn table_json(cluster: &Cluster, rt: &ResourceType, objects: &[Object], rv: &str, include: Option<&str>) -> Value {
    let now = cluster.clock.now();
    let columns: Vec<Value> = table::columns(rt.kind)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let format = if c.name == "Name" && i == 0 { "name" } else { "" };
            let kind = if matches!(c.name, "Restarts" | "Desired" | "Current" | "Up-to-date" | "Available" | "Data" | "Count") {
                "integer"
            } else {
                "string"
            };
            json!({"name": c.name, "type": kind, "format": format, "description": "", "priority": c.priority})
        })
        .collect();
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let cells: Vec<Value> = table::row(o, now).into_iter().map(Value::String).collect();
            let mut row = json!({"cells": cells});
            match include.unwrap_or("Metadata") {
                "None" => {}
                "Object" => row["object"] = o.to_json(),
                _ => {
                    let meta = o.to_json().get("metadata").cloned().unwrap_or(Value::Null);
                    row["object"] = json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta});
                }
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv},
        "columnDefinitions": columns,
        "rows": rows,
    })
}

fn get(cluster: &mut Cluster, req: &Request, target: &Target, name: &str) -> Reply {
    let ns = namespace_of(target);
    match apiserver::get(cluster, target.rt.kind, &ns, name) {
        Ok(object) => {
            if wants_table(req) {
                let rv = object.metadata().resource_version.clone().unwrap_or_default();
                let object = object.clone();
                Reply::Json(200, table_json(cluster, target.rt, &[object], &rv, req.param("includeObject")))
            } else {
                Reply::Json(200, object.to_json())
            }
        }
        Err(status) => status_reply(&status),
    }
}

fn dry_run(req: &Request) -> bool {
    req.query.iter().any(|(k, v)| k == "dryRun" && v == "All")
}

fn field_validation(req: &Request) -> FieldValidation {
    match req.param("fieldValidation") {
        Some("Warn") => FieldValidation::Warn,
        Some("Ignore") => FieldValidation::Ignore,
        Some("Strict") => FieldValidation::Strict,
        // The server's default without the parameter is Warn.
        _ => FieldValidation::Warn,
    }
}

/// The request body as JSON: protobuf (typed clients: `kubectl create deployment`,
/// ...) is decoded by `protobuf.rs` for the kinds it tables; `kind` is `None` for
/// bodies that are not the resource itself (Scale).
fn body_json(req: &Request, kind: Option<Kind>) -> Result<Value, Reply> {
    if req.header("Content-Type").is_some_and(protobuf::is_protobuf) {
        return match kind {
            Some(kind) => protobuf::decode(kind, &req.body).map_err(|status| status_reply(&status)),
            None => Err(unsupported_media(req)),
        };
    }
    serde_json::from_slice(&req.body).map_err(|e| bad_request(&format!("the body of the request could not be decoded: {e}")))
}

/// The body's namespace must agree with the URL's; an empty one takes the URL's.
fn fix_namespace(value: &mut Value, target: &Target) -> Result<(), Reply> {
    if !target.rt.namespaced {
        return Ok(());
    }
    let url_ns = target.namespace.clone().unwrap_or_default();
    let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) else { return Ok(()) };
    match meta.get("namespace").and_then(Value::as_str) {
        Some(ns) if !ns.is_empty() && ns != url_ns => Err(bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
        _ => {
            meta.insert("namespace".into(), Value::String(url_ns));
            Ok(())
        }
    }
}

fn create(cluster: &mut Cluster, req: &Request, target: &Target) -> Reply {
    let mut value = match body_json(req, Some(target.rt.kind)) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if value.get("metadata").is_none() {
        value["metadata"] = json!({});
    }
    if let Err(r) = fix_namespace(&mut value, target) {
        return r;
    }
    let object = match apiserver::decode_as(target.rt.kind, value.clone()) {
        Ok(o) => o,
        Err(status) => return status_reply(&status),
    };
    let opts = CreateOptions { dry_run: dry_run(req), field_validation: field_validation(req), raw: Some(value) };
    match apiserver::create(cluster, object, &opts) {
        Ok(created) => Reply::Json(201, created.to_json()),
        Err(status) => status_reply(&status),
    }
}

fn update(cluster: &mut Cluster, req: &Request, target: &Target, name: &str, status_only: bool) -> Reply {
    let mut value = match body_json(req, Some(target.rt.kind)) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(r) = fix_namespace(&mut value, target) {
        return r;
    }
    let object = match apiserver::decode_as(target.rt.kind, value.clone()) {
        Ok(o) => o,
        Err(status) => return status_reply(&status),
    };
    if object.name() != name {
        return bad_request("the name of the object does not match the name on the URL");
    }
    let result = if status_only {
        apiserver::update_status(cluster, object)
    } else {
        let opts = CreateOptions { dry_run: dry_run(req), field_validation: field_validation(req), raw: Some(value) };
        apiserver::update(cluster, object, &opts)
    };
    match result {
        Ok(o) => Reply::Json(200, o.to_json()),
        Err(status) => status_reply(&status),
    }
}

fn patch_type(req: &Request) -> Option<PatchType> {
    let content_type = req.header("Content-Type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    match media {
        "application/merge-patch+json" => Some(PatchType::Merge),
        "application/strategic-merge-patch+json" => Some(PatchType::StrategicMerge),
        "application/json-patch+json" => Some(PatchType::Json),
        _ => None,
    }
}

fn unsupported_media(req: &Request) -> Reply {
    let media = req.header("Content-Type").unwrap_or("");
    let status = Status {
        code: 415,
        reason: StatusReason::Unknown,
        message: format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json ({media} is not served by kubesim)"),
        details: None,
    };
    status_reply(&status)
}

fn patch(cluster: &mut Cluster, req: &Request, target: &Target, name: &str) -> Reply {
    let Some(kind) = patch_type(req) else { return unsupported_media(req) };
    let doc = match body_json(req, None) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let ns = namespace_of(target);
    let opts = PatchOptions { dry_run: dry_run(req), field_validation: field_validation(req) };
    match apiserver::patch_with_options(cluster, target.rt.kind, &ns, name, kind, &doc, &opts) {
        Ok(o) => Reply::Json(200, o.to_json()),
        Err(status) => status_reply(&status),
    }
}

fn delete_options(req: &Request) -> DeleteOptions {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let policy = body.get("propagationPolicy").and_then(Value::as_str).or(req.param("propagationPolicy"));
    let propagation = match policy {
        Some("Foreground") => Propagation::Foreground,
        Some("Orphan") => Propagation::Orphan,
        _ => Propagation::Background,
    };
    let grace_period = body
        .get("gracePeriodSeconds")
        .and_then(Value::as_i64)
        .or_else(|| req.param("gracePeriodSeconds").and_then(|g| g.parse().ok()));
    let body_dry_run = body.get("dryRun").and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v == "All"));
    DeleteOptions { propagation, grace_period, dry_run: dry_run(req) || body_dry_run }
}

fn delete(cluster: &mut Cluster, req: &Request, target: &Target, name: &str) -> Reply {
    let ns = namespace_of(target);
    let opts = delete_options(req);
    match apiserver::delete(cluster, target.rt.kind, &ns, name, &opts) {
        Ok(o) => Reply::Json(200, o.to_json()),
        Err(status) => status_reply(&status),
    }
}

fn delete_collection(cluster: &mut Cluster, req: &Request, target: &Target) -> Reply {
    let (label_selector, fields) = match selectors(req, target.rt) {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    let scope = target.namespace.clone().filter(|_| target.rt.namespaced);
    let names: Vec<(String, String)> = apiserver::list(cluster, target.rt.kind, scope.as_deref())
        .into_iter()
        .filter(|o| label_selector.as_ref().is_none_or(|s| s.matches_opt(o.metadata().labels.as_ref())))
        .filter(|o| fields.matches(o))
        .map(|o| (o.namespace().to_string(), o.name().to_string()))
        .collect();
    let opts = delete_options(req);
    let mut items = Vec::new();
    for (ns, name) in names {
        match apiserver::delete(cluster, target.rt.kind, &ns, &name, &opts) {
            Ok(o) => items.push(strip_type_meta(o.to_json())),
            Err(status) => return status_reply(&status),
        }
    }
    let rv = cluster.store.resource_version().to_string();
    Reply::Json(200, json!({"kind": format!("{}List", target.rt.kind_name), "apiVersion": target.rt.api_version(), "metadata": {"resourceVersion": rv}, "items": items}))
}

/// `autoscaling/v1` Scale of a Deployment or ReplicaSet (the registry's
/// `scaleFromDeployment`): replicas from spec and status, the selector as a string.
fn scale_of(object: &Object) -> Value {
    let v = object.to_json();
    let meta = &v["metadata"];
    let selector = match object {
        Object::Deployment(d) => labels::format_label_selector(d.spec.as_ref().map(|s| &s.selector)),
        Object::ReplicaSet(r) => labels::format_label_selector(r.spec.as_ref().map(|s| &s.selector)),
        _ => String::new(),
    };
    let mut m = serde_json::Map::new();
    for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
        if let Some(x) = meta.get(key) {
            m.insert(key.into(), x.clone());
        }
    }
    let spec_replicas = v["spec"]["replicas"].as_i64().unwrap_or(1);
    let status_replicas = v["status"]["replicas"].as_i64().unwrap_or(0);
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": Value::Object(m),
        "spec": {"replicas": spec_replicas},
        "status": {"replicas": status_replicas, "selector": selector},
    })
}

fn scale_get(cluster: &mut Cluster, target: &Target, name: &str) -> Reply {
    let ns = namespace_of(target);
    match apiserver::get(cluster, target.rt.kind, &ns, name) {
        Ok(o) => Reply::Json(200, scale_of(o)),
        Err(status) => status_reply(&status),
    }
}

fn scale_write(cluster: &mut Cluster, req: &Request, target: &Target, name: &str) -> Reply {
    let ns = namespace_of(target);
    let current = match apiserver::get(cluster, target.rt.kind, &ns, name) {
        Ok(o) => o.clone(),
        Err(status) => return status_reply(&status),
    };
    let body = match body_json(req, None) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let scale = scale_of(&current);
    let new_scale = if req.method == "PUT" {
        // An update with a stale resourceVersion is a conflict, as for any update.
        let sent_rv = body["metadata"]["resourceVersion"].as_str().unwrap_or("");
        if !sent_rv.is_empty() && Some(sent_rv) != current.metadata().resource_version.as_deref() {
            return status_reply(&Status::conflict_modified(target.rt.kind, name));
        }
        body
    } else {
        let patched = match patch_type(req) {
            Some(PatchType::Json) => apiserver::patch::json_patch(&scale, &body).map_err(apiserver::patch::json_patch_status),
            Some(_) => apiserver::patch::merge_patch(&scale, &body).map_err(|e| Status::bad_request(&e)),
            None => return unsupported_media(req),
        };
        match patched {
            Ok(v) => v,
            Err(status) => return status_reply(&status),
        }
    };
    let Some(replicas) = new_scale["spec"]["replicas"].as_i64() else {
        return bad_request("spec.replicas: Required value");
    };
    if replicas < 0 {
        let errors = vec![apiserver::FieldError::invalid("spec.replicas", replicas, "must be greater than or equal to 0")];
        let status = Status::invalid(target.rt.kind, name, errors);
        return status_reply(&status);
    }
    let doc = json!({"spec": {"replicas": replicas}});
    let opts = PatchOptions { dry_run: dry_run(req), field_validation: FieldValidation::Ignore };
    match apiserver::patch_with_options(cluster, target.rt.kind, &ns, name, PatchType::Merge, &doc, &opts) {
        Ok(o) => Reply::Json(200, scale_of(&o)),
        Err(status) => status_reply(&status),
    }
}

fn pod_log(cluster: &mut Cluster, req: &Request, target: &Target, name: &str) -> Reply {
    let ns = namespace_of(target);
    let pod = match apiserver::get(cluster, Kind::Pod, &ns, name) {
        Ok(Object::Pod(p)) => p.clone(),
        Ok(_) => return not_found_path(),
        Err(status) => return status_reply(&status),
    };
    let containers = pod.spec.as_ref().map(|s| s.containers.clone()).unwrap_or_default();
    let container = match req.param("container") {
        Some(c) => match containers.iter().find(|x| x.name == c) {
            Some(x) => x.clone(),
            None => return bad_request(&format!("container {c} is not valid for pod {name}")),
        },
        None => match containers.as_slice() {
            [only] => only.clone(),
            _ => {
                let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
                return bad_request(&format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names.join(" ")
                ));
            }
        },
    };
    let previous = matches!(req.param("previous"), Some("true"));
    match crate::kubectl::logs::container_log(cluster, &pod, &container, previous) {
        Ok(lines) => {
            let tail = req.param("tailLines").and_then(|t| t.parse::<usize>().ok());
            let start = tail.map_or(0, |t| lines.len().saturating_sub(t));
            let timestamps = matches!(req.param("timestamps"), Some("true"));
            let mut text = String::new();
            for (at, line) in lines.iter().skip(start) {
                if timestamps {
                    text.push_str(&at.to_rfc3339_opts(SecondsFormat::Nanos, true));
                    text.push(' ');
                }
                text.push_str(line);
                text.push('\n');
            }
            Reply::Raw(200, "text/plain", text.into_bytes())
        }
        Err(status) => status_reply(&status),
    }
}

fn proxy(cluster: &mut Cluster, req: &Request) -> Reply {
    let mut target = req.path.clone();
    if !req.query.is_empty() {
        let query: Vec<String> = req.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        target.push('?');
        target.push_str(&query.join("&"));
    }
    let request = crate::network::http::Request { method: req.method.clone(), target, headers: req.headers.clone() };
    match crate::network::api_proxy::proxy_subresource(cluster, &request) {
        crate::network::workloads::Reply::Http(response) => Reply::Proxied(response),
        crate::network::workloads::Reply::NotSimulated(message) => Reply::NotSimulated(message),
    }
}

fn watch(req: &Request, target: &Target) -> Reply {
    let (label_selector, fields) = match selectors(req, target.rt) {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    let since = match req.param("resourceVersion") {
        None | Some("") | Some("0") => None,
        Some(rv) => match rv.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => return bad_request(&format!("invalid resource version: {rv}")),
        },
    };
    Reply::Watch(Watch {
        kind: target.rt.kind,
        namespace: target.namespace.clone().filter(|_| target.rt.namespaced),
        labels: label_selector,
        fields,
        since,
        timeout_seconds: req.param("timeoutSeconds").and_then(|t| t.parse().ok()),
        as_table: wants_table(req),
    })
}

/// What kubectl's describers read besides the course's types, answered as a kind
/// cluster would: no ResourceQuotas or LimitRanges (`describe namespace`), and each
/// node's heartbeat Lease in `kube-node-lease`, renewed by its kubelet every 10 s;
/// sim-core's describe shows it renewed now, and so does this one.
fn side_resources(cluster: &Cluster, req: &Request, segments: &[&str]) -> Option<Reply> {
    if req.method != "GET" {
        return None;
    }
    match segments {
        ["api", "v1", "namespaces", _, kind @ ("resourcequotas" | "limitranges")] => {
            let list_kind = if *kind == "resourcequotas" { "ResourceQuotaList" } else { "LimitRangeList" };
            let rv = cluster.store.resource_version().to_string();
            Some(Reply::Json(200, json!({"kind": list_kind, "apiVersion": "v1", "metadata": {"resourceVersion": rv}, "items": []})))
        }
        ["apis", "coordination.k8s.io", "v1", "namespaces", "kube-node-lease", "leases", name] => {
            let Ok(node) = apiserver::get(cluster, Kind::Node, "", name) else {
                let status = Status { code: 404, reason: StatusReason::NotFound, message: format!("leases.coordination.k8s.io \"{name}\" not found"), details: None };
                return Some(status_reply(&status));
            };
            let now = cluster.clock.now().to_rfc3339_opts(SecondsFormat::Micros, true);
            let created = node.to_json()["metadata"]["creationTimestamp"].clone();
            Some(Reply::Json(
                200,
                json!({
                    "kind": "Lease",
                    "apiVersion": "coordination.k8s.io/v1",
                    "metadata": {"name": name, "namespace": "kube-node-lease", "creationTimestamp": created},
                    "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": now},
                }),
            ))
        }
        _ => None,
    }
}
