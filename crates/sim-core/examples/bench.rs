//! Native benchmarks of the simulator, run by `cargo xtask bench` (see BENCHMARKS.md):
//! command latency at 100, 1,000 and 10,000 pods, reconcile throughput with 100
//! Deployments and 5,000 pods, restore time of a 10,000-object saved state, and the
//! in-process time of two `--dry-run=client` commands. Prints one JSON document.
//!
//! `cargo run --release -p sim-core --example bench [-- --quick]`; `--quick` runs
//! fewer iterations (for a smoke run, not for figures). For profiling one part:
//! `--sizes 1000` (only these cluster sizes), `--only latency|throughput|dry-run|memory`,
//! `--restore DIR` (restore the clusters a `--states DIR` run saved instead of building
//! them: a 10,000-pod cluster takes minutes to build), `--runs N` (iterations per command).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use k8s_openapi::chrono::Duration;
use serde_json::{json, Value};
use sim_core::cluster::Topology;
use sim_core::resources::Kind;
use sim_core::{ClusterConfig, Simulator};

/// The commands whose latency is measured, by name. `NODE_IP` and `NODE_PORT` are
/// filled in once the `web` NodePort Service exists.
pub const COMMANDS: &[(&str, &str)] = &[
    ("get pods -A", "kubectl get pods -A"),
    ("get svc -o wide", "kubectl get svc -o wide"),
    ("describe svc", "kubectl describe svc web"),
    ("apply -f (3 objects)", "kubectl apply -f shop.yaml"),
    ("curl NodePort", "curl -s http://NODE_IP:NODE_PORT/"),
];

/// The system allocator, counting the bytes live and the most ever live, so the
/// bench can say what a restored 10,000-pod simulator holds and what restoring it
/// needs at its peak (native heap bytes; the page's figure is the wasm memory).
struct CountingAllocator;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is to the system allocator.
        unsafe { System.dealloc(p, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// A ConfigMap, a Deployment and a Service: the manifest `apply -f` is timed with.
const MANIFEST: &str = "cat > shop.yaml <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
      - name: shop
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    app: shop
  ports:
  - port: 80
    targetPort: 80
EOF";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `--states DIR`: write each cluster's saved state there (state-PODS.json) for the
    // browser benchmark, which restores them in the page.
    let states = args.iter().position(|a| a == "--states").and_then(|i| args.get(i + 1)).cloned();
    let sizes_arg: Option<Vec<usize>> = args
        .iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map(|list| list.split(',').filter_map(|n| n.parse().ok()).collect());
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).cloned();
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let restore_dir = args.iter().position(|a| a == "--restore").and_then(|i| args.get(i + 1)).cloned();
    let runs_arg: Option<usize> = args.iter().position(|a| a == "--runs").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok());
    let mut report = serde_json::Map::new();

    let mut latency = Vec::new();
    let default_sizes: &[usize] = if quick { &[100, 1_000] } else { &[100, 1_000, 10_000] };
    let sizes = sizes_arg.clone().unwrap_or_else(|| default_sizes.to_vec());
    for &pods in sizes.iter().filter(|_| runs("latency")) {
        let started = Instant::now();
        let (mut sim, commands) = match &restore_dir {
            Some(dir) => restored_cluster(dir, pods),
            None => cluster_with_pods(pods),
        };
        let setup_seconds = started.elapsed().as_secs_f64();
        if let Some(dir) = &states {
            let path = std::path::Path::new(dir).join(format!("state-{pods}.json"));
            if let Err(error) = std::fs::write(&path, sim_core::persist::save_simulator(&sim)) {
                eprintln!("bench: {}: {error}", path.display());
                std::process::exit(1);
            }
        }
        let iterations = match (runs_arg, quick, pods) {
            (Some(n), _, _) => n,
            (None, true, _) => 5,
            (None, false, 10_000) => 30,
            (None, false, _) => 100,
        };
        for (name, line) in &commands {
            let mut samples = Vec::with_capacity(iterations);
            // One untimed run first: apply's first run creates, the rest find it unchanged.
            check(&sim.run_line(line), line);
            for _ in 0..iterations {
                let started = Instant::now();
                let output = sim.run_line(line);
                samples.push(started.elapsed().as_secs_f64() * 1000.0);
                check(&output, line);
            }
            latency.push(json!({
                "pods": pods, "command": name, "line": line, "runs": iterations,
                "median_ms": percentile(&mut samples, 50.0), "p99_ms": percentile(&mut samples, 99.0),
            }));
        }
        latency.push(json!({"pods": pods, "setup_seconds": setup_seconds, "objects": sim.cluster.store.len()}));
        if pods == 10_000 || (quick && pods == 1_000) {
            report.insert("restore".into(), restore(&sim, quick));
        }
    }
    report.insert("latency".into(), Value::Array(latency));
    if only.as_deref() == Some("memory") {
        let sizes = sizes_arg.unwrap_or_else(|| vec![1_000, 10_000]);
        report.insert("memory".into(), Value::Array(sizes.iter().map(|&pods| memory(pods)).collect()));
    }
    if runs("throughput") {
        report.insert("throughput".into(), throughput(quick));
    }
    if runs("dry-run") {
        report.insert("dry_run".into(), dry_run(if quick { 5 } else { 200 }));
    }
    println!("{}", Value::Object(report));
}

