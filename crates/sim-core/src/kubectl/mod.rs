//! kubectl: the command line parsed as kubectl parses it, one module per verb.
//!
//! - [`api_resources`]: `kubectl api-resources`.
//! - [`describe`]: `kubectl describe`.
//! - [`explain`]: `kubectl explain`, from the course's OpenAPI v3 schemas.
//! - [`flags`]: flag definitions (read from kubectl's own help texts) and the pflag parser.
//! - [`help`]: kubectl's help texts and the command list behind "Did you mean this?".
//! - [`get`]: `kubectl get`.
//! - [`jsonpath`]: kubectl's JSONPath templates.
//! - [`version`]: `kubectl version`.
//!
//! [`run`] finds the command the way cobra does (the first argument that is not a
//! flag or a flag's value), hands the remaining arguments, global flags included,
//! to the verb, and answers for everything else: help, unknown commands, and real
//! kubectl commands that kubesim does not simulate.

pub mod api_resources;
pub mod describe;
pub mod explain;
pub mod flags;
pub mod get;
pub mod get_raw;
pub mod help;
pub mod jsonpath;
pub mod version;
pub mod wait;

// The mutating and operational verbs, and what they share.
pub mod apply;
pub mod cluster_info;
pub mod config;
pub mod create;
pub mod delete;
pub mod edit;
pub mod exec;
pub mod expose;
pub mod label;
pub mod logs;
pub mod patch;
pub mod port_forward;
pub mod proxy;
pub mod replace;
pub mod rollout;
pub mod run;
pub mod scale;
pub mod set;
pub mod host;
pub mod manifest;
pub mod output;

use crate::cluster::Cluster;
use crate::simulator::Output;

/// Runs `kubectl ARGS` against the cluster, writing to `out`; returns the exit code.
pub fn run(cluster: &mut Cluster, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    run_in(cluster, &mut host::Host::default(), args, stdin, out)
}

/// [`run`] on a machine: `-f` reads the host's files, the kubeconfig's namespace is
/// the default one, `kubectl edit` opens the host's editor.
pub fn run_in(cluster: &mut Cluster, host: &mut host::Host, args: &[String], stdin: Option<&str>, out: &mut Output) -> i32 {
    let Some(index) = flags::first_positional("", args) else {
        // No command: flags alone are checked, then kubectl prints its root help.
        return match flags::parse_or_report("", args, out) {
            Ok(_) => {
                out.out(help::ROOT);
                0
            }
            Err(code) => code,
        };
    };
    let verb = args[index].as_str();
    let mut rest: Vec<String> = args[..index].to_vec();
    rest.extend(args[index + 1..].iter().cloned());
    let _ = stdin;
    // A namespace set in the kubeconfig (`kubectl config set-context --current
    // --namespace=X`) is every command's default: passed on as if typed.
    let mut context_namespace = None;
    // What never reaches the API server needs no context: help, the client's own
    // version, kubeconfig editing.
    let client_only = args.iter().any(|a| a == "-h" || a == "--help")
        || (verb == "version" && args.iter().any(|a| a == "--client" || a == "--client=true"));
    let talks_to_server = !client_only && !matches!(verb, "help" | "options" | "config" | "completion" | "plugin" | "kustomize");
    if help::COMMANDS.contains(&verb) && talks_to_server {
        match config::check_global_flags(host, verb, args, out) {
            Ok(ns) => context_namespace = ns,
            Err(code) => return code,
        }
    }
    if help::COMMANDS.contains(&verb) && !names_namespace(args) {
        let ns = context_namespace.unwrap_or_else(|| host.default_namespace());
        if ns != "default" {
            rest.insert(0, format!("--namespace={ns}"));
        }
    }
    match verb {
        "apply" => apply::run(cluster, host, &rest, stdin, out),
        "create" => create::run(cluster, host, &rest, stdin, out),
        "delete" => delete::run(cluster, host, &rest, stdin, out),
        "expose" => expose::run(cluster, host, &rest, stdin, out),
        "label" => label::run_label(cluster, host, &rest, stdin, out),
        "annotate" => label::run_annotate(cluster, host, &rest, stdin, out),
        "patch" => patch::run(cluster, host, &rest, stdin, out),
        "replace" => replace::run(cluster, host, &rest, stdin, out),
        "run" => run::run(cluster, host, &rest, stdin, out),
        "scale" => scale::run(cluster, host, &rest, stdin, out),
        "rollout" => rollout::run(cluster, host, &rest, stdin, out),
        "set" => set::run(cluster, host, &rest, stdin, out),
        "logs" => logs::run(cluster, host, &rest, stdin, out),
        "config" => config::run(cluster, host, &rest, stdin, out),
        "cluster-info" => cluster_info::run(cluster, host, &rest, stdin, out),
        "edit" => edit::run(cluster, host, &rest, stdin, out),
        "exec" => exec::run(cluster, host, &rest, stdin, out),
        "port-forward" => port_forward::run(cluster, host, &rest, stdin, out),
        "proxy" => proxy::run(cluster, host, &rest, stdin, out),
        "api-resources" => api_resources::run(&rest, out),
        "api-versions" => api_resources::run_versions(&rest, out),
        "wait" => wait::run(cluster, host, &rest, stdin, out),
        "describe" => describe::run(cluster, &rest, out),
        "explain" => explain::run(&rest, out),
        "get" => get::run(cluster, host, &rest, out),
        "version" => version::run(&rest, out),
        "help" => run_help(&rest, out),
        "options" => match flags::parse_or_report("options", &rest, out) {
            Ok(_) => {
                out.out(help::GLOBAL_OPTIONS);
                0
            }
            Err(code) => code,
        },
        known if help::COMMANDS.contains(&known) => {
            // A real kubectl command outside the simulation: its help is real, the
            // command itself says plainly that it is not simulated.
            match flags::parse_or_report(known, &rest, out) {
                Err(code) => code,
                Ok(_) => {
                    out.err(&format!("kubesim: 'kubectl {known}' is not simulated\n"));
                    1
                }
            }
        }
        unknown => unknown_command(unknown, index > 0, args, out),
    }
}

