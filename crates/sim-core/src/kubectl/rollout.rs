//! `kubectl rollout status|history|undo|restart|pause|resume` for Deployments.
//!
//! `status` prints `DeploymentStatusViewer`'s message for the live object, and
//! (unless `--watch=false`) again on every change of the object, as kubectl's watch
//! does, while the virtual clock runs, until the rollout is complete, fails its
//! progress deadline or `--timeout` passes. `history` lists the revisions kept in the
//! Deployment's ReplicaSets; `undo` copies an older ReplicaSet's template back;
//! `restart` stamps `kubectl.kubernetes.io/restartedAt` on the template; `pause` and
//! `resume` flip `spec.paused`.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::chrono::{Duration, SecondsFormat};
use serde_json::json;

use super::create::namespace_of;
use super::flags::{self, ParsedFlags};
use super::host::Host;
use super::output::{self, DryRun, Target};
use crate::apiserver::{self, PatchOptions, PatchType, UpdateOptions};
use crate::cluster::Cluster;
use crate::controllers::deployment::REVISION_ANNOTATION;
use crate::resources::Kind;
use crate::simulator::Output;
use crate::store::{Object, ObjectKey};

const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
/// How long `rollout status` without `--timeout` waits on the virtual clock before
/// giving up (a real one waits forever; the progress deadline ends most waits sooner).
const STATUS_WAIT_LIMIT_SECONDS: i64 = 15 * 60;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(index) = flags::first_positional("rollout", args) else {
        return match flags::parse_or_report("rollout", args, out) {
            Err(code) => code,
            Ok(_) => {
                out.err(super::help::text("rollout").unwrap_or(""));
                1
            }
        };
    };
    let sub = args[index].clone();
    let mut rest: Vec<String> = args[..index].to_vec();
    rest.extend(args[index + 1..].iter().cloned());
    let path = format!("rollout {sub}");
    if !matches!(sub.as_str(), "status" | "history" | "undo" | "restart" | "pause" | "resume") {
        // cobra names everything that was not a flag as the unknown command.
        let words: Vec<String> = rest.iter().filter(|a| !a.starts_with('-')).cloned().collect();
        let typed = std::iter::once(sub.clone()).chain(words).collect::<Vec<_>>().join(" ");
        out.err(&format!("error: unknown command \"{typed}\"\nSee 'kubectl rollout -h' for help and examples\n"));
        return 1;
    }
    let flags = match flags::parse_or_report(&path, &rest, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    if flags.positional.is_empty() && flags.list("filename").is_empty() {
        out.err("error: required resource not specified\n");
        return 1;
    }
    let targets = match output::resolve_targets(&flags.positional) {
        Ok(t) => t,
        Err(text) => {
            out.err(&text);
            return 1;
        }
    };
    if targets.is_empty() {
        out.err("error: resource(s) were provided, but no name was specified\n");
        return 1;
    }
    let mut code = 0;
    for target in targets {
        let c = match sub.as_str() {
            "status" => status(cluster, &flags, &target, &namespace, out),
            "history" => history(cluster, &flags, &target, &namespace, out),
            "undo" => undo(cluster, &flags, &target, &namespace, out),
            "restart" => restart(cluster, &flags, &target, &namespace, out),
            "pause" => set_paused(cluster, &flags, &target, &namespace, true, out),
            _ => set_paused(cluster, &flags, &target, &namespace, false, out),
        };
        code = code.max(c);
    }
    code
}

fn get_deployment(cluster: &Cluster, target: &Target, namespace: &str, what: &str, out: &mut Output) -> Result<Deployment, i32> {
    match apiserver::get(cluster, target.rt.kind, namespace, &target.name) {
        Ok(Object::Deployment(d)) => Ok((**d).clone()),
        Ok(_) => {
            let rt = target.rt;
            out.err(&format!("error: no {what} has been implemented for {}/{}, Kind={}\n", rt.group, rt.version, rt.kind_name));
            Err(1)
        }
        Err(status) => Err(output::print_status(&status, out)),
    }
}

