// Browser benchmarks, run by `cargo xtask bench` (not a test: it prints one JSON
// document on stdout and never fails on a figure; the budgets are judged by xtask).
//
// - Time to first prompt: navigation start to `performance.mark("kubesim-ready")`,
//   which crates/web/src/components/terminal_pane.rs sets once the prompt is written
//   and keys reach the session. Each load is cold: a fresh Chromium profile (no HTTP
//   cache, no cached wasm compilation). Served from 127.0.0.1 (KUBESIM_SITE_URL) and
//   from file:// (KUBESIM_OFFLINE_PAGE).
// - Command latency inside the page: `window.kubesimBenchRun(line)` (the same file)
//   runs a line as if typed and Enter pressed; it is timed with performance.now()
//   around the call, so the figure is the simulator, the session and the write to
//   xterm.js (whose parsing and painting then happen on the next frame).
// - Memory: `window.kubesimMemoryBytes()`, the wasm linear memory (which never shrinks:
//   each figure is the most the page has taken so far): after load, right after the
//   10,000-pod state is restored, and after the commands ran on it.
//
// - The clusters are the ones examples/bench.rs saved (KUBESIM_BENCH_STATES/state-N.json),
//   restored in the page with `window.kubesimBenchRestore(state)`.
//
// Environment: KUBESIM_SITE_URL, KUBESIM_OFFLINE_PAGE, KUBESIM_CHROMIUM, KUBESIM_BENCH_STATES,
// KUBESIM_BENCH_LOADS (cold loads per origin, default 10), KUBESIM_BENCH_QUICK=1.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS } from "./chromium.mjs";


const QUICK = process.env.KUBESIM_BENCH_QUICK === "1";
const LOADS = Number(process.env.KUBESIM_BENCH_LOADS ?? (QUICK ? 3 : 10));

// The same commands as crates/sim-core/examples/bench.rs.
const COMMANDS = [
  ["get pods -A", "kubectl get pods -A"],
  ["get svc -o wide", "kubectl get svc -o wide"],
  ["describe svc", "kubectl describe svc web"],
  ["apply -f (3 objects)", "kubectl apply -f shop.yaml"],
  ["curl NodePort", "curl -s http://NODE_IP:NODE_PORT/"],
];

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through cargo xtask bench`);
  return value;
}

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "kubesim-bench-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: env("KUBESIM_CHROMIUM"),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1000, height: 640 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, errors, close };
}

/** Navigation start to the kubesim-ready mark, in ms, for one cold load. */
async function firstPrompt(url) {
  const { page, errors, close } = await launch();
  try {
    await page.goto(url);
    await page.waitForFunction(() => performance.getEntriesByName("kubesim-ready").length > 0, null, {
      timeout: 30000,
    });
    if (errors.length) throw new Error(errors.join("\n"));
    return await page.evaluate(() => performance.getEntriesByName("kubesim-ready")[0].startTime);
  } finally {
    await close();
  }
}

function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank - 1, 0), sorted.length - 1)];
}

const median = (samples) => percentile(samples, 50);

/** Runs `line` through the page's hook; returns [elapsed ms, terminal reply]. */
async function run(page, line) {
  return page.evaluate((line) => {
    const started = performance.now();
    const reply = window.kubesimBenchRun(line);
    return [performance.now() - started, reply];
  }, line);
}

/** Strips the terminal's \r, ANSI sequences and the echoed prompt from a reply. */
const plain = (reply) => reply.replace(/\r/g, "").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

/** The first line of a command's output. */
async function firstLine(page, line) {
  return plain((await run(page, `${line}; echo`))[1]).split("\n")[1].trim();
}

async function latency() {
  const { page, errors, close } = await launch();
  const results = [];
  const memory = {};
  try {
    // The benchmark hooks exist only with the page's test flag (terminal_pane.rs).
    await page.goto(`${env("KUBESIM_SITE_URL")}?test=1`);
    await page.waitForFunction(() => typeof window.kubesimBenchRun === "function", null, { timeout: 30000 });
    memory.after_load_bytes = await page.evaluate(() => window.kubesimMemoryBytes());
    if (!(await page.evaluate(() => typeof window.kubesimBenchRestore === "function"))) {
      throw new Error("this build has no window.kubesimBenchRestore: rebuild dist/");
    }
    for (const pods of [100, 1000, 10000]) {
      // The cluster examples/bench.rs built and saved (its workers, its bulk pods,
      // the web NodePort Service and shop.yaml), restored into the page.
      const path = join(env("KUBESIM_BENCH_STATES"), `state-${pods}.json`);
      if (!existsSync(path)) continue;
      const state = readFileSync(path, "utf8");
      // The hook reads the string in pieces (it stays in the JavaScript heap, never whole
      // in wasm memory) and drops the page's previous cluster first.
      const error = await page.evaluate((state) => window.kubesimBenchRestore(state), state);
      if (error) throw new Error(`restoring ${path}: ${error}`);
      if (pods === 10000) memory.at_10000_pods_restored_bytes = await page.evaluate(() => window.kubesimMemoryBytes());
      const nodeIp = await firstLine(page, "kubectl get node kind-worker -o jsonpath='{.status.addresses[0].address}'");
      const nodePort = await firstLine(page, "kubectl get svc web -o jsonpath='{.spec.ports[0].nodePort}'");
      const count = Number(await firstLine(page, "kubectl get pods -A --no-headers | wc -l"));
      const iterations = QUICK ? 5 : pods === 10000 ? 30 : 100;
      for (const [name, template] of COMMANDS) {
        const line = template.replace("NODE_IP", nodeIp).replace("NODE_PORT", nodePort);
        const [, first] = await run(page, line);
        if (/error|not simulated|command not found/i.test(plain(first))) throw new Error(`${line}: ${plain(first)}`);
        const samples = [];
        for (let i = 0; i < iterations; i++) {
          samples.push((await run(page, line))[0]);
        }
        results.push({ pods, pods_listed: count, command: name, line, runs: iterations, median_ms: median(samples), p99_ms: percentile(samples, 99) });
      }
      if (pods === 10000) memory.at_10000_pods_bytes = await page.evaluate(() => window.kubesimMemoryBytes());
    }
    if (errors.length) throw new Error(errors.join("\n"));
    return { results, memory };
  } finally {
    await close();
  }
}

const report = { loads: LOADS, first_prompt: {} };
for (const [origin, url] of [
  ["http", env("KUBESIM_SITE_URL")],
  ["file", pathToFileURL(env("KUBESIM_OFFLINE_PAGE")).href],
]) {
  const samples = [];
  for (let i = 0; i < LOADS; i++) samples.push(await firstPrompt(url));
  report.first_prompt[origin] = { samples, median_ms: median(samples) };
}
try {
  Object.assign(report, await latency());
} catch (error) {
  // The load times above still count; xtask reports this and fails the budgets.
  report.latency_error = String(error.message ?? error);
}
console.log(JSON.stringify(report));
