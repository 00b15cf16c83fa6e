//! `kubectl apply -f`: client-side apply, as kubectl 1.32 does it by default.
//!
//! For each object kubectl records what the learner applied in the annotation
//! `kubectl.kubernetes.io/last-applied-configuration` (the object as compact JSON with
//! that annotation removed, plus a newline). A missing object is created with the
//! annotation. An existing one gets a three-way strategic merge patch
//! (`CreateThreeWayMergePatch`): fields the last apply set and this one drops are
//! deleted, fields this apply sets that differ from the live object are changed, and
//! fields nobody applied (server defaults, allocations, `kubectl scale`) stay. An
//! empty patch (`{}`) is `unchanged`; anything else is sent and is `configured`.

use serde_json::{Map, Value};

use super::create::{field_validation, namespace_of, object_namespace, read_manifests, send_create, Errors};
use super::flags;
use super::host::Host;
use super::manifest::{self, Document};
use super::output::{self, DryRun};
use crate::apiserver::patch::{list_strategy, ListStrategy};
use crate::apiserver::{self, FieldValidation, PatchOptions, PatchType, Status, StatusReason};
use crate::cluster::Cluster;
use crate::resources::{Kind, ResourceType};
use crate::simulator::Output;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    if let Some(index) = flags::first_positional("apply", args) {
        let word = args[index].as_str();
        if matches!(word, "edit-last-applied" | "set-last-applied" | "view-last-applied") {
            out.err(&format!("kubesim: 'kubectl apply {word}' is not simulated\n"));
            return 1;
        }
    }
    let flags = match flags::parse_or_report("apply", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if flags.bool("server-side") {
        out.err("kubesim: 'kubectl apply --server-side' is not simulated\n");
        return 1;
    }
    if flags.bool("prune") {
        out.err("kubesim: 'kubectl apply --prune' is not simulated\n");
        return 1;
    }
    let filenames = flags.list("filename");
    if filenames.is_empty() {
        if flags.changed("kustomize") {
            out.err("kubesim: 'kubectl apply -k' is not simulated\n");
            return 1;
        }
        out.err("error: must specify one of -f and -k\n");
        return 1;
    }
    if !flags.positional.is_empty() {
        out.err(&format!(
            "error: Unexpected args: [{}]\nSee 'kubectl apply -h' for help and examples\n",
            flags.positional.join(" ")
        ));
        return 1;
    }
    let (format, dry_run, docs) = match read_manifests(cluster, host, &flags, &filenames, stdin, "apply", out) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    let validation = field_validation(&flags);
    let mut errors = Errors::default();
    // With -o yaml/json kubectl prints once at the end: one object as itself, several
    // as a `kind: List`.
    let mut printed: Vec<serde_json::Value> = Vec::new();
    for doc in docs {
        let rt = match doc.resource_type() {
            Ok(rt) => rt,
            Err(message) => {
                errors.other(message);
                continue;
            }
        };
        let ns = match object_namespace(&doc, rt.namespaced, &namespace, flags.namespace().is_some()) {
            Ok(ns) => ns,
            Err(message) => {
                errors.other(message);
                continue;
            }
        };
        if doc.name().is_empty() {
            errors.other(format!("error when retrieving current configuration of:\nResource: \"{}\", GroupVersionKind: \"{}\"\nName: \"\", Namespace: \"{}\"\nfrom server for: \"{}\": resource name may not be empty", gvr(rt), gvk(rt), ns, doc.source));
            continue;
        }
        let mut warnings = Vec::new();
        let result = apply_one(cluster, rt, &ns, &doc, dry_run, validation, &mut warnings);
        for w in warnings {
            out.err(&w);
        }
        match result {
            Ok((object, _)) if format == "yaml" || format == "json" => printed.push(object),
            Ok((object, operation)) => output::print_result(rt, &object, &format, operation, dry_run, out),
            Err(status) => errors.status(status),
        }
    }
    output::print_collected(&printed, &format, out);
    errors.print(out)
}

/// `group/version, Resource=plural` as kubectl prints a GroupVersionResource.
fn gvr(rt: &ResourceType) -> String {
    format!("{}/{}, Resource={}", rt.group, rt.version, rt.plural)
}

fn gvk(rt: &ResourceType) -> String {
    format!("{}/{}, Kind={}", rt.group, rt.version, rt.kind_name)
}

