//! `kubectl get --raw PATH`: one GET to the API server, its body copied to stdout
//! byte for byte (kubectl's `rawhttp.RawGet`), answered by the same REST code as
//! `kubesim serve` (`apiserver::rest`), so both print the same bytes.

use super::flags::ParsedFlags;
use crate::apiserver::rest::{self, Reply};
use crate::apiserver::{Status, StatusReason};
use crate::cluster::Cluster;
use crate::simulator::Output;

/// Runs `get --raw`, after kubectl's own checks (`GetOptions.Complete`/`Validate`).
pub fn run(cluster: &mut Cluster, flags: &ParsedFlags, out: &mut Output) -> i32 {
    let raw = flags.string("raw");
    let fail = |message: &str, out: &mut Output| {
        out.err(&format!("error: {message}\n"));
        1
    };
    if !flags.positional.is_empty() {
        return fail("arguments may not be passed when --raw is specified", out);
    }
    if flags.bool("watch") || flags.bool("watch-only") || flags.changed("selector") {
        return fail("--raw may not be specified with other flags that filter the server request or alter the output", out);
    }
    if !flags.string("output").is_empty() {
        return fail("--raw and --output are mutually exclusive", out);
    }
    // url.ParseRequestURI: an absolute path (or an absolute URL).
    if !raw.starts_with('/') {
        return fail(&format!("--raw must be a valid URL path: parse {}: invalid URI for request", go_quote(&raw)), out);
    }
    let request = rest::Request::get(&raw);
    let reply = rest::route(cluster, &request);
    if let Reply::Watch(_) = reply {
        out.err("kubesim: 'kubectl get --raw' of a watch is not simulated; use kubectl get -w\n");
        return 1;
    }
    let Some((code, _, body)) = rest::encode(&reply) else { return 1 };
    if code < 300 {
        out.out(&String::from_utf8_lossy(&body));
        return 0;
    }
    let message = match response_error(code, &body) {
        Ok(status) => status.kubectl_message(),
        Err(message) => message,
    };
    out.err(&format!("{message}\n"));
    1
}

/// client-go's `transformUnstructuredResponseError`: a `Status` body as it is,
/// anything else the generic error of its code (`NewGenericServerResponse`).
/// `Err` is a message already in kubectl's words.
fn response_error(code: u16, body: &[u8]) -> Result<Status, String> {
    let parsed = serde_json::from_slice::<serde_json::Value>(body).ok();
    if let Some(value) = parsed.as_ref().filter(|v| v["kind"] == "Status") {
        let reason = value["reason"].as_str().unwrap_or("");
        match Status::from_json(value) {
            // A reason sim-core's Status does not name (`ServiceUnavailable` from the
            // proxy) is still printed as kubectl prints any reason.
            Some(status) if status.reason == StatusReason::Unknown && !reason.is_empty() => {
                return Err(format!("Error from server ({reason}): {}", status.message));
            }
            Some(status) => return Ok(status),
            None => {}
        }
    }
    let text = String::from_utf8_lossy(body).trim().to_string();
    let (reason, message) = match code {
        400 => (StatusReason::BadRequest, "the server rejected our request for an unknown reason".to_string()),
        404 => (StatusReason::NotFound, "the server could not find the requested resource".to_string()),
        405 => (StatusReason::MethodNotAllowed, "the server does not allow this method on the requested resource".to_string()),
        409 => (StatusReason::Conflict, "the server reported a conflict".to_string()),
        500 => (StatusReason::InternalError, format!("an error on the server ({}) has prevented the request from succeeding", go_quote(&text))),
        _ => (StatusReason::Unknown, format!("the server responded with the status code {code} but did not return more information")),
    };
    Ok(Status { code, reason, message, details: None })
}

fn go_quote(s: &str) -> String {
    crate::apiserver::status::go_quote(s)
}
