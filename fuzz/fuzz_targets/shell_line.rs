//! libFuzzer entry for `shell_line`; the body is `kubesim_fuzz_targets::shell_line` (crates/fuzz-targets),
//! which the stable smoke test in `cargo test` runs too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubesim_fuzz_targets::shell_line(data));
