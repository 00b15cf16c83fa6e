//! Discovery: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>` (the
//! legacy documents, and the aggregated `apidiscovery.k8s.io/v2` lists when kubectl
//! asks for them), and the OpenAPI v3 documents of the served types.
//!
//! Everything is built from `crate::resources::RESOURCE_TYPES`, the same table
//! sim-core's `kubectl api-resources` prints, so both kubectls see one API.

use serde_json::{json, Value};
use crate::cluster::KUBELET_VERSION;
use crate::resources::{ResourceType, RESOURCE_TYPES};

use super::{Reply, Request};

/// Verbs of every served resource (what kube-apiserver lists for a full REST storage).
const VERBS: &[&str] = &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
/// Events are not a `deletecollection`-less exception upstream; namespaces are.
const NAMESPACE_VERBS: &[&str] = &["create", "delete", "get", "list", "patch", "update", "watch"];

/// The groups in the order kube-apiserver lists them (`/apis`): legacy core first.
fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for rt in RESOURCE_TYPES {
        if !rt.group.is_empty() && !groups.contains(&rt.group) {
            groups.push(rt.group);
        }
    }
    groups
}

/// The `categories` kube-apiserver gives each resource (`kubectl get all` uses `all`).
fn categories(rt: &ResourceType) -> Vec<&'static str> {
    match rt.plural {
        "pods" | "services" | "deployments" | "replicasets" => vec!["all"],
        _ => vec![],
    }
}

fn verbs(rt: &ResourceType) -> &'static [&'static str] {
    if rt.plural == "namespaces" { NAMESPACE_VERBS } else { VERBS }
}

/// Subresources served per resource: (name, kind, group, version, verbs).
fn subresources(rt: &ResourceType) -> Vec<(&'static str, &'static str, &'static str, &'static str, &'static [&'static str])> {
    let status: (&str, &str, &str, &str, &[&str]) = ("status", rt.kind_name, "", "", &["get", "patch", "update"]);
    match rt.plural {
        "pods" => vec![("log", "Pod", "", "", &["get"]), status],
        "deployments" | "replicasets" => vec![("scale", "Scale", "autoscaling", "v1", &["get", "patch", "update"]), status],
        "services" | "namespaces" | "nodes" | "ingresses" => vec![status],
        _ => vec![],
    }
}

fn resource_list(group: &str, version: &str) -> Value {
    let gv = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    let mut resources = Vec::new();
    let mut types: Vec<&ResourceType> = RESOURCE_TYPES.iter().filter(|r| r.group == group && r.version == version).collect();
    types.sort_by_key(|r| r.plural);
    for rt in types {
        let mut r = json!({
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind_name,
            "verbs": verbs(rt),
        });
        add_names(&mut r, rt);
        resources.push(r);
        for (sub, kind, g, v, sub_verbs) in subresources(rt) {
            let mut s = json!({
                "name": format!("{}/{sub}", rt.plural),
                "singularName": "",
                "namespaced": rt.namespaced,
                "kind": kind,
                "verbs": sub_verbs,
            });
            if !g.is_empty() {
                s["group"] = json!(g);
                s["version"] = json!(v);
            }
            resources.push(s);
        }
    }
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources})
}

/// The optional `shortNames` and `categories` of a resource, the same in both
/// discovery shapes (omitted when empty, as the apiserver's `omitempty` does).
fn add_names(r: &mut Value, rt: &ResourceType) {
    if !rt.short_names.is_empty() {
        r["shortNames"] = json!(rt.short_names);
    }
    let cats = categories(rt);
    if !cats.is_empty() {
        r["categories"] = json!(cats);
    }
}

