// `npm run demo` (bundled to out/demo.mjs): every example in examples/ — each bug, then its fixed
// twin, then the clean ones — run through the CLI's own `main` (the code behind out/cli.mjs), in
// this one process so that the bundler (esbuild-wasm, whose WebAssembly takes seconds of CPU to
// compile) starts once rather than once per example; as many runs at a time as there are cores. Prints each run's findings and summary, then a table, and writes the JSON and HTML
// reports to .reports/demo/. Exits 1 if an example did not behave as documented (a bug without a
// warning or error, a fixed twin or clean example with one, or a run that failed).

import { main as cli } from './main';
import { htmlAssets } from './html-assets';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const examplesDir = join(root, 'examples');
const reportsDir = join(root, '.reports', 'demo');
/** Helper modules in examples/ that are imported by the examples, not run. */
const HELPERS = new Set(['data.ts']);

type Kind = 'bug' | 'fix' | 'clean';

interface Example {
  name: string;
  file: string;
  kind: Kind;
  /** For a fixed twin: the bug it fixes (from its `// FIX for NAME.ts` header). */
  fixes?: string;
}

interface Outcome {
  example: Example;
  exitCode: number;
  stdout: string;
  stderr: string;
  status: string;
  byCode: Map<string, number>;
  problems: number;
  json: string;
  html: string;
  ms: number;
}

function listExamples(): Example[] {
  const all: Example[] = readdirSync(examplesDir)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !HELPERS.has(f))
    .map((f) => {
      const name = f.replace(/\.(ts|js|mjs)$/, '');
      const head = readFileSync(join(examplesDir, f), 'utf8').split('\n', 1)[0] ?? '';
      const fix = /^\/\/\s*FIX for ([\w.-]+?)(\.ts|\.js)?:/.exec(head);
      if (fix !== null) return { name, file: join(examplesDir, f), kind: 'fix' as const, fixes: fix[1]! };
      return { name, file: join(examplesDir, f), kind: /^\/\/\s*BUG\b/.test(head) ? ('bug' as const) : ('clean' as const) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  // Each bug followed by its fix; then the clean examples (and any fix whose bug is gone).
  const ordered: Example[] = [];
  for (const bug of all.filter((e) => e.kind === 'bug')) {
    ordered.push(bug, ...all.filter((e) => e.kind === 'fix' && e.fixes === bug.name));
  }
  ordered.push(...all.filter((e) => !ordered.includes(e)));
  return ordered;
}

/** A stream for the CLI that keeps what it is given. */
function capture(): { write(text: string): boolean; text: string } {
  return { text: '', write(text: string) { this.text += text; return true; } };
}

async function runOne(example: Example): Promise<Outcome> {
  const json = join(reportsDir, `${example.name}.json`);
  const html = join(reportsDir, `${example.name}.html`);
  const args = ['run', relative(root, example.file), '--json', json, '--report', html];
  const t0 = Date.now();
  const stdout = capture();
  const stderr = capture();
  const exitCode = await cli(args, { stdout, stderr, cwd: root, htmlAssets });
  const byCode = new Map<string, number>();
  let status = 'no report';
  let problems = 0;
  if (existsSync(json)) {
    const report = JSON.parse(readFileSync(json, 'utf8')) as { status: string; diagnostics: { code: string; severity: string }[] };
    status = report.status;
    for (const d of report.diagnostics) {
      byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);
      if (d.severity !== 'info') problems++;
    }
  }
  return { example, exitCode, stdout: stdout.text, stderr: stderr.text, status, byCode, problems, json, html, ms: Date.now() - t0 };
}

function asExpected(o: Outcome): boolean {
  if (o.status !== 'completed' || o.exitCode > 1) return false;
  return o.example.kind === 'bug' ? o.problems > 0 : o.problems === 0;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function main(): Promise<number> {
  rmSync(reportsDir, { recursive: true, force: true });
  mkdirSync(reportsDir, { recursive: true });
  const examples = listExamples();
  const t0 = Date.now();
  process.stdout.write(`GradScope demo: ${examples.length} examples from examples/ through 'gradscope run' (in one process), reports in ${relative(process.cwd(), reportsDir) || '.'}/\n`);

  // Runs in parallel, prints in order: each block as soon as it and every earlier one are done.
  const outcomes: Outcome[] = new Array(examples.length);
  const finished: boolean[] = new Array(examples.length).fill(false);
  let printed = 0;
  const flush = () => {
    while (printed < examples.length && finished[printed]) {
      const o = outcomes[printed++]!;
      const label = o.example.kind === 'bug' ? 'bug' : o.example.kind === 'fix' ? `fix for ${o.example.fixes}` : 'clean';
      process.stdout.write(`\n── gradscope run examples/${basename(o.example.file)}   (${label}; exit ${o.exitCode})\n${o.stdout}`);
      // Progress lines are noise here; anything else on stderr (usage or internal errors) is shown.
      const other = o.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('gradscope: step '));
      if (other.length > 0) process.stdout.write(`${other.join('\n')}\n`);
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < examples.length) {
      const i = next++;
      outcomes[i] = await runOne(examples[i]!);
      finished[i] = true;
      flush();
    }
  };
  const parallel = Math.max(1, Math.min(availableParallelism(), examples.length));
  await Promise.all(Array.from({ length: parallel }, worker));

  const rows = [['example', 'kind', 'status', 'exit', 'time', 'findings by code', 'as expected', 'HTML report']];
  for (const o of outcomes) {
    const codes = [...o.byCode].map(([code, n]) => (n > 1 ? `${code}×${n}` : code)).join(', ') || '—';
    rows.push([o.example.name, o.example.kind, o.status, String(o.exitCode), `${(o.ms / 1000).toFixed(1)} s`, codes, asExpected(o) ? 'yes' : 'NO', relative(process.cwd(), o.html)]);
  }
  const bad = outcomes.filter((o) => !asExpected(o));
  process.stdout.write(`\n${table(rows)}\n\n`);
  process.stdout.write(
    `${outcomes.length} examples in ${((Date.now() - t0) / 1000).toFixed(1)} s (${parallel} at a time); ` +
      (bad.length === 0 ? 'each bug was found and each fix came out clean.\n' : `NOT as expected: ${bad.map((o) => o.example.name).join(', ')}\n`),
  );
  process.stdout.write(`Reports: ${relative(process.cwd(), reportsDir)}/<example>.json and .html\n`);
  return bad.length === 0 ? 0 : 1;
}

main().then(
  // Exit as soon as the output is flushed: V8 may still be optimising esbuild's WebAssembly in
  // the background, which would otherwise hold the process for seconds.
  (code) => process.stdout.write('', () => process.exit(code)),
  (err: unknown) => {
    process.stderr.write(`demo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
