//! `kubectl wait --for=delete|create|condition=NAME[=VALUE]|jsonpath='{...}'[=VALUE]`.
//!
//! kubectl (pkg/cmd/wait) watches each selected object until the condition holds,
//! then prints `<kind>[.<group>]/<name> condition met` (or the object in the `-o`
//! form). Here the virtual clock runs in small steps (see [`step_clock`]) and the
//! condition is checked after each, so the command returns when the condition became
//! true, as a real watch would; with nothing left to wake up, the clock jumps to the
//! deadline. One deadline covers all the objects (`--timeout`,
//! 30s by default; 0 checks once; negative means a week).
//!
//! The condition rules are kubectl's: a status condition matches by type and status
//! compared case-insensitively, and not while its `observedGeneration` (or the
//! status's) is behind `metadata.generation`; a jsonpath must select one value,
//! compared as text, or with no `=VALUE` merely exist; `delete` is met at once for a
//! named object already gone.

use k8s_openapi::chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::create::namespace_of;
use super::flags;
use super::host::Host;
use super::jsonpath::{self, JsonPath};
use super::output::{self, DryRun, Target};
use crate::apiserver;
use crate::cluster::Cluster;
use crate::simulator::Output;

/// kubectl's "negative means wait for a week".
const WEEK_SECONDS: f64 = 168.0 * 3600.0;

enum Condition {
    Delete,
    Create,
    Status { name: String, value: String },
    JsonPath { path: JsonPath, value: Option<String> },
}

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("wait", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let format = flags.string("output");
    if let Err(code) = output::check_output_format(&format, out) {
        return code;
    }
    // The condition is parsed before any object is looked up (ToOptions, then RunWait).
    let condition = match parse_condition(&flags.string("for")) {
        Ok(c) => c,
        Err(message) => {
            out.err(&format!("error: {message}\n"));
            return 1;
        }
    };
    let mut timeout = flags::go_duration_seconds(&flags.string("timeout"));
    if timeout < 0.0 {
        timeout = WEEK_SECONDS;
    }
    let timeout = Duration::milliseconds((timeout.min(WEEK_SECONDS) * 1000.0) as i64);
    let started = cluster.clock.now();
    let deadline = started + timeout;
    let namespace = namespace_of(host, &flags);

    if matches!(condition, Condition::Create) {
        // Poll (every 0.5 s in kubectl) until every named object exists.
        loop {
            match output::select_targets(cluster, host, &flags, &flags.positional, stdin, &namespace) {
                Ok(targets) if targets.iter().all(|(t, ns)| apiserver::get(cluster, t.rt.kind, ns, &t.name).is_ok()) => break,
                Ok(_) => {}
                Err(text) => {
                    out.err(&text);
                    return 1;
                }
            }
            if !step_clock(cluster, started, deadline) {
                out.err("error: timed out waiting for the condition\n");
                return 1;
            }
        }
    }

    let targets = match output::select_targets(cluster, host, &flags, &flags.positional, stdin, &namespace) {
        Ok(t) => t,
        Err(text) => {
            out.err(&text);
            return 1;
        }
    };
    // A type with `-l`/`--all` is listed once, up front, objects and all; names are
    // fetched one by one as they are visited.
    let listed = flags.list("filename").is_empty() && flags.positional.len() == 1 && !flags.positional.iter().any(|a| a.contains('/'));
    let listed_objects: Vec<Option<Value>> = targets
        .iter()
        .map(|(t, ns)| if listed { apiserver::get(cluster, t.rt.kind, ns, &t.name).ok().map(|o| o.to_json()) } else { None })
        .collect();
    let mut visited = 0;
    for ((target, ns), listed_object) in targets.iter().zip(listed_objects) {
        let current = apiserver::get(cluster, target.rt.kind, ns, &target.name).map(|o| o.to_json());
        let object = match (current, &condition) {
            (Ok(o), _) => o,
            // Listed, then gone while an earlier object was waited for: deleted.
            (Err(_), Condition::Delete) if listed => {
                if let Some(object) = listed_object {
                    output::print_result(target.rt, &object, &format, "condition met", DryRun::None, out);
                }
                continue;
            }
            // `--for=delete` ignores named objects already gone (the builder's
            // NotFound is swallowed): nothing is printed for them.
            (Err(_), Condition::Delete) => continue,
            (Err(status), _) => return output::print_status(&status, out),
        };
        visited += 1;
        match wait_for(cluster, target, ns, object, &condition, timeout.is_zero(), started, deadline) {
            Ok(object) => output::print_result(target.rt, &object, &format, "condition met", DryRun::None, out),
            Err(message) => {
                out.err(&format!("error: {message}\n"));
                return 1;
            }
        }
    }
    if visited == 0 && !matches!(condition, Condition::Delete) {
        out.err("error: no matching resources found\n");
        return 1;
    }
    0
}

