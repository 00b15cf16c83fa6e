//! `kubesim serve`: the simulated cluster as a Kubernetes API server on 127.0.0.1, so
//! that the real `kubectl` (or any client-go program) can talk to it.
//!
//! Plain HTTP/1.1 over `std::net`, one thread per connection, one lock around the
//! simulator. Requests are answered by `sim_core::apiserver::rest` (the REST paths,
//! discovery, OpenAPI, protobuf bodies: the code sim-core's own `kubectl get --raw`
//! and `kubectl proxy` answer from); this module is the transport: HTTP, watches
//! streamed on the clock, exec's WebSocket and port-forward's SPDY.
//!
//! Time: by default the virtual clock follows the wall clock from the moment the
//! server starts (controllers run on a ticker thread). With `--step-clock` the clock
//! only moves when told, which makes runs reproducible (the differential test):
//! - `POST /kubesim/v1/step` does what `Simulator::run_line` does after every
//!   command: the controllers react, then the clock moves by the command step;
//! - while a watch has nothing to send, the clock runs in 500 ms steps with every
//!   controller wake-up on the way, as sim-core's kubectl lets time run while it
//!   waits (`kubectl delete --wait`, `rollout status`), up to 10 virtual minutes;
//! - `POST /kubesim/v1/advance?to=UNIX_MS` moves it to a given time.

pub mod differential;
mod exec;
mod http;
mod inflate;
mod port_forward;
mod spdy;
mod websocket;

use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration as StdDuration, Instant};

use k8s_openapi::chrono::Duration;
use serde_json::{json, Value};
use sim_core::store::WatchEventType;
use sim_core::{ClusterConfig, Simulator};

use sim_core::apiserver::rest::{self as api, Reply, Watch};

const USAGE: &str = "\
Usage: kubesim serve [--port 6443] [--lesson ID|FILE | --state FILE] [--kubeconfig-out PATH] [--step-clock]

Serves the simulated cluster's Kubernetes API over plain HTTP on 127.0.0.1 and
writes a kubeconfig for it (default: ./kubesim.kubeconfig).
  --port N            port to listen on (0: any free port; the chosen port is printed)
  --lesson ID|FILE    start from a lesson's cluster (an id such as nodeport, or a .md file)
  --state FILE        start from a state saved by the browser or persist::save_simulator
  --kubeconfig-out P  where to write the kubeconfig
  --step-clock        virtual time moves only on POST /kubesim/v1/step and while
                      a watch waits (reproducible runs; the differential test)
";

/// How virtual time moves.
#[derive(Clone, Copy, Debug)]
enum ClockMode {
    /// Follows the wall clock from `started` (virtual time `virtual_start` ms).
    Real { started: Instant, virtual_start: i64 },
    /// Moves only on request (see the module comment).
    Stepped,
}

/// What the connection threads share. Only the cluster is served (the learner's
/// shell stays out of it), plus the command step of its config.
struct Server {
    cluster: sim_core::cluster::Cluster,
    command_step: Duration,
    mode: ClockMode,
}

impl Server {
    /// Brings the virtual clock up to the wall clock (real-time mode).
    fn catch_up(&mut self) {
        if let ClockMode::Real { started, virtual_start } = self.mode {
            let elapsed = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX / 2);
            let to = sim_core::clock::Clock::from_unix_millis(virtual_start.saturating_add(elapsed)).now();
            sim_core::controllers::advance(&mut self.cluster, to);
        }
    }
}

