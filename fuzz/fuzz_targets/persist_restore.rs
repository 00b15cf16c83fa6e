//! libFuzzer entry for `persist_restore`; the body is `kubesim_fuzz_targets::persist_restore` (crates/fuzz-targets),
//! which the stable smoke test in `cargo test` runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubesim_fuzz_targets::persist_restore(data));
