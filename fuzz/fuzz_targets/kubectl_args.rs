//! libFuzzer entry for `kubectl_args`; the body is `kubesim_fuzz_targets::kubectl_args` (crates/fuzz-targets),
//! which the stable smoke test in `cargo test` runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubesim_fuzz_targets::kubectl_args(data));
