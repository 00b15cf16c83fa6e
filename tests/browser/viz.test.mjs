// Browser tests of the traffic-flow visualizer (crates/web/src/viz): after a NodePort
// Service and a deployment are applied in the terminal and curl reaches a node port,
// the SVG shows the trace's hops in order (asserted on its labelled elements:
// data-element, data-hop, aria-label), including the drop with
// externalTrafficPolicy: Local on a node without a local endpoint, the Cluster/Local
// comparison, stepping, a scale-up, and prefers-reduced-motion.
//
// Run by `cargo run -q -p xtask -- browser-test` like terminal.test.mjs (it passes
// KUBESIM_SITE_URL, KUBESIM_CHROMIUM and KUBESIM_SCREENSHOTS).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS } from "./chromium.mjs";


function env(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run the browser tests through ./dev test`);
  return value;
}

async function openPage(url, options = {}) {
  const profile = mkdtempSync(join(tmpdir(), "kubesim-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: env("KUBESIM_CHROMIUM"),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1600, height: 900 },
    ...options,
  });
  const problems = [];
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // The page puts its test hooks on window only with this flag (terminal_pane.rs).
  await context.addInitScript(() => localStorage.setItem("kubesim.test-hooks", "1"));
  await page.goto(url);
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, problems, close };
}

async function until(what, condition, timeout = 30000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await condition();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const terminalText = (page) => page.evaluate(() => (window.kubesimTerminalText ? window.kubesimTerminalText() : ""));

/** Types each line into the terminal and presses Enter after it. */
async function typeLines(page, lines) {
  // The visualizer's buttons take the focus when clicked; give it back to the terminal.
  await page.focus(".kubesim-terminal .xterm-helper-textarea");
  for (const line of lines) {
    await page.keyboard.type(line);
    await page.keyboard.press("Enter");
  }
}

const PROMPT = "learner@kubesim:~$ ";

/** Runs one command and waits for the prompt after it; returns what it printed. A
 *  long command wraps in the narrow terminal; its output is still what follows it. */
async function run(page, command) {
  const prompts = (text) => text.split(PROMPT).length - 1;
  const before = prompts(await terminalText(page));
  await typeLines(page, [command]);
  const [out] = await until(`\`${command}\` to finish`, async () => {
    const text = await terminalText(page);
    if (prompts(text) <= before || !text.endsWith(PROMPT)) return null;
    const parts = text.split(PROMPT);
    const segment = parts[parts.length - 2];
    const i = segment.indexOf(command);
    return [i >= 0 ? segment.slice(i + command.length).replace(/^\n/, "") : segment];
  });
  return out;
}

const ECHO = `kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
spec:
  replicas: 2
  selector:
    matchLabels:
      app: echo
  template:
    metadata:
      labels:
        app: echo
    spec:
      containers:
      - name: agnhost
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["netexec", "--http-port=8080"]
---
apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  type: NodePort
  selector:
    app: echo
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30090
YAML`.split("\n");

/** The hops the main diagram shows, once every step is on screen. */
async function hops(page, traceId) {
  await until(`trace #${traceId} in the diagram`, () =>
    page.evaluate((id) => document.querySelector("figure.viz")?.dataset.trace === String(id), traceId),
  );
  await page.click("figure.viz .viz-all");
  await until("every step shown", () =>
    page.evaluate(() => {
      const f = document.querySelector("figure.viz");
      return f && f.dataset.shown === f.dataset.steps;
    }),
  );
  return page.evaluate(() =>
    [...document.querySelectorAll("figure.viz > .viz-body svg.viz-svg .viz-hop")].map((g) => ({
      hop: Number(g.dataset.hop),
      element: g.dataset.element,
      status: g.dataset.status,
      label: g.getAttribute("aria-label"),
    })),
  );
}

