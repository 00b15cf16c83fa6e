//! The offline page: `dist/kubesim-offline.html`, one file with everything inlined,
//! made from Trunk's `dist/` so that it is the same app as the site.
//!
//! A page opened from `file://` may not fetch its neighbours (Chromium treats every
//! file URL as its own origin), so nothing may stay a separate file: stylesheets
//! become `<style>`, classic scripts become inline `<script>`, the wasm-bindgen
//! module is inlined as a module script, and the wasm travels as gzip in base64 that
//! the page unpacks with `DecompressionStream` before handing the bytes to
//! wasm-bindgen's init. Trunk's preload links and loader are dropped.

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::Failure;

pub const OFFLINE_PAGE: &str = "kubesim-offline.html";

/// The site's pieces, as Trunk wrote them into `dist/`.
pub struct Site {
    pub index_html: String,
    /// File names, in page order.
    pub stylesheets: Vec<String>,
    pub classic_scripts: Vec<String>,
    pub bindings_js: String,
    pub wasm: String,
}

impl Site {
    pub fn read(dist: &Path) -> Result<Site, Failure> {
        let index_html = read_text(&dist.join("index.html"))?;
        let mut stylesheets = Vec::new();
        let mut classic_scripts = Vec::new();
        for tag in tags(&index_html) {
            let name = tag.name.as_str();
            match (name, tag.attr("rel"), tag.attr("src"), tag.attr("href")) {
                ("link", Some("stylesheet"), _, Some(href)) => stylesheets.push(local_file(href)?),
                ("script", _, Some(src), _) if tag.attr("type") != Some("module") => {
                    classic_scripts.push(local_file(src)?)
                }
                _ => {}
            }
        }
        let wasm = std::fs::read_dir(dist)
            .map_err(|e| Failure(format!("{}: {e}", dist.display())))?
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .find(|name| name.ends_with("_bg.wasm"))
            .ok_or_else(|| Failure(format!("no *_bg.wasm in {}: run the Trunk build first", dist.display())))?;
        // wasm-bindgen names its JS module after the wasm: X_bg.wasm goes with X.js.
        let bindings_js = format!("{}.js", wasm.trim_end_matches("_bg.wasm"));
        if !dist.join(&bindings_js).is_file() {
            return Err(Failure(format!("{bindings_js} missing beside {wasm}")));
        }
        Ok(Site { index_html, stylesheets, classic_scripts, bindings_js, wasm })
    }
}

/// Builds the offline page from `dist/` and writes it there; returns its size in bytes.
pub fn build(dist: &Path) -> Result<usize, Failure> {
    let site = Site::read(dist)?;
    let page = offline_page(&site, dist)?;
    let path = dist.join(OFFLINE_PAGE);
    std::fs::write(&path, &page).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    Ok(page.len())
}

fn offline_page(site: &Site, dist: &Path) -> Result<String, Failure> {
    let mut styles = String::new();
    for name in &site.stylesheets {
        let css = read_text(&dist.join(name))?;
        styles.push_str(&format!("<style>/* {name} */\n{}\n</style>\n", guard(&css, "</style")?));
    }
    let mut scripts = String::new();
    for name in &site.classic_scripts {
        let js = strip_source_map(&read_text(&dist.join(name))?);
        scripts.push_str(&format!("<script>/* {name} */\n{}\n</script>\n", guard(&js, "</script")?));
    }
    let bindings = read_text(&dist.join(&site.bindings_js))?;
    let init = default_export(&bindings)
        .ok_or_else(|| Failure(format!("{}: no `export default` (not wasm-bindgen --target web output?)", site.bindings_js)))?;
    let wasm = std::fs::read(dist.join(&site.wasm)).map_err(|e| Failure(format!("{}: {e}", site.wasm)))?;
    let packed = base64(&gzip(&wasm));
    let loader = format!(
        "<script type=\"module\">/* {js}, with {wasm} inlined as gzip+base64 */\n{bindings}\n\
         const packed = \"{packed}\";\n\
         const gzipped = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));\n\
         const unpacked = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream(\"gzip\"));\n\
         await {init}({{ module_or_path: await new Response(unpacked).arrayBuffer() }});\n\
         </script>\n",
        js = site.bindings_js,
        wasm = site.wasm,
        bindings = guard(&strip_source_map(&bindings), "</script")?,
    );

    // Keep the page's own markup (title, meta, body), dropping every tag that points
    // at a file, and put the inlined pieces where the head ends and the body ends.
    let mut page = String::new();
    let mut rest = site.index_html.as_str();
    for tag in tags(&site.index_html) {
        let Some(before) = rest.find(&tag.text) else { continue };
        let points_at_file = tag.attr("src").is_some()
            || (tag.name == "link" && tag.attr("href").is_some_and(|h| !h.starts_with("data:")))
            || (tag.name == "script" && tag.attr("type") == Some("module"));
        if points_at_file {
            page.push_str(rest.get(..before).unwrap_or(""));
            rest = rest.get(before + tag.text.len()..).unwrap_or("");
        }
    }
    page.push_str(rest);
    let page = insert_before(&page, "</head>", &format!("{styles}{scripts}"))?;
    insert_before(&page, "</body>", &loader)
}