/// The aggregated discovery document (`apidiscovery.k8s.io/v2`): one entry per group
/// with its resources, their verbs, short names, categories and subresources.
fn aggregated(legacy: bool) -> Value {
    let group_names: Vec<&str> = if legacy { vec![""] } else { groups() };
    let items: Vec<Value> = group_names
        .iter()
        .map(|group| {
            let mut types: Vec<&ResourceType> = RESOURCE_TYPES.iter().filter(|r| r.group == *group).collect();
            types.sort_by_key(|r| r.plural);
            let resources: Vec<Value> = types
                .iter()
                .map(|rt| {
                    let mut r = json!({
                        "resource": rt.plural,
                        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind_name},
                        "scope": if rt.namespaced { "Namespaced" } else { "Cluster" },
                        "singularResource": rt.singular,
                        "verbs": verbs(rt),
                    });
                    add_names(&mut r, rt);
                    let subs: Vec<Value> = subresources(rt)
                        .into_iter()
                        .map(|(sub, kind, g, v, sub_verbs)| {
                            json!({"subresource": sub, "responseKind": {"group": g, "version": if v.is_empty() { rt.version } else { v }, "kind": kind}, "verbs": sub_verbs})
                        })
                        .collect();
                    if !subs.is_empty() {
                        r["subresources"] = json!(subs);
                    }
                    r
                })
                .collect();
            let mut item = json!({
                "metadata": {"creationTimestamp": null},
                "versions": [{"version": "v1", "resources": resources, "freshness": "Current"}],
            });
            if !group.is_empty() {
                item["metadata"]["name"] = json!(group);
            }
            item
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

fn wants_aggregated(req: &Request) -> bool {
    req.header("Accept").is_some_and(|a| a.split(',').next().is_some_and(|first| first.contains("as=APIGroupDiscoveryList") && first.contains("v=v2;") || first.ends_with("v=v2;as=APIGroupDiscoveryList")))
}

fn aggregated_reply(legacy: bool) -> Reply {
    let body = serde_json::to_vec(&aggregated(legacy)).unwrap_or_default();
    Reply::Raw(200, AGGREGATED, body)
}

/// Answers discovery and OpenAPI paths; `None` for anything else.
pub fn route(req: &Request, segments: &[&str]) -> Option<Reply> {
    if req.method != "GET" {
        return None;
    }
    let version = KUBELET_VERSION.trim_start_matches('v');
    let minor = version.split('.').nth(1).unwrap_or("32").to_string();
    Some(match segments {
        // The version handler writes `json.MarshalIndent(info, "", "  ")` (Go's
        // version.Info field order), with no final newline.
        ["version"] => {
            let fields = [
                ("major", "1".to_string()),
                ("minor", minor),
                ("gitVersion", KUBELET_VERSION.to_string()),
                ("gitCommit", String::new()),
                ("gitTreeState", "clean".to_string()),
                ("buildDate", String::new()),
                ("goVersion", "go1.23".to_string()),
                ("compiler", "gc".to_string()),
                ("platform", "linux/amd64".to_string()),
            ];
            let lines: Vec<String> = fields.iter().map(|(k, v)| format!("  \"{k}\": {}", Value::String(v.clone()))).collect();
            Reply::Raw(200, "application/json", format!("{{\n{}\n}}", lines.join(",\n")).into_bytes())
        }
        // The health checks answer `ok` as plain text (the verbose per-check lists
        // are not simulated: every check passes).
        [check @ ("healthz" | "readyz" | "livez")] => {
            if req.param("verbose").is_some() {
                Reply::NotSimulated(format!("kubesim: /{check}?verbose is not simulated (every check passes: /{check} answers ok)"))
            } else {
                Reply::Raw(200, "text/plain; charset=utf-8", b"ok".to_vec())
            }
        }
        ["metrics", ..] => Reply::NotSimulated("kubesim: the API server's /metrics is not simulated".to_string()),
        ["api"] if wants_aggregated(req) => aggregated_reply(true),
        ["apis"] if wants_aggregated(req) => aggregated_reply(false),
        ["api"] => Reply::Json(
            200,
            json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "172.18.0.2:6443"}]}),
        ),
        ["apis"] => {
            let gs: Vec<Value> = groups()
                .into_iter()
                .map(|g| {
                    let gv = json!({"groupVersion": format!("{g}/v1"), "version": "v1"});
                    json!({"name": g, "versions": [gv.clone()], "preferredVersion": gv})
                })
                .collect();
            Reply::Json(200, json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": gs}))
        }
        ["api", "v1"] => Reply::Json(200, resource_list("", "v1")),
        ["apis", group, "v1"] if groups().contains(group) => Reply::Json(200, resource_list(group, "v1")),
        ["apis", group] if groups().contains(group) => {
            let gv = json!({"groupVersion": format!("{group}/v1"), "version": "v1"});
            Reply::Json(200, json!({"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": [gv.clone()], "preferredVersion": gv}))
        }
        ["openapi", "v3"] => Reply::Json(200, super::openapi::index()),
        ["openapi", "v3", rest @ ..] => match super::openapi::document(&rest.join("/")) {
            Some(doc) => Reply::Json(200, doc),
            None => return None,
        },
        _ => return None,
    })
}
