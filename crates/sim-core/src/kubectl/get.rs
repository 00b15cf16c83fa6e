//! `kubectl get`: lists objects as the server's table, aligned by the tabwriter.

use crate::cluster::Cluster;
use crate::printers::{table, tabwriter};
use crate::resources::{self, Kind};
use crate::simulator::Output;

pub fn run(cluster: &mut Cluster, args: &[String], out: &mut Output) -> i32 {
    let flags = match super::flags::parse_or_report("get", args, out) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let output = flags.string("output");
    let wide = output == "wide";
    if !wide && !output.is_empty() {
        return not_simulated(&format!("get -o {output}"), out);
    }
    let positional = flags.positional.clone();
    let Some(type_name) = positional.first() else {
        return not_simulated("get", out);
    };
    let Some(rt) = resources::lookup(type_name) else {
        out.err(&format!("error: the server doesn't have a resource type \"{type_name}\"\n"));
        return 1;
    };
    if rt.kind != Kind::Node || positional.len() > 1 {
        return not_simulated(&format!("get {}", positional.join(" ")), out);
    }
    let now = cluster.clock.now();
    let columns = table::columns(rt.kind);
    let shown: Vec<usize> = (0..columns.len()).filter(|&i| wide || columns[i].priority == 0).collect();
    let mut rows = vec![shown.iter().map(|&i| columns[i].name.to_uppercase()).collect::<Vec<_>>()];
    for object in cluster.store.list(rt.kind, None) {
        let cells = table::row(object, now);
        rows.push(shown.iter().map(|&i| cells.get(i).cloned().unwrap_or_default()).collect());
    }
    let mut text = String::new();
    tabwriter::write_table(&rows, &mut text);
    out.out(&text);
    0
}

fn not_simulated(what: &str, out: &mut Output) -> i32 {
    out.err(&format!("kubesim: 'kubectl {what}' is not simulated\n"));
    1
}
