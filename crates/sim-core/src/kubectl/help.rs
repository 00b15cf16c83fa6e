//! kubectl's help texts, captured from the real kubectl 1.32 (`kubectl <cmd> --help`,
//! `kubectl options`) and kept as data files in `help/`. They are facts about
//! kubectl's interface: printed for `--help`, and read by [`super::flags`] for the
//! flag definitions of each command.

/// `kubectl options`: the global flags every command accepts.
pub const GLOBAL_OPTIONS: &str = include_str!("help/options.txt");

/// `kubectl` alone, `kubectl --help`, `kubectl help`.
pub const ROOT: &str = include_str!("help/kubectl.txt");

/// Help texts by command path (`get`, `rollout status`). Add a line here when a
/// new command's help is captured into `help/`.
const TEXTS: &[(&str, &str)] = &[
    ("annotate", include_str!("help/annotate.txt")),
    ("api-resources", include_str!("help/api-resources.txt")),
    ("apply", include_str!("help/apply.txt")),
    ("cluster-info", include_str!("help/cluster-info.txt")),
    ("config", include_str!("help/config.txt")),
    ("cp", include_str!("help/cp.txt")),
    ("create", include_str!("help/create.txt")),
    ("delete", include_str!("help/delete.txt")),
    ("describe", include_str!("help/describe.txt")),
    ("edit", include_str!("help/edit.txt")),
    ("events", include_str!("help/events.txt")),
    ("exec", include_str!("help/exec.txt")),
    ("explain", include_str!("help/explain.txt")),
    ("expose", include_str!("help/expose.txt")),
    ("get", include_str!("help/get.txt")),
    ("label", include_str!("help/label.txt")),
    ("logs", include_str!("help/logs.txt")),
    ("options", include_str!("help/options.txt")),
    ("patch", include_str!("help/patch.txt")),
    ("port-forward", include_str!("help/port-forward.txt")),
    ("rollout", include_str!("help/rollout.txt")),
    ("run", include_str!("help/run.txt")),
    ("scale", include_str!("help/scale.txt")),
    ("set", include_str!("help/set.txt")),
    ("top", include_str!("help/top.txt")),
    ("version", include_str!("help/version.txt")),
    // Subcommands, captured for the mutating verbs.
    ("attach", include_str!("help/attach.txt")),
    ("config current-context", include_str!("help/config_current-context.txt")),
    ("config get-contexts", include_str!("help/config_get-contexts.txt")),
    ("config set-context", include_str!("help/config_set-context.txt")),
    ("config use-context", include_str!("help/config_use-context.txt")),
    ("config view", include_str!("help/config_view.txt")),
    ("create configmap", include_str!("help/create_configmap.txt")),
    ("create deployment", include_str!("help/create_deployment.txt")),
    ("create ingress", include_str!("help/create_ingress.txt")),
    ("create namespace", include_str!("help/create_namespace.txt")),
    ("create service", include_str!("help/create_service.txt")),
    ("create service clusterip", include_str!("help/create_service_clusterip.txt")),
    ("create service externalname", include_str!("help/create_service_externalname.txt")),
    ("create service loadbalancer", include_str!("help/create_service_loadbalancer.txt")),
    ("create service nodeport", include_str!("help/create_service_nodeport.txt")),
    ("proxy", include_str!("help/proxy.txt")),
    ("replace", include_str!("help/replace.txt")),
    ("rollout history", include_str!("help/rollout_history.txt")),
    ("rollout pause", include_str!("help/rollout_pause.txt")),
    ("rollout restart", include_str!("help/rollout_restart.txt")),
    ("rollout resume", include_str!("help/rollout_resume.txt")),
    ("rollout status", include_str!("help/rollout_status.txt")),
    ("rollout undo", include_str!("help/rollout_undo.txt")),
    ("set env", include_str!("help/set_env.txt")),
    ("set image", include_str!("help/set_image.txt")),
];

/// The help text of a command path, if captured.
pub fn text(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some(ROOT);
    }
    TEXTS.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)
}

/// kubectl's top-level commands in the order kubectl's root command adds them
/// (`NewKubectlCommand`: the help groups in order, then config, plugin, version,
/// api-versions, api-resources, options). Cobra lists "Did you mean this?"
/// suggestions in this order, because kubectl turns cobra's command sorting off.
pub const COMMANDS: &[&str] = &[
    "create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale", "autoscale",
    "certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint", "describe", "logs", "attach",
    "exec", "port-forward", "proxy", "cp", "auth", "debug", "events", "diff", "apply", "patch", "replace", "wait",
    "kustomize", "label", "annotate", "completion", "config", "plugin", "version", "api-versions",
    "api-resources", "options",
];

/// Cobra's `SuggestionsFor`: commands within Levenshtein distance 2 of what was
/// typed (case-insensitive), or that start with it.
pub fn suggestions(typed: &str) -> Vec<&'static str> {
    let lower = typed.to_lowercase();
    COMMANDS
        .iter()
        .copied()
        .filter(|c| levenshtein(&lower, c) <= 2 || c.starts_with(lower.as_str()))
        .collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let best = (previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1);
            current[j + 1] = best;
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Suggestion lists printed by the real kubectl 1.32 for `kubectl <typed>`.
    #[test]
    fn suggestions_match_real_kubectl() {
        assert_eq!(suggestions("foo"), ["top"]);
        assert_eq!(suggestions("gett"), ["set", "get"]);
        assert_eq!(suggestions("c"), ["create", "certificate", "cluster-info", "cordon", "cp", "completion", "config"]);
        assert_eq!(suggestions("ap"), ["top", "cp", "apply", "api-versions", "api-resources"]);
        assert_eq!(suggestions("ex"), ["expose", "set", "explain", "get", "exec", "cp"]);
        assert_eq!(suggestions("optins"), ["options"]);
        assert!(suggestions("xyz").is_empty());
    }

    #[test]
    fn every_help_text_has_usage() {
        for (path, text) in TEXTS {
            assert!(text.contains("Usage:") || *path == "options", "{path}");
        }
    }
}