/// Applies one object; returns what to print and the operation word.
fn apply_one(
    cluster: &mut Cluster,
    rt: &'static ResourceType,
    namespace: &str,
    doc: &Document,
    dry_run: DryRun,
    validation: FieldValidation,
    warnings: &mut Vec<String>,
) -> Result<(Value, &'static str), Status> {
    let mut applied = doc.value.clone();
    if rt.namespaced {
        applied["metadata"]["namespace"] = Value::String(namespace.to_string());
    }
    let modified = with_last_applied(&applied);
    let current = match apiserver::get(cluster, rt.kind, namespace, doc.name()) {
        Ok(o) => Some(o.to_json()),
        Err(s) if s.reason == StatusReason::NotFound => None,
        Err(s) => return Err(s),
    };
    let Some(current) = current else {
        if dry_run == DryRun::Client {
            return Ok((modified, "created"));
        }
        let created = send_create(cluster, rt.kind, namespace, modified, dry_run, validation)
            .map_err(|s| s.with_source("creating", &doc.source))?;
        return Ok((created, "created"));
    };
    // applyOneObject skips the patch entirely under --dry-run=client: an existing
    // object is always `configured (dry run)` and printed as the server has it.
    if dry_run == DryRun::Client {
        return Ok((current, "configured"));
    }
    let recorded = current.pointer("/metadata/annotations").and_then(|a| a.get(LAST_APPLIED)).and_then(Value::as_str);
    if recorded.is_none() {
        warnings.push(format!(
            "Warning: resource {}/{} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n",
            rt.plural,
            doc.name()
        ));
    }
    let original = recorded.and_then(|s| serde_json::from_str::<Value>(s).ok());
    let patch = three_way_patch(rt.kind, original.as_ref(), &modified, &current);
    if patch.as_object().is_some_and(Map::is_empty) {
        return Ok((current, "unchanged"));
    }
    let opts = PatchOptions { dry_run: dry_run == DryRun::Server, field_validation: validation };
    match apiserver::patch_with_options(cluster, rt.kind, namespace, doc.name(), PatchType::StrategicMerge, &patch, &opts) {
        Ok(o) => Ok((o.to_json(), "configured")),
        Err(status) if status.reason == StatusReason::Invalid => Err(status),
        Err(mut status) => {
            // kubectl's apply wraps patch failures with the patch and the target.
            status.message = format!(
                "error when applying patch:\n{}\nto:\nResource: \"{}\", GroupVersionKind: \"{}\"\nName: \"{}\", Namespace: \"{}\"\nfor: \"{}\": error when patching \"{}\": {}",
                manifest::compact(&patch),
                gvr(rt),
                gvk(rt),
                doc.name(),
                namespace,
                doc.source,
                doc.source,
                status.message
            );
            Err(status)
        }
    }
}

/// The object with its last-applied annotation set to itself (`GetModifiedConfiguration`):
/// the annotations map is created if missing and the old annotation removed before
/// the object is serialized, so the recorded JSON carries `"annotations":{}` when
/// there were no others.
pub fn with_last_applied(object: &Value) -> Value {
    let mut without = object.clone();
    if !without.get("metadata").is_some_and(Value::is_object) {
        without["metadata"] = Value::Object(Map::new());
    }
    if !without["metadata"].get("annotations").is_some_and(Value::is_object) {
        without["metadata"]["annotations"] = Value::Object(Map::new());
    }
    if let Some(a) = without["metadata"]["annotations"].as_object_mut() {
        a.remove(LAST_APPLIED);
    }
    let recorded = format!("{}\n", manifest::compact(&without));
    let mut modified = without;
    modified["metadata"]["annotations"][LAST_APPLIED] = Value::String(recorded);
    modified
}

/// `CreateThreeWayMergePatch(original, modified, current)` for strategic merge:
/// deletions are what `original` had and `modified` lacks; changes are what
/// `modified` has that differs from `current`.
pub fn three_way_patch(kind: Kind, original: Option<&Value>, modified: &Value, current: &Value) -> Value {
    let mut path = Vec::new();
    Value::Object(diff_maps(kind, original, modified, current, &mut path))
}

