// Browser tests: kubesim's terminal in headless Debian Chromium, for the site served
// from a sub-path over HTTP and for the offline page opened from disk (file://).
//
// Run by `./dev test` (or `./dev browser-test` after a build), which serves dist/ on
// 127.0.0.1 and passes KUBESIM_SITE_URL, KUBESIM_OFFLINE_PAGE, KUBESIM_CHROMIUM and
// KUBESIM_SCREENSHOTS. playwright-core drives the installed /usr/bin/chromium over the
// DevTools protocol; it never downloads a browser of its own.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const PROMPT = "learner@kubesim:~$ ";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// What sim-core's default kind cluster prints for `kubectl get nodes`, as
// tests/transcripts/skeleton-nodes.txt has it. The cluster is created 10 minutes
// before the page loads, so AGE reads 10m (11m if the test runs past a minute): the
// one cell matched loosely.
const AGE = "1[01]m";
const NODES_TABLE = [
  "NAME                 STATUS   ROLES           AGE   VERSION",
  `kind-control-plane   Ready    control-plane   ${AGE}   v1\\.32\\.2`,
  `kind-worker          Ready    <none>          ${AGE}   v1\\.32\\.2`,
  `kind-worker2         Ready    <none>          ${AGE}   v1\\.32\\.2`,
];

function env(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run the browser tests through ./dev test`);
  return value;
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Opens a page in a fresh Chromium profile; returns it with the problems it logs. */
async function openPage(url, { offline }) {
  const profile = mkdtempSync(join(tmpdir(), "kubesim-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: env("KUBESIM_CHROMIUM"),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1000, height: 640 },
  });
  const problems = [];
  const requests = [];
  context.on("request", (request) => requests.push(request.url()));
  if (offline) {
    // The offline page must not touch the network: refuse anything but file: and data:.
    await context.route(/^(?!file:|data:)/, (route) => {
      problems.push(`network request from the offline page: ${route.request().url()}`);
      return route.abort();
    });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(url);
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, problems, requests, close };
}

/** The terminal's text (scrollback and screen), as the page's hook reports it. */
async function terminalText(page) {
  return page.evaluate(() => (window.kubesimTerminalText ? window.kubesimTerminalText() : null));
}

/** Waits until the terminal's text matches `pattern`; returns the text. */
async function waitForText(page, pattern, what) {
  const deadline = Date.now() + 30000;
  let text = null;
  while (Date.now() < deadline) {
    text = await terminalText(page);
    if (text !== null && pattern.test(text)) return text;
    await page.waitForTimeout(50);
  }
  assert.fail(`timed out waiting for ${what}; the terminal shows:\n${text}`);
}

/** Waits until `condition()` resolves true. */
async function waitFor(condition, what) {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The whole terminal should read exactly these lines (each a regex source). */
function exactly(lines) {
  return new RegExp(`^${lines.join("\n")}$`);
}

async function exerciseTerminal(url, { offline, screenshot }) {
  const { page, problems, requests, close } = await openPage(url, { offline });
  try {
    await waitForText(page, exactly([escape(PROMPT)]), "the first prompt");

    // kubectl get nodes, typed key by key, answered by sim-core.
    await page.keyboard.type("kubectl get nodes");
    await page.keyboard.press("Enter");
    const afterGet = [escape(PROMPT + "kubectl get nodes"), ...NODES_TABLE, escape(PROMPT)];
    await waitForText(page, exactly(afterGet), "the nodes table and a new prompt");

    // History: Up recalls the command; Enter runs it again.
    await page.keyboard.press("ArrowUp");
    const recalled = [...afterGet.slice(0, -1), escape(PROMPT + "kubectl get nodes")];
    await waitForText(page, exactly(recalled), "Up to recall `kubectl get nodes`");
    await page.keyboard.press("Enter");
    const afterRerun = [...afterGet.slice(0, -1), ...afterGet];
    await waitForText(page, exactly(afterRerun), "the recalled command's table");

    // Ctrl-C abandons a half-typed line as bash does: ^C at the cursor, a new prompt,
    // and nothing run.
    await page.keyboard.type("kubectl get pods");
    await page.keyboard.press("Control+C");
    const afterCtrlC = [...afterRerun.slice(0, -1), escape(PROMPT + "kubectl get pods^C"), escape(PROMPT)];
    await waitForText(page, exactly(afterCtrlC), "Ctrl-C to abandon the line");

    // Line editing: fix a typo in the middle, then run the line.
    await page.keyboard.type("kubectl get nodez");
    await page.keyboard.press("Backspace");
    await page.keyboard.type("s");
    await page.keyboard.press("Home");
    await page.keyboard.type("x");
    await page.keyboard.press("Enter");
    await waitForText(page, /\nlearner@kubesim:~\$ xkubectl get nodes\nbash: xkubectl: command not found\nlearner@kubesim:~\$ $/, "the edited line to run");

    // The terminal follows its window: the fit addon resizes it to the new size.
    const size = () => page.evaluate(() => window.kubesimTerminalSize());
    const [wideCols, tallRows] = await size();
    await page.setViewportSize({ width: 520, height: 400 });
    await waitFor(async () => (await size())[0] < wideCols, "the terminal to narrow with the window");
    const [narrowCols, shortRows] = await size();
    assert.ok(shortRows < tallRows, `rows ${tallRows} -> ${shortRows} in a lower window`);
    assert.ok(narrowCols > 20, `only ${narrowCols} columns in a 520px window`);
    await page.setViewportSize({ width: 1000, height: 640 });
    await waitFor(async () => (await size())[0] === wideCols, "the terminal to widen again");

    mkdirSync(env("KUBESIM_SCREENSHOTS"), { recursive: true });
    await page.screenshot({ path: join(env("KUBESIM_SCREENSHOTS"), screenshot) });
    assert.deepEqual(problems, [], "the page reported problems");
    return requests;
  } finally {
    await close();
  }
}

test("served site under a sub-path: prompt, kubectl get nodes, history, Ctrl-C, editing, resize", async () => {
  const url = env("KUBESIM_SITE_URL");
  const requests = await exerciseTerminal(url, { offline: false, screenshot: "served.png" });
  // Every request stayed under the sub-path: the build uses relative URLs only.
  const outside = requests.filter((r) => !r.startsWith(url) && !r.startsWith("data:"));
  assert.deepEqual(outside, [], "requests outside the site's sub-path");
});

test("offline page from file:// with no network: the same session works", async () => {
  const url = pathToFileURL(env("KUBESIM_OFFLINE_PAGE")).href;
  const requests = await exerciseTerminal(url, { offline: true, screenshot: "offline.png" });
  assert.deepEqual(requests.filter((r) => r !== url && !r.startsWith("data:")), [], "the offline page loaded other files");
});
