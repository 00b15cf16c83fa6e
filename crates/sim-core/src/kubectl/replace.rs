//! `kubectl replace -f FILE`: PUT each object of the manifests in place of the stored
//! one (`--force`: delete them, wait until they are gone, create them again).
//!
//! kubectl's resource helper replaces with `overwrite`: an object without a
//! resourceVersion first gets the stored one (so a missing object is the GET's
//! NotFound), while a resourceVersion written in the file must still be current
//! (the API server's Conflict otherwise).

use serde_json::Value;

use super::create::{field_validation, namespace_of, object_namespace, read_manifests, Errors};
use super::flags;
use super::host::Host;
use super::output::{self, DryRun};
use crate::apiserver::{self, DeleteOptions, Propagation, UpdateOptions};
use crate::cluster::Cluster;
use crate::simulator::Output;

/// Flags kubectl replace has that kubesim does not simulate.
const UNSIMULATED_FLAGS: &[&str] = &["raw", "kustomize", "subresource", "template", "wait"];

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("replace", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if let Err(code) = flags::reject_unsimulated(&flags, "replace", UNSIMULATED_FLAGS, out) {
        return code;
    }
    let force = flags.bool("force");
    let dry_run = match output::dry_run(cluster, &flags, out) {
        Ok(d) => d,
        Err(code) => return code,
    };
    // Complete() requires a file; Validate() then checks the flags, in kubectl's order.
    let filenames = flags.list("filename");
    if filenames.is_empty() {
        out.err("error: must specify one of -f and -k\n");
        return 1;
    }
    // Validate(), in kubectl's order.
    if flags.int("grace-period") >= 0 && !force {
        out.err("error: --grace-period must have --force specified\n");
        return 1;
    }
    if !matches!(flags.string("timeout").as_str(), "0s" | "0") && !force {
        out.err("error: --timeout must have --force specified\n");
        return 1;
    }
    if force && dry_run != DryRun::None {
        out.err("error: --dry-run can not be used when --force is set\n");
        return 1;
    }
    let (format, dry_run, docs) = match read_manifests(cluster, host, &flags, &filenames, stdin, "replace", out) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let namespace = namespace_of(host, &flags);
    let validation = field_validation(&flags);
    let mut errors = Errors::default();
    let mut work = Vec::new();
    for doc in docs {
        let rt = match doc.resource_type() {
            Ok(rt) => rt,
            Err(message) => {
                errors.other(message);
                continue;
            }
        };
        match object_namespace(&doc, rt.namespaced, &namespace, flags.namespace().is_some()) {
            Ok(ns) => work.push((rt, ns, doc)),
            Err(message) => errors.other(message),
        }
    }
    // CreateOrUpdateAnnotation: `--save-config` records the object as apply would;
    // without it the annotation is refreshed only when the file itself carries one.
    let annotated = |value: &Value| {
        let has_own = value
            .pointer("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration")
            .and_then(Value::as_str)
            .is_some_and(|a| !a.is_empty());
        if flags.bool("save-config") || has_own {
            super::apply::with_last_applied(value)
        } else {
            value.clone()
        }
    };

    if force {
        // forceReplace: delete everything first (a missing object is an error), wait
        // for the deletions to finish, then create each object again.
        let grace = flags.int("grace-period");
        let opts = DeleteOptions { propagation: Propagation::Background, grace_period: (grace >= 0).then_some(grace), dry_run: false };
        let mut deleted = Vec::new();
        for (rt, ns, doc) in &work {
            match apiserver::delete(cluster, rt.kind, ns, doc.name(), &opts) {
                Ok(object) => {
                    out.out(&format!("{} \"{}\" deleted\n", rt.qualified_kind_lower(), doc.name()));
                    deleted.push((object.key(), object.metadata().uid.clone()));
                }
                Err(status) => errors.status(status.with_source("deleting", &doc.source)),
            }
        }
        if !errors.is_empty() {
            return errors.print(out);
        }
        super::delete::wait_for_deletion(cluster, &deleted);
        for (rt, ns, doc) in &work {
            match super::create::send_create(cluster, rt.kind, ns, annotated(&doc.value), DryRun::None, validation) {
                Ok(created) => output::print_result(rt, &created, &format, "replaced", DryRun::None, out),
                // kubectl returns the first creation error as it is.
                Err(status) => {
                    errors.status(status);
                    break;
                }
            }
        }
        return errors.print(out);
    }

    for (rt, ns, doc) in work {
        let mut value = annotated(&doc.value);
        if dry_run == DryRun::Client {
            if rt.namespaced {
                set_metadata(&mut value, "namespace", ns.clone());
            }
            output::print_result(rt, &value, &format, "replaced", dry_run, out);
            continue;
        }
        // Replace with overwrite: take the stored resourceVersion when the file has none.
        let own_version = value.pointer("/metadata/resourceVersion").and_then(Value::as_str).is_some_and(|v| !v.is_empty());
        if !own_version {
            match apiserver::get(cluster, rt.kind, &ns, doc.name()) {
                Ok(current) => {
                    let version = current.metadata().resource_version.clone().unwrap_or_default();
                    set_metadata(&mut value, "resourceVersion", version);
                }
                Err(status) => {
                    errors.status(status.with_source("replacing", &doc.source));
                    continue;
                }
            }
        }
        let result = apiserver::decode_as(rt.kind, value.clone()).and_then(|mut object| {
            if rt.namespaced {
                object.metadata_mut().namespace = Some(ns.clone());
            }
            let opts = UpdateOptions { dry_run: dry_run == DryRun::Server, field_validation: validation, raw: Some(value) };
            apiserver::update(cluster, object, &opts)
        });
        match result {
            Ok(updated) => output::print_result(rt, &updated.to_json(), &format, "replaced", dry_run, out),
            Err(status) => errors.status(status.with_source("replacing", &doc.source)),
        }
    }
    errors.print(out)
}

