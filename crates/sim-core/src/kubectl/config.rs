//! `kubectl config current-context|get-contexts|view|set-context|use-context` over
//! the kubeconfig kind wrote (`~/.kube/config` on the learner's machine). A namespace
//! set on the current context becomes every later command's default namespace.

use super::flags;
use super::host::{Host, KubeConfig};
use crate::cluster::Cluster;
use crate::printers::tabwriter;
use crate::simulator::Output;

/// `kubectl config` subcommands that exist but are outside the simulation.
const OTHER: &[&str] = &[
    "delete-cluster", "delete-context", "delete-user", "get-clusters", "get-users", "rename-context", "set",
    "set-cluster", "set-credentials", "unset",
];

pub fn run(cluster: &mut Cluster, host: &mut Host, args: &[String], _stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(index) = flags::first_positional("config", args) else {
        return match flags::parse_or_report("config", args, out) {
            Err(code) => code,
            Ok(_) => {
                out.err(super::help::text("config").unwrap_or(""));
                1
            }
        };
    };
    let sub = args[index].clone();
    let mut rest: Vec<String> = args[..index].to_vec();
    rest.extend(args[index + 1..].iter().cloned());
    if OTHER.contains(&sub.as_str()) {
        out.err(&format!("kubesim: 'kubectl config {sub}' is not simulated\n"));
        return 1;
    }
    if !matches!(sub.as_str(), "current-context" | "get-contexts" | "view" | "set-context" | "use-context" | "use") {
        let words: Vec<&str> = args[index..].iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
        out.err(&format!("error: unknown command \"{}\"\nSee 'kubectl config -h' for help and examples\n", words.join(" ")));
        return 1;
    }
    let path = if sub == "use" { "config use-context".to_string() } else { format!("config {sub}") };
    let flags = match flags::parse_or_report(&path, &rest, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut config = host.kubeconfig();
    match sub.as_str() {
        "current-context" => {
            let current = config.current_context();
            if current.is_empty() {
                out.err("error: current-context is not set\n");
                return 1;
            }
            out.out(&format!("{current}\n"));
            0
        }
        "get-contexts" => {
            let current = config.current_context();
            let mut rows = vec![["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"].iter().map(|s| s.to_string()).collect::<Vec<_>>()];
            let wanted = flags.positional.clone();
            for ctx in config.contexts() {
                let name = ctx.get("name").and_then(|v| v.as_str()).unwrap_or("").to_string();
                if !wanted.is_empty() && !wanted.contains(&name) {
                    continue;
                }
                let field = |f: &str| ctx.pointer(&format!("/context/{f}")).and_then(|v| v.as_str()).unwrap_or("").to_string();
                let mark = if name == current { "*" } else { "" };
                rows.push(vec![mark.to_string(), name.clone(), field("cluster"), field("user"), field("namespace")]);
            }
            for w in &wanted {
                if config.context(w).is_none() {
                    out.err(&format!("error: context {w} not found\n"));
                    return 1;
                }
            }
            if flags.string("output") == "name" {
                for r in rows.iter().skip(1) {
                    out.out(&format!("{}\n", r[1]));
                }
                return 0;
            }
            if flags.bool("no-headers") {
                rows.remove(0);
            }
            let mut text = String::new();
            tabwriter::write_table(&rows, &mut text);
            out.out(&text);
            0
        }
        "view" => {
            let format = flags.string("output");
            let mut shown = config.clone();
            if flags.bool("minify") {
                shown = minify(&config);
            }
            match format.as_str() {
                "" | "yaml" => out.out(&crate::printers::yaml::to_string(&shown.0)),
                "json" => out.out(&crate::printers::json::to_string(&shown.0)),
                other if other.starts_with("jsonpath=") => {
                    let template = &other["jsonpath=".len()..];
                    let result = super::jsonpath::relaxed(template)
                        .and_then(|t| super::jsonpath::JsonPath::parse(&t))
                        .and_then(|p| p.execute(&shown.0, true));
                    match result {
                        Ok(text) => out.out(&text),
                        Err(e) => {
                            out.err(&format!("error: error parsing jsonpath {template}, {e}\n"));
                            return 1;
                        }
                    }
                }
                other => {
                    out.err(&format!("kubesim: 'kubectl config view -o {other}' is not simulated\n"));
                    return 1;
                }
            }
            0
        }
        "set-context" => {
            let name = if flags.bool("current") {
                if !flags.positional.is_empty() {
                    out.err("error: you cannot specify a context name and --current\n");
                    return 1;
                }
                let c = config.current_context();
                if c.is_empty() {
                    out.err("error: no current context is set\n");
                    return 1;
                }
                c
            } else {
                match flags.positional.as_slice() {
                    [n] => n.clone(),
                    _ => {
                        out.err("error: you must specify a non-empty context name or --current\nSee 'kubectl config set-context -h' for help and examples\n");
                        return 1;
                    }
                }
            };
            let existed = config.context(&name).is_some();
            for (flag, field) in [("cluster", "cluster"), ("user", "user"), ("namespace", "namespace")] {
                if flags.changed(flag) {
                    let v = flags.string(flag);
                    config.set_context_field(&name, field, if v.is_empty() { None } else { Some(&v) });
                }
            }
            if !existed {
                config.set_context_field(&name, "cluster", config.context(&name).and_then(|c| c.pointer("/context/cluster").and_then(|v| v.as_str()).map(str::to_string)).as_deref());
            }
            if let Err(e) = host.save_kubeconfig(&config, cluster.clock.now()) {
                out.err(&format!("error: open /home/learner/.kube/config: {e}\n"));
                return 1;
            }
            out.out(&format!("Context \"{name}\" {}.\n", if existed { "modified" } else { "created" }));
            0
        }
        _ => {
            let Some(name) = flags.positional.first().cloned() else {
                out.err("error: empty context names are not allowed\n");
                return 1;
            };
            if config.context(&name).is_none() {
                out.err(&format!("error: no context exists with the name: \"{name}\"\n"));
                return 1;
            }
            config.set_current_context(&name);
            if let Err(e) = host.save_kubeconfig(&config, cluster.clock.now()) {
                out.err(&format!("error: open /home/learner/.kube/config: {e}\n"));
                return 1;
            }
            out.out(&format!("Switched to context \"{name}\".\n"));
            0
        }
    }
}

/// `--minify`: only what the current context uses.
fn minify(config: &KubeConfig) -> KubeConfig {
    let mut v = config.0.clone();
    let current = config.current_context();
    let ctx = config.context(&current);
    let cluster = ctx.as_ref().and_then(|c| c.pointer("/context/cluster").and_then(|x| x.as_str()).map(str::to_string)).unwrap_or_default();
    let user = ctx.as_ref().and_then(|c| c.pointer("/context/user").and_then(|x| x.as_str()).map(str::to_string)).unwrap_or_default();
    let keep = |list: &str, name: &str, v: &mut serde_json::Value| {
        if let Some(items) = v.get_mut(list).and_then(|l| l.as_array_mut()) {
            items.retain(|i| i.get("name").and_then(|n| n.as_str()) == Some(name));
        }
    };
    keep("contexts", &current, &mut v);
    keep("clusters", &cluster, &mut v);
    keep("users", &user, &mut v);
    KubeConfig(v)
}/// The last value of a global flag (`--context X`, `--context=X`) on a command line,
/// looked for before `--`.
fn global_value(args: &[String], name: &str) -> Option<String> {
    let long = format!("--{name}");
    let with_value = format!("{long}=");
    let mut found = None;
    let mut words = args.iter().take_while(|a| a.as_str() != "--");
    while let Some(word) = words.next() {
        if let Some(value) = word.strip_prefix(&with_value) {
            found = Some(value.to_string());
        } else if *word == long {
            found = words.next().cloned();
        }
    }
    found
}

/// The global flags that choose the kubeconfig and the context, checked as
/// client-go's loader checks them before a command talks to the API server:
/// `--kubeconfig` must name a file, `--context` a context in it, and
/// `--request-timeout` must parse. Returns the namespace of the context chosen with
/// `--context` (when it sets one). `-v` needs no check: kubesim keeps no logs to
/// show, so any verbosity prints what verbosity 0 prints.
pub fn check_global_flags(host: &Host, verb: &str, args: &[String], out: &mut Output) -> Result<Option<String>, i32> {
    if let Some(timeout) = global_value(args, "request-timeout") {
        let valid = timeout.parse::<i64>().is_ok() || flags::is_go_duration(&timeout);
        if !valid {
            out.err("error: Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)\n");
            return Err(1);
        }
    }
    if let Some(path) = global_value(args, "kubeconfig").filter(|p| !p.is_empty()) {
        if host.resolve(&path) != super::host::kubeconfig_path() {
            if host.read_file(&path).is_err() && !host.is_dir(&path) {
                out.err(&format!("error: stat {path}: no such file or directory\n"));
            } else {
                out.err("kubesim: 'kubectl --kubeconfig' with a file other than ~/.kube/config is not simulated\n");
            }
            return Err(1);
        }
    }
    let Some(context) = global_value(args, "context").filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let config = host.kubeconfig();
    match config.context(&context) {
        Some(ctx) => Ok(ctx.pointer("/context/namespace").and_then(serde_json::Value::as_str).filter(|n| !n.is_empty()).map(str::to_string)),
        None => {
            // `kubectl version` asks for the server's version through a different
            // loader path, which words the same failure differently.
            if verb == "version" {
                out.err(&format!("error: context \"{context}\" does not exist\n"));
            } else {
                out.err(&format!("Error in configuration: context was not found for specified context: {context}\n"));
            }
            Err(1)
        }
    }
}


