//! Tab completion and Ctrl-R reverse history search, as state the terminal drives.
//!
//! Completion follows what bash with kubectl's completion script offers: command
//! names first, then kubectl verbs, resource types, names of live objects from the
//! store, flags and their values, and file names from the virtual filesystem.

use super::{programs, Shell};
use crate::cluster::Cluster;
use crate::resources::{self, Kind, RESOURCE_TYPES};
use crate::vfs::{Vfs, HOME};

/// What Tab may put in place of `line[start..end]` (byte offsets). One candidate:
/// the terminal inserts it (plus a space unless it ends in `/`); several: the
/// terminal inserts their common prefix and lists them on a second Tab.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    pub start: usize,
    pub end: usize,
    pub candidates: Vec<String>,
}

impl Completion {
    /// The longest prefix every candidate shares.
    pub fn common_prefix(&self) -> String {
        let Some(first) = self.candidates.first() else { return String::new() };
        let mut prefix: &str = first;
        for c in &self.candidates[1..] {
            while !c.starts_with(prefix) {
                let mut end = prefix.len().saturating_sub(1);
                while !prefix.is_char_boundary(end) {
                    end -= 1;
                }
                prefix = &prefix[..end];
            }
        }
        prefix.to_string()
    }

    /// The line after pressing Tab once, and the new cursor position.
    pub fn apply(&self, line: &str) -> (String, usize) {
        let insert = if self.candidates.len() == 1 {
            let c = &self.candidates[0];
            if c.ends_with('/') || c.ends_with('=') {
                c.clone()
            } else {
                format!("{c} ")
            }
        } else {
            self.common_prefix()
        };
        let current = line.get(self.start..self.end).unwrap_or("");
        if insert.len() < current.len() {
            return (line.to_string(), self.end);
        }
        let mut result = String::new();
        result.push_str(line.get(..self.start).unwrap_or(line));
        result.push_str(&insert);
        let cursor = result.len();
        result.push_str(line.get(self.end..).unwrap_or(""));
        (result, cursor)
    }
}

/// kubectl 1.32's top-level commands.
pub const KUBECTL_VERBS: &[&str] = &[
    "annotate", "api-resources", "api-versions", "apply", "attach", "auth", "autoscale", "certificate", "cluster-info", "completion", "config", "cordon", "cp", "create", "debug",
    "delete", "describe", "diff", "drain", "edit", "events", "exec", "explain", "expose", "get", "help", "kustomize", "label", "logs", "options", "patch", "plugin",
    "port-forward", "proxy", "replace", "rollout", "run", "scale", "set", "taint", "top", "uncordon", "version", "wait",
];

/// Flags most kubectl commands take.
const KUBECTL_FLAGS: &[&str] = &[
    "--all-namespaces", "--dry-run=client", "--field-selector", "--filename", "--help", "--kubeconfig", "--label-columns", "--namespace", "--output", "--selector",
    "--show-labels", "--sort-by", "--watch", "--wide",
];

const OUTPUT_FORMATS: &[&str] = &["custom-columns=", "go-template=", "json", "jsonpath=", "name", "wide", "yaml"];

/// Verbs whose first argument is a resource type and second a name.
const TYPE_THEN_NAME: &[&str] = &["annotate", "delete", "describe", "edit", "explain", "expose", "get", "label", "patch", "scale", "wait", "autoscale"];

fn is_word_break(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '|' | ';' | '&' | '<' | '>' | '(' | ')')
}

