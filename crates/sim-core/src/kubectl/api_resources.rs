//! `kubectl api-resources`: the discovery table of the resource types the
//! simulated API server serves, printed as kubectl prints it (sorted by API group,
//! then name; `-o name`, `--namespaced`, `--api-group`, `--no-headers`), and
//! `kubectl api-versions`, the group/versions those types belong to.

use crate::printers::tabwriter;
use crate::resources::{ResourceType, RESOURCE_TYPES};
use crate::simulator::Output;

pub fn run(args: &[String], out: &mut Output) -> i32 {
    let flags = match super::flags::parse_or_report("api-resources", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let output = flags.string("output");
    if !matches!(output.as_str(), "" | "name") {
        out.err(&format!("kubesim: 'kubectl api-resources -o {output}' is not simulated\n"));
        return 1;
    }
    for unsupported in ["verbs", "categories", "sort-by"] {
        if flags.changed(unsupported) {
            out.err(&format!("kubesim: 'kubectl api-resources --{unsupported}' is not simulated\n"));
            return 1;
        }
    }
    let mut types: Vec<&ResourceType> = RESOURCE_TYPES
        .iter()
        .filter(|r| !flags.changed("namespaced") || r.namespaced == flags.bool("namespaced"))
        .filter(|r| !flags.changed("api-group") || r.group == flags.string("api-group"))
        .collect();
    // api_resources.go sorts by API group, then by resource name.
    crate::sort::sort_by(&mut types, |a, b| (a.group, a.plural).cmp(&(b.group, b.plural)));
    if output == "name" {
        for r in types {
            out.out(&format!("{}\n", r.qualified_plural()));
        }
        return 0;
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    if !flags.bool("no-headers") {
        rows.push(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"].map(String::from).to_vec());
    }
    for r in types {
        rows.push(vec![r.plural.to_string(), r.short_names.join(","), r.api_version(), r.namespaced.to_string(), r.kind_name.to_string()]);
    }
    let mut text = String::new();
    tabwriter::write_table(&rows, &mut text);
    out.out(&text);
    0
}

/// `kubectl api-versions`: every group/version the server's discovery lists, one a
/// line, sorted as strings (apiversions.go `sort.Strings`), so `v1` comes last.
pub fn run_versions(args: &[String], out: &mut Output) -> i32 {
    let flags = match super::flags::parse_or_report("api-versions", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if !flags.positional.is_empty() {
        // Complete's UsageErrorf, with Go's %v of the []string.
        out.err(&format!("error: unexpected arguments: [{}]\nSee 'kubectl api-versions -h' for help and examples\n", flags.positional.join(" ")));
        return 1;
    }
    let mut versions: Vec<String> = RESOURCE_TYPES.iter().map(ResourceType::api_version).collect();
    versions.sort();
    versions.dedup();
    for v in versions {
        out.out(&format!("{v}\n"));
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_line(line: &str) -> Output {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let mut out = Output::default();
        out.exit_code = run(&args, &mut out);
        out
    }

    #[test]
    fn sorted_by_group_then_name() {
        let out = run_line("");
        let names: Vec<&str> = out.stdout.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
        assert_eq!(names.first(), Some(&"configmaps"));
        assert_eq!(names.iter().position(|n| *n == "deployments"), Some(7));
        assert!(out.stdout.starts_with("NAME             SHORTNAMES   APIVERSION             NAMESPACED   KIND\n"), "{}", out.stdout);
        assert_eq!(run_line("-o name --namespaced=false").stdout, "namespaces\nnodes\ningressclasses.networking.k8s.io\n");
    }

    #[test]
    fn api_versions_are_sorted_strings() {
        let mut out = Output::default();
        assert_eq!(run_versions(&[], &mut out), 0);
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(lines.last(), Some(&"v1"));
        assert!(lines.contains(&"apps/v1"), "{lines:?}");
        let mut sorted = lines.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(lines, sorted);
    }
}