type Shared = Arc<Mutex<Server>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Server> {
    // A panicking connection thread must not take the server down with it.
    shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn main(args: &[String]) -> i32 {
    let mut port: u16 = 6443;
    let mut lesson: Option<String> = None;
    let mut state: Option<String> = None;
    let mut kubeconfig_out = "kubesim.kubeconfig".to_string();
    let mut stepped = false;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = || -> Option<String> {
            if inline.is_some() {
                return inline.clone();
            }
            i += 1;
            args.get(i).cloned()
        };
        match flag {
            "--port" => match value().and_then(|v| v.parse().ok()) {
                Some(p) => port = p,
                None => return usage(),
            },
            "--lesson" => lesson = value(),
            "--state" => state = value(),
            "--kubeconfig-out" => match value() {
                Some(p) => kubeconfig_out = p,
                None => return usage(),
            },
            "--step-clock" => stepped = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return 0;
            }
            _ => return usage(),
        }
        i += 1;
    }
    if lesson.is_some() && state.is_some() {
        eprintln!("kubesim serve: --lesson and --state cannot be used together");
        return 2;
    }
    let sim = match start_simulator(lesson.as_deref(), state.as_deref()) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("kubesim serve: {e}");
            return 1;
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kubesim serve: cannot listen on 127.0.0.1:{port}: {e}");
            return 1;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    if let Err(e) = std::fs::write(&kubeconfig_out, kubeconfig(port)) {
        eprintln!("kubesim serve: cannot write {kubeconfig_out}: {e}");
        return 1;
    }
    println!("kubesim: serving the simulated cluster on http://127.0.0.1:{port}");
    println!("kubesim: export KUBECONFIG={kubeconfig_out}");
    let command_step = sim.config().command_step;
    run(listener, sim.cluster, command_step, stepped);
    0
}

/// Serves `sim`'s cluster on a bound listener, in background threads; returns at
/// once. The differential test starts its server this way.
pub fn spawn(listener: TcpListener, sim: Simulator, stepped: bool) {
    let command_step = sim.config().command_step;
    let cluster = sim.cluster;
    std::thread::spawn(move || run(listener, cluster, command_step, stepped));
}

fn run(listener: TcpListener, cluster: sim_core::cluster::Cluster, command_step: Duration, stepped: bool) {
    let mode = if stepped {
        ClockMode::Stepped
    } else {
        ClockMode::Real { started: Instant::now(), virtual_start: cluster.clock.now().timestamp_millis() }
    };
    let shared: Shared = Arc::new(Mutex::new(Server { cluster, command_step, mode }));
    if let ClockMode::Real { .. } = mode {
        let ticker = Arc::clone(&shared);
        std::thread::spawn(move || loop {
            std::thread::sleep(StdDuration::from_millis(250));
            let mut server = lock(&ticker);
            sim_core::controllers::reconcile(&mut server.cluster);
            server.catch_up();
        });
    }
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let _ = serve_connection(stream, &shared);
        });
    }
}

fn usage() -> i32 {
    eprint!("{USAGE}");
    2
}

/// The simulator to serve: a lesson's start, a saved state or a fresh kind cluster.
fn start_simulator(lesson: Option<&str>, state: Option<&str>) -> Result<Simulator, String> {
    if let Some(path) = state {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        return sim_core::persist::restore_simulator(&text, ClusterConfig::default());
    }
    let Some(id) = lesson else { return Ok(Simulator::new(ClusterConfig::default())) };
    let path = find_lesson(id)?;
    let source = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let parsed = lesson::parse_lesson(&path, &source).map_err(|e| format!("{path}: {e}"))?;
    lesson::environment::start(&parsed.meta.cluster, &parsed.meta.files, ClusterConfig::default())
}

/// A lesson file: the path itself, or the lesson under `lessons/` whose id is `id`
/// or ends with `-id` (`nodeport` finds `services-nodeport`).
fn find_lesson(id: &str) -> Result<String, String> {
    if std::path::Path::new(id).is_file() {
        return Ok(id.to_string());
    }
    let entries = std::fs::read_dir("lessons").map_err(|e| format!("lessons/: {e} (run from the repository root)"))?;
    let mut paths: Vec<String> = entries.flatten().map(|e| e.path().display().to_string()).filter(|p| p.ends_with(".md")).collect();
    paths.sort();
    for path in paths {
        let Ok(source) = std::fs::read_to_string(&path) else { continue };
        if let Ok(l) = lesson::parse_lesson(&path, &source) {
            if l.meta.id == id || l.meta.id.ends_with(&format!("-{id}")) {
                return Ok(path);
            }
        }
    }
    Err(format!("no lesson {id:?} under lessons/"))
}