/// A cluster with `pods` pods, all scheduled and running (one worker per 100 pods:
/// kind's default allows 110 per node), the `web` NodePort Service and the manifest the
/// latency commands use. Returns it with the commands, filled in.
///
/// The ReplicaSet controller stops at `replicaset::MAX_PODS` (500) pods per cluster,
/// so the pods beyond `web`'s three and the system's are bare pods in namespace
/// `bulk`, created through the API server already bound to a node (as a restored
/// state or a static-pod manifest would bring them); the kubelets then start them
/// the usual way (IP, image pull, events).
fn cluster_with_pods(pods: usize) -> (Simulator, Vec<(String, String)>) {
    let workers = pods / 100 + 2;
    // The browser benchmark restores this cluster into a page whose clock is the wall
    // clock: starting at "now" spares it months of catching up.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(ClusterConfig::default().start_unix_millis);
    let config = ClusterConfig {
        start_unix_millis: now,
        topology: Topology { workers, ..Topology::default() },
        // As in the browser: time moves only when we say so.
        command_step: Duration::zero(),
        ..ClusterConfig::default()
    };
    let mut sim = Simulator::new(config);
    for line in [
        "kubectl create deployment web --image=nginx --replicas=3",
        "kubectl expose deployment web --type=NodePort --port=80",
        "kubectl create namespace bulk",
        MANIFEST,
        "sleep 20",
    ] {
        check(&sim.run_line(line), line);
    }
    let bulk = pods.saturating_sub(sim.cluster.store.list(Kind::Pod, None).count());
    add_bulk_pods(&mut sim, bulk, workers);
    // Until every pod runs (images pull, containers start, ...).
    for _ in 0..600 {
        sim.advance_by_millis(1000);
        if running_pods(&sim) >= pods {
            break;
        }
    }
    let running = running_pods(&sim);
    if running < pods {
        eprintln!("bench: only {running} of {pods} pods run");
        std::process::exit(1);
    }
    let commands = commands_for(&mut sim);
    (sim, commands)
}

/// [`COMMANDS`] with the `web` Service's node IP and port filled in.
fn commands_for(sim: &mut Simulator) -> Vec<(String, String)> {
    let node_ip = sim.run_line("kubectl get node kind-worker -o jsonpath='{.status.addresses[0].address}'").stdout;
    let node_port = sim.run_line("kubectl get svc web -o jsonpath='{.spec.ports[0].nodePort}'").stdout;
    COMMANDS
        .iter()
        .map(|(name, line)| (name.to_string(), line.replace("NODE_IP", &node_ip).replace("NODE_PORT", &node_port)))
        .collect()
}

