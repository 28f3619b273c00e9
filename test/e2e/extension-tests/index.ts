// Integration tests run inside the real extension host, in @vscode/test-electron's `run()` shape
// (`extensionTestsPath`): bundled to out/test/extension-tests.cjs by extension/build.mjs, executed
// by test/e2e/specs/extension.spec.mjs through the harness (code-server), or by
// test/e2e/electron-runner.mjs where VS Code can be downloaded. The workspace holds copies of
// examples/nan-log-zero.ts, examples/dead-relu.ts and examples/data.ts.
// Plain node:assert and a tiny runner instead of mocha: nothing to resolve at run time.

import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'gradscope.gradscope';
const COMMANDS = ['gradscope.run', 'gradscope.stop', 'gradscope.showPanel', 'gradscope.exportReport', 'gradscope.clearDiagnostics'];

interface RunResultLike { status: string; steps: number }

const workspace = (): vscode.Uri => {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri;
};
const fileIn = (name: string): vscode.Uri => vscode.Uri.joinPath(workspace(), name);

const ours = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'GradScope');
const codeOf = (d: vscode.Diagnostic): string => (typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code));

async function poll<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The 1-based line of the first line of `file` containing `marker`. */
function lineOf(uri: vscode.Uri, marker: string): number {
  const i = readFileSync(uri.fsPath, 'utf8').split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `${marker} in ${uri.fsPath}`);
  return i + 1;
}

export async function run(): Promise<void> {
  const results: { name: string; ok: boolean; ms: number; error?: string }[] = [];
  const test = async (name: string, fn: () => Promise<void>): Promise<void> => {
    const t0 = Date.now();
    try {
      await fn();
      results.push({ name, ok: true, ms: Date.now() - t0 });
    } catch (e) {
      results.push({ name, ok: false, ms: Date.now() - t0, error: String((e as Error)?.stack ?? e) });
    }
  };

  await test('the extension activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  await test('all five commands are registered', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(COMMANDS.filter((c) => !all.has(c)), []);
  });

  const nan = fileIn('nan-log-zero.ts');
  const dead = fileIn('dead-relu.ts');

  await test('run on the active editor: nan-inf at the BUG-LINE, as an error linking to its page', async () => {
    await vscode.window.showTextDocument(nan);
    const result = await vscode.commands.executeCommand<RunResultLike>('gradscope.run');
    assert.equal(result.status, 'completed');
    const d = await poll('a nan-inf diagnostic', () => ours(nan).find((x) => codeOf(x) === 'nan-inf'));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line + 1, lineOf(nan, 'BUG-LINE'));
    // V8 places a method call's position at the method's name: `log` of `probs.log()`.
    assert.equal(d.range.start.character, readFileSync(nan.fsPath, 'utf8').split('\n')[d.range.start.line]!.indexOf('log()'));
    assert.match(d.message, /-Inf first produced by Log in forward at step 1/);
    assert.match(d.message, /\nFix: /);
    const target = (d.code as { target: vscode.Uri }).target;
    assert.equal(target.scheme, 'file');
    assert.match(target.path, /\/docs\/diagnostics\/nan-inf\.md$/);
    assert.ok(existsSync(target.fsPath), `${target.fsPath} ships with the extension`);
  });

  await test('run on a file argument (editor-title button): dead-relu at the ReLU construction', async () => {
    const result = await vscode.commands.executeCommand<RunResultLike>('gradscope.run', dead);
    assert.equal(result.status, 'completed');
    assert.equal(result.steps, 60);
    const d = await poll('a dead-relu diagnostic', () => ours(dead).find((x) => codeOf(x) === 'dead-relu'));
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    const line = lineOf(dead, 'new nn.Sequential(');
    assert.equal(d.range.start.line + 1, line);
    assert.equal(d.range.start.character, readFileSync(dead.fsPath, 'utf8').split('\n')[line - 1]!.indexOf('new nn.ReLU()'));
    assert.match(d.message, /ReLU in module '1': 100% of its 64 units are dead/);
    // A new run cleared the previous run's findings.
    assert.deepEqual(ours(nan), []);
  });

  await test('the panel opens as a webview tab', async () => {
    await vscode.commands.executeCommand('gradscope.showPanel');
    const tab = await poll('the GradScope panel tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('gradscope.panel')));
    assert.equal(tab.label, 'GradScope');
  });

  await test('export writes the HTML and the JSON report of the last run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradscope-export-'));
    const html = await vscode.commands.executeCommand<string>('gradscope.exportReport', join(dir, 'r.html'));
    const json = await vscode.commands.executeCommand<string>('gradscope.exportReport', join(dir, 'r.json'));
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<title>GradScope report — dead-relu\.ts<\/title>/);
    assert.match(page, /dead-relu/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { status: string; steps: number; diagnostics: { code: string }[] };
    assert.equal(report.status, 'completed');
    assert.equal(report.steps, 60);
    assert.ok(report.diagnostics.some((x) => x.code === 'dead-relu'));
  });

  await test('clear removes every GradScope diagnostic', async () => {
    assert.ok(ours(dead).length > 0);
    await vscode.commands.executeCommand('gradscope.clearDiagnostics');
    assert.deepEqual(ours(dead), []);
    assert.deepEqual(ours(nan), []);
  });

  await test('stop ends a run early with status stopped', async () => {
    // dead-relu.ts made to train (nearly) forever, in a temp folder with its data module.
    const scratch = mkdtempSync(join(tmpdir(), 'gradscope-endless-'));
    copyFileSync(fileIn('data.ts').fsPath, join(scratch, 'data.ts'));
    const endless = vscode.Uri.file(join(scratch, 'endless.ts'));
    writeFileSync(endless.fsPath, readFileSync(dead.fsPath, 'utf8').replace('step < 60', 'step < 1e9'));
    const running = vscode.commands.executeCommand<RunResultLike>('gradscope.run', endless);
    // Progress read from the session's history, through a JSON export (allowed while running).
    const probe = join(mkdtempSync(join(tmpdir(), 'gradscope-export-')), 'progress.json');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const file = await vscode.commands.executeCommand<string | null>('gradscope.exportReport', probe);
      const r = file === null ? null : JSON.parse(readFileSync(file, 'utf8')) as { status: string; steps: number; script: string };
      if (r !== null && r.script === endless.fsPath && r.status === 'running' && r.steps >= 3) break;
      assert.ok(Date.now() < deadline, `the endless run reached 3 steps (last: ${JSON.stringify(r && { status: r.status, steps: r.steps })})`);
      await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal(await vscode.commands.executeCommand('gradscope.stop'), true);
    const result = await running;
    assert.equal(result.status, 'stopped');
    assert.ok(result.steps >= 3, `stopped after ${result.steps} steps`);
    // The history of the stopped run stays exportable.
    const json = await vscode.commands.executeCommand<string>('gradscope.exportReport', join(mkdtempSync(join(tmpdir(), 'gradscope-export-')), 'stopped.json'));
    assert.equal((JSON.parse(readFileSync(json, 'utf8')) as { status: string }).status, 'stopped');
  });

  if (process.env['E2E_RESULT_FILE']) {
    writeFileSync(process.env['E2E_RESULT_FILE'], JSON.stringify({ vscode: vscode.version, results }, null, 2));
  }
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms} ms)${r.error ? `\n${r.error}` : ''}`);
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) throw new Error(`${failed.length} of ${results.length} extension test(s) failed: ${failed.map((r) => r.name).join('; ')}`);
}
