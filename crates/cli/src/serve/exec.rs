//! `pods/NAME/exec` over WebSocket, the way kubectl 1.32 runs `kubectl exec POD --
//! CMD`: a GET with `Upgrade: websocket` and the subprotocol `v5.channel.k8s.io`
//! (or v4), the command in `command=` query parameters. After the handshake each
//! binary message starts with its channel: 0 stdin (client to server), 1 stdout,
//! 2 stderr, 3 the final `metav1.Status`, 4 resize; v5 adds 255, a client's "I
//! closed this channel" (`[255, 0]` ends stdin). The command runs through sim-core's
//! `kubectl::exec::run_in_container`, the runner sim-core's own kubectl uses.
//!
//! Errors before the upgrade are answered as the API server and kubelet answer them
//! (client-go then falls back to SPDY, gets the same answer and prints it): a
//! `Status` for a container that is not in the pod, the kubelet's plain text for a
//! container that is not running. SPDY itself is not spoken: a request that gets as
//! far as needing it gets a Status saying so.

use std::io::BufReader;
use std::net::TcpStream;
use std::time::Duration as StdDuration;

use serde_json::json;
use sim_core::apiserver::rest::{self, Reply};
use sim_core::apiserver::Status;
use sim_core::kubectl::exec::{exec_target, run_in_container, Finished};
use sim_core::simulator::Output;

use super::http::{self, Request};
use super::websocket::{self, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG};
use super::{lock, Shared};

/// The channel-prefixed subprotocols served, best first.
const PROTOCOLS: &[&str] = &["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// `(namespace, pod)` when the request is a pod's exec subresource.
pub fn exec_path(req: &Request) -> Option<(String, String)> {
    let segments: Vec<&str> = req.path.trim_end_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["api", "v1", "namespaces", ns, "pods", pod, "exec"] => Some((ns.to_string(), pod.to_string())),
        _ => None,
    }
}

fn truthy(req: &Request, name: &str) -> bool {
    matches!(req.param(name), Some("true" | "1"))
}

fn write_status(writer: &mut TcpStream, status: &Status) -> std::io::Result<()> {
    if let Some((code, content_type, body)) = rest::encode(&Reply::Json(status.code, status.to_json())) {
        http::write_response(writer, code, &content_type, &body)?;
    }
    Ok(())
}

/// Answers one exec request; the connection is done afterwards.
pub fn serve(reader: &mut BufReader<TcpStream>, writer: &mut TcpStream, shared: &Shared, req: &Request, namespace: &str, pod: &str) -> std::io::Result<()> {
    let command: Vec<String> = req.query.iter().filter(|(k, _)| k == "command").map(|(_, v)| v.clone()).collect();
    let target = {
        let mut server = lock(shared);
        server.catch_up();
        exec_target(&server.cluster, namespace, pod, req.param("container"))
    };
    let (pod, container) = match target {
        Ok(t) => t,
        // The kubelet answers a container that is not running in plain text, which
        // kubectl prints as `unable to upgrade connection: container not found ("x")`.
        Err(status) if status.message.starts_with("container not found") => {
            return http::write_response(writer, 400, "text/plain; charset=utf-8", status.message.as_bytes());
        }
        Err(status) => return write_status(writer, &status),
    };
    if command.is_empty() {
        return write_status(writer, &Status::bad_request("you must specify at least 1 command"));
    }
    let websocket = req.header("Upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let offered: Vec<&str> = req.header("Sec-WebSocket-Protocol").unwrap_or("").split(',').map(str::trim).collect();
    let protocol = PROTOCOLS.iter().find(|p| offered.contains(p));
    let (Some(protocol), Some(key), true) = (protocol, req.header("Sec-WebSocket-Key"), websocket) else {
        let status = Status::bad_request(
            "kubesim serve streams exec over WebSocket (v5.channel.k8s.io or v4.channel.k8s.io) only; SPDY is not simulated",
        );
        return write_status(writer, &status);
    };
    websocket::handshake(writer, key, protocol)?;

    // stdin first: kubectl sends it all (channel 0), then `[255, 0]` under v5.
    let mut stdin = Vec::new();
    if truthy(req, "stdin") {
        loop {
            let (opcode, payload) = websocket::read_frame(reader)?;
            match (opcode, payload.split_first()) {
                (OPCODE_CLOSE, _) => break,
                (OPCODE_PING, _) => websocket::write_frame(writer, OPCODE_PONG, &payload)?,
                (_, Some((0, data))) => stdin.extend_from_slice(data),
                (_, Some((255, [0]))) => break,
                _ => {}
            }
        }
    }
    let mut out = Output::default();
    let finished = {
        let mut server = lock(shared);
        server.catch_up();
        let stdin_text = String::from_utf8_lossy(&stdin).into_owned();
        let stdin = truthy(req, "stdin").then_some(stdin_text.as_str());
        run_in_container(&mut server.cluster, &pod, &container, &command, stdin, truthy(req, "tty"), &mut out)
    };
    for (channel, text) in [(1u8, &out.stdout), (2u8, &out.stderr)] {
        if !text.is_empty() {
            let mut message = vec![channel];
            message.extend_from_slice(text.as_bytes());
            websocket::write_frame(writer, OPCODE_BINARY, &message)?;
        }
    }
    // The final status, as the kubelet's `remotecommand` writes it (v4 and later):
    // a non-zero exit is reason NonZeroExitCode with the code as an ExitCode cause.
    let status = match finished {
        Finished::Exit(0) => json!({"metadata": {}, "status": "Success"}),
        Finished::Exit(code) => json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("command terminated with non-zero exit code: error executing command [{}], exit code {code}", command.join(" ")),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
        }),
        Finished::Error(message) => json!({"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError", "code": 500}),
    };
    let mut message = vec![3u8];
    message.extend_from_slice(status.to_string().as_bytes());
    websocket::write_frame(writer, OPCODE_BINARY, &message)?;
    // A normal closure (1000): the client's readers see EOF and kubectl exits.
    websocket::write_frame(writer, OPCODE_CLOSE, &1000u16.to_be_bytes())?;
    // Wait (briefly) for the client's close before hanging up.
    writer.set_read_timeout(Some(StdDuration::from_secs(2)))?;
    while let Ok((opcode, payload)) = websocket::read_frame(reader) {
        match opcode {
            OPCODE_CLOSE => break,
            OPCODE_PING => websocket::write_frame(writer, OPCODE_PONG, &payload)?,
            _ => {}
        }
    }
    Ok(())
}
