//! `kubectl edit TYPE NAME`: opens the object's YAML in the terminal's editor (nano
//! in kubesim) under kubectl's header comment, and when the editor closes sends the
//! difference as a strategic merge patch, as kubectl's edit does. Leaving without
//! saving or saving the same text is `Edit cancelled, no changes made.`.

use serde_json::{json, Value};

use super::apply::three_way_patch;
use super::create::namespace_of;
use super::flags;
use super::host::Host;
use super::output;
use crate::apiserver::{self, PatchOptions, PatchType, StatusReason};
use crate::cluster::Cluster;
use crate::resources;
use crate::shell::AfterEdit;
use crate::simulator::Output;

/// The comment kubectl puts above the object.
const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\n";

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("edit", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    if flags.positional.is_empty() {
        out.err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n");
        return 1;
    }
    if flags.positional.len() == 1 && !flags.positional[0].contains('/') {
        out.err("kubesim: 'kubectl edit' of every object of a type is not simulated; name one object\n");
        return 1;
    }
    let targets = match output::resolve_targets(&flags.positional) {
        Ok(t) => t,
        Err(text) => {
            out.err(&text);
            return 1;
        }
    };
    if targets.len() != 1 {
        out.err("kubesim: 'kubectl edit' of several objects at once is not simulated\n");
        return 1;
    }
    let target = &targets[0];
    let ns = output::scoped(target.rt, &namespace).to_string();
    let object = match apiserver::get(cluster, target.rt.kind, &ns, &target.name) {
        Ok(o) => o.to_json(),
        Err(status) => return output::print_status(&status, out),
    };
    let Some(sh) = host.shell.as_mut() else {
        out.err("kubesim: 'kubectl edit' needs the terminal's editor, which this session does not have\n");
        return 1;
    };
    let text = format!("{HEADER}{}", crate::printers::yaml::to_string(&object));
    // kubectl writes the buffer to a temporary file named kubectl-edit-<random>.yaml.
    let path = format!("/tmp/kubectl-edit-{}.yaml", cluster.rng.next_u64() % 10_000_000_000);
    let data = json!({"kind": target.rt.kind_name, "apiVersion": target.rt.api_version(), "namespace": ns, "name": target.name, "original": object});
    let screen = sh.open_editor(&path, Some(&text), AfterEdit::Call { data: data.to_string(), then: finish }, None);
    out.out(&screen);
    0
}

/// Called by the shell when the editor closes.
pub fn finish(cluster: &mut Cluster, data: &str, edited: Option<&str>, out: &mut Output) -> i32 {
    let Ok(data) = serde_json::from_str::<Value>(data) else { return 1 };
    let field = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let Some(rt) = resources::RESOURCE_TYPES.iter().find(|r| r.kind_name == field("kind") && r.api_version() == field("apiVersion")) else {
        return 1;
    };
    let original = data.get("original").cloned().unwrap_or(Value::Null);
    let Some(edited) = edited else {
        out.out("Edit cancelled, no changes made.\n");
        return 0;
    };
    let body: String = edited.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
    if body.trim().is_empty() {
        out.out("Edit cancelled, saved file was empty.\n");
        return 0;
    }
    let value: Value = match serde_yaml_ng::from_str(&body) {
        Ok(v) => v,
        Err(e) => {
            out.err(&format!("error: error parsing edited object: error converting YAML to JSON: {}\n", super::manifest::go_yaml_error(&e)));
            out.err("error: Edit cancelled, no valid changes were saved.\n");
            return 1;
        }
    };
    let patch = three_way_patch(rt.kind, Some(&original), &value, &original);
    if patch.as_object().is_some_and(|m| m.is_empty()) {
        out.out("Edit cancelled, no changes made.\n");
        return 0;
    }
    let name = field("name");
    let namespace = field("namespace");
    if value.pointer("/metadata/name").and_then(Value::as_str) != Some(name.as_str()) {
        out.err("error: At least one of apiVersion, kind and name was changed\n");
        return 1;
    }
    match apiserver::patch_with_options(cluster, rt.kind, &namespace, &name, PatchType::StrategicMerge, &patch, &PatchOptions::default()) {
        Ok(_) => {
            out.out(&format!("{}/{name} edited\n", rt.qualified_kind_lower()));
            0
        }
        Err(status) => {
            if status.reason == StatusReason::Invalid {
                out.err(&format!("error: {} {} is invalid\n", rt.qualified_plural(), crate::apiserver::status::go_quote(&name)));
            }
            out.err(&format!("{}\n", status.kubectl_message()));
            out.err("error: Edit cancelled, no valid changes were saved.\n");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::cluster::Topology;
    use crate::resources::Kind;

    #[test]
    fn saving_a_change_patches_and_no_change_cancels() {
        let mut c = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        let mut out = Output::default();
        let args: Vec<String> = ["create", "deployment", "web", "--image=nginx"].iter().map(|s| s.to_string()).collect();
        super::super::run(&mut c, &args, None, &mut out);
        let original = apiserver::get(&c, Kind::Deployment, "default", "web").map(|o| o.to_json()).unwrap_or_default();
        let data = json!({"kind": "Deployment", "apiVersion": "apps/v1", "namespace": "default", "name": "web", "original": original}).to_string();
        let yaml = format!("{HEADER}{}", crate::printers::yaml::to_string(&original));
        let mut out = Output::default();
        assert_eq!(finish(&mut c, &data, Some(&yaml), &mut out), 0);
        assert_eq!(out.stdout, "Edit cancelled, no changes made.\n");
        let mut out = Output::default();
        assert_eq!(finish(&mut c, &data, None, &mut out), 0);
        assert_eq!(out.stdout, "Edit cancelled, no changes made.\n");
        let changed = yaml.replace("replicas: 1", "replicas: 3");
        let mut out = Output::default();
        assert_eq!(finish(&mut c, &data, Some(&changed), &mut out), 0, "{}", out.stderr);
        assert_eq!(out.stdout, "deployment.apps/web edited\n");
        let replicas = match apiserver::get(&c, Kind::Deployment, "default", "web") {
            Ok(crate::store::Object::Deployment(d)) => d.spec.as_ref().and_then(|s| s.replicas),
            _ => None,
        };
        assert_eq!(replicas, Some(3));
    }
}
