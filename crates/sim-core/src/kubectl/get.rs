//! `kubectl get`: lists objects as the server's table, aligned by the tabwriter.

use crate::cluster::Cluster;
use crate::printers::{table, tabwriter};
use crate::resources::{self, Kind};
use crate::simulator::Output;

pub fn run(cluster: &mut Cluster, args: &[String], out: &mut Output) -> i32 {
    let mut wide = false;
    let mut positional = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-o" | "--output" => match iter.next().map(String::as_str) {
                Some("wide") => wide = true,
                Some(other) => return not_simulated(&format!("get -o {other}"), out),
                None => {
                    out.err(&format!("error: flag needs an argument: {}\n", if arg == "-o" { "'o' in -o" } else { "--output" }));
                    return 1;
                }
            },
            "-owide" | "-o=wide" | "--output=wide" => wide = true,
            a if a.starts_with('-') => return not_simulated(&format!("get {a}"), out),
            a => positional.push(a.to_string()),
        }
    }
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
