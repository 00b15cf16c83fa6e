// Browser tests of the course page: a learner walks the NodePort lesson in headless
// Debian Chromium, on the site served from a sub-path and on the offline page opened
// from disk with the network refused. Deep link, Run buttons, the file button, a quiz
// answered wrong then right, checks turning green, a reload that keeps progress and
// cluster, export and re-import of progress, restart; then embed mode, the authors'
// preview, corrupt saved data, and axe-core's accessibility rules in both themes.
//
// Run by `./dev browser-test` (see xtask/src/main.rs for the environment it sets).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM_FLAGS } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");


function env(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run the browser tests through ./dev browser-test`);
  return value;
}

/** A fresh Chromium profile (so fresh localStorage); returns the page and what it logged. */
async function openBrowser({ offline, viewport = { width: 1400, height: 900 }, testHooks = true }) {
  const profile = mkdtempSync(join(tmpdir(), "kubesim-course-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: env("KUBESIM_CHROMIUM"),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
    acceptDownloads: true,
  });
  const problems = [];
  if (offline) {
    await context.route(/^(?!file:|data:|blob:)/, (route) => {
      problems.push(`network request from the offline page: ${route.request().url()}`);
      return route.abort();
    });
  }
  // The page puts its test hooks (window.kubesim*) on window only with this flag.
  if (testHooks) await context.addInitScript(() => localStorage.setItem("kubesim.test-hooks", "1"));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, problems, close, profile };
}

const terminalText = (page) => page.evaluate(() => (window.kubesimTerminalText ? window.kubesimTerminalText() : ""));

async function waitForTerminal(page, pattern, what) {
  const deadline = Date.now() + 30000;
  let text = "";
  while (Date.now() < deadline) {
    text = await terminalText(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(50);
  }
  assert.fail(`timed out waiting for ${what}; the terminal shows:\n${text}`);
}

/** The checks of the open step, as booleans. */
const checkStates = (page) =>
  page.locator(".ks-check").evaluateAll((items) => items.map((li) => li.dataset.passed === "true"));

async function waitForChecks(page, expected, what) {
  const deadline = Date.now() + 30000;
  let states = [];
  while (Date.now() < deadline) {
    states = await checkStates(page);
    if (JSON.stringify(states) === JSON.stringify(expected)) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`timed out waiting for ${what}: checks are ${JSON.stringify(states)}`);
}

const stepTitle = (page) => page.locator("#ks-step-title").innerText();

async function waitForStep(page, title) {
  await page.locator("#ks-step-title", { hasText: title }).waitFor({ timeout: 30000 });
}

const run = (page, command) => page.getByRole("button", { name: `Run: ${command}`, exact: true }).click();

/** axe-core's WCAG A/AA rules; serious and critical violations fail the test. */
async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

function screenshotPath(name) {
  const dir = env("KUBESIM_SCREENSHOTS");
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/**
 * What a failed walk leaves behind, for the test's message: the address, the page's
 * notices and status line, what it logged, and its saved progress; plus a screenshot.
 */
async function describePage(page, problems, screenshot) {
  try {
    await page.screenshot({ path: screenshot });
    const seen = await page.evaluate(() => ({
      url: location.href,
      notices: [...document.querySelectorAll(".ks-notice, .ks-status")].map((e) => e.textContent.trim()).filter(Boolean),
      progress: localStorage.getItem("kubesim.progress.v1"),
      stored: Object.keys(localStorage).map((k) => `${k} (${localStorage.getItem(k).length} chars)`),
    }));
    return [
      "",
      `page: ${seen.url}`,
      `notices: ${JSON.stringify(seen.notices)}`,
      `problems: ${JSON.stringify(problems)}`,
      `localStorage: ${seen.stored.join(", ")}`,
      `saved progress: ${seen.progress}`,
      `screenshot: ${screenshot}`,
    ].join("\n");
  } catch (e) {
    return `\n(the page could not be described: ${e.message})`;
  }
}

/** The whole walk through the NodePort lesson, from `base` (the page URL without a hash). */
async function walkNodePortLesson(base, { offline, screenshotPrefix }) {
  const { page, problems, close } = await openBrowser({ offline });
  try {
    // Deep link to the lesson's first step.
    await page.goto(`${base}#/lesson/services-nodeport/step/1`);
    await waitForStep(page, "Open a port on every node");
    await page.locator("#ks-loading").waitFor({ state: "detached" });
    await waitForTerminal(page, /learner@kubesim:~\$ $/, "the first prompt");
    await waitForChecks(page, [false, false, false], "the first step's checks, all pending");
    assert.match(await page.locator(".ks-check").first().innerText(), /Hint: Apply web-service\.yaml/);

    // The file button writes the file into the simulator's home directory.
    await page.getByRole("button", { name: "Create web-service.yaml" }).click();
    await page.locator(".ks-status", { hasText: "Created web-service.yaml" }).waitFor();
    await run(page, "kubectl apply -f web-service.yaml");
    await waitForTerminal(page, /\$ kubectl apply -f web-service\.yaml\nservice\/web created\n/, "the apply to run in the terminal");
    await waitForChecks(page, [true, true, false], "the Service checks to turn green");
    await run(page, "kubectl get service web");
    await waitForTerminal(page, /web\s+NodePort\s+10\.96\.\d+\.\d+\s+<none>\s+80:30080\/TCP/, "kubectl get service web");
    await waitForChecks(page, [true, true, true], "every check of step 1");
    await page.locator("#ks-step-title .ks-badge", { hasText: "done" }).waitFor();

    // Next step: run the commands, answer a quiz wrong, then right.
    await page.getByRole("button", { name: "Next →" }).click();
    await waitForStep(page, "Reach it through any node");
    assert.match(page.url(), /#\/lesson\/services-nodeport\/step\/2$/);
    await run(page, "kubectl get nodes -o wide");
    await waitForTerminal(page, /Welcome to nginx!/, "curl through the node port");
    const quiz = page.locator('[data-quiz="nodeport-balances-nodes"]');
    await quiz.getByLabel("Yes, NodePort balances traffic evenly over all nodes.").check();
    await quiz.getByRole("button", { name: "Answer" }).click();
    await quiz.locator(".ks-feedback.ks-bad").waitFor();
    assert.match(await quiz.locator(".ks-feedback").innerText(), /Not quite/);
    await quiz.getByLabel(/^No\. The client picks the node/).check();
    await quiz.getByRole("button", { name: "Answer" }).click();
    await quiz.locator(".ks-feedback.ks-ok").waitFor();
    // Predict, then reveal: the reveal appears only after committing.
    const predict = page.locator('[data-quiz="nodeport-other-node"]');
    assert.equal(await predict.getByText(/kube-proxy on kind-worker2 catches/).count(), 0);
    await predict.getByLabel("Yes", { exact: true }).check();
    await predict.getByRole("button", { name: "Commit and reveal" }).click();
    await predict.getByText(/kube-proxy on kind-worker2 catches/).waitFor();
    await run(page, "curl -s http://172.18.0.2:30080");
    await waitForChecks(page, [true, true, true], "the curl checks of step 2");

    // The outline shows the progress.
    const outline = page.locator(".ks-outline-lesson.ks-open .ks-outline-progress");
    assert.match(await outline.innerText(), /^2\/\d+$/);
    await page.screenshot({ path: screenshotPath(`${screenshotPrefix}-lesson.png`) });

    // The answers are saved as soon as they are given, not only when the page goes.
    const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("kubesim.progress.v1")));
    assert.equal(saved.lessons["services-nodeport"].progress.quizzes["nodeport-balances-nodes"].correct, true);

    // Reload: progress, quiz answers, the cluster and shell history are all still there.
    await page.reload();
    await waitForStep(page, "Reach it through any node");
    await page.locator('[data-quiz="nodeport-balances-nodes"] .ks-feedback.ks-ok').waitFor();
    assert.match(await page.locator(".ks-outline-lesson.ks-open .ks-outline-progress").innerText(), /^2\/\d+$/);
    await page.locator(".kubesim-terminal").click();
    await page.keyboard.press("ArrowUp");
    await waitForTerminal(page, /learner@kubesim:~\$ curl -s http:\/\/172\.18\.0\.4:30080$/, "history to survive the reload");
    await page.keyboard.press("Control+U");
    await page.keyboard.type("kubectl get svc web -o jsonpath='{.spec.ports[0].nodePort}'");
    await page.keyboard.press("Enter");
    await waitForTerminal(page, /\n30080learner@kubesim:~\$ $/, "the Service to survive the reload");
    await page.keyboard.type("cat web-service.yaml | grep nodePort");
    await page.keyboard.press("Enter");
    await waitForTerminal(page, /\n\s+nodePort: 30080\nlearner@kubesim:~\$ $/, "the file to survive the reload");

    // Export the progress as a file.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export progress" }).click()]);
    assert.equal(download.suggestedFilename(), "kubesim-progress.json");
    const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
    assert.equal(exported.kubesim_progress_version, 1);
    assert.equal(exported.lessons["services-nodeport"].progress.steps[0].complete, true);
    assert.equal(exported.lessons["services-nodeport"].progress.quizzes["nodeport-balances-nodes"].correct, true);
    const exportFile = join(mkdtempSync(join(tmpdir(), "kubesim-export-")), "kubesim-progress.json");
    await download.saveAs(exportFile);

    // Restart from scratch: everything goes, the course starts at the first lesson.
    await page.getByRole("button", { name: "Restart from scratch…" }).click();
    await page.getByRole("button", { name: "Erase and restart" }).click();
    await page.waitForURL(/#\/lesson\/services-clusterip\/step\/1$/);
    await page.getByRole("link", { name: /NodePort - one port on every node/ }).click();
    await waitForStep(page, "Open a port on every node");
    await waitForChecks(page, [false, false, false], "fresh checks after the restart");

    // Import the exported file: the progress comes back.
    await page.locator('input[data-import="progress"]').setInputFiles(exportFile);
    await page.locator(".ks-status", { hasText: "Imported progress for" }).waitFor();
    await page.locator("#ks-step-title .ks-badge", { hasText: "done" }).waitFor();
    assert.match(await page.locator(".ks-outline-lesson.ks-open .ks-outline-progress").innerText(), /^2\/\d+$/);

    // Accessibility, in the light and the dark theme.
    const light = await axeViolations(page);
    assert.deepEqual(light, [], "axe-core: serious or critical violations (light theme)");
    await page.getByRole("button", { name: "Dark theme" }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    const dark = await axeViolations(page);
    assert.deepEqual(dark, [], "axe-core: serious or critical violations (dark theme)");
    await page.screenshot({ path: screenshotPath(`${screenshotPrefix}-dark.png`) });

    assert.deepEqual(problems, [], "the page reported problems");
  } catch (error) {
    error.message += await describePage(page, problems, screenshotPath(`${screenshotPrefix}-failure.png`));
    throw error;
  } finally {
    await close();
  }
}