/// The cluster a `--states DIR` run saved as `DIR/state-PODS.json`, restored with the
/// configuration the bench builds with (the clock stays where the state left it).
fn restored_cluster(dir: &str, pods: usize) -> (Simulator, Vec<(String, String)>) {
    let path = std::path::Path::new(dir).join(format!("state-{pods}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        eprintln!("bench: {}: {error}", path.display());
        std::process::exit(1);
    });
    let config = ClusterConfig {
        topology: Topology { workers: pods / 100 + 2, ..Topology::default() },
        command_step: Duration::zero(),
        ..ClusterConfig::default()
    };
    let mut sim = sim_core::persist::restore_simulator(&text, config).unwrap_or_else(|error| {
        eprintln!("bench: {}: {error}", path.display());
        std::process::exit(1);
    });
    let commands = commands_for(&mut sim);
    (sim, commands)
}

/// `count` bare pods in namespace `bulk` (which must exist), bound round-robin to the
/// `workers` workers, created through the API server.
fn add_bulk_pods(sim: &mut Simulator, count: usize, workers: usize) {
    for i in 0..count {
        let node = match i % workers {
            0 => "kind-worker".to_string(),
            n => format!("kind-worker{}", n + 1),
        };
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("bulk-{i:05}"), "namespace": "bulk", "labels": {"app": "bulk"}},
            "spec": {"nodeName": node, "containers": [{"name": "nginx", "image": "nginx"}]},
        });
        let created = sim_core::store::Object::from_json(pod)
            .map_err(|e| format!("{e:?}"))
            .and_then(|object| {
                sim_core::apiserver::create(&mut sim.cluster, object, &Default::default()).map_err(|s| format!("{s:?}"))
            });
        if let Err(error) = created {
            eprintln!("bench: cannot create bulk pod {i}: {error}");
            std::process::exit(1);
        }
    }
    // What `run_line` does after a command: the controllers react to the writes.
    sim_core::controllers::reconcile(&mut sim.cluster);
}

fn running_pods(sim: &Simulator) -> usize {
    sim.cluster
        .store
        .list(Kind::Pod, None)
        .filter(|object| match object {
            sim_core::store::Object::Pod(pod) => {
                pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
            }
            _ => false,
        })
        .count()
}

/// A benchmark that times a failing command measures nothing: stop loudly.
fn check(output: &sim_core::Output, line: &str) {
    if output.exit_code != 0 {
        eprintln!("bench: `{line}` failed ({}):\n{}", output.exit_code, output.display);
        std::process::exit(1);
    }
}

/// Virtual seconds per wall second while 100 Deployments of 5 replicas and 4,500 bare
/// pods (5,000 pods: the ReplicaSet controller stops at 500 per cluster) are created,
/// scheduled, pulled and started: the clock moves in one-second steps, as the
/// browser's timer moves it, until every pod runs; then ten minutes of steady state.
fn throughput(quick: bool) -> Value {
    let (deployments, replicas, bulk) = if quick { (10, 5, 450) } else { (100, 5, 4_500) };
    let workers = (deployments * replicas + bulk) / 100 + 2;
    let config = ClusterConfig {
        topology: Topology { workers, ..Topology::default() },
        command_step: Duration::zero(),
        ..ClusterConfig::default()
    };
    let mut sim = Simulator::new(config);
    let started = Instant::now();
    for i in 0..deployments {
        let line = format!("kubectl create deployment app{i} --image=nginx --replicas={replicas}");
        check(&sim.run_line(&line), &line);
    }
    check(&sim.run_line("kubectl create namespace bulk"), "kubectl create namespace bulk");
    add_bulk_pods(&mut sim, bulk, workers);
    let create_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut virtual_seconds = 0;
    let pods = deployments * replicas + bulk;
    while running_pods(&sim) < pods && virtual_seconds < 600 {
        sim.advance_by_millis(1000);
        virtual_seconds += 1;
    }
    let converge_wall = started.elapsed().as_secs_f64();
    // Then a steady state: nothing left to do but the clock (and whatever
    // controllers still wake up for) for ten virtual minutes.
    let started = Instant::now();
    for _ in 0..600 {
        sim.advance_by_millis(1000);
    }
    let steady_wall = started.elapsed().as_secs_f64();
    json!({
        "deployments": deployments, "pods": pods, "running": running_pods(&sim),
        "create_wall_seconds": create_seconds,
        "converge_virtual_seconds": virtual_seconds, "converge_wall_seconds": converge_wall,
        "converge_virtual_per_wall": virtual_seconds as f64 / converge_wall.max(1e-9),
        "steady_virtual_seconds": 600, "steady_wall_seconds": steady_wall,
        "steady_virtual_per_wall": 600.0 / steady_wall.max(1e-9),
    })
}