/// `DeploymentStatusViewer.Status`: the message, and whether the rollout is done;
/// `Err` for an exceeded progress deadline.
pub fn status_message(d: &Deployment) -> Result<(String, bool), String> {
    let name = d.metadata.name.clone().unwrap_or_default();
    let generation = d.metadata.generation.unwrap_or(0);
    let status = d.status.clone().unwrap_or_default();
    if generation <= status.observed_generation.unwrap_or(0) {
        let timed_out = status
            .conditions
            .as_ref()
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Progressing"))
            .is_some_and(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded"));
        if timed_out {
            return Err(format!("deployment \"{name}\" exceeded its progress deadline"));
        }
        let updated = status.updated_replicas.unwrap_or(0);
        let replicas = status.replicas.unwrap_or(0);
        let available = status.available_replicas.unwrap_or(0);
        if let Some(want) = d.spec.as_ref().and_then(|s| s.replicas) {
            if updated < want {
                return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {want} new replicas have been updated...\n"), false));
            }
        }
        if replicas > updated {
            return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n", replicas - updated), false));
        }
        if available < updated {
            return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"), false));
        }
        return Ok((format!("deployment \"{name}\" successfully rolled out\n"), true));
    }
    Ok(("Waiting for deployment spec update to be observed...\n".to_string(), false))
}

fn status(cluster: &mut Cluster, flags: &ParsedFlags, target: &Target, namespace: &str, out: &mut Output) -> i32 {
    let d = match get_deployment(cluster, target, namespace, "status viewer", out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let print = |d: &Deployment, out: &mut Output| -> Option<i32> {
        match status_message(d) {
            Ok((message, done)) => {
                out.out(&message);
                done.then_some(0)
            }
            Err(e) => {
                out.err(&format!("error: {e}\n"));
                Some(1)
            }
        }
    };
    if let Some(code) = print(&d, out) {
        return code;
    }
    if !flags.bool("watch") {
        return 0;
    }
    let timeout = flags::go_duration_seconds(&flags.string("timeout"));
    // Bounded so that no typed duration can overflow the clock.
    let limit = if timeout > 0.0 {
        Duration::milliseconds((timeout.min(STATUS_WAIT_LIMIT_SECONDS as f64) * 1000.0) as i64)
    } else {
        Duration::seconds(STATUS_WAIT_LIMIT_SECONDS)
    };
    let deadline = cluster.clock.now() + limit;
    let key = ObjectKey::new(Kind::Deployment, namespace, &target.name);
    let mut seen = cluster.store.resource_version();
    // Follow the watch: every change of the Deployment prints its status again.
    while cluster.clock.now() < deadline {
        let next = (cluster.clock.now() + Duration::milliseconds(250)).min(deadline);
        crate::controllers::advance(cluster, next);
        let events: Vec<Object> = cluster
            .store
            .events_since(seen)
            .filter(|e| e.object.key() == key)
            .map(|e| (*e.object).clone())
            .collect();
        seen = cluster.store.resource_version();
        for object in events {
            if let Object::Deployment(d) = object {
                if let Some(code) = print(&d, out) {
                    return code;
                }
            }
        }
        if !cluster.store.contains(&key) {
            out.err(&format!("error: object has been deleted\n"));
            return 1;
        }
    }
    out.err("error: timed out waiting for the condition\n");
    1
}

/// The Deployment's ReplicaSets (those it controls), with their revisions.
fn revisions(cluster: &Cluster, d: &Deployment) -> Vec<(i64, ReplicaSet)> {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let namespace = d.metadata.namespace.clone().unwrap_or_default();
    let mut list: Vec<(i64, ReplicaSet)> = cluster
        .store
        .list(Kind::ReplicaSet, Some(&namespace))
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) => Some((**rs).clone()),
            _ => None,
        })
        .filter(|rs| {
            rs.metadata
                .owner_references
                .as_ref()
                .is_some_and(|refs| refs.iter().any(|r| r.uid == uid && r.controller == Some(true)))
        })
        .map(|rs| {
            let rev = rs
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(REVISION_ANNOTATION))
                .and_then(|r| r.parse::<i64>().ok())
                .unwrap_or(0);
            (rev, rs)
        })
        .collect();
    crate::sort::sort_by_key(&mut list, |(r, _)| *r);
    list
}

fn history(cluster: &mut Cluster, flags: &ParsedFlags, target: &Target, namespace: &str, out: &mut Output) -> i32 {
    let d = match get_deployment(cluster, target, namespace, "history viewer", out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if flags.int("revision") > 0 {
        out.err("kubesim: 'kubectl rollout history --revision' is not simulated\n");
        return 1;
    }
    let revs = revisions(cluster, &d);
    let name = format!("{}/{}", target.rt.qualified_kind_lower(), target.name);
    if revs.is_empty() {
        out.out(&format!("{name} \nNo rollout history found.\n"));
        return 0;
    }
    let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
    for (rev, rs) in &revs {
        let cause = rs
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(CHANGE_CAUSE))
            .filter(|c| !c.is_empty())
            .cloned()
            .unwrap_or_else(|| "<none>".to_string());
        rows.push(vec![rev.to_string(), cause]);
    }
    // `tabbedString` aligns with a tabwriter of padding 2 (not the printers' 3).
    let width = rows.iter().map(|r| r[0].chars().count()).max().unwrap_or(0) + 2;
    let mut table = String::new();
    for r in &rows {
        table.push_str(&format!("{:<width$}{}\n", r[0], r[1]));
    }
    // The name printer's "operation" is "\n" + the table, hence the space and the
    // blank line at the end.
    out.out(&format!("{name} \n{table}\n"));
    0
}

