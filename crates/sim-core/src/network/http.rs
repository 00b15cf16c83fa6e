//! HTTP/1.1 requests and responses as the client programs send them and the
//! simulated servers answer them, plus the date formats servers print.

use k8s_openapi::chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A request as it reaches the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    /// The request target: path plus query (`/hostname?x=1`).
    pub target: String,
    /// Headers in the order the client sent them, `Host` first.
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("/")
    }

    /// A query parameter's (undecoded) value.
    pub fn query_param(&self, key: &str) -> Option<String> {
        let query = self.target.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == key).then(|| percent_decode(v))
        })
    }

    /// `GET / HTTP/1.1`, the request line servers log.
    pub fn request_line(&self) -> String {
        format!("{} {} HTTP/1.1", self.method, self.target)
    }
}

/// Decodes `%20` and `+` as Go's `url.QueryUnescape` does; bad escapes stay as typed.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A response as the server sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    /// The reason phrase this server sends (nginx says `405 Not Allowed`).
    pub reason: String,
    /// Headers in the order the server writes them.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `HTTP/1.1 200 OK`.
    pub fn status_line(&self) -> String {
        format!("HTTP/1.1 {} {}", self.status, self.reason)
    }

    /// A response with the usual reason phrase for `status`.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: String) -> Response {
        Response { status, reason: reason_phrase(status).to_string(), headers, body }
    }
}

/// The reason phrases servers send with these codes.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `Mon, 05 Jan 2026 09:00:00 GMT`, the HTTP date (RFC 9110 IMF-fixdate).
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `05/Jan/2026:09:00:00 +0000`, the `$time_local` of nginx and httpd logs.
pub fn log_date(at: DateTime<Utc>) -> String {
    at.format("%d/%b/%Y:%H:%M:%S +0000").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::chrono::TimeZone;

    #[test]
    fn dates_and_queries() {
        let at = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).single().unwrap_or_default();
        assert_eq!(http_date(at), "Mon, 05 Jan 2026 09:00:00 GMT");
        assert_eq!(log_date(at), "05/Jan/2026:09:00:00 +0000");
        let r = Request { method: "GET".into(), target: "/echo?msg=hi%20there&x".into(), headers: vec![] };
        assert_eq!(r.path(), "/echo");
        assert_eq!(r.query_param("msg").as_deref(), Some("hi there"));
        assert_eq!(r.query_param("x").as_deref(), Some(""));
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
