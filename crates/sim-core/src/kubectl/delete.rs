//! `kubectl delete`: by name (`TYPE NAME...`, `TYPE/NAME`), by manifest (`-f`), by
//! label selector (`-l`) or `--all`, with kubectl's grace-period, cascade and wait
//! semantics.
//!
//! As upstream (`kubectl/pkg/cmd/delete`): each deleted object prints
//! `service "web" deleted` (no slash; `force deleted` with a zero grace period),
//! errors are collected and printed at the end, `--grace-period=0` without `--force`
//! becomes 1, `--now` is 1, and with `--wait` (the default) kubectl waits until the
//! objects are gone, which for a running pod is its graceful shutdown: the virtual
//! clock runs while it waits.

use k8s_openapi::chrono::Duration;

use super::create::{namespace_of, object_namespace, Errors};
use super::flags;
use super::host::Host;
use super::manifest;
use super::output::{self, DryRun, Target};
use crate::apiserver::{self, DeleteOptions, Propagation, StatusReason};
use crate::cluster::Cluster;
use crate::labels;
use crate::simulator::Output;
use crate::store::ObjectKey;

/// The longest kubectl waits for deletions here before giving up (its own default
/// timeout is a week; a pod without finalizers is gone within its grace period).
const WAIT_LIMIT_SECONDS: i64 = 120;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("delete", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let format = flags.string("output");
    if !format.is_empty() && format != "name" {
        out.err(&format!("error: unexpected -o output mode: {format}, the flag 'output' must be one of name\n"));
        return 1;
    }
    let dry_run = match output::dry_run(cluster, &flags, out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let propagation = match flags.string("cascade").as_str() {
        "background" | "true" => Propagation::Background,
        "foreground" => Propagation::Foreground,
        "orphan" | "false" => Propagation::Orphan,
        other => {
            out.err(&format!(
                "error: invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\"\n"
            ));
            return 1;
        }
    };
    let force = flags.bool("force");
    let mut grace: i64 = flags.int("grace-period");
    if flags.bool("now") {
        if flags.changed("grace-period") && grace != -1 {
            out.err("error: --now and --grace-period cannot be specified together\n");
            return 1;
        }
        grace = 1;
    }
    if grace == 0 && !force {
        // "To preserve backwards compatibility, but prevent accidental data loss, we
        // convert --grace-period=0 into --grace-period=1" (delete.go).
        grace = 1;
    }
    if force && grace < 0 {
        grace = 0;
    }
    if force && grace == 0 {
        out.err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    let opts = DeleteOptions {
        propagation,
        grace_period: if grace >= 0 { Some(grace) } else { None },
        dry_run: dry_run != DryRun::None,
    };
    let namespace = namespace_of(host, &flags);
    let all_namespaces = flags.bool("all-namespaces");
    let ignore_not_found = flags.bool("ignore-not-found");
    let selector_text = flags.string("selector");
    let all = flags.bool("all");
    let filenames = flags.list("filename");

    // (target, namespace, source for `error when deleting "x"`).
    let mut work: Vec<(Target, String, Option<String>)> = Vec::new();
    let mut errors = Errors::default();
    if !filenames.is_empty() {
        if !flags.positional.is_empty() {
            out.err("error: Unexpected args: [".to_string().as_str());
            out.err(&format!("{}]\nSee 'kubectl delete -h' for help and examples\n", flags.positional.join(" ")));
            return 1;
        }
        let docs = match manifest::read_all(host, &filenames, flags.bool("recursive"), stdin) {
            Ok(d) => d,
            Err(text) => {
                out.err(&text);
                return 1;
            }
        };
        for doc in docs {
            let rt = match doc.resource_type() {
                Ok(rt) => rt,
                Err(m) => {
                    errors.other(m);
                    continue;
                }
            };
            match object_namespace(&doc, rt.namespaced, &namespace, flags.namespace().is_some()) {
                Ok(ns) => work.push((Target { rt, name: doc.name().to_string() }, ns, Some(doc.source.clone()))),
                Err(m) => errors.other(m),
            }
        }
    } else {
        let Some(first) = flags.positional.first() else {
            out.err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n");
            return 1;
        };
        let named = flags.positional.len() > 1 || first.contains('/');
        if named {
            if all || !selector_text.is_empty() {
                out.err("error: name cannot be provided when a selector is specified\n");
                return 1;
            }
            let targets = match output::resolve_targets(&flags.positional) {
                Ok(t) => t,
                Err(text) => {
                    out.err(&text);
                    return 1;
                }
            };
            for t in targets {
                let ns = output::scoped(t.rt, &namespace).to_string();
                work.push((t, ns, None));
            }
        } else {
            if !all && selector_text.is_empty() && !flags.changed("field-selector") {
                out.err("error: resource(s) were provided, but no name was specified\n");
                return 1;
            }
            let selector = match labels::parse(&selector_text) {
                Ok(s) => s,
                Err(e) => {
                    out.err(&format!("error: {e}\n"));
                    return 1;
                }
            };
            let mut types = Vec::new();
            for type_name in first.split(',') {
                match output::lookup(type_name) {
                    Ok(rt) => types.push(rt),
                    Err(text) => {
                        out.err(&text);
                        return 1;
                    }
                }
            }
            for rt in types {
                let ns_filter = if all_namespaces || !rt.namespaced { None } else { Some(namespace.as_str()) };
                let found: Vec<(String, String)> = apiserver::list(cluster, rt.kind, ns_filter)
                    .into_iter()
                    .filter(|o| selector.matches_opt(o.metadata().labels.as_ref()))
                    .map(|o| (o.name().to_string(), o.namespace().to_string()))
                    .collect();
                for (name, ns) in found {
                    work.push((Target { rt, name }, ns, None));
                }
            }
            if work.is_empty() {
                out.out("No resources found\n");
                return 0;
            }
        }
    }

    let mut deleted: Vec<(ObjectKey, Option<String>)> = Vec::new();
    for (target, ns, source) in work {
        match apiserver::delete(cluster, target.rt.kind, &ns, &target.name, &opts) {
            Ok(object) => {
                let kind = target.rt.qualified_kind_lower();
                if format == "name" {
                    out.out(&format!("{kind}/{}\n", target.name));
                } else {
                    let operation = if grace == 0 { "force deleted" } else { "deleted" };
                    out.out(&format!("{kind} \"{}\" {operation}{}\n", target.name, dry_run.suffix()));
                }
                deleted.push((object.key(), object.metadata().uid.clone()));
            }
            Err(status) if status.reason == StatusReason::NotFound && ignore_not_found => {}
            Err(status) => match source {
                Some(src) => errors.status(status.with_source("deleting", &src)),
                None => errors.status(status),
            },
        }
    }
    if dry_run == DryRun::None && flags.bool("wait") && !deleted.is_empty() {
        wait_for_deletion(cluster, &deleted);
    }
    errors.print(out)
}

/// Lets virtual time run until every deleted object is gone from the store (or the
/// limit passes), as `kubectl delete --wait` watches for the deletions to finish. It
/// waits on the object's uid: a controller may recreate one under the same name at
/// once (the kube-root-ca.crt publisher does), and that is a new object.
pub(super) fn wait_for_deletion(cluster: &mut Cluster, deleted: &[(ObjectKey, Option<String>)]) {
    let deadline = cluster.clock.now() + Duration::seconds(WAIT_LIMIT_SECONDS);
    crate::controllers::reconcile(cluster);
    let present = |cluster: &Cluster| {
        deleted.iter().any(|(k, uid)| cluster.store.get(k).is_some_and(|o| o.metadata().uid == *uid))
    };
    while present(cluster) && cluster.clock.now() < deadline {
        let next = cluster.clock.now() + Duration::milliseconds(500);
        crate::controllers::advance(cluster, next);
    }
}
