//! Fuzz target: the lesson parser (`lessons/*.md` format) on arbitrary markdown.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let _ = lesson::parse_lesson("fuzz.md", &source);
    let _ = lesson::parse::split_commands(&source);
});
