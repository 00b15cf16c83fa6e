//! `kubectl set image TYPE/NAME CONTAINER=IMAGE...` (`*=IMAGE` for every container)
//! on Deployments, ReplicaSets and Pods: the new images are sent as a strategic
//! merge patch of the containers, and `image updated` printed for each object that
//! changed (an object that already runs the images prints nothing, as upstream).

use serde_json::{json, Value};

use super::create::{namespace_of, Errors};
use super::flags;
use super::host::Host;
use super::output::{self, DryRun};
use crate::apiserver::{self, PatchOptions, PatchType};
use crate::cluster::Cluster;
use crate::resources::Kind;
use crate::simulator::Output;
use crate::store::Object;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(index) = flags::first_positional("set", args) else {
        return match flags::parse_or_report("set", args, out) {
            Err(code) => code,
            Ok(_) => {
                out.err(super::help::text("set").unwrap_or(""));
                1
            }
        };
    };
    let sub = args[index].as_str();
    if sub != "image" {
        if matches!(sub, "env" | "resources" | "selector" | "serviceaccount" | "subject") {
            out.err(&format!("kubesim: 'kubectl set {sub}' is not simulated\n"));
        } else {
            let words: Vec<&str> = args[index..].iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
            out.err(&format!("error: unknown command \"{}\"\nSee 'kubectl set -h' for help and examples\n", words.join(" ")));
        }
        return 1;
    }
    let mut rest: Vec<String> = args[..index].to_vec();
    rest.extend(args[index + 1..].iter().cloned());
    let (flags, format, dry_run) = match output::mutating_flags(cluster, "set image", &rest, out) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let split = flags.positional.iter().position(|a| a.contains('=')).unwrap_or(flags.positional.len());
    let (resource_args, image_args) = flags.positional.split_at(split);
    if image_args.is_empty() {
        out.err("error: at least one image update is required\n");
        return 1;
    }
    let mut images: Vec<(String, String)> = Vec::new();
    for arg in image_args {
        match arg.split_once('=') {
            Some((c, i)) if !c.is_empty() && !i.is_empty() => images.push((c.to_string(), i.to_string())),
            _ => {
                out.err(&format!("error: invalid image update: {arg}\n"));
                return 1;
            }
        }
    }
    if resource_args.is_empty() {
        out.err("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\n");
        return 1;
    }
    let targets = match output::resolve_targets(resource_args) {
        Ok(t) => t,
        Err(text) => {
            out.err(&text);
            return 1;
        }
    };
    let namespace = namespace_of(host, &flags);
    let mut errors = Errors::default();
    for target in targets {
        let object = match apiserver::get(cluster, target.rt.kind, &namespace, &target.name) {
            Ok(o) => o.clone(),
            Err(status) => {
                errors.status(status);
                continue;
            }
        };
        let containers = match &object {
            Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.template.spec.as_ref()).map(|s| s.containers.clone()),
            Object::ReplicaSet(r) => r.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref()).map(|s| s.containers.clone()),
            Object::Pod(p) => p.spec.as_ref().map(|s| s.containers.clone()),
            _ => {
                errors.other(format!(
                    "{}/{} the object is not a pod or does not have a pod template: {}",
                    target.rt.qualified_kind_lower(),
                    target.name,
                    target.rt.kind_name
                ));
                continue;
            }
        }
        .unwrap_or_default();
        let mut changed: Vec<Value> = Vec::new();
        let mut missing = None;
        for (container, image) in &images {
            let matching: Vec<_> = containers.iter().filter(|c| container == "*" || &c.name == container).collect();
            if matching.is_empty() {
                missing = Some(container.clone());
                break;
            }
            for c in matching {
                if c.image.as_deref() != Some(image.as_str()) {
                    changed.push(json!({"name": c.name, "image": image}));
                }
            }
        }
        if let Some(name) = missing {
            errors.other(format!("unable to find container named \"{name}\""));
            continue;
        }
        if changed.is_empty() {
            continue;
        }
        let patch = if target.rt.kind == Kind::Pod {
            json!({"spec": {"containers": changed}})
        } else {
            json!({"spec": {"template": {"spec": {"containers": changed}}}})
        };
        let result = if dry_run == DryRun::Client {
            Ok(object.to_json())
        } else {
            let opts = PatchOptions { dry_run: dry_run == DryRun::Server, ..Default::default() };
            apiserver::patch_with_options(cluster, target.rt.kind, &namespace, &target.name, PatchType::StrategicMerge, &patch, &opts)
                .map(|o| o.to_json())
        };
        match result {
            Ok(v) => output::print_result(target.rt, &v, &format, "image updated", dry_run, out),
            Err(status) => errors.status(status),
        }
    }
    errors.print(out)
}