/// A background `kubectl proxy` or `kubectl port-forward` job ended (`kill %1`):
/// what it served stops with it. `command` is the job's line as typed.
pub fn background_job_ended(cluster: &mut Cluster, command: &str) {
    let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
    if !matches!(words.first().map(String::as_str), Some("kubectl" | "k")) {
        return;
    }
    let argv = words.get(1..).unwrap_or_default();
    proxy::stop_background(cluster, argv);
    port_forward::stop_background(cluster, argv);
}

/// Whether the command line sets the namespace itself (`-n`, `--namespace`, `-A`).
fn names_namespace(args: &[String]) -> bool {
    args.iter().take_while(|a| a.as_str() != "--").any(|a| {
        a == "-n" || a.starts_with("--namespace") || a == "-A" || a == "--all-namespaces" || (a.starts_with("-n") && !a.starts_with("--"))
    })
}

/// `kubectl help [COMMAND]`.
fn run_help(args: &[String], out: &mut Output) -> i32 {
    let topic = args.iter().find(|a| !a.starts_with('-'));
    match topic {
        None => out.out(help::ROOT),
        Some(t) => match help::text(t) {
            Some(text) if help::COMMANDS.contains(&t.as_str()) => out.out(text),
            Some(_) | None if help::COMMANDS.contains(&t.as_str()) => {
                out.err(&format!("kubesim: 'kubectl help {t}' is not simulated\n"));
                return 1;
            }
            _ => {
                // cobra prints the root usage after this line; kubesim shows the
                // root help, whose command groups are that usage.
                out.out(&format!("Unknown help topic [`{t}`]\n"));
                return 0;
            }
        },
    }
    0
}

/// cobra's "unknown command" error, with kubectl's plugin-lookup twist: flags before
/// an unknown command are refused first, since it could be a plugin name.
fn unknown_command(typed: &str, flags_before: bool, args: &[String], out: &mut Output) -> i32 {
    if flags_before {
        let first = args.first().map(String::as_str).unwrap_or("");
        out.err(&format!("Error: flags cannot be placed before plugin name: {first}\n"));
        return 1;
    }
    let mut message = format!("error: unknown command \"{typed}\" for \"kubectl\"\n");
    let suggestions = help::suggestions(typed);
    if !suggestions.is_empty() {
        message.push_str("\nDid you mean this?\n");
        for s in suggestions {
            message.push_str(&format!("\t{s}\n"));
        }
    }
    out.err(&message);
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::cluster::Topology;

    fn kubectl(line: &str) -> Output {
        let mut cluster = Cluster::kind(Clock::from_unix_millis(1_767_603_600_000), 1, &Topology::default());
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let mut out = Output::default();
        out.exit_code = run(&mut cluster, &args, None, &mut out);
        out
    }

    #[test]
    fn unknown_commands_get_cobra_suggestions() {
        let out = kubectl("gett pods");
        assert_eq!(out.stderr, "error: unknown command \"gett\" for \"kubectl\"\n\nDid you mean this?\n\tset\n\tget\n");
        assert_eq!(out.exit_code, 1);
        assert_eq!(kubectl("xyz").stderr, "error: unknown command \"xyz\" for \"kubectl\"\n");
        assert_eq!(kubectl("-n default foo").stderr, "Error: flags cannot be placed before plugin name: -n\n");
    }

    #[test]
    fn commands_outside_the_simulation_say_so() {
        let out = kubectl("cp a b");
        assert_eq!(out.stderr, "kubesim: 'kubectl cp' is not simulated\n");
        assert_eq!(out.exit_code, 1);
    }

    #[test]
    fn help_is_kubectl_help() {
        let out = kubectl("");
        assert!(out.stdout.starts_with("kubectl controls the Kubernetes cluster manager."));
        assert_eq!(out.exit_code, 0);
        assert_eq!(kubectl("get --help").stdout, help::text("get").unwrap_or_default());
        assert_eq!(kubectl("-n x get -h").stdout, help::text("get").unwrap_or_default());
        assert_eq!(kubectl("help describe").stdout, help::text("describe").unwrap_or_default());
        assert_eq!(kubectl("--foo").stderr, "error: unknown flag: --foo\nSee 'kubectl --help' for usage.\n");
        assert_eq!(kubectl("-n").stderr, "error: flag needs an argument: 'n' in -n\nSee 'kubectl --help' for usage.\n");
    }
}
