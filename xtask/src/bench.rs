//! `cargo xtask bench`: kubesim's benchmarks and budgets, printed as a table and
//! written into BENCHMARKS.md (between the `bench:begin`/`bench:end` markers, so the
//! hand-written analysis below them survives a rerun).
//!
//! - Size: what the browser downloads (wasm, JS, CSS, HTML, fonts, lessons), raw,
//!   gzip (-9) and brotli (-q 11, Debian's `brotli`), for the site and the offline page.
//! - Native: `crates/sim-core/examples/bench.rs` in the release profile (latency at
//!   100/1,000/10,000 pods, reconcile throughput, restore time).
//! - Browser: `tests/browser/bench.mjs` in headless Chromium (time to first prompt
//!   over 127.0.0.1 and file://, latency and memory inside the page).
//! - Real kubectl against `kubesim run -`, both as whole processes, for two commands
//!   kubectl answers without a server.
//!
//! Budgets are judged here, PASS or FAIL per line; the command itself fails only when
//! a measurement could not be taken.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

use crate::offline::{gzip, Site, OFFLINE_PAGE};
use crate::{run, Failure};

const BEGIN: &str = "<!-- bench:begin (written by `cargo xtask bench`; edit outside the markers) -->";
const END: &str = "<!-- bench:end -->";

/// The budgets of issue #11.
const PAGE_GZIP_BUDGET: usize = 450 * 1000;
const FIRST_PROMPT_BUDGET_MS: f64 = 300.0;
const COMMAND_P99_BUDGET_MS: f64 = 16.0;
const GET_PODS_10K_BUDGET_MS: f64 = 50.0;
const MEMORY_BUDGET_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// Commands real kubectl answers without a server, compared with kubesim.
const DRY_RUNS: [&str; 2] = [
    "kubectl create deployment web --image=nginx --replicas=3 --dry-run=client -o yaml",
    "kubectl create service nodeport web --tcp=80:8080 --dry-run=client -o yaml",
];

pub struct Options {
    pub quick: bool,
    /// Use the existing dist/ instead of building it.
    pub no_build: bool,
    /// Skip the per-crate cost of the wasm (it needs a second link of the wasm).
    pub no_crates: bool,
    /// Native figures from the dev profile (opt-level 1, already built by the tests)
    /// instead of a release build: quicker to get, slower figures.
    pub dev: bool,
}

pub fn parse_options(args: &[&str]) -> Option<Options> {
    let mut options = Options { quick: false, no_build: false, no_crates: false, dev: false };
    for arg in args {
        match *arg {
            "--quick" => options.quick = true,
            "--no-build" => options.no_build = true,
            "--no-crates" => options.no_crates = true,
            "--dev" => options.dev = true,
            _ => return None,
        }
    }
    Some(options)
}

pub fn bench(root: &Path, options: &Options) -> Result<(), Failure> {
    let started = Instant::now();
    ensure_brotli()?;
    if !options.no_build {
        crate::setup::ensure_build_tools(root)?;
        crate::build(root)?;
    }
    let dist = root.join("dist");
    let sizes = sizes(&dist)?;
    let costs = if options.no_crates { None } else { named_wasm_costs(root)? };

    let profile = if options.dev { "dev" } else { "release" };
    let native_dir = root.join("target").join(if options.dev { "debug" } else { "release" });
    println!("xtask: building the native benchmark and kubesim ({profile} profile)");
    // One cargo invocation, so both see the same features of sim-core's dependencies
    // (two would rebuild sim-core for each).
    run(Command::new("cargo")
        .args(["build", "--profile", profile, "-q", "-p", "sim-core", "-p", "kubesim-cli", "--bins", "--example", "bench"])
        .current_dir(root))?;
    println!("xtask: native benchmark");
    let states = root.join("target/bench");
    std::fs::create_dir_all(&states).map_err(|e| Failure(format!("{}: {e}", states.display())))?;
    let mut native_cmd = Command::new(native_dir.join("examples/bench"));
    native_cmd.arg("--states").arg(&states);
    if options.quick {
        native_cmd.arg("--quick");
    }
    let native = json_output(&mut native_cmd)?;
    println!("xtask: real kubectl against kubesim");
    let versus = versus_kubectl(&native_dir.join("kubesim"), if options.quick { 3 } else { 20 })?;

    crate::setup::ensure_browser()?;
    println!("xtask: browser benchmark (headless Chromium)");
    let addr = crate::serve::spawn("127.0.0.1:0", dist.clone(), "/".to_string())
        .map_err(|e| Failure(format!("cannot start the server: {e}")))?;
    // A browser failure (no Chromium, a page error) still leaves the other figures;
    // its budgets then read FAIL, "not measured".
    let browser = json_output(
        Command::new("node")
            .arg("tests/browser/bench.mjs")
            .current_dir(root)
            .env("KUBESIM_SITE_URL", format!("http://{addr}/"))
            .env("KUBESIM_OFFLINE_PAGE", dist.join(OFFLINE_PAGE))
            .env("KUBESIM_CHROMIUM", crate::CHROMIUM)
            .env("KUBESIM_BENCH_STATES", &states)
            .env("KUBESIM_BENCH_QUICK", if options.quick { "1" } else { "0" }),
    )
    .unwrap_or_else(|Failure(why)| {
        eprintln!("xtask: the browser benchmark failed: {why}");
        serde_json::json!({ "error": why })
    });

    // The raw figures, beside the saved states, for anyone who wants more than the table.
    let _ = std::fs::write(states.join("native.json"), native.to_string());
    let _ = std::fs::write(states.join("browser.json"), browser.to_string());
    let mut report = render(&machine(options), &sizes, &native, &browser, &versus);
    if let Some(costs) = &costs {
        report.push_str(&render_costs(costs));
    }
    println!("\n{report}");
    write_benchmarks_md(root, &report)?;
    println!("xtask: wrote BENCHMARKS.md in {:.0?}", started.elapsed());
    Ok(())
}