/// A kubeconfig with kind's names (`kind-kind`), pointing at the plain-HTTP server.
pub fn kubeconfig(port: u16) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: http://127.0.0.1:{port}\n  name: kind-kind\ncontexts:\n- context:\n    cluster: kind-kind\n    user: kind-kind\n  name: kind-kind\ncurrent-context: kind-kind\npreferences: {{}}\nusers:\n- name: kind-kind\n  user: {{}}\n"
    )
}

fn serve_connection(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while let Some(req) = http::read_request(&mut reader)? {
        if req.path == "/kubesim/v1/step" && req.method == "POST" {
            let mut server = lock(shared);
            let step = server.command_step;
            let cluster = &mut server.cluster;
            sim_core::controllers::reconcile(cluster);
            let to = cluster.clock.now() + step;
            sim_core::controllers::advance(cluster, to);
            let now = cluster.clock.now().to_rfc3339();
            drop(server);
            http::write_response(&mut writer, 200, "application/json", json!({"now": now}).to_string().as_bytes())?;
            continue;
        }
        if req.path == "/kubesim/v1/advance" && req.method == "POST" {
            // Moves a stepped clock to a Unix time in ms (`?to=`): the differential test
            // lines virtual time up with the wall clock before commands whose output
            // real kubectl computes from its own clock (describe's event ages).
            let to = req.param("to").and_then(|t| t.parse::<i64>().ok());
            let mut server = lock(shared);
            let code = match to {
                Some(ms) => {
                    let to = sim_core::clock::Clock::from_unix_millis(ms).now();
                    sim_core::controllers::advance(&mut server.cluster, to);
                    200
                }
                None => 400,
            };
            let now = server.cluster.clock.now().to_rfc3339();
            drop(server);
            http::write_response(&mut writer, code, "application/json", json!({"now": now}).to_string().as_bytes())?;
            continue;
        }
        if let Some((namespace, pod)) = exec::exec_path(&req) {
            return exec::serve(&mut reader, &mut writer, shared, &req, &namespace, &pod);
        }
        if let Some((namespace, pod)) = port_forward::portforward_path(&req) {
            return port_forward::serve(&mut reader, &mut writer, shared, &req, &namespace, &pod);
        }
        // A stepped clock never brings new lines: `logs -f` there answers as sim-core's
        // batch `logs -f` does, with the log so far.
        let stepped = matches!(lock(shared).mode, ClockMode::Stepped);
        if let (Some((namespace, pod)), false) = (followed_log(&req), stepped) {
            return stream_log(&mut writer, shared, &req, &namespace, &pod);
        }
        let reply = {
            let mut server = lock(shared);
            server.catch_up();
            let reply = api::route(&mut server.cluster, &req);
            if matches!(server.mode, ClockMode::Real { .. }) && req.method != "GET" {
                // A live server's controllers react at once, as a real cluster's do.
                sim_core::controllers::reconcile(&mut server.cluster);
            }
            reply
        };
        if let Reply::Watch(watch) = reply {
            stream_watch(&mut writer, shared, watch)?;
            return Ok(());
        }
        if let (Reply::Json(code, value), true) = (&reply, pretty_print(&req)) {
            // The API server indents JSON for a person: `json.MarshalIndent`, two spaces.
            let mut body = String::new();
            sim_core::kubectl::output::write_go_json(value, "  ", &mut body);
            http::write_response(&mut writer, *code, "application/json", body.as_bytes())?;
        } else if let Some((code, content_type, body)) = api::encode(&reply) {
            http::write_response(&mut writer, code, &content_type, &body)?;
        }
    }
    Ok(())
}

/// The API server's `isPrettyPrint`: `?pretty=true`, or a user agent that is a person's
/// (curl, Wget, a browser), as when curl asks through `kubectl proxy`, which passes
/// the user agent on.
fn pretty_print(req: &api::Request) -> bool {
    if let Some(p) = req.param("pretty").filter(|p| !p.is_empty()) {
        return matches!(p, "1" | "t" | "T" | "true" | "TRUE" | "True");
    }
    let agent = req.header("user-agent").unwrap_or("");
    agent.starts_with("curl") || agent.starts_with("Wget") || agent.starts_with("Mozilla/5.0")
}