test("a node-port request is drawn hop by hop: SNAT and the extra hop under Cluster, the drop under Local", async () => {
  const { page, problems, close } = await openPage(env("KUBESIM_SITE_URL"));
  try {
    await until("the first prompt", async () => (await terminalText(page)).endsWith("$ "));
    await page.click(".kubesim-terminal");
    await until("the visualizer", () => page.$("figure.viz svg.viz-svg"));
    // Three nodes with their InternalIPs and kube-proxy on each, before anything runs.
    const nodes = await page.$$eval("svg.viz-svg g.viz-node", (gs) => gs.map((g) => g.getAttribute("aria-label")));
    assert.equal(nodes.length, 3, nodes.join("\n"));
    assert.match(nodes[0], /^node kind-control-plane, InternalIP 172\.18\.0\.2, Ready/);
    assert.equal(await page.$$eval("svg.viz-svg g.viz-proxy", (gs) => gs.length), 3);

    await typeLines(page, ECHO);
    await until("the apply", async () => /service\/echo created\n[^\n]*\$ $/.test(await terminalText(page)));
    // The pods appear on the workers as the cluster's clock (the wall clock) moves,
    // the node port on every node.
    await until("two ready echo pods in the diagram", () =>
      page.$$eval('svg.viz-svg g.viz-pod[data-element^="pod:default/echo-"]', (gs) =>
        gs.filter((g) => / ready$/.test(g.getAttribute("aria-label"))).length === 2),
    90000);
    const ports = await page.$eval('g[data-element="node:kind-worker"]', (g) => g.getAttribute("aria-label"));
    assert.match(ports, /ports 30090/);

    // Cluster: through the control plane, which has no echo pod.
    const seen = (await run(page, "curl -s http://172.18.0.2:30090/clientip")).trim();
    assert.match(seen, /^172\.18\.0\.2:\d+$/, "agnhost sees the node's address (SNAT)");
    let steps = await hops(page, 1);
    const elements = steps.map((s) => s.element);
    assert.deepEqual(elements.slice(0, 3), ["client", "node:kind-control-plane", "kube-proxy:kind-control-plane"]);
    assert.match(elements[3], /^link:kind-control-plane>kind-worker2?$/, "the extra node-to-node hop");
    assert.match(elements[4], /^pod:default\/echo-/);
    assert.deepEqual(steps.map((s) => s.hop), steps.map((_, i) => i), "hops in order");
    assert.match(steps[2].label, /^3\. kube-proxy on kind-control-plane: DNAT 172\.18\.0\.2:30090 → 10\.244\.[12]\.\d+:8080, SNAT source → 172\.18\.0\.2$/);
    assert.equal(steps.at(-1).status, "connected");
    // The picture agrees with what curl printed: the pod saw exactly that source.
    assert.ok(steps.at(-1).label.endsWith(`it sees the client as ${seen}`), steps.at(-1).label);
    const listed = await page.$$eval("figure.viz > .viz-body ol.viz-hops > li", (lis) => lis.map((li) => li.dataset.hop));
    assert.deepEqual(listed.map(Number), steps.map((s) => s.hop), "the text list has every hop");
    const rewrites = await page.$$eval("figure.viz > .viz-body .viz-rewrite", (lis) => lis.map((li) => li.textContent));
    assert.equal(rewrites.length, 2);

    // Stepping: back hides the last step, forward shows it again.
    await page.click("figure.viz .viz-back");
    await until("one step back", () => page.evaluate(() => {
      const f = document.querySelector("figure.viz");
      return Number(f.dataset.shown) === Number(f.dataset.steps) - 1;
    }));
    await page.click("figure.viz .viz-forward");
    await until("forward again", () => page.evaluate(() => {
      const f = document.querySelector("figure.viz");
      return f.dataset.shown === f.dataset.steps;
    }));

    // Local: the control plane has no local endpoint and drops the packet.
    await run(page, `kubectl patch service echo -p '{"spec":{"externalTrafficPolicy":"Local"}}'`);
    const timedOut = await run(page, "curl -sS -m 3 http://172.18.0.2:30090/clientip");
    assert.match(timedOut, /curl: \(28\)/);
    steps = await hops(page, 2);
    assert.deepEqual(steps.map((s) => s.element), ["client", "node:kind-control-plane", "kube-proxy:kind-control-plane"]);
    assert.equal(steps.at(-1).status, "dropped");
    assert.equal(steps.at(-1).label, "3. kube-proxy on kind-control-plane: dropped: no local endpoint (externalTrafficPolicy: Local)");
    const callout = await page.$eval("figure.viz > .viz-body svg .viz-callout-bad", (g) => g.textContent);
    assert.match(callout, /no local endpoint/);

    // The same request side by side: Cluster would have forwarded it, Local drops it.
    await page.click("figure.viz .viz-compare");
    const sides = await until("the comparison", () =>
      page.$$eval(".viz-comparison .viz-side", (ss) =>
        ss.length === 2
          ? ss.map((s) => ({
              policy: s.dataset.policy,
              elements: [...s.querySelectorAll(".viz-hop")].map((g) => g.dataset.element),
              last: [...s.querySelectorAll(".viz-hop")].at(-1)?.dataset.status,
            }))
          : null),
    );
    assert.deepEqual(sides.map((s) => s.policy), ["Cluster", "Local"]);
    assert.equal(sides[0].last, "connected");
    assert.ok(sides[0].elements.some((e) => e.startsWith("link:kind-control-plane>")), sides[0].elements.join(" "));
    assert.deepEqual(sides[1].elements, ["client", "node:kind-control-plane", "kube-proxy:kind-control-plane"]);
    assert.equal(sides[1].last, "dropped");
    // For people to look at (docs/visualizer.png is one of these): the whole page, and
    // the visualizer alone once the packet has come to rest.
    mkdirSync(env("KUBESIM_SCREENSHOTS"), { recursive: true });
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(env("KUBESIM_SCREENSHOTS"), "visualizer-page.png") });
    await page.locator("figure.viz").screenshot({ path: join(env("KUBESIM_SCREENSHOTS"), "visualizer.png") });

    // A pod on the node answers under Local, and keeps the client's address.
    const kept = (await run(page, "curl -s http://172.18.0.3:30090/clientip")).trim();
    assert.match(kept, /^172\.18\.0\.1:\d+$/);
    steps = await hops(page, 3);
    assert.deepEqual(steps.map((s) => s.element).slice(0, 3), ["client", "node:kind-worker", "kube-proxy:kind-worker"]);
    assert.ok(!steps.some((s) => s.element.startsWith("link:")), "no extra hop under Local");
    assert.ok(steps.at(-1).label.endsWith(`it sees the client as ${kept}`));


    // Scaling up: a third pod appears on a node.
    await run(page, "kubectl scale deployment echo --replicas=3");
    await until("a third echo pod", () =>
      page.$$eval('svg.viz-svg g.viz-pod[data-element^="pod:default/echo-"]', (gs) => gs.length >= 3), 60000);
    assert.deepEqual(problems, [], "the page reported problems");
  } finally {
    await close();
  }
});

test("prefers-reduced-motion: the packet steps instead of gliding", async () => {
  const { page, close } = await openPage(env("KUBESIM_SITE_URL"), { reducedMotion: "reduce" });
  try {
    await until("the first prompt", async () => (await terminalText(page)).endsWith("$ "));
    await page.click(".kubesim-terminal");
    await run(page, "curl -s -m 1 http://172.18.0.3:10250/");
    await until("the packet", () => page.$("figure.viz .viz-packet"));
    const duration = await page.$eval("figure.viz .viz-packet", (g) => getComputedStyle(g).transitionProperty + " " + getComputedStyle(g).transitionDuration);
    assert.match(duration, /^(none|all) 0s$|0s$/, duration);
  } finally {
    await close();
  }
});
