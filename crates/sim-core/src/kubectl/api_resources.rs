//! `kubectl api-resources`: the discovery table of the resource types the simulated
//! API server serves (`resources::RESOURCE_TYPES`), in discovery order: the core
//! group first, then the named groups in the order kube-apiserver lists them, each
//! group's resources alphabetically.

use super::flags;
use crate::cluster::Cluster;
use crate::printers::tabwriter;
use crate::resources::{ResourceType, RESOURCE_TYPES};
use crate::simulator::Output;

/// kube-apiserver's group order (`/apis`) for the groups kubesim serves.
const GROUP_ORDER: &[&str] = &["", "apps", "networking.k8s.io", "discovery.k8s.io"];

pub fn run(_cluster: &mut Cluster, args: &[String], out: &mut Output) -> i32 {
    let flags = match flags::parse_or_report("api-resources", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut types: Vec<&ResourceType> = RESOURCE_TYPES.iter().collect();
    types.sort_by_key(|r| (GROUP_ORDER.iter().position(|g| *g == r.group).unwrap_or(GROUP_ORDER.len()), r.plural));
    if flags.changed("namespaced") {
        let want = flags.bool("namespaced");
        types.retain(|r| r.namespaced == want);
    }
    if flags.changed("api-group") {
        let group = flags.string("api-group");
        types.retain(|r| r.group == group);
    }
    let format = flags.string("output");
    if format == "name" {
        for r in types {
            if r.group.is_empty() {
                out.out(&format!("{}\n", r.plural));
            } else {
                out.out(&format!("{}.{}\n", r.plural, r.group));
            }
        }
        return 0;
    }
    let wide = format == "wide";
    if !format.is_empty() && !wide {
        out.err(&format!("error: --output {format} is not available\n"));
        return 1;
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    if !flags.bool("no-headers") {
        let mut h = vec!["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"];
        if wide {
            h.push("VERBS");
        }
        rows.push(h.into_iter().map(str::to_string).collect());
    }
    for r in types {
        let mut row = vec![r.plural.to_string(), r.short_names.join(","), r.api_version(), r.namespaced.to_string(), r.kind_name.to_string()];
        if wide {
            row.push("[create delete deletecollection get list patch update watch]".to_string());
        }
        rows.push(row);
    }
    let mut text = String::new();
    tabwriter::write_table(&rows, &mut text);
    out.out(&text);
    0
}
