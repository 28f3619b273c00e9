// The harness's own self-test, against a throwaway extension (test/e2e/fixtures): packaging with vsce,
// install into code-server, a command from the palette, the Problems view, and run()-shaped tests in
// the real extension host, passing and failing.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { THROWAWAY, makeThrowawayExtension } from '../fixtures/throwaway-extension.mjs';
import { packageVsix, runExtensionTests, startVSCode } from '../harness.mjs';

describe('e2e harness (throwaway extension)', { timeout: 300_000 }, () => {
  /** @type {ReturnType<typeof makeThrowawayExtension>} */
  let fx;
  let vsix = '';
  before(async () => {
    fx = makeThrowawayExtension();
    vsix = await packageVsix(fx.extensionPath);
  });
  after(() => rmSync(fx.root, { recursive: true, force: true }));

  describe('UI', () => {
    /** @type {Awaited<ReturnType<typeof startVSCode>>} */
    let vscode;
    before(async () => { vscode = await startVSCode({ workspace: fx.workspace, vsix, name: 'harness' }); });
    after(async () => { await vscode?.close(); });
    afterEach(async (t) => { await vscode?.screenshot(t.name.slice(0, 40)).catch(() => {}); });

    test('palette command puts a warning in the Problems view at the right line', async () => {
      await vscode.runCommand(THROWAWAY.commandTitle);
      const rows = await vscode.waitForProblems((r) => r.some((x) => x.kind === 'marker'));
      assert.equal(rows.find((r) => r.kind === 'file')?.file, THROWAWAY.file);
      const marker = rows.find((r) => r.kind === 'marker');
      assert.equal(marker?.severity, 'Warning');
      assert.equal(marker?.message, THROWAWAY.message);
      assert.equal(marker?.line, THROWAWAY.line);
      assert.equal(marker?.column, 1);
    });

    test('palette command opens a webview panel whose script ran under its CSP', async () => {
      await vscode.runCommand(THROWAWAY.panelCommandTitle);
      await vscode.webview().locator('#hello').filter({ hasText: THROWAWAY.panelText }).waitFor({ timeout: 20_000 });
    });
  });

  test('run()-shaped tests pass inside the real extension host', async () => {
    const r = await runExtensionTests({
      extensionPath: fx.extensionPath, testsPath: fx.passingTests, workspace: fx.workspace, name: 'harness-pass',
    });
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    const result = /** @type {any} */ (r.result);
    assert.match(result.vscode, /^1\.\d+/);
    assert.deepEqual(result.results.map((x) => x.ok), [true, true]);
  });

  test('a failing run() gives a nonzero exit code and its failure in the result file', async () => {
    const r = await runExtensionTests({
      extensionPath: fx.extensionPath, testsPath: fx.failingTests, workspace: fx.workspace, name: 'harness-fail',
    });
    assert.notEqual(r.exitCode, 0);
    const result = /** @type {any} */ (r.result);
    const failed = result.results.filter((x) => !x.ok);
    assert.deepEqual(failed.map((x) => x.name), ['fails on purpose']);
    assert.match(failed[0].error, /3/);
  });
});