fn diff_maps(kind: Kind, original: Option<&Value>, modified: &Value, current: &Value, path: &mut Vec<String>) -> Map<String, Value> {
    let mut patch = Map::new();
    let Some(m) = modified.as_object() else { return patch };
    let empty = Map::new();
    let c = current.as_object().unwrap_or(&empty);
    let o = original.and_then(Value::as_object);
    for (key, m_value) in m {
        let c_value = c.get(key);
        let o_value = o.and_then(|o| o.get(key));
        path.push(key.clone());
        match (m_value, c_value) {
            (Value::Object(_), Some(c_obj @ Value::Object(_))) => {
                let sub = diff_maps(kind, o_value, m_value, c_obj, path);
                if !sub.is_empty() {
                    patch.insert(key.clone(), Value::Object(sub));
                }
            }
            (Value::Array(m_items), Some(Value::Array(c_items))) => {
                if let ListStrategy::MergeByKey(merge_key) = list_strategy(kind, path) {
                    let o_items = o_value.and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
                    if let Some(list) = diff_keyed_list(kind, merge_key, o_items, m_items, c_items, path) {
                        patch.insert(key.clone(), Value::Array(list));
                    }
                } else if m_value != c_value.unwrap_or(&Value::Null) {
                    patch.insert(key.clone(), m_value.clone());
                }
            }
            (_, Some(c_v)) if c_v == m_value => {}
            (Value::Null, None) => {}
            _ => {
                patch.insert(key.clone(), m_value.clone());
            }
        }
        path.pop();
    }
    if let Some(o) = o {
        for key in o.keys() {
            if !m.contains_key(key) && c.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    patch
}

/// A list merged by `merge_key`: changed items as partial maps with their key,
/// new items whole, items dropped since the last apply as `$patch: delete`.
fn diff_keyed_list(
    kind: Kind,
    merge_key: &str,
    original: &[Value],
    modified: &[Value],
    current: &[Value],
    path: &mut Vec<String>,
) -> Option<Vec<Value>> {
    let find = |list: &[Value], k: Option<&Value>| -> Option<Value> {
        let k = k?;
        list.iter().find(|item| item.get(merge_key) == Some(k)).cloned()
    };
    let mut out = Vec::new();
    path.push("[]".to_string());
    for m_item in modified {
        let k = m_item.get(merge_key);
        match find(current, k) {
            None => out.push(m_item.clone()),
            Some(c_item) => {
                let o_item = find(original, k);
                let mut sub = diff_maps(kind, o_item.as_ref(), m_item, &c_item, path);
                if !sub.is_empty() {
                    if let Some(k) = k {
                        sub.insert(merge_key.to_string(), k.clone());
                    }
                    out.push(Value::Object(sub));
                }
            }
        }
    }
    path.pop();
    for o_item in original {
        let k = o_item.get(merge_key);
        let still_wanted = modified.iter().any(|m| m.get(merge_key) == k);
        if !still_wanted && find(current, k).is_some() {
            let mut del = Map::new();
            if let Some(k) = k {
                del.insert(merge_key.to_string(), k.clone());
            }
            del.insert("$patch".into(), Value::String("delete".into()));
            out.push(Value::Object(del));
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn last_applied_is_compact_sorted_json_with_a_newline() {
        let doc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web5", "namespace": "default"}, "spec": {"selector": {"app": "web5"}, "ports": [{"port": 80}]}});
        let m = with_last_applied(&doc);
        assert_eq!(
            m["metadata"]["annotations"][LAST_APPLIED],
            "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"name\":\"web5\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"port\":80}],\"selector\":{\"app\":\"web5\"}}}\n"
        );
    }

    #[test]
    fn unchanged_when_nothing_applied_differs() {
        let applied = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}});
        let live = json!({"spec": {"replicas": 2, "revisionHistoryLimit": 10, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent"}]}}}});
        assert_eq!(three_way_patch(Kind::Deployment, Some(&applied), &applied, &live), json!({}));
    }

    #[test]
    fn changes_deletions_and_keyed_lists() {
        let original = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"template": {"spec": {"containers": [
            {"name": "nginx", "image": "nginx:1.26"}, {"name": "sidecar", "image": "busybox"}]}}}});
        let modified = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"template": {"spec": {"containers": [
            {"name": "nginx", "image": "nginx:1.27"}]}}}});
        let current = json!({"metadata": {"labels": {"a": "1", "b": "2", "c": "3"}}, "spec": {"replicas": 5, "template": {"spec": {"containers": [
            {"name": "nginx", "image": "nginx:1.26", "imagePullPolicy": "IfNotPresent"}, {"name": "sidecar", "image": "busybox"}]}}}});
        let patch = three_way_patch(Kind::Deployment, Some(&original), &modified, &current);
        assert_eq!(
            patch,
            json!({"metadata": {"labels": {"b": null}}, "spec": {"template": {"spec": {"containers": [
                {"name": "nginx", "image": "nginx:1.27"}, {"name": "sidecar", "$patch": "delete"}]}}}})
        );
        let merged = apiserver::patch::strategic_merge_patch(Kind::Deployment, &current, &patch).unwrap_or_default();
        assert_eq!(merged["spec"]["replicas"], 5, "a field nobody applied stays");
        assert_eq!(merged["metadata"]["labels"], json!({"a": "1", "c": "3"}));
        assert_eq!(merged["spec"]["template"]["spec"]["containers"], json!([{"name": "nginx", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent"}]));
    }

    #[test]
    fn service_ports_merge_by_port() {
        let original = json!({"spec": {"ports": [{"port": 80, "targetPort": 80}]}});
        let modified = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}]}});
        let current = json!({"spec": {"ports": [{"port": 80, "targetPort": 80, "protocol": "TCP", "nodePort": 30001}]}});
        let patch = three_way_patch(Kind::Service, Some(&original), &modified, &current);
        assert_eq!(patch, json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}]}}));
    }
}
