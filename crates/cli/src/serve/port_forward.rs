//! `pods/NAME/portforward`, the way kubectl 1.32's `port-forward` uses it.
//!
//! kubectl first asks for a WebSocket (a GET with the subprotocol
//! `SPDY/3.1+portforward.k8s.io`: SPDY frames tunnelled in binary messages, which
//! the API server passes through to the kubelet), and falls back to a POST with
//! `Upgrade: SPDY/3.1` and `X-Stream-Protocol-Version: portforward.k8s.io` if the
//! upgrade fails. Either way the rest is SPDY/3.1 (`spdy.rs`): for each local
//! connection it accepts, kubectl opens an error stream, then a data stream, both
//! with the headers `streamType`, `port` and `requestID`. As the kubelet does
//! (`cri/streaming/portforward/httpstream.go`), each stream is accepted with an
//! empty SYN_REPLY, and once a request id has both, the runtime dials the port
//! inside the pod (sim-core's `network::port_forward::dial`). Refused: the error
//! text goes down the error stream and both streams close, which kubectl reports as
//! `an error occurred forwarding L -> P: ...` and then `lost connection to pod`.
//! Connected: the bytes on the data stream are HTTP requests, each answered by the
//! simulated workload (`network::port_forward::exchange`, the code behind sim-core's
//! own curl), until kubectl closes the stream, which closes both.

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Write};
use std::net::TcpStream;

use sim_core::apiserver::rest::{self, Reply};
use sim_core::apiserver::Status;
use sim_core::network::port_forward::{self as kubelet, Dialed};
use sim_core::resources::Kind;
use sim_core::store::{Object, ObjectKey};

use super::http::{self, Request};
use super::spdy::{self, Frame, Framer, FLAG_FIN};
use super::websocket::{self, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG};
use super::{lock, Shared};

/// The port-forward protocol, and its name tunnelled over WebSocket.
const PROTOCOL: &str = "portforward.k8s.io";
const TUNNELED: &str = "SPDY/3.1+portforward.k8s.io";

/// A DATA frame's share of a response (client-go reads 32 KiB at a time).
const DATA_CHUNK: usize = 32 * 1024;

/// `(namespace, pod)` when the request is a pod's portforward subresource.
pub fn portforward_path(req: &Request) -> Option<(String, String)> {
    let segments: Vec<&str> = req.path.trim_end_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["api", "v1", "namespaces", ns, "pods", pod, "portforward"] => Some((ns.to_string(), pod.to_string())),
        _ => None,
    }
}

fn write_status(writer: &mut TcpStream, status: &Status) -> std::io::Result<()> {
    if let Some((code, content_type, body)) = rest::encode(&Reply::Json(status.code, status.to_json())) {
        http::write_response(writer, code, &content_type, &body)?;
    }
    Ok(())
}

/// Answers one portforward request; the connection is done afterwards.
pub fn serve(reader: &mut BufReader<TcpStream>, writer: &mut TcpStream, shared: &Shared, req: &Request, namespace: &str, pod: &str) -> std::io::Result<()> {
    let node = {
        let mut server = lock(shared);
        server.catch_up();
        match server.cluster.store.get(&ObjectKey::new(Kind::Pod, namespace, pod)) {
            Some(Object::Pod(p)) => Ok(p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default()),
            _ => Err(Status::not_found(Kind::Pod, pod)),
        }
    };
    match node {
        Err(status) => return write_status(writer, &status),
        // The API server's PortForwardLocation: a pod not yet scheduled has no kubelet.
        Ok(node) if node.is_empty() => return write_status(writer, &Status::bad_request(&format!("pod {pod} does not have a host assigned"))),
        Ok(_) => {}
    }
    let upgrade = req.header("Upgrade").unwrap_or("");
    let offered: Vec<&str> = req.header("Sec-WebSocket-Protocol").unwrap_or("").split(',').map(str::trim).collect();
    let spdy_versions: Vec<&str> = req.header("X-Stream-Protocol-Version").unwrap_or("").split(',').map(str::trim).collect();
    let websocket = if upgrade.eq_ignore_ascii_case("websocket") && offered.contains(&TUNNELED) {
        let Some(key) = req.header("Sec-WebSocket-Key") else {
            return write_status(writer, &Status::bad_request("missing Sec-WebSocket-Key"));
        };
        websocket::handshake(writer, key, TUNNELED)?;
        true
    } else if upgrade.eq_ignore_ascii_case("SPDY/3.1") && spdy_versions.contains(&PROTOCOL) {
        let head = format!("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: {PROTOCOL}\r\n\r\n");
        writer.write_all(head.as_bytes())?;
        writer.flush()?;
        false
    } else {
        return write_status(writer, &Status::bad_request("Upgrade request required"));
    };
    let mut tunnel = Tunnel { reader, writer: writer.try_clone()?, websocket, pending: Vec::new(), at: 0 };
    let result = Session { shared, namespace, pod, framer: Framer::new(), pairs: BTreeMap::new(), streams: BTreeMap::new(), last_stream: 0, debug: std::env::var_os("KUBESIM_SERVE_DEBUG").is_some() }.run(&mut tunnel);
    if websocket {
        let _ = websocket::write_frame(writer, OPCODE_CLOSE, &1000u16.to_be_bytes());
    }
    result
}

