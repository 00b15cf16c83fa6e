//! `kubectl scale`: sets `spec.replicas` of Deployments and ReplicaSets through the
//! API server, with `--current-replicas` as a precondition.

use serde_json::json;

use super::create::{namespace_of, Errors};
use super::flags;
use super::host::Host;
use super::manifest;
use super::output::{self, DryRun, Target};
use crate::apiserver::{self, PatchOptions, PatchType, Status};
use crate::cluster::Cluster;
use crate::labels;
use crate::simulator::Output;
use crate::store::Object;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("scale", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if !flags.changed("replicas") {
        out.err("error: required flag(s) \"replicas\" not set\n");
        return 1;
    }
    let replicas = flags.int("replicas");
    if replicas < 0 {
        out.err("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n");
        return 1;
    }
    let format = flags.string("output");
    if let Err(code) = output::check_output_format(&format, out) {
        return code;
    }
    let dry_run = match output::dry_run(cluster, &flags, out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    let current_replicas = flags.int("current-replicas");
    let mut targets: Vec<(Target, String)> = Vec::new();
    let filenames = flags.list("filename");
    if !filenames.is_empty() {
        let docs = match manifest::read_all(host, &filenames, flags.bool("recursive"), stdin) {
            Ok(d) => d,
            Err(text) => {
                out.err(&text);
                return 1;
            }
        };
        for doc in docs {
            match doc.resource_type() {
                Ok(rt) => {
                    let ns = if doc.namespace().is_empty() { namespace.clone() } else { doc.namespace().to_string() };
                    targets.push((Target { rt, name: doc.name().to_string() }, ns));
                }
                Err(m) => {
                    out.err(&format!("error: {m}\n"));
                    return 1;
                }
            }
        }
    } else if flags.positional.is_empty() {
        out.err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n");
        return 1;
    } else if flags.positional.len() == 1 && !flags.positional[0].contains('/') {
        let selector_text = flags.string("selector");
        if !flags.bool("all") && selector_text.is_empty() {
            out.err("error: resource(s) were provided, but no name was specified\n");
            return 1;
        }
        let rt = match output::lookup(&flags.positional[0]) {
            Ok(rt) => rt,
            Err(t) => {
                out.err(&t);
                return 1;
            }
        };
        let selector = match labels::parse(&selector_text) {
            Ok(s) => s,
            Err(e) => {
                out.err(&format!("error: {e}\n"));
                return 1;
            }
        };
        for o in apiserver::list(cluster, rt.kind, Some(&namespace)) {
            if selector.matches_opt(o.metadata().labels.as_ref()) {
                targets.push((Target { rt, name: o.name().to_string() }, namespace.clone()));
            }
        }
    } else {
        match output::resolve_targets(&flags.positional) {
            Ok(ts) => targets.extend(ts.into_iter().map(|t| (t, namespace.clone()))),
            Err(text) => {
                out.err(&text);
                return 1;
            }
        }
    }
    // The builder fetches every object first; a missing one means nothing is scaled.
    let mut found = Vec::new();
    for (t, ns) in &targets {
        match apiserver::get(cluster, t.rt.kind, ns, &t.name) {
            Ok(o) => found.push((t.clone(), ns.clone(), o.clone())),
            Err(status) => {
                out.err(&format!("error: no objects passed to scale {}\n", status.message));
                return 1;
            }
        }
    }
    if found.is_empty() {
        out.err("error: no objects passed to scale\n");
        return 1;
    }
    let mut errors = Errors::default();
    for (t, ns, object) in found {
        let spec_replicas = match &object {
            Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            Object::ReplicaSet(r) => r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            _ => {
                errors.status(Status {
                    code: 404,
                    reason: crate::apiserver::StatusReason::NotFound,
                    message: "the server could not find the requested resource".to_string(),
                    details: None,
                });
                continue;
            }
        };
        if current_replicas >= 0 && i64::from(spec_replicas) != current_replicas {
            errors.other(format!("Expected replicas to be {current_replicas}, was {spec_replicas}"));
            continue;
        }
        let patch = json!({"spec": {"replicas": replicas}});
        let opts = PatchOptions { dry_run: dry_run == DryRun::Server, ..Default::default() };
        let result = if dry_run == DryRun::Client {
            Ok(object.to_json())
        } else {
            apiserver::patch_with_options(cluster, t.rt.kind, &ns, &t.name, PatchType::Merge, &patch, &opts).map(|o| o.to_json())
        };
        match result {
            Ok(v) => output::print_result(t.rt, &v, &format, "scaled", dry_run, out),
            Err(status) => errors.status(status),
        }
    }
    errors.print(out)
}