/// Time to restore a saved simulator (the 10,000-pod cluster: its pods, events,
/// endpoints, ...), median of several restores.
fn restore(sim: &Simulator, quick: bool) -> Value {
    let config = sim.config().clone();
    let saved = sim_core::persist::save_simulator(sim);
    let objects = sim.cluster.store.len();
    let mut samples = Vec::new();
    for _ in 0..if quick { 2 } else { 7 } {
        let started = Instant::now();
        let restored = sim_core::persist::restore_simulator(&saved, config.clone());
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        if let Err(error) = restored {
            eprintln!("bench: restore failed: {error}");
            std::process::exit(1);
        }
    }
    let started = Instant::now();
    let _ = sim_core::persist::save_simulator(sim);
    let save_ms = started.elapsed().as_secs_f64() * 1000.0;
    // Heap of one restored simulator, and the peak above what was live before (the
    // saved text included) while restoring it.
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    PEAK_BYTES.store(before, Ordering::Relaxed);
    let restored = sim_core::persist::restore_simulator(&saved, config);
    let heap_bytes = LIVE_BYTES.load(Ordering::Relaxed).saturating_sub(before);
    let peak_bytes = PEAK_BYTES.load(Ordering::Relaxed).saturating_sub(before);
    drop(restored);
    json!({
        "objects": objects, "bytes": saved.len(), "restore_median_ms": percentile(&mut samples, 50.0), "save_ms": save_ms,
        "heap_bytes": heap_bytes, "restore_peak_bytes": peak_bytes,
    })
}

/// What a restored simulator of `pods` pods holds (native heap bytes): in all, at the
/// peak of restoring it, and per kind (each object's own heap, measured by cloning it,
/// plus its inline size in the store's map). `--only memory [--sizes N,...]`; not part
/// of `cargo xtask bench`'s default run (the figures are in BENCHMARKS.md's notes).
fn memory(pods: usize) -> Value {
    let started = Instant::now();
    let (sim, _) = cluster_with_pods(pods);
    let built_seconds = started.elapsed().as_secs_f64();
    let config = sim.config().clone();
    let saved = sim_core::persist::save_simulator(&sim);
    let live_sim = LIVE_BYTES.load(Ordering::Relaxed);
    drop(sim);
    let built_heap = live_sim.saturating_sub(LIVE_BYTES.load(Ordering::Relaxed));
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    PEAK_BYTES.store(before, Ordering::Relaxed);
    let restored = match sim_core::persist::restore_simulator(&saved, config) {
        Ok(sim) => sim,
        Err(error) => {
            eprintln!("bench: restore failed: {error}");
            std::process::exit(1);
        }
    };
    let heap_bytes = LIVE_BYTES.load(Ordering::Relaxed).saturating_sub(before);
    let peak_bytes = PEAK_BYTES.load(Ordering::Relaxed).saturating_sub(before);
    let inline = std::mem::size_of::<sim_core::store::Object>();
    let mut kinds: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for object in restored.cluster.store.all() {
        let before = LIVE_BYTES.load(Ordering::Relaxed);
        let copy = object.clone();
        let bytes = LIVE_BYTES.load(Ordering::Relaxed).saturating_sub(before);
        drop(copy);
        let entry = kinds.entry(format!("{:?}", object.kind())).or_default();
        entry.0 += 1;
        entry.1 += bytes + inline;
    }
    let per_kind: serde_json::Map<String, Value> = kinds
        .into_iter()
        .map(|(kind, (count, bytes))| (kind, json!({"count": count, "bytes": bytes, "bytes_per_object": bytes / count.max(1)})))
        .collect();
    json!({
        "pods": pods, "objects": restored.cluster.store.len(), "built_seconds": built_seconds,
        "saved_bytes": saved.len(), "built_heap_bytes": built_heap,
        "restored_heap_bytes": heap_bytes, "restore_peak_bytes": peak_bytes,
        "object_inline_bytes": inline, "per_kind": per_kind, "type_sizes": type_sizes(),
    })
}

