// The gradient panel's lifecycle in a real VS Code (code-server, the packaged .vsix): the panel is
// torn down whenever it is hidden (no retainContextWhenHidden) and replays the host's history on
// `ready`; a window reload restarts the extension host, which restores the last run from the
// workspace's storage (panel and Problems view), a run cut off by the reload as 'stopped'; in a
// workspace nobody trusted, running a script shows a message and runs nothing.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { extensionVsix, makeWorkspace, repoRoot, startVSCode, waitFor } from '../harness.mjs';

const RUN_TITLE = 'Run Training Script with Gradient Debugging';
const SHOW_TITLE = 'GradScope: Show Gradient Panel';
const example = (f) => readFileSync(join(repoRoot, 'examples', f), 'utf8');

function workspace() {
  return makeWorkspace({
    files: {
      'nan-log-zero.ts': example('nan-log-zero.ts'),
      'dead-relu.ts': example('dead-relu.ts'),
      'data.ts': example('data.ts'),
      // Trains (nearly) forever: to reload the window while it runs.
      'endless.ts': example('dead-relu.ts').replace('step < 60', 'step < 1e9'),
    },
  });
}

const BUG_LINE = example('nan-log-zero.ts').split('\n').findIndex((l) => l.includes('BUG-LINE')) + 1;

/** Opens a workspace file through Quick Open, in the active editor group, and focuses its editor. */
async function openFile(vscode, name) {
  const page = vscode.page;
  await vscode.runCommand('Go to File');
  await page.locator('.quick-input-widget input').fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.locator('.editor-group-container.active .monaco-editor').first().click();
}