/// The byte stream SPDY runs over: the upgraded connection itself, or the binary
/// messages of the WebSocket tunnel (each frame we write is one message).
struct Tunnel<'a> {
    reader: &'a mut BufReader<TcpStream>,
    writer: TcpStream,
    websocket: bool,
    pending: Vec<u8>,
    at: usize,
}

impl Tunnel<'_> {
    fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if std::env::var_os("KUBESIM_SERVE_DEBUG").is_some() {
            eprintln!("kubesim serve: portforward sends {} bytes: {:?}", bytes.len(), String::from_utf8_lossy(bytes.get(..bytes.len().min(60)).unwrap_or_default()));
        }
        if self.websocket {
            websocket::write_frame(&mut self.writer, OPCODE_BINARY, bytes)
        } else {
            self.writer.write_all(bytes)?;
            self.writer.flush()
        }
    }
}

impl Read for Tunnel<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.websocket {
            return self.reader.read(buf);
        }
        while self.at >= self.pending.len() {
            let (opcode, payload) = match websocket::read_frame(self.reader) {
                Ok(frame) => frame,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            };
            match opcode {
                // Binary messages and their continuations carry the SPDY bytes.
                0 | OPCODE_BINARY => {
                    self.pending = payload;
                    self.at = 0;
                }
                OPCODE_PING => websocket::write_frame(&mut self.writer, OPCODE_PONG, &payload)?,
                OPCODE_CLOSE => return Ok(0),
                _ => {}
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// One forwarded connection: its two streams and, once dialed, the pod's end.
#[derive(Default)]
struct Pair {
    port: u16,
    error: Option<u32>,
    data: Option<u32>,
    dialed: Option<Dialed>,
    /// Bytes from the client not yet making a whole HTTP request.
    buffer: Vec<u8>,
    closed: bool,
}

struct Session<'a> {
    shared: &'a Shared,
    namespace: &'a str,
    pod: &'a str,
    framer: Framer,
    /// By request id.
    pairs: BTreeMap<String, Pair>,
    /// Stream id to request id.
    streams: BTreeMap<u32, String>,
    last_stream: u32,
    /// `KUBESIM_SERVE_DEBUG` set: every frame from the client goes to stderr.
    debug: bool,
}

impl Session<'_> {
    fn run(&mut self, tunnel: &mut Tunnel) -> std::io::Result<()> {
        loop {
            let frame = match self.framer.read_frame(tunnel) {
                Ok(Some(frame)) => frame,
                Ok(None) => return Ok(()),
                Err(e) => {
                    // A protocol error ends the connection as spdystream does: GOAWAY.
                    let _ = tunnel.send(&spdy::goaway(self.last_stream));
                    return Err(e);
                }
            };
            if self.debug {
                eprintln!("kubesim serve: portforward {}/{}: {frame:?}", self.namespace, self.pod);
            }
            match frame {
                Frame::SynStream { stream_id, headers, .. } => self.new_stream(tunnel, stream_id, &headers)?,
                Frame::Data { stream_id, flags, data } => self.data(tunnel, stream_id, flags, &data)?,
                Frame::RstStream { stream_id, .. } => {
                    if let Some(pair) = self.streams.get(&stream_id).and_then(|id| self.pairs.get_mut(id)) {
                        pair.closed = true;
                    }
                }
                Frame::Ping { id } => tunnel.send(&spdy::ping(id))?,
                Frame::GoAway => return Ok(()),
                Frame::Ignored => {}
            }
        }
    }

    /// A SYN_STREAM: checked as the kubelet's `httpStreamReceived` checks it
    /// (a port header that parses and is not 0, a streamType of error or data).
    fn new_stream(&mut self, tunnel: &mut Tunnel, stream_id: u32, headers: &[(String, String)]) -> std::io::Result<()> {
        self.last_stream = self.last_stream.max(stream_id);
        let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let port = header("port").and_then(|p| p.parse::<u16>().ok()).filter(|p| *p > 0);
        let kind = header("streamType").filter(|t| *t == "error" || *t == "data");
        let (Some(port), Some(kind)) = (port, kind) else {
            return tunnel.send(&spdy::rst_stream(stream_id, spdy::STATUS_CANCEL));
        };
        tunnel.send(&self.framer.syn_reply(stream_id))?;
        // Old clients send no requestID; the kubelet pairs their streams by id.
        let request = header("requestID").map(str::to_string).unwrap_or_else(|| {
            if kind == "error" { stream_id.to_string() } else { stream_id.saturating_sub(2).to_string() }
        });
        self.streams.insert(stream_id, request.clone());
        let pair = self.pairs.entry(request.clone()).or_default();
        pair.port = port;
        let slot = if kind == "error" { &mut pair.error } else { &mut pair.data };
        if slot.is_some() {
            let message = format!("error processing stream for request {request}: {kind} stream already assigned");
            if let Some(error) = pair.error {
                tunnel.send(&spdy::data(error, 0, message.as_bytes()))?;
            }
            return Ok(());
        }
        *slot = Some(stream_id);
        if let (Some(_), Some(_)) = (pair.error, pair.data) {
            self.dial(tunnel, &request)?;
        }
        Ok(())
    }

    /// Both streams are here: the runtime connects to the port inside the pod.
    fn dial(&mut self, tunnel: &mut Tunnel, request: &str) -> std::io::Result<()> {
        let Some(port) = self.pairs.get(request).map(|p| p.port) else { return Ok(()) };
        let client_port = self.pairs.get(request).and_then(|p| p.data).map(|id| 40000 + (id % 20000) as u16).unwrap_or(40000);
        let dialed = {
            let mut server = lock(self.shared);
            server.catch_up();
            kubelet::dial(&server.cluster, self.namespace, self.pod, port, client_port)
        };
        match dialed {
            Ok(dialed) => {
                if let Some(pair) = self.pairs.get_mut(request) {
                    pair.dialed = Some(dialed);
                }
                Ok(())
            }
            Err(message) => self.fail(tunnel, request, &message),
        }
    }

    /// The kubelet's way out of a forward that failed: the message on the error
    /// stream, then both streams closed.
    fn fail(&mut self, tunnel: &mut Tunnel, request: &str, message: &str) -> std::io::Result<()> {
        let Some(pair) = self.pairs.get_mut(request) else { return Ok(()) };
        if let Some(error) = pair.error {
            tunnel.send(&spdy::data(error, 0, message.as_bytes()))?;
        }
        Self::close(tunnel, pair)
    }

    fn close(tunnel: &mut Tunnel, pair: &mut Pair) -> std::io::Result<()> {
        if pair.closed {
            return Ok(());
        }
        pair.closed = true;
        for stream in [pair.data, pair.error].into_iter().flatten() {
            tunnel.send(&spdy::data(stream, FLAG_FIN, &[]))?;
        }
        Ok(())
    }

    fn data(&mut self, tunnel: &mut Tunnel, stream_id: u32, flags: u8, bytes: &[u8]) -> std::io::Result<()> {
        let Some(request) = self.streams.get(&stream_id).cloned() else { return Ok(()) };
        let Some(pair) = self.pairs.get_mut(&request) else { return Ok(()) };
        if pair.data != Some(stream_id) || pair.closed {
            // The error stream is the server's to write; kubectl only closes its half.
            return Ok(());
        }
        pair.buffer.extend_from_slice(bytes);
        while let Some((http_request, used)) = kubelet::parse_request(&pair.buffer) {
            pair.buffer.drain(..used);
            let Some(dialed) = pair.dialed.clone() else { break };
            let answer = {
                let mut server = lock(self.shared);
                server.catch_up();
                kubelet::exchange(&mut server.cluster, &dialed, &http_request)
            };
            match answer {
                Ok(response) => {
                    for chunk in response.chunks(DATA_CHUNK) {
                        tunnel.send(&spdy::data(stream_id, 0, chunk))?;
                    }
                    let closes = http_request.header("Connection").is_some_and(|c| c.eq_ignore_ascii_case("close"));
                    if closes {
                        return Self::close(tunnel, pair);
                    }
                }
                Err(why) => return self.fail(tunnel, &request, &why),
            }
        }
        if flags & FLAG_FIN != 0 {
            // kubectl closed its half (the local client hung up): the runtime's copy
            // ends, and the kubelet closes both streams.
            return Self::close(tunnel, pair);
        }
        Ok(())
    }
}