/// Completes the word that ends at `cursor` (a byte offset, clamped into the line).
pub fn complete(sh: &Shell, cluster: &Cluster, line: &str, cursor: usize) -> Completion {
    let mut cursor = cursor.min(line.len());
    while !line.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let before = &line[..cursor];
    let start = before.rfind(is_word_break).map(|i| i + 1).unwrap_or(0);
    let current = &before[start..];
    // The words of this command: after the last `|`, `;`, `&&`, `||`.
    let segment_start = before[..start].rfind(['|', ';', '&', '(']).map(|i| i + 1).unwrap_or(0);
    let mut words: Vec<&str> = before[segment_start..start].split_whitespace().collect();
    while words.first().is_some_and(|w| w.split_once('=').is_some_and(|(n, _)| super::parse::is_name(n))) {
        words.remove(0);
    }
    let mut candidates = if let Some(var) = current.strip_prefix('$') {
        // `$HO<Tab>`: variable names, as bash completes them.
        let var = var.trim_start_matches('{');
        let brace = current.starts_with("${");
        sh.vars.keys().filter(|k| k.starts_with(var)).map(|k| if brace { format!("${{{k}}}") } else { format!("${k}") }).collect()
    } else if words.is_empty() {
        if current.contains('/') {
            files(sh, current, false)
        } else {
            filter(programs::command_names(sh).iter().map(String::as_str), current)
        }
    } else {
        let program = sh.aliases.get(words[0]).map(|a| a.split_whitespace().next().unwrap_or("")).unwrap_or(words[0]);
        match program {
            "kubectl" => kubectl_candidates(sh, cluster, &words[1..], current),
            "cd" | "mkdir" | "rmdir" => files(sh, current, true),
            "which" | "type" | "watch" | "xargs" | "sudo" if words.len() == 1 => filter(programs::command_names(sh).iter().map(String::as_str), current),
            "watch" | "xargs" if words.get(1) == Some(&"kubectl") => kubectl_candidates(sh, cluster, &words[2..], current),
            _ => files(sh, current, false),
        }
    };
    crate::sort::sort(&mut candidates);
    candidates.dedup();
    Completion { start, end: cursor, candidates }
}

fn filter<'a>(options: impl Iterator<Item = &'a str>, prefix: &str) -> Vec<String> {
    options.filter(|o| o.starts_with(prefix)).map(str::to_string).collect()
}

/// File names under the directory part of `current`; directories get a `/`.
fn files(sh: &Shell, current: &str, dirs_only: bool) -> Vec<String> {
    let (dir_part, prefix) = match current.rfind('/') {
        Some(i) => (&current[..=i], &current[i + 1..]),
        None => ("", current),
    };
    let dir = if dir_part.is_empty() { sh.cwd.clone() } else { Vfs::resolve(&sh.cwd, dir_part) };
    let dir = if dir_part == "~/" { HOME.to_string() } else { dir };
    let Ok(names) = sh.vfs.list(&dir) else { return Vec::new() };
    names
        .into_iter()
        .filter(|n| n.starts_with(prefix) && (prefix.starts_with('.') || !n.starts_with('.')))
        .filter_map(|n| {
            let is_dir = sh.vfs.is_dir(&Vfs::resolve(&dir, &n));
            if dirs_only && !is_dir {
                return None;
            }
            Some(format!("{dir_part}{n}{}", if is_dir { "/" } else { "" }))
        })
        .collect()
}

