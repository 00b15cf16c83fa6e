//! Drops the custom sections from the built wasm: what a browser downloads needs none.
//!
//! The release profile keeps the symbol names (`strip = "debuginfo"`, because
//! `strip = "symbols"` also drops the `target_features` section wasm-bindgen reads),
//! and neither wasm-bindgen nor Trunk (with no wasm-opt pass) removes them: the
//! `name` section was 632 KB of a 3.9 MB wasm, 162 KB of its 1.32 MB gzipped. A
//! WebAssembly engine ignores custom sections (id 0) by the specification; the names
//! only label functions in a browser's stack traces. `cargo xtask bench` reads the
//! names from a separate link that keeps them.

use std::path::Path;

use crate::Failure;

/// Rewrites `dist`'s `*_bg.wasm` without its custom sections; returns the bytes saved.
pub fn strip_dist(dist: &Path, wasm_file: &str) -> Result<usize, Failure> {
    let path = dist.join(wasm_file);
    let wasm = std::fs::read(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let stripped = without_custom_sections(&wasm).ok_or_else(|| Failure(format!("{}: not a wasm module this can read", path.display())))?;
    let saved = wasm.len() - stripped.len();
    std::fs::write(&path, stripped).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    Ok(saved)
}

/// The module with every custom section left out, the other sections byte for byte;
/// `None` when the bytes are not a well-formed sequence of sections.
pub fn without_custom_sections(wasm: &[u8]) -> Option<Vec<u8>> {
    let header = wasm.get(..8)?;
    if header.get(..4)? != b"\0asm" {
        return None;
    }
    let mut out = header.to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = *wasm.get(at)?;
        at += 1;
        let size = crate::bench::leb(wasm, &mut at)?;
        let end = at.checked_add(size)?;
        let section = wasm.get(start..end)?;
        if id != 0 {
            out.extend_from_slice(section);
        }
        at = end;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_custom_sections_and_keeps_the_others() {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // A type section (id 1) of 4 bytes, a "name" custom section, a code section
        // (id 10) whose size needs two LEB128 bytes (130).
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        wasm.extend_from_slice(&[0, 6, 4, b'n', b'a', b'm', b'e', 0]);
        let mut code = vec![10, 0x82, 0x01];
        code.extend(std::iter::repeat_n(0u8, 130));
        wasm.extend_from_slice(&code);

        let stripped = without_custom_sections(&wasm).unwrap();
        let mut expected = b"\0asm\x01\0\0\0".to_vec();
        expected.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        expected.extend_from_slice(&code);
        assert_eq!(stripped, expected);
    }

    #[test]
    fn refuses_what_is_not_a_wasm_module() {
        assert_eq!(without_custom_sections(b"<html></html>"), None);
        // A section claiming more bytes than there are.
        assert_eq!(without_custom_sections(b"\0asm\x01\0\0\0\x01\x09\x01"), None);
    }
}
