// `import … from 'gradscope'` in a folder holding only train.ts, inside the real extension host
// (run() shape, bundled to out/test/types-tests.cjs; run by test/e2e/specs/types.spec.mjs on the
// unpacked .vsix): TypeScript's own diagnostics have no ts2307 for 'gradscope' (the extension's
// TypeScript server plugin maps it to the shipped declarations), `nn.` completes with the layers,
// a hover on a layer shows its doc comment; "New Training Script" creates and opens a script.

import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';

const workspace = (): vscode.Uri => {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri;
};
const codeOf = (d: vscode.Diagnostic): string => (typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code));
const tsDiagnostics = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'ts');
const show = (ds: vscode.Diagnostic[]): string => JSON.stringify(ds.map((d) => `${d.range.start.line + 1}: ts${codeOf(d)} ${d.message}`));

/** Polls `probe` (sync or async) until truthy; the TS server takes seconds to start. */
async function poll<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 90_000, last?: () => string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last: ${last()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Position just after the first occurrence of `needle` on the line containing `marker`. */
function after(doc: vscode.TextDocument, marker: string, needle: string): vscode.Position {
  const line = doc.getText().split('\n').findIndex((l) => l.includes(marker));
  assert.ok(line >= 0, `${marker} in ${doc.fileName}`);
  const col = doc.lineAt(line).text.indexOf(needle);
  assert.ok(col >= 0, `${needle} on line ${line + 1}`);
  return new vscode.Position(line, col + needle.length);
}

const hoverText = (hs: vscode.Hover[]): string =>
  hs.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');

export async function run(): Promise<void> {
  const results: { name: string; ok: boolean; ms: number; error?: string; info?: string }[] = [];
  const test = async (name: string, fn: () => Promise<string | void>): Promise<void> => {
    const t0 = Date.now();
    try {
      const info = await fn();
      results.push({ name, ok: true, ms: Date.now() - t0, ...(info ? { info } : {}) });
    } catch (e) {
      results.push({ name, ok: false, ms: Date.now() - t0, error: String((e as Error)?.stack ?? e) });
    }
  };

  const train = vscode.Uri.joinPath(workspace(), 'train.ts');
  const doc = await vscode.workspace.openTextDocument(train);
  await vscode.window.showTextDocument(doc);
  const t0 = Date.now();

  await test('completions for `nn.` list the layers (the TS server resolved gradscope)', async () => {
    const at = after(doc, 'new nn.Sequential', 'new nn.');
    let labels: string[] = [];
    await poll('Linear and Sequential among the completions after `nn.`', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', train, at);
      labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return labels.includes('Linear') && labels.includes('Sequential');
    }, 120_000, () => JSON.stringify(labels.slice(0, 30)));
    for (const l of ['Conv2d', 'ReLU', 'MSELoss', 'Module']) assert.ok(labels.includes(l), `${l} among ${labels.length} completions`);
    return `${labels.length} completions after ${Date.now() - t0} ms since the file opened`;
  });

  await test('no ts2307 for gradscope, while a real mistake and an unknown module are reported', async () => {
    // The diagnostics are known to be computed once they show an error planted for it: a type error
    // and an import of a module that does not exist (whose ts2307 proves the check is on).
    const edit = new vscode.WorkspaceEdit();
    edit.insert(train, new vscode.Position(doc.lineCount, 0), "import { nothing } from 'no-such-module-xyz';\nconst wrong: number = 'text';\nconsole.log(nothing, wrong);\n");
    assert.ok(await vscode.workspace.applyEdit(edit));
    const ds = await poll('ts2322 and the planted ts2307 in train.ts', () => {
      const d = tsDiagnostics(train);
      return d.some((x) => codeOf(x) === '2322') && d.some((x) => codeOf(x) === '2307') ? d : null;
    }, 90_000, () => show(tsDiagnostics(train)));
    const missing = ds.filter((d) => codeOf(d) === '2307');
    assert.deepEqual(missing.map((d) => d.message), ["Cannot find module 'no-such-module-xyz' or its corresponding type declarations."], show(ds));
    // Nothing else: the script itself type-checks against the shipped declarations.
    assert.deepEqual(ds.map(codeOf).sort(), ['2307', '2322'], show(ds));
    await vscode.commands.executeCommand('workbench.action.files.revert');
    return show(ds);
  });

  await test('hover on Linear shows its doc comment', async () => {
    const at = after(doc, 'new nn.Sequential', 'new nn.Lin');
    let text = '';
    await poll('a hover with doc text on Linear', async () => {
      text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', train, at));
      return /torch\.nn\.Linear/.test(text);
    }, 60_000, () => text);
    return text;
  });

  await test('"New Training Script" creates the starter script and opens it', async () => {
    const made = await vscode.commands.executeCommand<vscode.Uri | null>('gradscope.newScript', 'xor-mlp.ts');
    assert.ok(made, 'the command returned the new file');
    assert.equal(made.toString(), vscode.Uri.joinPath(workspace(), 'xor-mlp.ts').toString());
    const text = readFileSync(made.fsPath, 'utf8');
    assert.match(text, /from 'gradscope'/);
    assert.match(text, /new nn\.Sequential\(new nn\.Linear\(2, 4\), new nn\.Tanh\(\), new nn\.Linear\(4, 1\)\)/);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), made.toString(), 'the new script is the active editor');
    // The new script type-checks too (no diagnostics once TypeScript has looked at it: poll for
    // completions first, as above, then read the diagnostics).
    const newDoc = vscode.window.activeTextEditor!.document;
    const at = after(newDoc, 'new nn.Sequential', 'new nn.');
    await poll('completions in the new script', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', made, at);
      return list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'Linear');
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(tsDiagnostics(made).map((d) => d.message), []);
  });

  await test('the new script runs to completion', async () => {
    const result = await vscode.commands.executeCommand<{ status: string; steps: number }>('gradscope.run', vscode.Uri.joinPath(workspace(), 'xor-mlp.ts'));
    assert.equal(result.status, 'completed');
    assert.equal(result.steps, 300);
  });

  if (process.env['E2E_RESULT_FILE']) {
    writeFileSync(process.env['E2E_RESULT_FILE'], JSON.stringify({ vscode: vscode.version, results }, null, 2));
  }
  for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.ms} ms)${r.error ? `\n${r.error}` : ''}`);
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) throw new Error(`${failed.length} of ${results.length} types test(s) failed: ${failed.map((r) => r.name).join('; ')}`);
}