fn event_json(server: &Server, watch: &Watch, event_type: WatchEventType, object: &sim_core::store::Object) -> Value {
    let type_name = match event_type {
        WatchEventType::Added => "ADDED",
        WatchEventType::Modified => "MODIFIED",
        WatchEventType::Deleted => "DELETED",
    };
    let object_json = if watch.as_table {
        let rv = object.metadata().resource_version.clone().unwrap_or_default();
        let rt = sim_core::resources::resource_type(watch.kind);
        api::table_json(&server.cluster, rt, std::slice::from_ref(object), &rv, None)
    } else {
        object.to_json()
    };
    json!({"type": type_name, "object": object_json})
}

/// The longest a stepped clock runs by itself for one watch (kubectl's waits give
/// up well before).
const STEPPED_WATCH_LIMIT_SECONDS: i64 = 600;

fn stream_watch(writer: &mut TcpStream, shared: &Shared, watch: Watch) -> std::io::Result<()> {
    http::start_chunked(writer, "application/json")?;
    let started = Instant::now();
    let (mut since, initial, stepped_deadline) = {
        let mut server = lock(shared);
        server.catch_up();
        let rv = server.cluster.store.resource_version();
        let mut initial = Vec::new();
        if watch.since.is_none() {
            let scope = watch.namespace.as_deref();
            for o in server.cluster.store.list(watch.kind, scope).filter(|o| watch.matches(o)) {
                initial.push(event_json(&server, &watch, WatchEventType::Added, o));
            }
        }
        let deadline = server.cluster.clock.now() + Duration::seconds(STEPPED_WATCH_LIMIT_SECONDS);
        (watch.since.unwrap_or(rv), initial, deadline)
    };
    let mut sent = !initial.is_empty();
    for event in initial {
        write_event(writer, &event)?;
    }
    loop {
        if let Some(t) = watch.timeout_seconds {
            if started.elapsed() >= StdDuration::from_secs(t) {
                return http::write_chunk(writer, b"");
            }
        }
        let events = {
            let mut server = lock(shared);
            server.catch_up();
            let events: Vec<Value> = server
                .cluster
                .store
                .events_since(since)
                .filter(|e| watch.matches(&e.object))
                .map(|e| event_json(&server, &watch, e.event_type, &e.object))
                .collect();
            since = server.cluster.store.resource_version();
            events
        };
        if !events.is_empty() {
            for event in &events {
                write_event(writer, event)?;
            }
            sent = true;
            continue;
        }
        // Nothing to send. Give the client a moment to hang up (it often does as soon
        // as it has what it waited for: longer just after events), then let time run.
        let grace = if sent { 1000 } else { 150 };
        sent = false;
        if client_closed(writer, StdDuration::from_millis(grace))? {
            return Ok(());
        }
        let mut server = lock(shared);
        if let ClockMode::Stepped = server.mode {
            // The steps of sim-core's own waits: `rollout status` (the watch kubectl
            // opens on one Deployment) moves 250 ms at a time; `delete --wait` lets
            // the controllers react, then moves 500 ms at a time. A watch on a
            // Deployment that is being deleted is `delete --wait` (kubectl's
            // `--cascade=orphan` leaves it with the `orphan` finalizer, which only
            // the garbage collector's reconcile removes).
            let deleting = server
                .cluster
                .store
                .list(watch.kind, watch.namespace.as_deref())
                .any(|o| watch.matches(o) && o.metadata().deletion_timestamp.is_some());
            let rollout = watch.kind == sim_core::resources::Kind::Deployment && !deleting;
            let cluster = &mut server.cluster;
            if cluster.clock.now() < stepped_deadline {
                if !rollout {
                    sim_core::controllers::reconcile(cluster);
                }
                let changed = cluster.store.resource_version() != since;
                if !changed {
                    let step = if rollout { 250 } else { 500 };
                    let next = cluster.clock.now() + Duration::milliseconds(step);
                    sim_core::controllers::advance(cluster, next);
                }
            }
        }
    }
}