fn kubectl_candidates(sh: &Shell, cluster: &Cluster, args: &[&str], current: &str) -> Vec<String> {
    let prev = args.last().copied().unwrap_or("");
    // Values of flags.
    match prev {
        "-n" | "--namespace" => return names_of(cluster, Kind::Namespace, None, current),
        "-f" | "--filename" => return files(sh, current, false),
        "-o" | "--output" => return filter(OUTPUT_FORMATS.iter().copied(), current),
        _ => {}
    }
    if let Some(v) = current.strip_prefix("--namespace=") {
        return names_of(cluster, Kind::Namespace, None, v).into_iter().map(|n| format!("--namespace={n}")).collect();
    }
    if let Some(v) = current.strip_prefix("-o=").or_else(|| current.strip_prefix("--output=")) {
        let flag = &current[..current.len() - v.len()];
        return filter(OUTPUT_FORMATS.iter().copied(), v).into_iter().map(|f| format!("{flag}{f}")).collect();
    }
    if current.starts_with('-') {
        return filter(KUBECTL_FLAGS.iter().copied().chain(["-A", "-f", "-l", "-n", "-o", "-w"]), current);
    }
    // Positional arguments, skipping flags and their values.
    let mut positional = Vec::new();
    let mut namespace: Option<&str> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if matches!(a, "-n" | "--namespace" | "-o" | "--output" | "-f" | "--filename" | "-l" | "--selector" | "-c" | "--container") {
            if matches!(a, "-n" | "--namespace") {
                namespace = args.get(i + 1).copied();
            }
            i += 2;
            continue;
        }
        if let Some(ns) = a.strip_prefix("--namespace=") {
            namespace = Some(ns);
        }
        if !a.starts_with('-') {
            positional.push(a);
        }
        i += 1;
    }
    let all_namespaces = args.iter().any(|a| *a == "-A" || *a == "--all-namespaces");
    let ns = if all_namespaces { None } else { Some(namespace.unwrap_or("default")) };
    let Some(&verb) = positional.first() else {
        return filter(KUBECTL_VERBS.iter().copied(), current);
    };
    let rest = &positional[1..];
    match verb {
        "logs" | "exec" | "attach" | "port-forward" | "cp" if rest.is_empty() => {
            if let Some((kind, name)) = current.split_once('/') {
                let Some(rt) = resources::lookup(kind) else { return Vec::new() };
                return names_of(cluster, rt.kind, ns, name).into_iter().map(|n| format!("{kind}/{n}")).collect();
            }
            let mut c = names_of(cluster, Kind::Pod, ns, current);
            if verb == "port-forward" {
                c.extend(filter(["deployment/", "pod/", "service/", "svc/"].into_iter(), current));
            }
            c
        }
        "rollout" if rest.is_empty() => filter(["history", "pause", "restart", "resume", "status", "undo"].into_iter(), current),
        "rollout" if rest.len() == 1 => filter(["daemonset", "deployment", "statefulset"].into_iter(), current),
        "rollout" => match resources::lookup(rest[1].split('/').next().unwrap_or("")) {
            Some(rt) if rest.len() == 2 => names_of(cluster, rt.kind, ns, current),
            _ => Vec::new(),
        },
        "create" if rest.is_empty() => filter(
            ["clusterrole", "clusterrolebinding", "configmap", "cronjob", "deployment", "ingress", "job", "namespace", "poddisruptionbudget", "priorityclass", "quota", "role", "rolebinding", "secret", "service", "serviceaccount", "token"].into_iter(),
            current,
        ),
        "create" if rest.len() == 1 && rest[0] == "service" => filter(["clusterip", "externalname", "loadbalancer", "nodeport"].into_iter(), current),
        "config" if rest.is_empty() => filter(
            ["current-context", "delete-cluster", "delete-context", "delete-user", "get-clusters", "get-contexts", "get-users", "rename-context", "set", "set-cluster", "set-context", "set-credentials", "unset", "use-context", "view"].into_iter(),
            current,
        ),
        "config" if matches!(rest.first(), Some(&"use-context")) && rest.len() == 1 => filter(["kind-kind"].into_iter(), current),
        "cordon" | "uncordon" | "drain" | "taint" if rest.is_empty() => names_of(cluster, Kind::Node, None, current),
        "top" if rest.is_empty() => filter(["node", "pod"].into_iter(), current),
        v if TYPE_THEN_NAME.contains(&v) => {
            if rest.is_empty() {
                if let Some((kind, name)) = current.split_once('/') {
                    let Some(rt) = resources::lookup(kind) else { return Vec::new() };
                    return names_of(cluster, rt.kind, ns, name).into_iter().map(|n| format!("{kind}/{n}")).collect();
                }
                return resource_type_names(current);
            }
            let type_arg = rest[0];
            if type_arg.contains('/') {
                return Vec::new();
            }
            let mut kinds = Vec::new();
            for t in type_arg.split(',') {
                if let Some(rt) = resources::lookup(t) {
                    kinds.push(rt.kind);
                }
            }
            let mut c = Vec::new();
            for kind in kinds {
                c.extend(names_of(cluster, kind, ns, current));
            }
            c
        }
        _ => files(sh, current, false),
    }
}

/// Resource type names as kubectl's completion offers them: the plural names.
fn resource_type_names(prefix: &str) -> Vec<String> {
    let mut names: Vec<&str> = RESOURCE_TYPES.iter().map(|r| r.plural).collect();
    names.extend(["all"]);
    filter(names.into_iter(), prefix)
}

fn names_of(cluster: &Cluster, kind: Kind, namespace: Option<&str>, prefix: &str) -> Vec<String> {
    let namespaced = resources::resource_type(kind).namespaced;
    let ns = if namespaced { namespace } else { None };
    cluster.store.list(kind, ns).map(|o| o.name().to_string()).filter(|n| n.starts_with(prefix)).collect()
}

