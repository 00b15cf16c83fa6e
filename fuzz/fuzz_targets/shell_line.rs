//! Fuzz target: any text typed at the prompt (the shell parser and executor, and
//! every program it reaches) must return without panicking.
#![no_main]

use std::cell::OnceCell;

use libfuzzer_sys::fuzz_target;
use sim_core::{ClusterConfig, Simulator};

thread_local! {
    // Building the kind cluster costs more than a run; each input gets a clone.
    static BASE: OnceCell<Simulator> = const { OnceCell::new() };
}

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let mut sim = BASE.with(|b| b.get_or_init(|| Simulator::new(ClusterConfig::default())).clone());
    // Lines separated by NUL run one after another, so state built by one line
    // (files, aliases, objects) meets the next.
    for part in line.split('\0').take(8) {
        let _ = sim.run_line(part);
        if sim.interactive() {
            let _ = sim.feed_keys("\u{18}n");
        }
    }
});