/// The inline sizes of the typed structs a stored object is made of: every `Vec` of
/// them allocates this much per element, every `Option` of them holds it even when None.
fn type_sizes() -> Value {
    use k8s_openapi::api::core::v1 as core;
    use std::mem::size_of;
    json!({
        "Pod": size_of::<core::Pod>(), "PodSpec": size_of::<core::PodSpec>(), "PodStatus": size_of::<core::PodStatus>(),
        "Container": size_of::<core::Container>(), "ContainerStatus": size_of::<core::ContainerStatus>(),
        "Volume": size_of::<core::Volume>(), "VolumeProjection": size_of::<core::VolumeProjection>(),
        "VolumeMount": size_of::<core::VolumeMount>(), "Toleration": size_of::<core::Toleration>(),
        "PodCondition": size_of::<core::PodCondition>(), "ObjectMeta": size_of::<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>(),
        "Event": size_of::<core::Event>(), "Node": size_of::<core::Node>(), "Service": size_of::<core::Service>(),
        "Deployment": size_of::<k8s_openapi::api::apps::v1::Deployment>(), "ReplicaSet": size_of::<k8s_openapi::api::apps::v1::ReplicaSet>(),
        "ConfigMap": size_of::<core::ConfigMap>(), "Endpoints": size_of::<core::Endpoints>(),
    })
}

/// In-process time of the two commands compared with real kubectl (whose own figure
/// is a whole process, so xtask also times `kubesim run` as a process).
fn dry_run(iterations: usize) -> Value {
    let mut sim = Simulator::new(ClusterConfig { command_step: Duration::zero(), ..ClusterConfig::default() });
    let mut results = Vec::new();
    for line in DRY_RUNS {
        let mut samples = Vec::new();
        for _ in 0..iterations {
            let started = Instant::now();
            let output = sim.run_line(line);
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            check(&output, line);
        }
        results.push(json!({"line": line, "median_ms": percentile(&mut samples, 50.0)}));
    }
    let mut samples = Vec::new();
    for _ in 0..iterations.min(50) {
        let started = Instant::now();
        let sim = Simulator::new(ClusterConfig::default());
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(sim);
    }
    json!({"commands": results, "new_simulator_median_ms": percentile(&mut samples, 50.0)})
}

pub const DRY_RUNS: &[&str] = &[
    "kubectl create deployment web --image=nginx --replicas=3 --dry-run=client -o yaml",
    "kubectl create service nodeport web --tcp=80:8080 --dry-run=client -o yaml",
];

/// Nearest-rank percentile (p99 of 30 samples is the largest).
fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    if samples.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples.get(rank.saturating_sub(1).min(samples.len() - 1)).copied().unwrap_or(f64::NAN)
}
