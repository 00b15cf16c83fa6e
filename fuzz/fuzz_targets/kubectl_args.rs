//! Fuzz target: kubectl argument parsing. Each input line is one argument, handed
//! to `sim_core::kubectl::run` as the shell would after word splitting, against a
//! cluster with a Deployment and a Service to act on.
#![no_main]

use std::cell::OnceCell;

use libfuzzer_sys::fuzz_target;
use sim_core::{ClusterConfig, Output, Simulator};

thread_local! {
    static BASE: OnceCell<Simulator> = const { OnceCell::new() };
}

fn base() -> Simulator {
    let mut sim = Simulator::new(ClusterConfig::default());
    sim.run_line("kubectl create deployment web --image=nginx --replicas=2");
    sim.run_line("kubectl expose deployment web --port=80");
    sim.advance_by_millis(60_000);
    sim
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut sim = BASE.with(|b| b.get_or_init(base).clone());
    let (args, stdin) = match text.split_once("\n\n") {
        Some((a, s)) => (a, Some(s)),
        None => (&*text, None),
    };
    let args: Vec<String> = args.lines().take(64).map(str::to_string).collect();
    let mut out = Output::default();
    let _ = sim_core::kubectl::run(&mut sim.cluster, &args, stdin, &mut out);
    sim.advance_by_millis(5_000);
});
