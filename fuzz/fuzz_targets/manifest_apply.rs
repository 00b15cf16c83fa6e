//! Fuzz target: manifest decoding and the API server behind it. The input is a
//! YAML or JSON stream fed to `kubectl apply -f -`, then `create -f -` and
//! `delete -f -`, and the controllers run on whatever was stored.
#![no_main]

use std::cell::OnceCell;

use libfuzzer_sys::fuzz_target;
use sim_core::{ClusterConfig, Output, Simulator};

thread_local! {
    static BASE: OnceCell<Simulator> = const { OnceCell::new() };
}

fuzz_target!(|data: &[u8]| {
    let doc = String::from_utf8_lossy(data);
    let mut sim = BASE.with(|b| b.get_or_init(|| Simulator::new(ClusterConfig::default())).clone());
    for verb in [["apply", "-f", "-"], ["create", "-f", "-"], ["apply", "-f", "-"]] {
        let args: Vec<String> = verb.iter().map(|s| s.to_string()).collect();
        let mut out = Output::default();
        let _ = sim_core::kubectl::run(&mut sim.cluster, &args, Some(&doc), &mut out);
        sim.advance_by_millis(3_000);
    }
    let _ = sim.run_line("kubectl get all -A -o wide");
    let _ = sim.run_line("kubectl describe all");
    let args: Vec<String> = ["delete", "-f", "-"].iter().map(|s| s.to_string()).collect();
    let _ = sim_core::kubectl::run(&mut sim.cluster, &args, Some(&doc), &mut Output::default());
    sim.advance_by_millis(60_000);
});