test("served site: a learner walks the NodePort lesson, reloads, exports and re-imports", async () => {
  await walkNodePortLesson(env("KUBESIM_SITE_URL"), { offline: false, screenshotPrefix: "course-served" });
});

test("offline page from file:// with no network: the same walk", async () => {
  await walkNodePortLesson(pathToFileURL(env("KUBESIM_OFFLINE_PAGE")).href, { offline: true, screenshotPrefix: "course-offline" });
});

test("embed mode, keyboard-only navigation, narrow screens and the sandbox", async () => {
  const { page, problems, close } = await openBrowser({ offline: false });
  try {
    const site = env("KUBESIM_SITE_URL");
    await page.goto(`${site}?embed=terminal&lesson=services-nodeport`);
    await waitForStep(page, "Open a port on every node");
    assert.equal(await page.locator(".ks-bar").count(), 0, "no bar in embed mode");
    assert.equal(await page.locator(".ks-outline").count(), 0, "no outline in embed mode");
    await page.locator(".kubesim-terminal").waitFor();
    await page.screenshot({ path: screenshotPath("course-embed.png") });

    // The full page, driven by the keyboard: the splitter moves with arrow keys.
    await page.goto(`${site}#/lesson/services-clusterip/step/1`);
    await page.reload();
    await waitForStep(page, "");
    const splitter = page.getByRole("separator", { name: "Resize the lesson and the terminal" });
    await splitter.focus();
    const before = Number(await splitter.getAttribute("aria-valuenow"));
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    assert.equal(Number(await splitter.getAttribute("aria-valuenow")), before + 8);
    const lessonWidth = await page.locator("#ks-lesson").evaluate((e) => e.getBoundingClientRect().width);
    await page.keyboard.press("Home");
    const narrower = await page.locator("#ks-lesson").evaluate((e) => e.getBoundingClientRect().width);
    assert.ok(narrower < lessonWidth, `the lesson pane narrowed: ${lessonWidth} -> ${narrower}`);
    // From the step's heading, Tab reaches the Next button; Enter activates it.
    await page.locator("#ks-step-title").focus();
    const next = page.getByRole("button", { name: "Next →" });
    for (let i = 0; i < 80 && !(await next.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press("Tab");
    assert.ok(await next.evaluate((b) => b === document.activeElement), "Next is reachable with Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL(/step\/2$/);

    // The screen-reader toggle switches xterm.js's accessibility tree on and off.
    assert.equal(await page.locator(".xterm-accessibility-tree").count(), 0);
    const reader = page.getByRole("button", { name: "Screen reader mode" });
    await reader.click();
    assert.equal(await reader.getAttribute("aria-pressed"), "true");
    await page.locator(".xterm-accessibility-tree").waitFor({ state: "attached" });
    await reader.click();
    await page.locator(".xterm-accessibility-tree").waitFor({ state: "detached" });

    // An unknown lesson says so and opens the course.
    await page.goto(`${site}#/lesson/no-such-lesson/step/1`);
    await page.locator(".ks-notice", { hasText: 'There is no lesson "no-such-lesson"' }).waitFor();

    // Sandbox: no lesson, a plain cluster.
    await page.goto(`${site}#/sandbox`);
    await waitForStep(page, "Sandbox");
    await page.locator(".kubesim-terminal").click();
    await page.keyboard.type("kubectl get deploy");
    await page.keyboard.press("Enter");
    await waitForTerminal(page, /No resources found in default namespace\.\nlearner@kubesim:~\$ $/, "the sandbox's empty cluster");

    // No keyboard trap (WCAG 2.1.2): Tab completes inside the terminal; Escape then
    // Tab, or Escape then Shift-Tab, leaves it; the textarea's description says so.
    const inTerminal = () => page.evaluate(() => Boolean(document.activeElement?.closest(".kubesim-terminal")));
    const textarea = page.locator(".kubesim-terminal textarea");
    const described = await textarea.getAttribute("aria-describedby");
    assert.match(await page.locator(`#${described}`).innerText(), /press Escape, then Tab/);
    await page.keyboard.type("kubectl get dep");
    await page.keyboard.press("Tab");
    assert.ok(await inTerminal(), "Tab alone stays in the terminal (completion)");
    await waitForTerminal(page, /\$ kubectl get deployments? ?$/, "Tab completing in the terminal");
    await page.keyboard.press("Control+U");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    assert.equal(await inTerminal(), false, "Escape then Tab leaves the terminal");
    await textarea.focus();
    await page.keyboard.press("Escape");
    await page.keyboard.press("Shift+Tab");
    assert.equal(await inTerminal(), false, "Escape then Shift-Tab leaves the terminal");
    const backTo = await page.evaluate(() => document.activeElement?.tagName);
    assert.ok(["BUTTON", "A", "INPUT", "DIV", "SUMMARY"].includes(backTo), `focus went to a control: ${backTo}`);
    // The page's hint under the terminal says the same.
    await page.locator(".ks-terminal-hint", { hasText: "Escape, then Tab" }).waitFor();
    assert.deepEqual(await axeViolations(page), [], "axe after the keyboard walk");

    // Narrow screen: one column, outline folded, no splitter.
    await page.setViewportSize({ width: 420, height: 800 });
    await page.goto(`${site}#/lesson/services-nodeport/step/1`);
    await waitForStep(page, "Open a port on every node");
    assert.equal(await page.locator("details.ks-outline-box").evaluate((d) => d.open), false);
    assert.equal(await splitter.isVisible(), false);
    await page.screenshot({ path: screenshotPath("course-narrow.png"), fullPage: true });
    assert.deepEqual(problems, [], "the page reported problems");
  } finally {
    await close();
  }
});

test("test hooks are on window only when the page is opened with the test flag", async () => {
  const { page, problems, close } = await openBrowser({ offline: false, testHooks: false });
  try {
    const site = env("KUBESIM_SITE_URL");
    await page.goto(`${site}#/sandbox`);
    await page.locator(".kubesim-terminal .xterm").waitFor();
    const hooks = () => page.evaluate(() => Object.keys(window).filter((k) => k.startsWith("kubesim")).sort());
    assert.deepEqual(await hooks(), [], "a learner's page has no test hooks");
    await page.goto(`${site}?test=1#/sandbox`);
    await page.reload();
    await page.locator(".kubesim-terminal .xterm").waitFor();
    assert.deepEqual(await hooks(), ["kubesimBenchRestore", "kubesimBenchRun", "kubesimCrashTest", "kubesimMemoryBytes", "kubesimRunCommand", "kubesimTerminalPaste", "kubesimTerminalSize", "kubesimTerminalText"]);
    assert.deepEqual(problems, [], "the page reported problems");
  } finally {
    await close();
  }
});

test("authors' preview shows a pasted lesson or its errors with line and column", async () => {
  const { page, problems, close } = await openBrowser({ offline: false });
  try {
    await page.goto(`${env("KUBESIM_SITE_URL")}#/preview`);
    const source = page.getByLabel("Lesson markdown");
    await source.fill("---\nid: Bad Id\ntitle: x\n---\n\n## One\n\n```check\n- exists: nope\n```\n");
    const errors = page.locator(".ks-preview-errors li");
    await errors.first().waitFor();
    assert.match(await errors.first().innerText(), /^line \d+, column \d+: /);
    await source.fill(
      "---\nid: tiny\ntitle: A tiny lesson\n---\n\nHello <script>alert(1)</script> **world**.\n\n## Run it\n\n```bash run\nkubectl get nodes\n```\n",
    );
    await waitForStep(page, "Run it");
    assert.equal(await page.locator(".ks-preview-lesson script").count(), 0, "raw HTML is escaped");
    assert.match(await page.locator(".ks-preview-lesson").innerText(), /Hello <script>alert\(1\)<\/script> world\./);
    await run(page, "kubectl get nodes");
    await waitForTerminal(page, /kind-control-plane\s+Ready/, "the preview's Run button");
    assert.deepEqual(problems, [], "the page reported problems");
  } finally {
    await close();
  }
});

test("corrupt saved data is reported and replaced without breaking the page", async () => {
  const { page, problems, close } = await openBrowser({ offline: false });
  try {
    const site = env("KUBESIM_SITE_URL");
    await page.goto(`${site}#/lesson/services-nodeport/step/1`);
    await waitForStep(page, "Open a port on every node");
    // Damage the saved data just before the next load (the page saves on leaving, so
    // writing it from the old page would be overwritten), once.
    await page.addInitScript(() => {
      if (sessionStorage.getItem("damaged")) return;
      sessionStorage.setItem("damaged", "1");
      localStorage.setItem("kubesim.progress.v1", "{not json");
      localStorage.setItem("kubesim.cluster.v1.services-nodeport", '{"kubesim_simulator_version": 99}');
    });
    await page.reload();
    await waitForStep(page, "Open a port on every node");
    await page.locator(".ks-notice", { hasText: "Your saved progress could not be read" }).waitFor();
    await page.locator(".ks-notice", { hasText: "could not be restored" }).waitFor();
    await waitForTerminal(page, /learner@kubesim:~\$ $/, "a working terminal");
    // The bad data was replaced: a second reload is quiet.
    await page.reload();
    await waitForStep(page, "Open a port on every node");
    assert.equal(await page.locator(".ks-notice").count(), 0);
    assert.deepEqual(problems, [], "the page reported problems");
  } finally {
    await close();
  }
});
