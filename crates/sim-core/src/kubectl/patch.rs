//! `kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]`: the patch (JSON
//! or YAML, from `-p` or `--patch-file`) is sent to the API server, which applies it.
//! A patch that changes nothing prints `patched (no change)`, as kubectl compares the
//! object before and after.

use serde_json::Value;

use super::create::{namespace_of, Errors};
use super::host::Host;
use super::manifest;
use super::output::{self, DryRun};
use crate::apiserver::{self, PatchOptions, PatchType};
use crate::cluster::Cluster;
use crate::simulator::Output;

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let (flags, format, dry_run) = match output::mutating_flags(cluster, "patch", args, out) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let patch_type = match flags.string("type").as_str() {
        "" | "strategic" => PatchType::StrategicMerge,
        "merge" => PatchType::Merge,
        "json" => PatchType::Json,
        other => {
            out.err(&format!("error: --type must be one of [json merge strategic], not \"{other}\"\n"));
            return 1;
        }
    };
    let text = if flags.changed("patch-file") {
        let path = flags.string("patch-file");
        match host.read_file(&path) {
            Ok(t) => t,
            Err(_) => {
                out.err(&format!("error: unable to read patch file: open {path}: no such file or directory\n"));
                return 1;
            }
        }
    } else {
        flags.string("patch")
    };
    if text.is_empty() {
        out.err("error: must specify --patch or --patch-file containing the contents of the patch\n");
        return 1;
    }
    if flags.changed("patch") && flags.changed("patch-file") {
        out.err("error: cannot specify --patch and --patch-file together\n");
        return 1;
    }
    // kubectl reads the patch as YAML (JSON is YAML) and sends its JSON.
    let patch: Value = match serde_yaml_ng::from_str::<Value>(&text) {
        Ok(v) => v,
        Err(e) => {
            out.err(&format!("error: unable to parse \"{text}\": {}\n", manifest::go_yaml_error(&e)));
            return 1;
        }
    };
    let namespace = namespace_of(host, &flags);
    let filenames = flags.list("filename");
    let targets = if filenames.is_empty() {
        output::named_targets(&flags.positional, &namespace)
    } else {
        output::file_targets(host, &filenames, flags.bool("recursive"), stdin, &namespace)
    };
    let targets = match targets {
        Ok(t) => t,
        Err(text) => {
            out.err(&text);
            return 1;
        }
    };
    let mut errors = Errors::default();
    for (target, ns) in targets {
        let before = match apiserver::get(cluster, target.rt.kind, &ns, &target.name) {
            Ok(o) => o.to_json(),
            Err(status) => {
                errors.status(status);
                continue;
            }
        };
        let opts = PatchOptions {
            dry_run: dry_run != DryRun::None,
            field_validation: super::create::field_validation(&flags),
        };
        match apiserver::patch_with_options(cluster, target.rt.kind, &ns, &target.name, patch_type, &patch, &opts) {
            Ok(after) => {
                let after = after.to_json();
                let operation = if after == before { "patched (no change)" } else { "patched" };
                output::print_result(target.rt, &after, &format, operation, dry_run, out);
            }
            Err(status) => errors.status(status),
        }
    }
    errors.print(out)
}
