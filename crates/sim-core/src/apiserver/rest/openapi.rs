//! OpenAPI v3 of the served group versions: the index (`/openapi/v3`) and one
//! document per group version with its paths and operations.
//!
//! kubectl reads these documents to decide, per GroupVersionKind, whether the server
//! takes the `fieldValidation` and `dryRun` query parameters on PATCH
//! (`QueryParamVerifierV3`); without them it falls back to client-side validation
//! against OpenAPI v2, which this server does not serve. The PATCH operations list
//! JSON patch and merge patch bodies only: `kubectl apply` then computes its
//! strategic merge patch from the patch metadata compiled into kubectl (its scheme's
//! Go types), which are exactly the upstream types' — so apply reads no schema.
//!
//! The documents carry the component schemas of their kinds (sim-core's
//! `kubectl::explain` data, the closure of each group version's kinds), which real
//! `kubectl explain` renders: the same schemas sim-core's explain renders.

use serde_json::{json, Map, Value};
use crate::resources::{ResourceType, RESOURCE_TYPES};

/// `api/v1`, `apis/apps/v1`, ... in discovery order.
fn group_versions() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for rt in RESOURCE_TYPES {
        let gv = if rt.group.is_empty() { format!("api/{}", rt.version) } else { format!("apis/{}/{}", rt.group, rt.version) };
        if !out.contains(&gv) {
            out.push(gv);
        }
    }
    out
}

pub fn index() -> Value {
    let mut paths = Map::new();
    for gv in group_versions() {
        paths.insert(gv.clone(), json!({"serverRelativeURL": format!("/openapi/v3/{gv}")}));
    }
    json!({"paths": paths})
}

fn query(name: &str) -> Value {
    json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}})
}

fn gvk(rt: &ResourceType) -> Value {
    json!({"group": rt.group, "version": rt.version, "kind": rt.kind_name})
}

/// The operations on one object's path (`.../<plural>/{name}`).
fn item_path(rt: &ResourceType) -> Value {
    let patch_body = json!({"content": {
        "application/json-patch+json": {"schema": {"type": "object"}},
        "application/merge-patch+json": {"schema": {"type": "object"}},
    }, "required": true});
    json!({
        "get": {"operationId": format!("read{}", rt.kind_name), "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk(rt)},
        "put": {"operationId": format!("replace{}", rt.kind_name), "x-kubernetes-action": "put", "x-kubernetes-group-version-kind": gvk(rt),
                "parameters": [query("dryRun"), query("fieldManager"), query("fieldValidation")]},
        "delete": {"operationId": format!("delete{}", rt.kind_name), "x-kubernetes-action": "delete", "x-kubernetes-group-version-kind": gvk(rt),
                   "parameters": [query("dryRun"), query("gracePeriodSeconds"), query("propagationPolicy")]},
        "patch": {"operationId": format!("patch{}", rt.kind_name), "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk(rt),
                  "parameters": [query("dryRun"), query("fieldManager"), query("fieldValidation"), query("force")],
                  "requestBody": patch_body},
        "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string", "uniqueItems": true}}],
    })
}

/// The document of one group version (`api/v1`, `apis/apps/v1`); `None` if not served.
pub fn document(gv: &str) -> Option<Value> {
    if !group_versions().iter().any(|g| g == gv) {
        return None;
    }
    let mut paths = Map::new();
    let (group, version) = gv.strip_prefix("apis/").and_then(|g| g.split_once('/')).unwrap_or(("", gv.strip_prefix("api/").unwrap_or(gv)));
    let schemas = crate::kubectl::explain::schemas_for_group_version(group, version);
    for rt in RESOURCE_TYPES {
        let this_gv = if rt.group.is_empty() { format!("api/{}", rt.version) } else { format!("apis/{}/{}", rt.group, rt.version) };
        if this_gv != gv {
            continue;
        }
        let base = if rt.namespaced { format!("/{gv}/namespaces/{{namespace}}/{}", rt.plural) } else { format!("/{gv}/{}", rt.plural) };
        paths.insert(
            base.clone(),
            json!({
                "get": {"operationId": format!("list{}", rt.kind_name), "x-kubernetes-action": "list", "x-kubernetes-group-version-kind": gvk(rt)},
                "post": {"operationId": format!("create{}", rt.kind_name), "x-kubernetes-action": "post", "x-kubernetes-group-version-kind": gvk(rt),
                         "parameters": [query("dryRun"), query("fieldManager"), query("fieldValidation")]},
            }),
        );
        paths.insert(format!("{base}/{{name}}"), item_path(rt));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": crate::cluster::KUBELET_VERSION},
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}
