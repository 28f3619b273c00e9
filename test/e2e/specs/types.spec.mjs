// `import … from 'gradscope'` in a real VS Code (code-server) with nothing installed: a workspace
// holding only train.ts. The run()-shaped tests (test/e2e/extension-tests/types.ts) run in the real
// extension host on the files unpacked from the .vsix (the TypeScript server plugin comes from its
// node_modules): no ts2307, `nn.` completions, a hover with the doc comment, "New Training Script".
// Then the UI, with the .vsix installed: the editor and Problems view without the error, a screenshot.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { extensionVsix, makeWorkspace, repoRoot, runExtensionTests, startVSCode, waitFor } from '../harness.mjs';

const TRAIN = `import { nn, optim, tensor } from 'gradscope';

const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);
for (let step = 0; step < 100; step++) {
  opt.zeroGrad();
  const loss = model.forward(x).sub(y).pow(2).mean();
  loss.backward();
  opt.step();
}
`;

describe('gradscope types with nothing installed, in a real VS Code', { timeout: 420_000 }, () => {
  const vsix = extensionVsix();
  const dirs = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  test('run()-shaped: no ts2307, completions for nn., hover docs, New Training Script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradscope-e2e-types-'));
    dirs.push(dir);
    execFileSync('unzip', ['-q', vsix, '-d', dir]);
    const extensionPath = join(dir, 'extension');
    execFileSync('test', ['-f', join(extensionPath, 'node_modules/gradscope-ts-plugin/types/index.d.ts')]);
    mkdirSync(join(extensionPath, 'out', 'test'), { recursive: true });
    const testsPath = join(extensionPath, 'out', 'test', 'types-tests.cjs');
    copyFileSync(join(repoRoot, 'out', 'test', 'types-tests.cjs'), testsPath);
    const ws = makeWorkspace({ files: { 'train.ts': TRAIN } });
    dirs.push(ws);
    const t0 = Date.now();
    const r = await runExtensionTests({ extensionPath, testsPath, workspace: ws, name: 'types-integration', timeoutMs: 300_000 });
    console.log(`types tests: ${Date.now() - t0} ms`);
    const results = /** @type {any} */ (r.result)?.results ?? [];
    for (const x of results) console.log(`  ${x.ok ? 'ok  ' : 'FAIL'} ${x.name} (${x.ms} ms)${x.info ? `\n    ${x.info.slice(0, 400).replace(/\n/g, '\n    ')}` : ''}${x.ok ? '' : `\n${x.error}`}`);
    assert.equal(r.exitCode, 0, r.log.join('\n'));
    assert.equal(results.length, 5);
    assert.ok(results.every((x) => x.ok));
  });

  test('UI: train.ts open, Problems view without "Cannot find module", New Training Script from the palette', async () => {
    const ws = makeWorkspace({ files: { 'train.ts': TRAIN } });
    dirs.push(ws);
    const vscode = await startVSCode({ workspace: ws, vsix, name: 'types' });
    try {
      const page = vscode.page;
      await vscode.runCommand('Go to File');
      await page.locator('.quick-input-widget input').fill('train.ts');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'train.ts' }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab.active', { hasText: 'train.ts' }).waitFor({ timeout: 10_000 });
      // A hover with the doc comment proves the TS server resolved 'gradscope' through the plugin.
      const t0 = Date.now();
      const linear = page.locator('.editor-instance .view-line span', { hasText: /^Linear$/ }).first();
      await waitFor('a hover on Linear with its doc comment', async () => {
        await page.mouse.move(5, 5);
        await linear.hover();
        const hover = page.locator('.monaco-hover', { hasText: 'torch.nn.Linear' }).first();
        await hover.waitFor({ state: 'visible', timeout: 3_000 });
        await vscode.screenshot('train-hover');
        return true;
      }, { timeoutMs: 90_000, intervalMs: 1_500 });
      console.log(`hover with docs after ${Date.now() - t0} ms`);
      await page.mouse.move(5, 5);
      await waitFor('TypeScript done analyzing', async () => (await page.locator('.statusbar-item', { hasText: 'Analyzing' }).count()) === 0, { timeoutMs: 60_000 })
        .catch(() => console.log('(the status bar still says Analyzing)'));
      await vscode.openProblems();
      const rows = await vscode.problems();
      console.log(`Problems: ${JSON.stringify(rows.map((r) => r.label))}`);
      assert.deepEqual(rows.filter((r) => /Cannot find module/.test(r.label)), []);
      await vscode.screenshot('train-no-ts2307');

      await vscode.runCommand('GradScope: New Training Script');
      const input = page.locator('.quick-input-widget input');
      await waitFor('the name prompt with train-2.ts', async () => (await input.inputValue()) === 'train-2.ts', { timeoutMs: 10_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab.active', { hasText: 'train-2.ts' }).waitFor({ timeout: 15_000 });
      await page.locator('.editor-instance .view-lines', { hasText: 'new nn.Sequential' }).first().waitFor({ timeout: 10_000 });
      await vscode.screenshot('new-training-script');
    } finally {
      await vscode.close();
    }
  });
});