/** What the panel shows of the run: its status line, its findings, its chart canvases. */
async function panelState(vscode) {
  const panel = vscode.webview();
  await panel.locator('#content:not([hidden])').waitFor({ timeout: 30_000 });
  await panel.locator('#findings-list li').first().waitFor({ timeout: 30_000 });
  return {
    status: (await panel.locator('#status').textContent())?.trim() ?? '',
    findings: (await panel.locator('#findings-list li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()),
    canvases: await panel.locator('canvas').count(),
  };
}

/** GradScope's rows in the Problems view. */
async function gradscopeProblems(vscode, predicate, timeoutMs = 30_000) {
  const rows = await vscode.waitForProblems((r) => predicate(r.filter((x) => x.kind === 'marker' && /GradScope/.test(x.label))), { timeoutMs });
  return rows.filter((x) => x.kind === 'marker' && /GradScope/.test(x.label));
}

/**
 * "Developer: Reload Window" from the palette: the workbench shuts down as a user's reload does (its
 * editor layout saved; a bare page.reload() sometimes restores an older one), and the extension
 * host restarts.
 */
async function reloadWindow(vscode) {
  const t0 = Date.now();
  const loaded = vscode.page.waitForEvent('load', { timeout: 60_000 });
  await vscode.runCommand('Developer: Reload Window');
  await loaded;
  await vscode.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  return Date.now() - t0;
}

/** The editor tabs, group by group: [['nan-log-zero.ts'], ['GradScope', '*data.ts'], …] (* = active). */
async function tabLayout(vscode) {
  return vscode.page.locator('.editor-group-container').evaluateAll((groups) => groups.map((g) =>
    [...g.querySelectorAll('.tabs-container .tab')].map((t) => `${t.classList.contains('active') ? '*' : ''}${t.getAttribute('aria-label')?.split(',')[0] ?? ''}`)));
}

const panelTabs = (layout) => layout.flat().filter((t) => t.replace('*', '') === 'GradScope').length;

/**
 * After a reload: the panel revived by VS Code if its tab was showing, else opened from the palette
 * (which must replace the restored tab, not add a second one).
 */
async function panelAfterReload(vscode) {
  const t0 = Date.now();
  const before = await waitFor('the restored editor tabs', async () => {
    const l = await tabLayout(vscode);
    return panelTabs(l) > 0 && l;
  });
  // VS Code revives a restored webview (our serializer) only once its tab shows.
  const showing = before.flat().includes('*GradScope');
  let revived = showing;
  if (showing) {
    try {
      await vscode.webview().locator('#findings-list li').first().waitFor({ timeout: 45_000 });
    } catch {
      revived = false;
    }
  }
  if (!revived) await vscode.runCommand(SHOW_TITLE);
  const state = await panelState(vscode);
  const after = await tabLayout(vscode);
  console.log(`after reload: tabs ${JSON.stringify(before)}; ${revived ? 'panel revived by itself' : 'panel opened from the palette'} in ${Date.now() - t0} ms; tabs ${JSON.stringify(after)}`);
  assert.equal(panelTabs(before), 1, `VS Code restored the panel's tab: ${JSON.stringify(before)}`);
  assert.equal(panelTabs(after), 1, `one GradScope tab: ${JSON.stringify(after)}`);
  return { state, revived, before };
}

describe('GradScope panel lifecycle in a real VS Code', { timeout: 480_000 }, () => {
  const vsix = extensionVsix();
  const workspaces = [];
  after(() => { for (const w of workspaces) rmSync(w, { recursive: true, force: true }); });

  describe('hide/show and window reload', () => {
    /** @type {Awaited<ReturnType<typeof startVSCode>>} */
    let vscode;
    /** The panel's state right after the run: every later showing must match it. */
    let shown;
    before(async () => {
      const ws = workspace();
      workspaces.push(ws);
      vscode = await startVSCode({ workspace: ws, vsix, name: 'lifecycle' });
    });
    after(async () => { await vscode?.close(); });
    afterEach(async (t) => { await vscode?.screenshot(t.name.slice(0, 40)).catch(() => {}); });

    test('a run fills the panel', async () => {
      await openFile(vscode, 'nan-log-zero.ts');
      const t0 = Date.now();
      await vscode.runCommand(RUN_TITLE);
      await vscode.webview().locator('#findings-list li', { hasText: 'nan-inf' }).first().waitFor({ timeout: 90_000 });
      await waitFor('the run to end', async () => /completed/.test((await vscode.webview().locator('#status').textContent()) ?? ''), { timeoutMs: 60_000 });
      console.log(`palette → panel with the ended run: ${Date.now() - t0} ms`);
      shown = await panelState(vscode);
      console.log(`panel: ${JSON.stringify(shown)}`);
      assert.match(shown.status, /^nan-log-zero\.ts · completed · step \d+/);
      assert.ok(shown.findings.some((f) => /nan-inf/.test(f)), 'the nan-inf finding is listed');
      assert.ok(shown.canvases > 0, 'the panel has its chart canvases');
    });

    test('hidden behind another editor in its group, then shown again: the same run', async () => {
      // The panel's tab made active, then a file opened in its group: the panel is hidden and its page torn down.
      await vscode.page.locator('.tabs-container .tab', { hasText: 'GradScope' }).first().click();
      await openFile(vscode, 'data.ts');
      await waitFor('the panel page to be gone', async () => (await vscode.page.locator('iframe.webview.ready').count()) === 0, { timeoutMs: 15_000 });
      await vscode.screenshot('hidden');
      const t0 = Date.now();
      await vscode.runCommand(SHOW_TITLE);
      const again = await panelState(vscode);
      console.log(`shown again → content: ${Date.now() - t0} ms`);
      assert.deepEqual(again, shown);
    });

    test('closed, then reopened from the palette: the same run', async () => {
      await vscode.page.locator('.tabs-container .tab', { hasText: 'GradScope' }).first().click();
      await vscode.page.keyboard.press('Control+W');
      await waitFor('the panel tab to close', async () => (await vscode.page.locator('.tabs-container .tab', { hasText: 'GradScope' }).count()) === 0, { timeoutMs: 15_000 });
      await vscode.runCommand(SHOW_TITLE);
      assert.deepEqual(await panelState(vscode), shown);
    });

    test('window reload: the last run is back in the panel and the Problems view', async () => {
      const ms = await reloadWindow(vscode);
      console.log(`reload → workbench: ${ms} ms`);
      const t0 = Date.now();
      const { state: restored, revived } = await panelAfterReload(vscode);
      console.log(`reload → panel with the last run: ${Date.now() - t0} ms`);
      // The panel was showing when the window went: VS Code brought it back through our serializer.
      assert.equal(revived, true);
      assert.deepEqual(restored, shown);
      const problems = await gradscopeProblems(vscode, (m) => m.some((x) => /first produced by Log/.test(x.message ?? '')));
      const nan = problems.find((x) => /first produced by Log/.test(x.message ?? ''));
      assert.equal(nan.severity, 'Error');
      assert.equal(nan.line, BUG_LINE);
      console.log(`reload → Problems: ${Date.now() - t0} ms`);
      await vscode.screenshot('reloaded');
    });

    test('window reload with the panel\'s tab hidden: Show Gradient Panel brings the run back in its place', async () => {
      // A file open nowhere yet (Quick Open reveals one open in another group there) opened in the panel's group.
      const page = vscode.page;
      await page.locator('.tabs-container .tab', { hasText: 'GradScope' }).first().click();
      await openFile(vscode, 'dead-relu.ts');
      await waitFor('the panel page to be gone', async () => (await page.locator('iframe.webview.ready').count()) === 0, { timeoutMs: 15_000 });
      await reloadWindow(vscode);
      const { state, revived, before } = await panelAfterReload(vscode);
      assert.equal(revived, false);
      assert.ok(before.flat().includes('GradScope'), 'the restored tab was not the active one');
      assert.deepEqual(state, shown);
    });

    test('window reload while a run goes on: the run so far is back, as stopped', async () => {
      // The script in the first group, the panel beside it (showing while it runs).
      await vscode.page.locator('.editor-group-container').first().locator('.monaco-editor').first().click();
      await openFile(vscode, 'endless.ts');
      await vscode.runCommand(RUN_TITLE);
      const panel = vscode.webview();
      await waitFor('the endless run to be running a while', async () => {
        const m = /endless\.ts · running · step (\d+)/.exec((await panel.locator('#status').textContent()) ?? '');
        return m !== null && Number(m[1]) >= 5;
      }, { timeoutMs: 90_000 });
      // Past the first throttled write (~2 s), as a user would be.
      await new Promise((r) => setTimeout(r, 3_000));
      await vscode.screenshot('endless-running');
      await reloadWindow(vscode);
      const { state: restored, revived } = await panelAfterReload(vscode);
      console.log(`reloaded mid-run: ${JSON.stringify(restored.status)}`);
      assert.equal(revived, true);
      const m = /^endless\.ts · stopped · step (\d+)/.exec(restored.status);
      assert.ok(m, `status ${restored.status}`);
      assert.ok(Number(m[1]) >= 5);
      assert.ok(restored.findings.some((f) => /dead-relu/.test(f)), 'its dead-relu finding is back');
      // The status bar too shows the last run as it ended (it stayed hidden until the next run).
      await vscode.page.locator('.statusbar-item', { hasText: /GradScope: stopped, \d+ steps · loss [\d.]+ · \d+ warnings?/ }).first().waitFor({ timeout: 30_000 });
      // Nothing runs any more: the panel offers Run, not Stop.
      assert.equal(await vscode.webview().locator('#btn-stop[disabled]').count(), 1);
      await gradscopeProblems(vscode, (rows) => rows.some((x) => /ReLU in module '1'/.test(x.message ?? '')));
    });
  });

  describe('untrusted workspace', () => {
    /** @type {Awaited<ReturnType<typeof startVSCode>>} */
    let vscode;
    before(async () => {
      const ws = workspace();
      workspaces.push(ws);
      vscode = await startVSCode({ workspace: ws, vsix, name: 'untrusted', workspaceTrust: true });
    });
    after(async () => { await vscode?.close(); });

    test('running a script shows why it does not, and runs nothing', async () => {
      // Restricted Mode is on (its status-bar entry), and GradScope (limited support) is active in it.
      await vscode.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 30_000 });
      await openFile(vscode, 'nan-log-zero.ts');
      await vscode.runCommand(RUN_TITLE);
      const toast = vscode.page.locator('.notification-toast', { hasText: 'only does so in a trusted workspace' });
      await toast.waitFor({ timeout: 30_000 });
      assert.equal(await toast.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).count(), 1);
      await vscode.screenshot('untrusted-message');
      // Nothing ran: no panel was opened, no finding reached the Problems view.
      await new Promise((r) => setTimeout(r, 3_000));
      assert.equal(await vscode.page.locator('.tabs-container .tab', { hasText: 'GradScope' }).count(), 0);
      assert.equal(await vscode.page.locator('iframe.webview').count(), 0);
      const rows = await vscode.problems();
      assert.deepEqual(rows.filter((x) => /GradScope/.test(x.label)), []);
      await vscode.screenshot('untrusted-problems');
    });
  });
});
