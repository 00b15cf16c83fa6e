//! `kubectl label` and `kubectl annotate`: `KEY=VALUE` sets, `KEY-` removes, an
//! existing key is only replaced with `--overwrite`; the change is sent as a JSON
//! merge patch of `metadata.labels` / `metadata.annotations`, as kubectl does.
//!
//! The printed operation follows `updateDataChangeMsg`: `labeled` when the object
//! changed, `not labeled` when it did not, `unlabeled` when a removal without
//! `--overwrite` shrank it; annotate always says `annotated`.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::create::{namespace_of, Errors};
use super::host::Host;
use super::output::{self, DryRun};
use crate::apiserver::{self, PatchOptions, PatchType};
use crate::cluster::Cluster;
use crate::labels;
use crate::simulator::Output;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Labels,
    Annotations,
}

pub fn run_label(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    run(cluster, host, args, stdin, out, Which::Labels)
}

pub fn run_annotate(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    run(cluster, host, args, stdin, out, Which::Annotations)
}

fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output, which: Which) -> i32 {
    let command = if which == Which::Labels { "label" } else { "annotate" };
    let (flags, format, dry_run) = match output::mutating_flags(cluster, command, args, out) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    if flags.bool("list") {
        out.err(&format!("kubesim: 'kubectl {command} --list' is not simulated\n"));
        return 1;
    }
    // Resource arguments come first; the first `k=v` or `k-` starts the changes.
    let split = flags.positional.iter().position(|a| a.contains('=') || (a.ends_with('-') && a.len() > 1)).unwrap_or(flags.positional.len());
    let (resource_args, change_args) = flags.positional.split_at(split);
    let noun = if which == Which::Labels { "label" } else { "annotation" };
    // Validate checks for resources before changes (label.go, annotate.go).
    if resource_args.is_empty() && flags.list("filename").is_empty() {
        out.err("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\n");
        return 1;
    }
    if change_args.is_empty() {
        out.err(&format!("error: at least one {noun} update is required\n"));
        return 1;
    }
    let mut set: Vec<(String, String)> = Vec::new();
    let mut remove: Vec<String> = Vec::new();
    for change in change_args {
        if let Some((k, v)) = change.split_once('=') {
            // Only the value is checked here (`parseLabels`); keys are the server's to judge.
            if which == Which::Labels {
                if v.contains('=') {
                    out.err(&format!("error: invalid label spec: {change}\n"));
                    return 1;
                }
                if let Some(e) = labels::validate_label_value(v) {
                    out.err(&format!("error: invalid label value: \"{change}\": {e}\n"));
                    return 1;
                }
            }
            set.push((k.to_string(), v.to_string()));
        } else if let Some(k) = change.strip_suffix('-') {
            remove.push(k.to_string());
        }
    }
    for k in &remove {
        if set.iter().any(|(s, _)| s == k) {
            out.err(&format!("error: can not both modify and remove {noun} in the same command\n"));
            return 1;
        }
    }
    let namespace = namespace_of(host, &flags);
    let targets = match output::select_targets(cluster, host, &flags, resource_args, stdin, &namespace) {
        Ok(t) => t,
        Err(text) => {
            out.err(&text);
            return 1;
        }
    };
    if targets.is_empty() {
        out.err("No resources found\n");
        return 0;
    }
    let overwrite = flags.bool("overwrite");
    let mut errors = Errors::default();
    for (target, ns) in targets {
        let object = match apiserver::get(cluster, target.rt.kind, &ns, &target.name) {
            Ok(o) => o.clone(),
            Err(status) => {
                errors.status(status);
                continue;
            }
        };
        let meta = object.metadata();
        let current: BTreeMap<String, String> =
            if which == Which::Labels { meta.labels.clone() } else { meta.annotations.clone() }.unwrap_or_default();
        let mut updated = current.clone();
        let mut conflict = None;
        for (k, v) in &set {
            if let Some(existing) = current.get(k) {
                if !overwrite && existing != v {
                    // label.go and annotate.go word the same conflict differently.
                    conflict = Some(if which == Which::Labels {
                        format!("'{k}' already has a value ({existing}), and --overwrite is false")
                    } else {
                        format!("--overwrite is false but found the following declared annotation(s): '{k}' already has a value ({existing})")
                    });
                    break;
                }
            }
            updated.insert(k.clone(), v.clone());
        }
        if let Some(message) = conflict {
            errors.other(message);
            continue;
        }
        for k in &remove {
            if updated.remove(k).is_none() && which == Which::Labels {
                out.err(&format!("label \"{k}\" not found.\n"));
            }
        }
        let operation = if which == Which::Annotations {
            "annotated"
        } else if updated == current {
            "not labeled"
        } else if !overwrite && updated.len() < current.len() {
            "unlabeled"
        } else {
            "labeled"
        };
        let field = if which == Which::Labels { "labels" } else { "annotations" };
        let mut patch_map = Map::new();
        for (k, v) in &updated {
            if current.get(k) != Some(v) {
                patch_map.insert(k.clone(), json!(v));
            }
        }
        for k in current.keys() {
            if !updated.contains_key(k) {
                patch_map.insert(k.clone(), Value::Null);
            }
        }
        let result = if patch_map.is_empty() || dry_run == DryRun::Client {
            let mut v = object.to_json();
            if dry_run == DryRun::Client {
                v["metadata"][field] = json!(updated);
            }
            Ok(v)
        } else {
            let patch = json!({"metadata": {field: Value::Object(patch_map)}});
            let opts = PatchOptions { dry_run: dry_run == DryRun::Server, ..Default::default() };
            apiserver::patch_with_options(cluster, target.rt.kind, &ns, &target.name, PatchType::Merge, &patch, &opts).map(|o| o.to_json())
        };
        match result {
            Ok(v) => output::print_result(target.rt, &v, &format, operation, dry_run, out),
            Err(status) => errors.status(status),
        }
    }
    errors.print(out)
}
