//! Fuzz target: restoring saved state. Whatever the document, restore returns a
//! cluster or an error; a restored cluster survives its controllers and a save.
//!
//! Random bytes rarely get past the JSON parser, so an input that does not start
//! with `{` is a splice into a real saved state instead: two bytes of offset, one
//! byte of how much to cut, then the bytes to insert there.
#![no_main]

use std::cell::OnceCell;

use libfuzzer_sys::fuzz_target;
use sim_core::{ClusterConfig, Simulator};

thread_local! {
    static SAVED: OnceCell<String> = const { OnceCell::new() };
}

fn saved() -> String {
    let mut sim = Simulator::new(ClusterConfig::default());
    sim.run_line("kubectl create deployment web --image=nginx --replicas=2");
    sim.run_line("kubectl expose deployment web --port=80 --type=LoadBalancer");
    sim.advance_by_millis(30_000);
    sim_core::persist::save_cluster(&sim.cluster)
}

fn restore(text: &str) {
    if let Ok(mut cluster) = sim_core::persist::restore_cluster(text) {
        sim_core::controllers::reconcile(&mut cluster);
        let _ = sim_core::persist::save_cluster(&cluster);
    }
}

fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'{') || data.len() < 3 {
        restore(&String::from_utf8_lossy(data));
        return;
    }
    let base = SAVED.with(|s| s.get_or_init(saved).clone());
    let mut bytes = base.into_bytes();
    let at = (usize::from(data[0]) << 8 | usize::from(data[1])) * bytes.len() / 65536;
    let end = (at + usize::from(data[2])).min(bytes.len());
    bytes.splice(at..end, data[3..].iter().copied());
    restore(&String::from_utf8_lossy(&bytes));
});