fn undo(cluster: &mut Cluster, flags: &ParsedFlags, target: &Target, namespace: &str, out: &mut Output) -> i32 {
    let d = match get_deployment(cluster, target, namespace, "rollbacker", out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let dry_run = match output::dry_run(cluster, flags, out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let name = d.metadata.name.clone().unwrap_or_default();
    let revs = revisions(cluster, &d);
    let wanted = flags.int("to-revision");
    let chosen = if wanted > 0 {
        match revs.iter().find(|(r, _)| *r == wanted) {
            Some(x) => x.clone(),
            None => {
                out.err(&format!("error: unable to find specified revision {wanted} in history\n"));
                return 1;
            }
        }
    } else {
        // The previous revision: the highest below the current (highest) one.
        if revs.len() < 2 {
            out.err(&format!("error: no rollout history found for deployment \"{name}\"\n"));
            return 1;
        }
        revs[revs.len() - 2].clone()
    };
    let (rev, rs) = chosen;
    let mut template = rs.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
    // kubectl's rollbacker answers a client dry run with the revision's pod template
    // (hash label and all) as `DescribePodTemplate` writes it, untabulated, before it
    // looks at pause or at whether the template already matches.
    if dry_run == DryRun::Client {
        let text = super::describe::pod_template_text(&template);
        out.out(&format!("{}/{} {text}{}\n", target.rt.qualified_kind_lower(), target.name, dry_run.suffix()));
        return 0;
    }
    if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
        out.err("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again\n");
        return 1;
    }
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove("pod-template-hash");
    }
    let current_template = d.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
    if current_template == template {
        out.out(&format!(
            "{}/{} skipped rollback (current template already matches revision {rev})\n",
            target.rt.qualified_kind_lower(),
            target.name
        ));
        return 0;
    }
    let mut updated = d.clone();
    if let Some(spec) = updated.spec.as_mut() {
        spec.template = template;
    }
    if dry_run == DryRun::None || dry_run == DryRun::Server {
        let opts = UpdateOptions { dry_run: dry_run == DryRun::Server, ..Default::default() };
        if let Err(status) = apiserver::update(cluster, Object::Deployment(Box::new(updated)), &opts) {
            return output::print_status(&status, out);
        }
    }
    out.out(&format!("{}/{} rolled back{}\n", target.rt.qualified_kind_lower(), target.name, dry_run.suffix()));
    0
}

fn restart(cluster: &mut Cluster, flags: &ParsedFlags, target: &Target, namespace: &str, out: &mut Output) -> i32 {
    let d = match get_deployment(cluster, target, namespace, "restarter", out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let dry_run = match output::dry_run(cluster, flags, out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
        out.err(&format!("error: {} {:?} can't restart paused deployment (run rollout resume first)\n", target.rt.qualified_plural(), target.name));
        return 1;
    }
    let now = cluster.clock.now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}});
    let opts = PatchOptions { dry_run: dry_run != DryRun::None, ..Default::default() };
    match apiserver::patch_with_options(cluster, Kind::Deployment, namespace, &target.name, PatchType::StrategicMerge, &patch, &opts) {
        Ok(_) => {
            out.out(&format!("{}/{} restarted{}\n", target.rt.qualified_kind_lower(), target.name, dry_run.suffix()));
            0
        }
        Err(status) => output::print_status(&status, out),
    }
}

fn set_paused(cluster: &mut Cluster, flags: &ParsedFlags, target: &Target, namespace: &str, pause: bool, out: &mut Output) -> i32 {
    let what = if pause { "pauser" } else { "resumer" };
    let d = match get_deployment(cluster, target, namespace, what, out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let dry_run = match output::dry_run(cluster, flags, out) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
    if paused == pause {
        let state = if pause { "already paused" } else { "not paused" };
        out.err(&format!("error: {} {:?} is {state}\n", target.rt.qualified_plural(), target.name));
        return 1;
    }
    let patch = if pause { json!({"spec": {"paused": true}}) } else { json!({"spec": {"paused": null}}) };
    let opts = PatchOptions { dry_run: dry_run != DryRun::None, ..Default::default() };
    match apiserver::patch_with_options(cluster, Kind::Deployment, namespace, &target.name, PatchType::StrategicMerge, &patch, &opts) {
        Ok(_) => {
            let word = if pause { "paused" } else { "resumed" };
            out.out(&format!("{}/{} {word}{}\n", target.rt.qualified_kind_lower(), target.name, dry_run.suffix()));
            0
        }
        Err(status) => output::print_status(&status, out),
    }
}