/// kubectl's `conditionFuncFor`.
fn parse_condition(text: &str) -> Result<Condition, String> {
    let lower = text.to_lowercase();
    if lower == "delete" {
        return Ok(Condition::Delete);
    }
    if lower == "create" {
        return Ok(Condition::Create);
    }
    if let Some(rest) = text.strip_prefix("condition=") {
        let (name, value) = rest.split_once('=').unwrap_or((rest, "true"));
        return Ok(Condition::Status { name: name.to_string(), value: value.to_string() });
    }
    if let Some(rest) = text.strip_prefix("jsonpath=") {
        let parts = split_jsonpath_input(rest);
        if parts.is_empty() || parts.len() > 2 {
            return Err("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'".to_string());
        }
        let expression = jsonpath::relaxed(parts.first().map(String::as_str).unwrap_or(""))?;
        let value = match parts.get(1) {
            None => None,
            Some(v) => {
                let v = v.trim_matches(|c| c == '\'' || c == '"');
                if v.is_empty() {
                    return Err("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3".to_string());
                }
                Some(v.to_string())
            }
        };
        if expression.is_empty() {
            return Err("jsonpath expression cannot be empty".to_string());
        }
        let path = JsonPath::parse(&expression)?;
        return Ok(Condition::JsonPath { path, value });
    }
    Err(format!("unrecognized condition: {text:?}"))
}

/// Splits on single `=`; `==` stays in the expression (a jsonpath filter).
fn split_jsonpath_input(input: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '=' {
            if chars.peek() == Some(&'=') {
                chars.next();
                current.push_str("==");
                continue;
            }
            parts.push(std::mem::take(&mut current));
            continue;
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

/// Waits for one object; `Ok` is the object to print, `Err` kubectl's message.
fn wait_for(
    cluster: &mut Cluster,
    target: &Target,
    namespace: &str,
    first: Value,
    condition: &Condition,
    check_once: bool,
    started: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> Result<Value, String> {
    let resource = target.rt.plural;
    let timed_out = || format!("timed out waiting for the condition on {resource}/{}", target.name);
    let uid = first.pointer("/metadata/uid").cloned();
    let mut last = first;
    loop {
        let live = apiserver::get(cluster, target.rt.kind, namespace, &target.name).ok().map(|o| o.to_json());
        match condition {
            Condition::Delete | Condition::Create => {
                // Gone, or replaced by a new object of the same name.
                let met = match (&live, condition) {
                    (None, Condition::Delete) => true,
                    (Some(o), Condition::Delete) => o.pointer("/metadata/uid").cloned() != uid,
                    _ => true,
                };
                if met {
                    return Ok(last);
                }
            }
            Condition::Status { .. } | Condition::JsonPath { .. } => {
                if let Some(o) = &live {
                    if check(o, condition)? {
                        return Ok(o.clone());
                    }
                }
            }
        }
        if let Some(o) = live {
            last = o;
        }
        if check_once {
            return Err(format!("condition not met for {resource}/{}", target.name));
        }
        if !step_clock(cluster, started, deadline) {
            return Err(timed_out());
        }
    }
}

fn check(object: &Value, condition: &Condition) -> Result<bool, String> {
    match condition {
        Condition::Status { name, value } => Ok(status_condition_met(object, name, value)),
        Condition::JsonPath { path, value } => {
            let found = path.values(object, true)?;
            let Some(first) = found.first() else { return Ok(false) };
            if found.len() > 1 {
                return Err("given jsonpath expression matches more than one value".to_string());
            }
            match value {
                None => Ok(true),
                Some(want) => {
                    if first.is_object() || first.is_array() {
                        return Err("jsonpath leads to a nested object or list which is not supported".to_string());
                    }
                    Ok(jsonpath::text_of(first).trim() == want.trim())
                }
            }
        }
        Condition::Delete | Condition::Create => Ok(false),
    }
}

fn status_condition_met(object: &Value, name: &str, value: &str) -> bool {
    let Some(conditions) = object.pointer("/status/conditions").and_then(Value::as_array) else {
        return false;
    };
    let generation = object.pointer("/metadata/generation").and_then(Value::as_i64);
    for c in conditions {
        if !c.get("type").and_then(Value::as_str).is_some_and(|t| t.to_lowercase() == name.to_lowercase()) {
            continue;
        }
        let Some(status) = c.get("status").and_then(Value::as_str) else { continue };
        if let Some(generation) = generation {
            let observed = c
                .get("observedGeneration")
                .and_then(Value::as_i64)
                .or_else(|| object.pointer("/status/observedGeneration").and_then(Value::as_i64));
            if observed.is_some_and(|o| o < generation) {
                return false;
            }
        }
        return status.to_lowercase() == value.to_lowercase();
    }
    false
}

/// Lets virtual time run one step toward the deadline; false once it has passed.
/// Steps are 500 ms, as `kubesim serve` runs its clock while a watch waits (so real
/// kubectl against serve ends its wait at the same virtual moment); after ten
/// virtual minutes, or when no controller has anything left to do, the clock goes
/// from one wake-up to the next instead, so that an hour's `--timeout` costs little.
fn step_clock(cluster: &mut Cluster, started: DateTime<Utc>, deadline: DateTime<Utc>) -> bool {
    let now = cluster.clock.now();
    if now >= deadline {
        return false;
    }
    let wakeup = cluster.controllers.next_wakeup.filter(|at| *at > now);
    let next = if wakeup.is_none() {
        deadline
    } else if now - started < Duration::minutes(10) {
        now + Duration::milliseconds(500)
    } else {
        wakeup.unwrap_or(deadline)
    };
    crate::controllers::advance(cluster, next.min(deadline));
    true
}