/// Sets a metadata field when `metadata` is an object (decoding reports anything else).
fn set_metadata(value: &mut Value, key: &str, text: String) {
    if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert(key.to_string(), Value::String(text));
    }
}

#[cfg(test)]
mod tests {
    use crate::simulator::{ClusterConfig, Simulator};

    const SERVICE: &str = "cat > svc.yaml <<EOF\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\nEOF";

    #[test]
    fn replace_puts_the_file_in_place_of_the_object() {
        let mut sim = Simulator::new(ClusterConfig::default());
        sim.run_line(SERVICE);
        let missing = sim.run_line("kubectl replace -f svc.yaml");
        assert_eq!(missing.stderr, "Error from server (NotFound): error when replacing \"svc.yaml\": services \"web\" not found\n");
        assert_eq!(missing.exit_code, 1);
        assert_eq!(sim.run_line("kubectl create -f svc.yaml").exit_code, 0);
        sim.run_line("sed -i 's/port: 80/port: 8080/' svc.yaml");
        let replaced = sim.run_line("kubectl replace -f svc.yaml");
        assert_eq!((replaced.stdout.as_str(), replaced.exit_code), ("service/web replaced\n", 0));
        assert_eq!(sim.run_line("kubectl get svc web -o jsonpath={.spec.ports[0].port}").stdout, "8080");
        let forced = sim.run_line("kubectl replace --force -f svc.yaml");
        assert_eq!(forced.stdout, "service \"web\" deleted\nservice/web replaced\n");
        assert_eq!(sim.run_line("kubectl replace").stderr, "error: must specify one of -f and -k\n");
        assert_eq!(sim.run_line("kubectl replace -f svc.yaml --grace-period=1").stderr, "error: --grace-period must have --force specified\n");
    }

    #[test]
    fn a_stale_resource_version_conflicts() {
        let mut sim = Simulator::new(ClusterConfig::default());
        sim.run_line(SERVICE);
        sim.run_line("kubectl create -f svc.yaml");
        sim.run_line("kubectl get svc web -o yaml > old.yaml");
        sim.run_line("kubectl label svc web tier=front");
        let stale = sim.run_line("kubectl replace -f old.yaml");
        assert!(stale.stderr.starts_with("Error from server (Conflict): error when replacing \"old.yaml\": Operation cannot be fulfilled on services \"web\""), "{}", stale.stderr);
    }
}
