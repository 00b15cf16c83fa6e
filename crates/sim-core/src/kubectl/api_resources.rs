//! `kubectl api-resources`: the discovery table of the resource types the
//! simulated API server serves, printed as kubectl prints it (sorted by API group,
//! then name; `-o name`, `--namespaced`, `--api-group`, `--no-headers`).

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
}
