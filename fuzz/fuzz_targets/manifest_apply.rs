//! libFuzzer entry for `manifest_apply`; the body is `kubesim_fuzz_targets::manifest_apply` (crates/fuzz-targets),
//! which the stable smoke test in `cargo test` runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubesim_fuzz_targets::manifest_apply(data));
