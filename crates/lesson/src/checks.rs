//! Evaluating a step's checks against the learner's simulator: the store for
//! objects and pods, the filesystem for files, the last output for the terminal,
//! and a curl on a clone of the simulator for the network.

use serde::Serialize;
use sim_core::kubectl::jsonpath::JsonPath;
use sim_core::resources::lookup;
use sim_core::store::{Object, ObjectKey};
use sim_core::Simulator;

use crate::environment;
use crate::model::{Check, CheckKind, Expect, ObjectRef};

/// The outcome of one check: whether it passed and, if not, what was seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub passed: bool,
    /// What the engine saw, for the author's report (the learner sees the hint).
    pub detail: String,
}

impl CheckResult {
    fn pass() -> Self {
        CheckResult { passed: true, detail: String::new() }
    }

    fn fail(detail: impl Into<String>) -> Self {
        CheckResult { passed: false, detail: detail.into() }
    }
}

/// Evaluates one check. `last_output` is what the learner's last command printed
/// (its terminal display).
pub fn evaluate(check: &Check, sim: &Simulator, last_output: Option<&str>) -> CheckResult {
    match &check.kind {
        CheckKind::Exists { object } => match find(sim, object) {
            Ok(_) => CheckResult::pass(),
            Err(e) => CheckResult::fail(e),
        },
        CheckKind::Absent { object } => match find(sim, object) {
            Ok(_) => CheckResult::fail(format!("{}/{} still exists", object.resource, object.name)),
            Err(_) => CheckResult::pass(),
        },
        CheckKind::JsonPath { object, path, expect } => {
            let value = match read_jsonpath(sim, object, path) {
                Ok(v) => v,
                Err(e) => return CheckResult::fail(e),
            };
            let ok = match expect {
                Expect::Equals(want) => value == *want,
                Expect::Matches(pattern) => glob_match(pattern, &value),
                Expect::NonEmpty => !value.is_empty(),
            };
            if ok {
                CheckResult::pass()
            } else {
                CheckResult::fail(format!("{path} of {}/{} is {value:?}", object.resource, object.name))
            }
        }
        CheckKind::ReadyPods { selector, namespace, count, exactly } => {
            // The same selector syntax (and parser) as `kubectl get -l`.
            let selector = match sim_core::labels::parse(selector) {
                Ok(s) => s,
                Err(e) => return CheckResult::fail(format!("label selector {selector:?}: {e}")),
            };
            let ready = sim
                .cluster
                .store
                .list(sim_core::resources::Kind::Pod, Some(namespace))
                .filter(|o| selector.matches_opt(o.metadata().labels.as_ref()))
                .filter(|o| is_ready(o))
                .count();
            let ok = if *exactly { ready == *count } else { ready >= *count };
            if ok {
                CheckResult::pass()
            } else {
                let how = if *exactly { "exactly" } else { "at least" };
                CheckResult::fail(format!("{ready} ready pods match, want {how} {count}"))
            }
        }
        CheckKind::FileContains { path, text } => match environment::read_file(sim, path) {
            Ok(content) if content.contains(text.as_str()) => CheckResult::pass(),
            Ok(_) => CheckResult::fail(format!("{path} does not contain {text:?}")),
            Err(e) => CheckResult::fail(e),
        },
        CheckKind::OutputContains { text } => match last_output {
            Some(o) if o.contains(text.as_str()) => CheckResult::pass(),
            Some(_) => CheckResult::fail(format!("the last output does not contain {text:?}")),
            None => CheckResult::fail("no command has run yet"),
        },
        CheckKind::Curl { url, from, host, expect } => {
            let out = environment::curl(sim, from, host.as_deref(), url);
            if out.exit_code != 0 {
                return CheckResult::fail(format!("curl {url} exited {}: {}", out.exit_code, out.display.trim_end()));
            }
            match expect {
                Some(e) if !out.stdout.contains(e.as_str()) => {
                    CheckResult::fail(format!("curl {url} answered without {e:?}: {}", out.stdout.trim_end()))
                }
                _ => CheckResult::pass(),
            }
        }
    }
}

/// Finds an object in the store as `kubectl get TYPE NAME -n NS` would.
pub fn find<'s>(sim: &'s Simulator, object: &ObjectRef) -> Result<&'s Object, String> {
    let Some(rt) = lookup(&object.resource) else {
        return Err(format!("unknown resource type {:?}", object.resource));
    };
    let namespace = if rt.namespaced { object.namespace.as_str() } else { "" };
    sim.cluster
        .store
        .get(&ObjectKey::new(rt.kind, namespace, &object.name))
        .ok_or_else(|| format!("{}/{} not found", object.resource, object.name))
}

/// Reads a JSONPath template from an object, as `kubectl get -o jsonpath` prints it
/// (missing keys print nothing, as with kubectl's default
/// `--allow-missing-template-keys=true`).
pub fn read_jsonpath(sim: &Simulator, object: &ObjectRef, path: &str) -> Result<String, String> {
    let found = find(sim, object)?;
    let template = JsonPath::parse(path).map_err(|e| format!("jsonpath {path:?}: {e}"))?;
    template.execute(&found.to_json(), true).map_err(|e| format!("jsonpath {path:?}: {e}"))
}

/// A pod counts as ready when its Ready condition is True and it is not terminating,
/// which is what the READY column and Service endpoints go by.
fn is_ready(object: &Object) -> bool {
    let Object::Pod(pod) = object else { return false };
    if pod.metadata.deletion_timestamp.is_some() {
        return false;
    }
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}