fn insert_before(page: &str, marker: &str, text: &str) -> Result<String, Failure> {
    let at = page.rfind(marker).ok_or_else(|| Failure(format!("index.html has no {marker}")))?;
    Ok(format!("{}{text}{}", page.get(..at).unwrap_or(""), page.get(at..).unwrap_or("")))
}

/// Inlined text must not close its own element early. Instead of rewriting code we
/// refuse the (so far hypothetical) case and say so.
fn guard<'a>(text: &'a str, closing: &str) -> Result<&'a str, Failure> {
    let lower = text.to_ascii_lowercase();
    if lower.contains(closing) || (closing == "</script" && lower.contains("<!--")) {
        return Err(Failure(format!("cannot inline a file containing {closing} or <!--")));
    }
    Ok(text)
}

/// Drops a trailing `//# sourceMappingURL=` line: the map is not shipped.
fn strip_source_map(js: &str) -> String {
    js.lines().filter(|l| !l.starts_with("//# sourceMappingURL=")).collect::<Vec<_>>().join("\n")
}

/// The name of wasm-bindgen's init function: its default export, written either
/// `export default NAME;` or `export { initSync, NAME as default };`.
fn default_export(js: &str) -> Option<&str> {
    js.lines().rev().find_map(|line| {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("export default ") {
            return name.strip_suffix(';').map(str::trim);
        }
        let list = line.strip_prefix("export {")?.trim_end_matches(';').trim_end().strip_suffix('}')?;
        list.split(',').find_map(|item| item.trim().strip_suffix(" as default").map(str::trim))
    })
}

fn local_file(url: &str) -> Result<String, Failure> {
    let name = url.strip_prefix("./").unwrap_or(url);
    if name.contains(':') || name.starts_with('/') || name.contains('/') {
        return Err(Failure(format!("index.html refers to {url}: expected a file beside it")));
    }
    Ok(name.to_string())
}

fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A start tag found in the page (`<link ...>` or `<script ...>...</script>`).
struct Tag {
    name: String,
    /// The tag's whole text, including a script's body and end tag.
    text: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The `<link>` and `<script>` tags of a page, in order. A small scanner for the
/// markup Trunk writes (quoted or bare attribute values), not a general HTML parser.
fn tags(html: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = html.get(at..).and_then(|s| s.find('<')).map(|i| at + i) {
        let rest = html.get(start + 1..).unwrap_or("");
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        if rest.starts_with("!--") {
            at = html.get(start..).and_then(|s| s.find("-->")).map_or(html.len(), |i| start + i + 3);
            continue;
        }
        let Some(end) = rest.find('>').map(|i| start + 1 + i + 1) else { break };
        if name != "link" && name != "script" {
            at = end;
            continue;
        }
        let inside = html.get(start + 1 + name.len()..end - 1).unwrap_or("").trim_end_matches('/');
        let attrs = attributes(inside);
        let mut tag_end = end;
        if name == "script" {
            tag_end = html.get(end..).and_then(|s| s.find("</script>")).map_or(html.len(), |i| end + i + "</script>".len());
        }
        found.push(Tag { name, text: html.get(start..tag_end).unwrap_or("").to_string(), attrs });
        at = tag_end;
    }
    found
}

fn attributes(mut text: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    loop {
        text = text.trim_start();
        let name_len = text.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(text.len());
        if name_len == 0 {
            break;
        }
        let name = text.get(..name_len).unwrap_or("").to_ascii_lowercase();
        text = text.get(name_len..).unwrap_or("").trim_start();
        let mut value = String::new();
        if let Some(after) = text.strip_prefix('=') {
            let after = after.trim_start();
            let (v, rest) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = after.get(1..).unwrap_or("");
                    let close = body.find(q).unwrap_or(body.len());
                    (body.get(..close).unwrap_or(""), body.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let close = after.find(char::is_whitespace).unwrap_or(after.len());
                    (after.get(..close).unwrap_or(""), after.get(close..).unwrap_or(""))
                }
            };
            value = v.to_string();
            text = rest;
        }
        attrs.push((name, value));
    }
    attrs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn finds_wasm_bindgens_init_in_both_export_styles() {
        assert_eq!(default_export("function f(){}\nexport default __wbg_init;\n"), Some("__wbg_init"));
        assert_eq!(default_export("export { initSync, __wbg_init as default };\n"), Some("__wbg_init"));
        assert_eq!(default_export("export { initSync };"), None);
    }

    #[test]
    fn scans_the_tags_trunk_writes() {
        let html = r#"<head><!-- <script src="no.js"></script> --><link rel="stylesheet" href="./a-1.css" integrity="sha384-x"/>
<link rel=modulepreload href="./k.js"><script src="./x.js"></script>
<script type="module">import init from './k.js';</script></head>"#;
        let found = tags(html);
        let names: Vec<_> = found.iter().map(|t| (t.name.as_str(), t.attr("href").or(t.attr("src")))).collect();
        assert_eq!(names, vec![("link", Some("./a-1.css")), ("link", Some("./k.js")), ("script", Some("./x.js")), ("script", None)]);
        assert_eq!(found[1].attr("rel"), Some("modulepreload"));
        assert_eq!(found[3].text, "<script type=\"module\">import init from './k.js';</script>");
    }

    #[test]
    fn builds_one_file_with_everything_inlined() {
        let dist = std::env::temp_dir().join(format!("kubesim-offline-test-{}", std::process::id()));
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<html><head><title>t</title><link rel=\"icon\" href=\"data:,\">\
            <link rel=\"stylesheet\" href=\"./s-1.css\"><script src=\"./x-2.js\"></script>\
            <link rel=\"modulepreload\" href=\"./app-3.js\"><link rel=\"preload\" href=\"./app-3_bg.wasm\" as=\"fetch\">\
            <script type=\"module\">import init from './app-3.js';</script></head><body><p>hi</p></body></html>").unwrap();
        std::fs::write(dist.join("s-1.css"), "body{color:red}").unwrap();
        std::fs::write(dist.join("x-2.js"), "var X=1;\n//# sourceMappingURL=x.js.map").unwrap();
        std::fs::write(dist.join("app-3.js"), "function __wbg_init(){}\nexport default __wbg_init;").unwrap();
        std::fs::write(dist.join("app-3_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        build(&dist).unwrap();
        let page = std::fs::read_to_string(dist.join(OFFLINE_PAGE)).unwrap();
        std::fs::remove_dir_all(&dist).unwrap();
        for gone in ["s-1.css\"", "x-2.js\"", "app-3.js'", "app-3_bg.wasm\"", "sourceMappingURL"] {
            assert!(!page.contains(gone), "{gone} still in {page}");
        }
        assert!(page.contains("<link rel=\"icon\" href=\"data:,\">"));
        assert!(page.contains("<style>/* s-1.css */\nbody{color:red}\n</style>\n<script>/* x-2.js */\nvar X=1;\n</script>\n</head>"));
        assert!(page.contains(&format!("const packed = \"{}\";", base64(&gzip(b"\0asm\x01\0\0\0")))));
        assert!(page.contains("await __wbg_init({ module_or_path: await new Response(unpacked).arrayBuffer() });\n</script>\n</body>"));
    }
}