/// Ctrl-R: bash's reverse incremental history search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistorySearch {
    pub query: String,
    /// Index in the history of the current match.
    matched: Option<usize>,
    failed: bool,
}

/// What the terminal should do after a key in search mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchEffect {
    /// Keep searching; redraw [`HistorySearch::prompt`].
    Continue,
    /// Enter: run this line.
    Accept(String),
    /// Escape or a movement key: leave search with this line in the editor.
    Edit(String),
    /// Ctrl-G / Ctrl-C: leave search, restore the original line.
    Cancel,
}

impl HistorySearch {
    pub fn new() -> Self {
        HistorySearch::default()
    }

    /// The line currently matched.
    pub fn matched_line<'a>(&self, history: &'a [String]) -> &'a str {
        self.matched.and_then(|i| history.get(i)).map(String::as_str).unwrap_or("")
    }

    /// bash's search prompt: ``(reverse-i-search)`kub': kubectl get pods``.
    pub fn prompt(&self, history: &[String]) -> String {
        let failed = if self.failed { "failed " } else { "" };
        format!("({failed}reverse-i-search)`{}': {}", self.query, self.matched_line(history))
    }

    fn search_from(&mut self, history: &[String], from: Option<usize>) {
        if self.query.is_empty() {
            self.failed = false;
            return;
        }
        let start = match from {
            Some(i) => i,
            None => {
                self.failed = true;
                return;
            }
        };
        let found = (0..=start.min(history.len().saturating_sub(1))).rev().find(|&i| history.get(i).is_some_and(|h| h.contains(&self.query)));
        match found {
            Some(i) if !history.is_empty() => {
                self.matched = Some(i);
                self.failed = false;
            }
            _ => self.failed = true,
        }
    }

    /// Handles raw input while searching.
    pub fn handle_key(&mut self, keys: &str, history: &[String]) -> SearchEffect {
        for c in keys.chars() {
            match c {
                '\r' | '\n' => return SearchEffect::Accept(self.matched_line(history).to_string()),
                '\x07' | '\x03' => return SearchEffect::Cancel,
                '\x12' => {
                    let from = match self.matched {
                        Some(i) => i.checked_sub(1),
                        None => history.len().checked_sub(1),
                    };
                    if self.matched.is_some() || !self.query.is_empty() {
                        self.search_from(history, from);
                    }
                }
                '\x7f' | '\x08' => {
                    self.query.pop();
                    self.matched = None;
                    self.search_from(history, history.len().checked_sub(1));
                }
                '\x1b' | '\x01' | '\x05' => return SearchEffect::Edit(self.matched_line(history).to_string()),
                c if !c.is_control() => {
                    self.query.push(c);
                    let from = self.matched.or(history.len().checked_sub(1));
                    self.search_from(history, from);
                }
                _ => {}
            }
        }
        SearchEffect::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_search_walks_back() {
        let history: Vec<String> = ["kubectl get pods", "ls", "kubectl get svc", "echo hi"].iter().map(|s| s.to_string()).collect();
        let mut s = HistorySearch::new();
        assert_eq!(s.handle_key("kub", &history), SearchEffect::Continue);
        assert_eq!(s.prompt(&history), "(reverse-i-search)`kub': kubectl get svc");
        s.handle_key("\x12", &history);
        assert_eq!(s.prompt(&history), "(reverse-i-search)`kub': kubectl get pods");
        s.handle_key("\x12", &history);
        assert_eq!(s.prompt(&history), "(failed reverse-i-search)`kub': kubectl get pods");
        assert_eq!(s.handle_key("\r", &history), SearchEffect::Accept("kubectl get pods".to_string()));
        let mut s = HistorySearch::new();
        assert_eq!(s.handle_key("zzz", &history), SearchEffect::Continue);
        assert!(s.prompt(&history).starts_with("(failed reverse-i-search)`zzz'"));
        assert_eq!(s.handle_key("\x07", &history), SearchEffect::Cancel);
    }

    #[test]
    fn common_prefix_and_apply() {
        let c = Completion { start: 8, end: 10, candidates: vec!["describe".to_string(), "delete".to_string()] };
        assert_eq!(c.common_prefix(), "de");
        let c = Completion { start: 8, end: 10, candidates: vec!["describe".to_string()] };
        assert_eq!(c.apply("kubectl de"), ("kubectl describe ".to_string(), 17));
    }
}
