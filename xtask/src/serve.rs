//! A tiny static file server for `dist/`: enough for `./dev serve` and the browser
//! tests, nothing more (GET and HEAD, one request per connection, no ranges).
//!
//! It can mount the site under a prefix (the browser tests use `/course/kubesim/`)
//! and answers 404 outside it, so any absolute URL in the build shows up as a failed
//! request instead of quietly working. The MIME types matter: browsers compile wasm
//! in a stream only when it is served as `application/wasm`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::thread;

/// Serves `root` under `prefix` (which starts and ends with `/`) until the process ends.
pub fn serve_forever(listener: TcpListener, root: PathBuf, prefix: String) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let (root, prefix) = (root.clone(), prefix.clone());
        thread::spawn(move || {
            let _ = handle(stream, &root, &prefix);
        });
    }
}

/// Serves in a background thread; returns the address actually bound (port 0 picks one).
pub fn spawn(addr: &str, root: PathBuf, prefix: String) -> std::io::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    thread::spawn(move || serve_forever(listener, root, prefix));
    Ok(local)
}

fn handle(stream: TcpStream, root: &Path, prefix: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Read (and ignore) the headers up to the blank line.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut words = request_line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let mut stream = stream;
    if method != "GET" && method != "HEAD" {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"method not allowed\n", false);
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    // Redirect the prefix without its trailing slash, as static hosts do, so that the
    // page's relative URLs resolve inside the prefix.
    if format!("{path}/") == prefix {
        let head = format!("HTTP/1.1 301 Moved Permanently\r\nLocation: {prefix}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return stream.write_all(head.as_bytes());
    }
    let Some(file) = path.strip_prefix(prefix).and_then(|rest| resolve(root, rest)) else {
        return respond(&mut stream, "404 Not Found", "text/plain", b"not found\n", method == "HEAD");
    };
    match std::fs::read(&file) {
        Ok(body) => respond(&mut stream, "200 OK", mime_type(&file), &body, method == "HEAD"),
        Err(_) => respond(&mut stream, "404 Not Found", "text/plain", b"not found\n", method == "HEAD"),
    }
}

/// Maps a URL path below the prefix to a file under `root`, refusing anything that
/// would leave it; a directory means its `index.html`.
fn resolve(root: &Path, rest: &str) -> Option<PathBuf> {
    let decoded = percent_decode(rest)?;
    let relative = Path::new(&decoded);
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn mime_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(stream: &mut TcpStream, status: &str, mime: &str, body: &[u8], head_only: bool) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn get(addr: std::net::SocketAddr, path: &str) -> String {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn serves_files_under_the_prefix_with_their_mime_types_and_nothing_else() {
        let root = std::env::temp_dir().join(format!("kubesim-serve-test-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(root.join("app_bg.wasm"), b"\0asm").unwrap();
        let addr = spawn("127.0.0.1:0", root.clone(), "/course/kubesim/".to_string()).unwrap();

        let index = get(addr, "/course/kubesim/");
        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("Content-Type: text/html; charset=utf-8\r\n"));
        assert!(index.ends_with("\r\n\r\n<p>hi</p>"));
        assert!(get(addr, "/course/kubesim/app_bg.wasm?v=1").contains("Content-Type: application/wasm\r\n"));
        assert!(get(addr, "/course/kubesim").contains("Location: /course/kubesim/\r\n"));
        assert!(get(addr, "/index.html").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "/course/kubesim/../kubesim/index.html").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "/course/kubesim/%2e%2e/x").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "/course/kubesim/missing.js").starts_with("HTTP/1.1 404"));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