fn ensure_brotli() -> Result<(), Failure> {
    if Command::new("brotli").arg("--version").output().is_ok() {
        return Ok(());
    }
    println!("xtask: installing Debian's brotli (apt-get)");
    run(Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "brotli"]).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Runs a command that prints one JSON document on stdout (stderr passes through).
fn json_output(command: &mut Command) -> Result<Value, Failure> {
    let shown = format!("{command:?}");
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure(format!("cannot run {shown}: {e}")))?;
    if !output.status.success() {
        return Err(Failure(format!("{shown} failed ({})", output.status)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let last = text.lines().rev().find(|l| l.starts_with('{')).unwrap_or_default();
    serde_json::from_str(last).map_err(|e| Failure(format!("{shown}: not JSON ({e}): {text}")))
}

// ---------------------------------------------------------------------------------
// Size

struct SizeRow {
    kind: &'static str,
    files: Vec<String>,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

struct Sizes {
    site: Vec<SizeRow>,
    offline: SizeRow,
}

fn sizes(dist: &Path) -> Result<Sizes, Failure> {
    let site = Site::read(dist)?;
    let mut js = site.classic_scripts.clone();
    js.push(site.bindings_js.clone());
    let listing: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| Failure(format!("{}: {e}", dist.display())))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    let with = |suffixes: &[&str]| -> Vec<String> {
        listing.iter().filter(|name| suffixes.iter().any(|s| name.ends_with(s))).cloned().collect()
    };
    let groups: [(&'static str, Vec<String>); 6] = [
        ("wasm", vec![site.wasm.clone()]),
        ("js", js),
        ("css", site.stylesheets.clone()),
        ("html", vec!["index.html".to_string()]),
        // The terminal uses the system's monospace fonts and the course is compiled
        // into the wasm: both rows are empty today, and would show what a change adds.
        ("fonts", with(&[".woff", ".woff2", ".ttf", ".otf"])),
        ("lessons", with(&[".md", ".lesson"])),
    ];
    let mut rows = Vec::new();
    for (kind, files) in groups {
        rows.push(size_row(dist, kind, files)?);
    }
    let offline = size_row(dist, "offline", vec![OFFLINE_PAGE.to_string()])?;
    Ok(Sizes { site: rows, offline })
}

fn size_row(dist: &Path, kind: &'static str, files: Vec<String>) -> Result<SizeRow, Failure> {
    let (mut raw, mut gzipped, mut brotli) = (0, 0, 0);
    for file in &files {
        let path = dist.join(file);
        let bytes = std::fs::read(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        raw += bytes.len();
        gzipped += gzip(&bytes).len();
        brotli += brotli_size(&path)?;
    }
    Ok(SizeRow { kind, files, raw, gzip: gzipped, brotli })
}

fn brotli_size(path: &Path) -> Result<usize, Failure> {
    let output = Command::new("brotli")
        .args(["-c", "-q", "11"])
        .arg(path)
        .output()
        .map_err(|e| Failure(format!("cannot run brotli: {e}")))?;
    if !output.status.success() {
        return Err(Failure(format!("brotli {} failed", path.display())));
    }
    Ok(output.stdout.len())
}

// ---------------------------------------------------------------------------------
// Real kubectl against kubesim

struct Versus {
    line: String,
    kubectl_ms: f64,
    kubesim_ms: f64,
    same_output: bool,
}

/// Median wall time of `runs` whole processes each: real kubectl, and `kubesim run -`
/// with the line on stdin (which starts a cluster, runs the line, prints a transcript).
fn versus_kubectl(kubesim: &Path, runs: usize) -> Result<Vec<Versus>, Failure> {
    let mut rows = Vec::new();
    for line in DRY_RUNS {
        let args: Vec<&str> = line.split(' ').skip(1).collect();
        let mut kubectl_samples = Vec::new();
        let mut kubectl_out = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            let output = Command::new("kubectl")
                .args(&args)
                .output()
                .map_err(|e| Failure(format!("cannot run kubectl: {e}")))?;
            kubectl_samples.push(started.elapsed().as_secs_f64() * 1000.0);
            kubectl_out = output.stdout;
        }
        let mut kubesim_samples = Vec::new();
        let mut kubesim_out = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            let mut child = Command::new(kubesim)
                .args(["run", "-"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| Failure(format!("cannot run {}: {e}", kubesim.display())))?;
            if let Some(mut stdin) = child.stdin.take() {
                let _ = writeln!(stdin, "{line}");
            }
            let output = child.wait_with_output().map_err(|e| Failure(format!("kubesim: {e}")))?;
            kubesim_samples.push(started.elapsed().as_secs_f64() * 1000.0);
            kubesim_out = output.stdout;
        }
        let kubectl_text = String::from_utf8_lossy(&kubectl_out).to_string();
        let kubesim_text = String::from_utf8_lossy(&kubesim_out).to_string();
        rows.push(Versus {
            line: line.to_string(),
            kubectl_ms: median(&mut kubectl_samples),
            kubesim_ms: median(&mut kubesim_samples),
            same_output: !kubectl_text.is_empty() && kubesim_text.contains(&kubectl_text),
        });
    }
    Ok(rows)
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------------------------
// The report

fn machine(options: &Options) -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| "unknown".to_string());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let ram = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".to_string());
    let nproc = std::thread::available_parallelism().map(|n| n.to_string()).unwrap_or_else(|_| "unknown".into());
    let first_line = |program: &str, args: &[&str]| -> String {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
            .unwrap_or_else(|| "unknown".to_string())
    };
    let command = if options.quick { "cargo xtask bench --quick" } else { "cargo xtask bench" };
    vec![
        ("date".into(), first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"])),
        ("command".into(), format!("`{command}{}{}{}`", if options.no_build { " --no-build" } else { "" }, if options.no_crates { " --no-crates" } else { "" }, if options.dev { " --dev" } else { "" })),
        ("native profile".into(), if options.dev { "dev (opt-level 1, debug assertions): slower than a release build".into() } else { "release (opt-level \"z\", fat LTO, as the wasm)".into() }),
        ("commit".into(), first_line("git", &["rev-parse", "--short", "HEAD"])),
        ("machine".into(), format!("nproc {nproc}, {cpu}, {ram} RAM")),
        ("load".into(), first_line("cat", &["/proc/loadavg"])),
        ("rustc".into(), first_line("rustc", &["--version"])),
        ("browser".into(), first_line(crate::CHROMIUM, &["--version"])),
        ("kubectl".into(), first_line("kubectl", &["version", "--client"])),
    ]
}

struct Budget {
    what: String,
    figure: String,
    pass: bool,
}

fn render(machine: &[(String, String)], sizes: &Sizes, native: &Value, browser: &Value, versus: &[Versus]) -> String {
    let mut md = String::new();
    let mut budgets = Vec::new();
    let _ = writeln!(md, "## Run");
    let _ = writeln!(md);
    for (key, value) in machine {
        let _ = writeln!(md, "- {key}: {value}");
    }
    let _ = writeln!(md, "- note: the machine is shared with other builds; timings are noisy, medians are the figures to trust.");

    let _ = writeln!(md, "\n## Size (bytes a browser downloads)\n");
    let _ = writeln!(md, "| part | raw | gzip -9 | brotli -q 11 | files |");
    let _ = writeln!(md, "|---|---:|---:|---:|---|");
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for row in &sizes.site {
        raw += row.raw;
        gz += row.gzip;
        br += row.brotli;
        let files = if row.files.is_empty() { "(none)".to_string() } else { row.files.join(" ") };
        let _ = writeln!(md, "| {} | {} | {} | {} | {} |", row.kind, kib(row.raw), kib(row.gzip), kib(row.brotli), files);
    }
    let _ = writeln!(md, "| **site total** | {} | {} | {} | |", kib(raw), kib(gz), kib(br));
    let o = &sizes.offline;
    let _ = writeln!(md, "| offline page | {} | {} | {} | {} |", kib(o.raw), kib(o.gzip), kib(o.brotli), OFFLINE_PAGE);
    budgets.push(Budget {
        what: "page ≤ 450 KB gzipped (site, incl. xterm.js)".into(),
        figure: format!("{} KB gzip ({} KB brotli)", gz / 1000, br / 1000),
        pass: gz <= PAGE_GZIP_BUDGET,
    });

    if let Some(error) = browser["latency_error"].as_str() {
        let _ = writeln!(md, "\n**The browser latency benchmark failed:** {error}");
    }
    if let Some(error) = browser["error"].as_str() {
        let _ = writeln!(md, "\n**The browser benchmark failed:** {error}");
    }
    let _ = writeln!(md, "\n## Time to first prompt (headless Chromium, cold loads)\n");
    let _ = writeln!(md, "| origin | median | loads (ms) |");
    let _ = writeln!(md, "|---|---:|---|");
    for (origin, label) in [("http", "http://127.0.0.1 (site)"), ("file", "file:// (offline page)")] {
        let entry = &browser["first_prompt"][origin];
        let samples: Vec<String> =
            entry["samples"].as_array().map(|a| a.iter().map(|v| format!("{:.0}", v.as_f64().unwrap_or(f64::NAN))).collect()).unwrap_or_default();
        let _ = writeln!(md, "| {label} | {} | {} |", ms(&entry["median_ms"]), samples.join(" "));
    }
    let http = browser["first_prompt"]["http"]["median_ms"].as_f64().unwrap_or(f64::INFINITY);
    budgets.push(Budget {
        what: "first prompt < 300 ms served locally (median)".into(),
        figure: format!("{http:.0} ms"),
        pass: http < FIRST_PROMPT_BUDGET_MS,
    });

    let _ = writeln!(md, "\n## Command latency (median / p99, ms)\n");
    let _ = writeln!(md, "Browser: inside the page, `window.kubesimBenchRun` (simulator + terminal session + write to xterm.js); the clusters are the ones the native run built, saved and restored into the page. Native: `examples/bench.rs` in-process (profile above), one worker per 100 pods so every pod runs.\n");
    let _ = writeln!(md, "| command | pods | browser median | browser p99 | native median | native p99 |");
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|");
    let empty = Vec::new();
    let browser_rows = browser["results"].as_array().unwrap_or(&empty);
    let native_rows = native["latency"].as_array().unwrap_or(&empty);
    let mut worst_1000: (f64, String) = (0.0, String::new());
    let mut get_pods_10k = None;
    // One row per native measurement, with the page's figure beside it when there is one.
    for n in native_rows.iter().filter(|n| n.get("command").is_some()) {
        let (pods, command) = (n["pods"].as_u64().unwrap_or(0), n["command"].as_str().unwrap_or(""));
        let b = browser_rows.iter().find(|b| b["pods"].as_u64() == Some(pods) && b["command"].as_str() == Some(command));
        let null = Value::Null;
        let b = b.unwrap_or(&null);
        let _ = writeln!(md, "| `{command}` | {pods} | {} | {} | {} | {} |", ms(&b["median_ms"]), ms(&b["p99_ms"]), ms(&n["median_ms"]), ms(&n["p99_ms"]));
        let p99 = b["p99_ms"].as_f64().unwrap_or(f64::INFINITY);
        if pods == 1000 && p99 >= worst_1000.0 {
            worst_1000 = (p99, command.to_string());
        }
        if pods == 10000 && command == "get pods -A" {
            get_pods_10k = Some(Budget {
                what: "`get pods -A` < 50 ms with 10,000 pods (browser p99)".into(),
                figure: format!("{p99:.1} ms (median {})", ms(&b["median_ms"])),
                pass: p99 < GET_PODS_10K_BUDGET_MS,
            });
        }
    }
    budgets.push(Budget {
        what: "every course command < 16 ms p99 with 1,000 pods (browser)".into(),
        figure: format!("worst {:.1} ms (`{}`)", worst_1000.0, worst_1000.1),
        pass: worst_1000.0 < COMMAND_P99_BUDGET_MS && !browser_rows.is_empty(),
    });
    budgets.push(get_pods_10k.unwrap_or(Budget {
        what: "`get pods -A` < 50 ms with 10,000 pods (browser p99)".into(),
        figure: "not measured".into(),
        pass: false,
    }));
    for n in native_rows.iter().filter(|n| n.get("setup_seconds").is_some()) {
        let _ = writeln!(
            md,
            "\nNative cluster of {} pods: {} objects, built (created, scheduled, running) in {:.1} s.",
            n["pods"], n["objects"], n["setup_seconds"].as_f64().unwrap_or(f64::NAN)
        );
    }

    let t = &native["throughput"];
    let r = &native["restore"];
    let _ = writeln!(md, "\n## Simulation (native)\n");
    let _ = writeln!(md, "| what | figure |");
    let _ = writeln!(md, "|---|---:|");
    let _ = writeln!(md, "| create {} Deployments ({} pods) | {:.2} s wall |", t["deployments"], t["pods"], t["create_wall_seconds"].as_f64().unwrap_or(f64::NAN));
    let _ = writeln!(
        md,
        "| reconcile until all {} run ({} of {} running) | {} virtual s in {:.2} wall s = **{:.0} virtual s per wall s** |",
        t["pods"], t["running"], t["pods"], t["converge_virtual_seconds"], t["converge_wall_seconds"].as_f64().unwrap_or(f64::NAN),
        t["converge_virtual_per_wall"].as_f64().unwrap_or(f64::NAN)
    );
    let _ = writeln!(
        md,
        "| steady state, {} pods, 1 s clock steps | {} virtual s in {:.2} wall s = **{:.0} virtual s per wall s** |",
        t["pods"], t["steady_virtual_seconds"], t["steady_wall_seconds"].as_f64().unwrap_or(f64::NAN), t["steady_virtual_per_wall"].as_f64().unwrap_or(f64::NAN)
    );
    let _ = writeln!(md, "| restore a saved simulator of {} objects ({}) | **{} median** (save {}) |", r["objects"], kib(r["bytes"].as_u64().unwrap_or(0) as usize), ms(&r["restore_median_ms"]), ms(&r["save_ms"]));
    if let (Some(heap), Some(peak)) = (r["heap_bytes"].as_f64(), r["restore_peak_bytes"].as_f64()) {
        let _ = writeln!(md, "| native heap of that restored simulator (peak while restoring, beyond the saved text) | {} ({}) |", mib(heap), mib(peak));
    }

    let _ = writeln!(md, "\n## Memory (wasm linear memory in the page)\n");
    let after = browser["memory"]["after_load_bytes"].as_f64().unwrap_or(f64::NAN);
    let at_10k = browser["memory"]["at_10000_pods_bytes"].as_f64().unwrap_or(f64::INFINITY);
    // Restored: right after `kubesimBenchRestore` (the state read from a JavaScript
    // string in pieces); then after the benchmark's commands ran on it (the budget's
    // figure: wasm memory never shrinks, so this is the most the page took).
    let restored = browser["memory"]["at_10000_pods_restored_bytes"].as_f64().unwrap_or(f64::NAN);
    let _ = writeln!(md, "| after load | 10,000 pods restored | after the commands at 10,000 pods |");
    let _ = writeln!(md, "|---:|---:|---:|");
    let _ = writeln!(md, "| {} | {} | {} |", mib(after), mib(restored), mib(at_10k));
    budgets.push(Budget { what: "memory < 64 MB at 10,000 pods".into(), figure: mib(at_10k), pass: at_10k < MEMORY_BUDGET_BYTES });

    let _ = writeln!(md, "\n## Real kubectl against kubesim (whole processes, median wall time)\n");
    let _ = writeln!(md, "`kubesim run -` starts a cluster, runs the line and prints a transcript; its output must contain kubectl's byte for byte. In-process, kubesim takes the \"in-process\" figure.\n");
    let _ = writeln!(md, "| command | kubectl | kubesim | kubectl / kubesim | in-process | same output |");
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---|");
    let in_process = native["dry_run"]["commands"].as_array().unwrap_or(&empty);
    for v in versus {
        let inside = in_process.iter().find(|c| c["line"].as_str() == Some(&v.line)).map(|c| ms(&c["median_ms"])).unwrap_or_default();
        let _ = writeln!(
            md,
            "| `{}` | {:.1} ms | {:.1} ms | **{:.1}×** | {} | {} |",
            v.line, v.kubectl_ms, v.kubesim_ms, v.kubectl_ms / v.kubesim_ms, inside, if v.same_output { "yes" } else { "NO" }
        );
    }
    let _ = writeln!(md, "\nA new simulator (a fresh kind cluster) takes {} in-process.", ms(&native["dry_run"]["new_simulator_median_ms"]));

    let mut head = String::from("## Budgets\n\n| budget | figure | result |\n|---|---|---|\n");
    for b in &budgets {
        let _ = writeln!(head, "| {} | {} | {} |", b.what, b.figure, if b.pass { "PASS" } else { "**FAIL**" });
    }
    format!("{head}\n{md}")
}

fn ms(value: &Value) -> String {
    match value.as_f64() {
        Some(v) if v < 10.0 => format!("{v:.2} ms"),
        Some(v) => format!("{v:.1} ms"),
        None => "n/a".to_string(),
    }
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn mib(bytes: f64) -> String {
    if bytes.is_finite() {
        format!("{:.1} MiB", bytes / 1024.0 / 1024.0)
    } else {
        "n/a".to_string()
    }
}

/// Replaces the generated part of BENCHMARKS.md (or writes the file).
fn write_benchmarks_md(root: &Path, report: &str) -> Result<(), Failure> {
    let path = root.join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = format!("{BEGIN}\n{report}{END}");
    let text = match (old.find(BEGIN), old.find(END)) {
        (Some(begin), Some(end)) if begin < end => format!("{}{generated}{}", &old[..begin], &old[end + END.len()..]),
        _ => format!("# Benchmarks\n\nRun `cargo xtask bench` (see README.md) to refresh the figures below.\n\n{generated}\n{old}"),
    };
    std::fs::write(&path, text).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

// ---------------------------------------------------------------------------------
// What each crate costs in the wasm

/// Links the web app's wasm once more with its name section kept (the release profile
/// strips it) and reads what each crate's functions cost. The shipped wasm is the
/// same code without the names.
/// `cargo xtask crate-costs [WASM]`: the per-crate table of a wasm linked with its
/// names (by default the one `bench` keeps, `target/bench/kubesim-web-with-names.wasm`).
pub fn crate_costs_command(root: &Path, wasm: Option<&Path>) -> Result<(), Failure> {
    let path = wasm.map_or_else(|| root.join("target/bench/kubesim-web-with-names.wasm"), Path::to_path_buf);
    let bytes = std::fs::read(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let costs = crate_costs(&bytes).ok_or_else(|| Failure(format!("{}: no name section to read", path.display())))?;
    print!("{}", render_costs(&costs));
    Ok(())
}

fn named_wasm_costs(root: &Path) -> Result<Option<CrateCosts>, Failure> {
    println!("xtask: linking the wasm with names, for the per-crate costs");
    run(Command::new("cargo")
        .args(["rustc", "--release", "-q", "--target", "wasm32-unknown-unknown", "-p", "kubesim-web", "--bin", "kubesim-web", "--", "-C", "strip=none"])
        .current_dir(root))?;
    let built = root.join("target/wasm32-unknown-unknown/release/kubesim-web.wasm");
    let wasm = std::fs::read(&built).map_err(|e| Failure(format!("{}: {e}", built.display())))?;
    let kept = root.join("target/bench/kubesim-web-with-names.wasm");
    let _ = std::fs::create_dir_all(root.join("target/bench"));
    let _ = std::fs::write(&kept, &wasm);
    Ok(crate_costs(&wasm))
}

fn render_costs(costs: &CrateCosts) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "\n## What each crate costs in the wasm\n");
    let _ = writeln!(
        md,
        "Code bytes per crate from the wasm's name section (before wasm-bindgen), a monomorphised generic counted for its generic's crate and a trait impl for its type's; code {} in all, data section {}.\n",
        kib(costs.code_bytes),
        kib(costs.data_bytes)
    );
    let _ = writeln!(md, "| crate | code | share | functions |");
    let _ = writeln!(md, "|---|---:|---:|---:|");
    for (name, bytes, functions) in costs.crates.iter().take(20) {
        let share = 100.0 * *bytes as f64 / costs.code_bytes.max(1) as f64;
        let _ = writeln!(md, "| {name} | {} | {share:.1}% | {functions} |", kib(*bytes));
    }
    let _ = writeln!(md, "\nLargest functions:\n");
    let _ = writeln!(md, "| function | code |");
    let _ = writeln!(md, "|---|---:|");
    for (name, bytes) in &costs.largest {
        let shown: String = name.chars().take(140).collect();
        let _ = writeln!(md, "| `{}` | {} |", shown.replace('|', "\\|"), kib(*bytes));
    }
    md
}

/// Code bytes per crate in a wasm with a name section, largest first: (crate, bytes,
/// functions), plus the data section's size and the largest functions.
pub struct CrateCosts {
    pub crates: Vec<(String, usize, usize)>,
    pub code_bytes: usize,
    pub data_bytes: usize,
    pub largest: Vec<(String, usize)>,
}

pub fn leb(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let mut value = 0usize;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= usize::from(byte & 0x7f).checked_shl(shift)?;
        shift += 7;
        if byte < 0x80 {
            return Some(value);
        }
    }
}

fn skip_name(bytes: &[u8], at: &mut usize) -> Option<String> {
    let len = leb(bytes, at)?;
    let name = String::from_utf8_lossy(bytes.get(*at..*at + len)?).to_string();
    *at += len;
    Some(name)
}

fn skip_limits(bytes: &[u8], at: &mut usize) -> Option<()> {
    let flags = *bytes.get(*at)?;
    *at += 1;
    leb(bytes, at)?;
    if flags & 1 != 0 {
        leb(bytes, at)?;
    }
    Some(())
}

/// Reads the sections this needs: imports (to number functions), code, data, names.
pub fn crate_costs(wasm: &[u8]) -> Option<CrateCosts> {
    let mut at = 8;
    let mut imported = 0usize;
    let mut bodies: Vec<usize> = Vec::new();
    let mut names: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    let mut data_bytes = 0;
    while at < wasm.len() {
        let id = *wasm.get(at)?;
        at += 1;
        let size = leb(wasm, &mut at)?;
        let end = at + size;
        let mut p = at;
        match id {
            2 => {
                for _ in 0..leb(wasm, &mut p)? {
                    skip_name(wasm, &mut p)?;
                    skip_name(wasm, &mut p)?;
                    let kind = *wasm.get(p)?;
                    p += 1;
                    match kind {
                        0 => {
                            leb(wasm, &mut p)?;
                            imported += 1;
                        }
                        1 => {
                            p += 1;
                            skip_limits(wasm, &mut p)?;
                        }
                        2 => skip_limits(wasm, &mut p)?,
                        3 => p += 2,
                        _ => {
                            p += 1;
                            leb(wasm, &mut p)?;
                        }
                    }
                }
            }
            10 => {
                for _ in 0..leb(wasm, &mut p)? {
                    let body = leb(wasm, &mut p)?;
                    bodies.push(body);
                    p += body;
                }
            }
            11 => data_bytes = size,
            0 => {
                if skip_name(wasm, &mut p)? == "name" {
                    while p < end {
                        let sub = *wasm.get(p)?;
                        p += 1;
                        let sub_size = leb(wasm, &mut p)?;
                        let sub_end = p + sub_size;
                        if sub == 1 {
                            for _ in 0..leb(wasm, &mut p)? {
                                let index = leb(wasm, &mut p)?;
                                names.insert(index, skip_name(wasm, &mut p)?);
                            }
                        }
                        p = sub_end;
                    }
                }
            }
            _ => {}
        }
        at = end;
    }
    if names.is_empty() {
        return None;
    }
    let mut by_crate: std::collections::HashMap<String, (usize, usize)> = std::collections::HashMap::new();
    let mut largest = Vec::new();
    for (i, size) in bodies.iter().enumerate() {
        let name = names.get(&(imported + i)).map(|n| demangle(n)).unwrap_or_else(|| format!("function[{i}]"));
        let entry = by_crate.entry(crate_of(&name)).or_default();
        entry.0 += size;
        entry.1 += 1;
        largest.push((name, *size));
    }
    let mut crates: Vec<(String, usize, usize)> = by_crate.into_iter().map(|(k, (b, n))| (k, b, n)).collect();
    crates.sort_by(|a, b| b.1.cmp(&a.1));
    largest.sort_by(|a, b| b.1.cmp(&a.1));
    largest.truncate(15);
    Some(CrateCosts { crates, code_bytes: bodies.iter().sum(), data_bytes, largest })
}

/// A symbol as a path `crate::module::item`, enough for `crate_of` and for reading
/// the largest functions. rustc writes the name section with mangled symbols:
/// - legacy (`_ZN` length-prefixed segments `E`, with `$LT$`-style escapes and `..` for
///   `::`; the last segment, `h` and a 16-digit hash, is dropped);
/// - v0 (`_R...`, what the standard library is built with here): only its crate roots
///   (`C`, an optional `s<base62>_` disambiguator, a length and the crate's name) are
///   read, in order, as `crate::`, which is all the attribution needs.
/// Anything else is returned as it is.
pub fn demangle(symbol: &str) -> String {
    if let Some(rest) = symbol.strip_prefix("_ZN") {
        if let Some(path) = demangle_legacy(rest) {
            return path;
        }
    } else if let Some(rest) = symbol.strip_prefix("_R") {
        let crates = v0_crate_roots(rest);
        if !crates.is_empty() {
            return crates.iter().map(|c| format!("{c}::")).collect::<Vec<_>>().join(" ");
        }
    }
    symbol.to_string()
}

fn demangle_legacy(mut rest: &str) -> Option<String> {
    let mut segments = Vec::new();
    while !rest.starts_with('E') {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let len: usize = rest.get(..digits)?.parse().ok()?;
        let segment = rest.get(digits..digits + len)?;
        rest = &rest[digits + len..];
        segments.push(segment);
    }
    if segments.last().is_some_and(|s| s.len() == 17 && s.starts_with('h') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())) {
        segments.pop();
    }
    let decoded: Vec<String> = segments.iter().map(|s| unescape_legacy(if s.starts_with("_$") { &s[1..] } else { s })).collect();
    Some(decoded.join("::"))
}

/// `$LT$` → `<`, `$u20$` → ` `, `..` → `::` and the other escapes of legacy mangling.
fn unescape_legacy(segment: &str) -> String {
    let mut out = String::new();
    let mut rest = segment;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("..") {
            out.push_str("::");
            rest = after;
        } else if let Some(after) = rest.strip_prefix('$') {
            let Some(end) = after.find('$') else {
                out.push_str(rest);
                break;
            };
            let code = &after[..end];
            let text = match code {
                "LT" => Some('<'),
                "GT" => Some('>'),
                "RF" => Some('&'),
                "BP" => Some('*'),
                "C" => Some(','),
                "SP" => Some('@'),
                "LP" => Some('('),
                "RP" => Some(')'),
                _ => code.strip_prefix('u').and_then(|hex| u32::from_str_radix(hex, 16).ok()).and_then(char::from_u32),
            };
            match text {
                Some(c) => out.push(c),
                None => {
                    out.push('$');
                    out.push_str(code);
                    out.push('$');
                }
            }
            rest = &after[end + 1..];
        } else {
            let c = rest.chars().next().unwrap_or('.');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The crate names of a v0 symbol's crate roots, in the order they appear.
fn v0_crate_roots(symbol: &str) -> Vec<String> {
    let bytes = symbol.as_bytes();
    let mut crates = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'C' {
            let mut j = i + 1;
            if bytes.get(j) == Some(&b's') {
                j += 1;
                while bytes.get(j).is_some_and(u8::is_ascii_alphanumeric) {
                    j += 1;
                }
                if bytes.get(j) != Some(&b'_') {
                    i += 1;
                    continue;
                }
                j += 1;
            }
            let digits = bytes[j.min(bytes.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 {
                if let Ok(len) = symbol[j..j + digits].parse::<usize>() {
                    let start = j + digits + usize::from(bytes.get(j + digits) == Some(&b'_'));
                    if let Some(name) = symbol.get(start..start + len) {
                        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                            crates.push(name.to_string());
                            i = start + len;
                            continue;
                        }
                    }
                }
            }
        }
        i += 1;
    }
    crates
}

/// The crate a (demangled) function belongs to: the first path's crate that is not
/// the standard library's, so a monomorphised generic counts for the crate of its
/// generic (`serde_json::de::from_str<Pod>` is serde_json's) and a trait impl for its
/// type (`<Pod as serde::Deserialize>::deserialize` is k8s_openapi's).
fn crate_of(name: &str) -> String {
    let mut first_std = None;
    let bytes = name.as_bytes();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        let ident = b.is_ascii_alphanumeric() || b == b'_';
        match (start, ident) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                if name[i..].starts_with("::") && (s == 0 || !name[..s].ends_with("::")) {
                    let candidate = &name[s..i];
                    if matches!(candidate, "core" | "alloc" | "std" | "compiler_builtins") {
                        first_std.get_or_insert(candidate);
                    } else if !candidate.starts_with(|c: char| c.is_ascii_digit()) {
                        return candidate.to_string();
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
    match first_std {
        Some(_) => "core/alloc/std".to_string(),
        None if name.starts_with("function[") => "(unnamed)".to_string(),
        None => "(no path: runtime, wasm-bindgen glue)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{crate_of, demangle};

    #[test]
    fn legacy_symbols_name_their_crate() {
        let run_in = demangle("_ZN8sim_core7kubectl6run_in17h52d27abfc2ba8a29E");
        assert_eq!(run_in, "sim_core::kubectl::run_in");
        assert_eq!(crate_of(&run_in), "sim_core");
        let visit = demangle("_ZN96_$LT$k8s_openapi..v1_32..api..core..v1..volume..Volume$u20$as$u20$serde_core..ser..Serialize$GT$9serialize17h10184275bda9933aE");
        assert_eq!(visit, "<k8s_openapi::v1_32::api::core::v1::volume::Volume as serde_core::ser::Serialize>::serialize");
        assert_eq!(crate_of(&visit), "k8s_openapi");
    }

    #[test]
    fn v0_symbols_name_their_first_crate_outside_std() {
        let push = demangle("_RNvMNtCs5cOc02OMXlo_5alloc6stringNtB2_6String4push");
        assert_eq!(crate_of(&push), "core/alloc/std");
        let generic = demangle("_RINvNtCs5cOc02OMXlo_5alloc3vec4fromNtCs1a2b3c_8sim_core5StoreE");
        assert_eq!(crate_of(&generic), "sim_core");
        assert_eq!(demangle("__wbindgen_malloc"), "__wbindgen_malloc");
    }
}
