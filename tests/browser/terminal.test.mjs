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
import { CHROMIUM_FLAGS } from "./chromium.mjs";

const PROMPT = "learner@kubesim:~$ ";

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
async function openPage(url, { offline, permissions = [] }) {
  const profile = mkdtempSync(join(tmpdir(), "kubesim-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: env("KUBESIM_CHROMIUM"),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1000, height: 640 },
    permissions,
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
  // The page puts its test hooks (window.kubesim*) on window only with this flag.
  await context.addInitScript(() => localStorage.setItem("kubesim.test-hooks", "1"));
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

/** The last `n` lines of the terminal's text. */
async function lastLines(page, n) {
  const text = (await terminalText(page)) ?? "";
  return text.split("\n").slice(-n);
}

test("bash at the prompt and programs that hold the terminal: nano, watch, Tab, Ctrl-R, paste, Run, copy", async () => {
  const permissions = ["clipboard-read", "clipboard-write"];
  const { page, problems, close } = await openPage(env("KUBESIM_SITE_URL"), { offline: false, permissions });
  try {
    await waitForText(page, exactly([escape(PROMPT)]), "the first prompt");

    // nano: a full-screen editor drawn with cursor addressing; type a manifest, write
    // it out (Ctrl-O, Enter) and exit (Ctrl-X), then apply it.
    await page.keyboard.type("nano svc.yaml");
    await page.keyboard.press("Enter");
    await waitForText(page, /^ {2}GNU nano 7\.2 +svc\.yaml/m, "nano's title bar");
    await waitForText(page, /\^X Exit/, "nano's shortcut bar");
    const [, rows] = await page.evaluate(() => window.kubesimTerminalSize());
    const manifest = ["apiVersion: v1", "kind: Service", "metadata:", "  name: web", "spec:", "  selector:", "    app: web", "  ports:", "  - port: 80"];
    for (const line of manifest) {
      await page.keyboard.type(line);
      await page.keyboard.press("Enter");
    }
    // The text sits on the screen rows below the title bar, as nano draws it.
    const screen = await waitForText(page, /^ {4}app: web$/m, "the typed manifest in the editor");
    const screenLines = screen.split("\n");
    assert.equal(screenLines.length, rows, `the editor fills the ${rows}-row screen:\n${screen}`);
    assert.deepEqual(screenLines.slice(1, 1 + manifest.length), manifest);
    assert.match(screenLines[0], /Modified\s*$/);
    await page.keyboard.press("Control+O");
    await waitForText(page, /File Name to Write: svc\.yaml/, "the file name prompt");
    await page.keyboard.press("Enter");
    await waitForText(page, /\[ Wrote 9 lines \]/, "the write confirmation");
    await page.keyboard.press("Control+X");
    // nano had the alternate screen: the screen from before comes back, as in a real
    // terminal, with the prompt after the `nano` line.
    await waitForText(page, exactly([escape(PROMPT + "nano svc.yaml"), escape(PROMPT)]), "the screen from before nano");
    await page.keyboard.type("kubectl apply -f svc.yaml");
    await page.keyboard.press("Enter");
    await waitForText(page, exactly([escape(PROMPT + "nano svc.yaml"), escape(PROMPT + "kubectl apply -f svc.yaml"), "service/web created", escape(PROMPT)]), "kubectl apply of the saved file");

    // Tab completes a resource type; Enter runs the completed line.
    await page.keyboard.type("kubectl create deployment web --image=nginx --replicas=2");
    await page.keyboard.press("Enter");
    await waitForText(page, /deployment\.apps\/web created\nlearner@kubesim:~\$ $/, "the deployment");
    await page.keyboard.type("kubectl get dep");
    await page.keyboard.press("Tab");
    await waitForText(page, /\nlearner@kubesim:~\$ kubectl get deployments $/, "Tab to complete `dep`");
    await page.keyboard.press("Enter");
    await waitForText(page, /kubectl get deployments \nNAME +READY +UP-TO-DATE +AVAILABLE +AGE\nweb +/, "the completed command's table");

    // `watch` holds the terminal and redraws as the pods start on the virtual clock,
    // which follows the wall clock (`kubectl get -w` and `logs -f` stream through the
    // same path); Ctrl-C gives the prompt back.
    await page.keyboard.type("watch -n 1 kubectl get pods");
    await page.keyboard.press("Enter");
    await waitForText(page, /^Every 1\.0s: kubectl get pods .*\n\nNAME +READY +STATUS +RESTARTS +AGE\n(web-\S+ .*\n?){2}/m, "watch's first screen");
    await waitForText(page, /\nweb-\S+ +1\/1 +Running +0 +\d+s\nweb-\S+ +1\/1 +Running/, "the pods Running in a later redraw");
    assert.ok(!(await terminalText(page)).endsWith(PROMPT), "the prompt came back while watching");
    // A lesson's Run while watch holds the terminal: queued with a note, run after Ctrl-C.
    await page.evaluate(() => window.kubesimRunCommand("echo after the watch"));
    await waitForText(page, /kubesim: `echo after the watch` will run when this command ends \(Ctrl-C stops it\)/, "the queue note");
    await page.keyboard.press("Control+C");
    await waitForText(page, /\^C\nlearner@kubesim:~\$ echo after the watch\nafter the watch\nlearner@kubesim:~\$ $/, "Ctrl-C, then the queued line");

    // Ctrl-R searches the history backwards; Enter runs the match.
    await page.keyboard.press("Control+R");
    await page.keyboard.type("get dep");
    await waitForText(page, /\n\(reverse-i-search\)`get dep': kubectl get deployments $/, "the reverse search line");
    await page.keyboard.press("Enter");
    await waitForText(page, /\nlearner@kubesim:~\$ kubectl get deployments ?\nNAME +READY +UP-TO-DATE +AVAILABLE +AGE\nweb +2\/2 .*\nlearner@kubesim:~\$ $/, "the found command's output");

    // A pasted here-document (bracketed by xterm.js) runs line by line with `> ` prompts.
    await page.evaluate(() => window.kubesimTerminalPaste("cat <<EOF > note.txt\nfirst line\n  indented\nEOF\ncat note.txt\n"));
    await waitForText(page, /\nlearner@kubesim:~\$ cat <<EOF > note\.txt\n> first line\n>   indented\n> EOF\nlearner@kubesim:~\$ cat note\.txt\nfirst line\n  indented\nlearner@kubesim:~\$ $/, "the pasted here-document");

    // Ctrl-D on an empty line: bash's `exit`, and the terminal says it stays.
    await page.keyboard.press("Control+D");
    await waitForText(page, /\nlearner@kubesim:~\$ exit\nkubesim: this terminal stays open; there is no machine to log out of\nlearner@kubesim:~\$ $/, "Ctrl-D");

    // Copy: select a word with the mouse (double-click), Ctrl-Shift-C puts it on the
    // clipboard (Ctrl-C stays the interrupt).
    await page.keyboard.type("clear");
    await page.keyboard.press("Enter");
    await page.keyboard.type("echo copy-me");
    await page.keyboard.press("Enter");
    await waitForText(page, /\ncopy-me\nlearner@kubesim:~\$ $/, "the word to copy");
    const box = await page.locator(".xterm-screen").boundingBox();
    const [cols, screenRows] = await page.evaluate(() => window.kubesimTerminalSize());
    const cell = { width: box.width / cols, height: box.height / screenRows };
    // After `clear` the viewport's second row is the output line.
    await page.mouse.dblclick(box.x + cell.width * 2.5, box.y + cell.height * 1.5);
    await page.keyboard.press("Control+Shift+C");
    await waitFor(async () => (await page.evaluate(() => navigator.clipboard.readText())) === "copy-me", "the selection on the clipboard");

    assert.deepEqual(problems, [], "the page reported problems");
  } finally {
    await close();
  }
});

test("an internal error saves the learner's work and shows a Reload banner", async () => {
  const { page, problems, close } = await openPage(env("KUBESIM_SITE_URL"), { offline: false });
  try {
    await waitForText(page, exactly([escape(PROMPT)]), "the first prompt");
    await page.keyboard.type("echo saved > proof.txt");
    await page.keyboard.press("Enter");
    await waitForText(page, /proof\.txt\nlearner@kubesim:~\$ $/, "the command before the crash");
    // The autosave follows a command on the next clock tick (250 ms).
    await page.waitForTimeout(700);
    // The panic happens with the simulator borrowed: the hook saves the autosave the
    // session kept after the last command. The wasm call then traps.
    const error = await page.evaluate(() => {
      try {
        window.kubesimCrashTest();
        return null;
      } catch (e) {
        return String(e);
      }
    });
    assert.ok(error, "the crash hook returned normally");
    const banner = page.locator("#kubesim-crash");
    await banner.waitFor({ timeout: 5000 }).catch((e) => assert.fail(`no banner (${error}): ${problems.join("\n")}`));
    assert.match(await banner.innerText(), /kubesim hit an internal error; your work was saved/);
    assert.equal(await banner.locator("button").innerText(), "Reload");
    const saved = await page.evaluate(() => window.localStorage.getItem("kubesim.autosave.v1"));
    assert.ok(saved && saved.includes("echo saved > proof.txt"), `autosave: ${saved && saved.slice(0, 200)}`);
    assert.ok(problems.some((p) => p.includes("kubesim: internal error")), problems.join("\n"));
    // Reload is a plain page reload.
    await banner.locator("button").click();
    await waitForText(page, exactly([escape(PROMPT)]), "the prompt after Reload");
  } finally {
    await close();
  }
});