fn write_event(writer: &mut TcpStream, event: &Value) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(event).unwrap_or_default();
    line.push(b'\n');
    http::write_chunk(writer, &line)
}

/// Waits up to `wait` for the client to close the connection.
fn client_closed(stream: &TcpStream, wait: StdDuration) -> std::io::Result<bool> {
    stream.set_read_timeout(Some(wait))?;
    let mut buf = [0u8; 1];
    let closed = match stream.peek(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => false,
        Err(_) => true,
    };
    stream.set_read_timeout(None)?;
    Ok(closed)
}

/// `(namespace, pod)` of `GET pods/NAME/log?follow=true` (`kubectl logs -f`).
fn followed_log(req: &http::Request) -> Option<(String, String)> {
    if req.method != "GET" || req.param("follow") != Some("true") {
        return None;
    }
    let segments: Vec<&str> = req.path.trim_end_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["api", "v1", "namespaces", ns, "pods", pod, "log"] => Some((ns.to_string(), pod.to_string())),
        _ => None,
    }
}

/// `kubectl logs -f`: the log so far, then each new line as the clock brings it,
/// until the container stops running (the kubelet's follow ends with the container)
/// or the client hangs up. Errors (no such pod or container) answer as without -f.
fn stream_log(writer: &mut TcpStream, shared: &Shared, req: &http::Request, namespace: &str, pod: &str) -> std::io::Result<()> {
    // Later polls read the whole log (no tailLines) and send the lines past `sent`.
    let whole = http::Request {
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.iter().filter(|(k, _)| k != "tailLines").cloned().collect(),
        headers: req.headers.clone(),
        body: Vec::new(),
    };
    let (first, mut sent) = {
        let mut server = lock(shared);
        server.catch_up();
        let first = api::route(&mut server.cluster, req);
        let sent = match api::route(&mut server.cluster, &whole) {
            Reply::Raw(200, _, body) => body.iter().filter(|b| **b == b'\n').count(),
            _ => 0,
        };
        (first, sent)
    };
    let Reply::Raw(200, content_type, body) = first else {
        if let Some((code, content_type, body)) = api::encode(&first) {
            http::write_response(writer, code, &content_type, &body)?;
        }
        return Ok(());
    };
    http::start_chunked(writer, content_type)?;
    if !body.is_empty() {
        http::write_chunk(writer, &body)?;
    }
    loop {
        let (text, running) = {
            let mut server = lock(shared);
            server.catch_up();
            let text = match api::route(&mut server.cluster, &whole) {
                Reply::Raw(200, _, body) => String::from_utf8_lossy(&body).into_owned(),
                _ => String::new(),
            };
            (text, container_running(&server.cluster, namespace, pod, req.param("container")))
        };
        let new: String = text.split_inclusive('\n').skip(sent).collect();
        if !new.is_empty() {
            sent += new.matches('\n').count();
            http::write_chunk(writer, new.as_bytes())?;
        }
        if !running {
            return http::write_chunk(writer, b"");
        }
        if client_closed(writer, StdDuration::from_millis(250))? {
            return Ok(());
        }
    }
}

/// Whether the container (the only one when not named) is running now.
fn container_running(cluster: &sim_core::cluster::Cluster, namespace: &str, pod: &str, container: Option<&str>) -> bool {
    let key = sim_core::store::ObjectKey::new(sim_core::resources::Kind::Pod, namespace, pod);
    let Some(sim_core::store::Object::Pod(p)) = cluster.store.get(&key) else { return false };
    let statuses = p.status.as_ref().and_then(|s| s.container_statuses.clone()).unwrap_or_default();
    let status = match container {
        Some(name) => statuses.iter().find(|c| c.name == name),
        None => statuses.first(),
    };
    status.and_then(|c| c.state.as_ref()).is_some_and(|s| s.running.is_some())
}
