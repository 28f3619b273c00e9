// The runner end to end: real worker threads, real esbuild-wasm, the built out/worker.mjs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRun } from '../../../core/runner';
import type { RunOptions, RunResult } from '../../../core/runner';
import type { RunEvent } from '../../../core/instrument/events';
import type { Diagnostic } from '../../../core/instrument/diagnostics';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const examples = join(root, 'examples');
let dir: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'extension/build.mjs')], { stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'gradscope-runner-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  result: RunResult;
  events: RunEvent[];
  resultAtEnd: boolean;
}

async function run(script: string, options: RunOptions = {}, during?: (e: RunEvent, stop: () => void) => void): Promise<Outcome> {
  const events: RunEvent[] = [];
  let ended = false;
  let stop = (): void => {};
  const handle = startRun(script, options, (batch) => {
    for (const e of batch) {
      expect(ended, 'no event after runEnded').toBe(false);
      events.push(e);
      if (e.type === 'runEnded') ended = true;
      during?.(e, stop);
    }
  });
  stop = handle.stop;
  const result = await handle.done;
  expect(events[0]?.type).toBe('runStarted');
  expect(events.at(-1)?.type).toBe('runEnded');
  return { result, events, resultAtEnd: ended };
}

function script(name: string, source: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, source);
  return file;
}

const diagnostics = (o: Outcome): Diagnostic[] => o.events.flatMap((e) => (e.type === 'diagnostic' ? [e.diagnostic] : []));
const stepCount = (o: Outcome): number => o.events.filter((e) => e.type === 'step').length;
const stdout = (o: Outcome): string => o.events.flatMap((e) => (e.type === 'log' && e.stream === 'stdout' ? [e.text] : [])).join('');
/** 1-based line and column of `needle` in `file` (the first line containing `marker`). */
function position(file: string, marker: string, needle: string): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  return { line: i + 1, column: lines[i]!.indexOf(needle) + 1 };
}

describe('runner: examples', () => {
  it('mlp-2-4-1 completes, with its console output and every step', async () => {
    const t0 = performance.now();
    let firstStep = 0;
    const o = await run(join(examples, 'mlp-2-4-1.ts'), {}, (e) => {
      if (e.type === 'step' && firstStep === 0) firstStep = performance.now() - t0;
    });
    console.log(`runner: startRun → first step of mlp-2-4-1 in ${firstStep.toFixed(0)} ms`);
    expect(o.result.status).toBe('completed');
    expect(o.result.error).toBeUndefined();
    expect(o.result.steps).toBe(300);
    expect(stepCount(o)).toBe(300);
    expect(stdout(o)).toMatch(/^step 0 loss \d\.\d{4}\nstep 100 loss .*\nstep 200 loss .*\n$/);
    const end = o.events.at(-1)!;
    expect(end).toMatchObject({ type: 'runEnded', status: 'completed', steps: 300 });
    expect(o.events[0]).toMatchObject({ type: 'runStarted', script: join(examples, 'mlp-2-4-1.ts'), level: 'default' });
  }, 30_000);

  it('nan-log-zero: nan-inf at the BUG-LINE of the .ts, at the column of the call', async () => {
    const file = join(examples, 'nan-log-zero.ts');
    const o = await run(file);
    expect(o.result.status).toBe('completed');
    const nan = diagnostics(o).find((d) => d.code === 'nan-inf');
    expect(nan).toBeDefined();
    expect(nan!.location).toEqual({ file, ...position(file, 'BUG-LINE', 'log()') });
  }, 30_000);

  it('dead-relu: the layer finding points at its `new nn.ReLU()`', async () => {
    const file = join(examples, 'dead-relu.ts');
    const o = await run(file, { maxSteps: 5 });
    const dead = diagnostics(o).find((d) => d.code === 'dead-relu');
    expect(dead).toBeDefined();
    expect(dead!.location).toEqual({ file, ...position(file, 'new nn.ReLU()', 'new nn.ReLU()') });
  }, 30_000);
});

describe('runner: scripts', () => {
  it('an engine error (shape mismatch) fails the run at the user line, source-mapped', async () => {
    const file = script('shape.ts', [
      "import { randn, nn } from 'gradscope';",
      'type Batch = { x: ReturnType<typeof randn> };',
      'const layer: nn.Linear = new nn.Linear(3, 2);',
      'const batch: Batch = { x: randn([4, 5]) };',
      'const out = layer.forward(batch.x); // MISMATCH',
      'console.log(out.shape);',
    ].join('\n'));
    const o = await run(file);
    expect(o.result.status).toBe('failed');
    expect(o.result.error!.message).toMatch(/\[4,5\]/);
    expect(o.result.error!.location).toEqual({ file, ...position(file, 'MISMATCH', 'forward') });
    expect(o.result.error!.stack).toContain(`${file}:5:`);
    expect(o.events.at(-1)).toMatchObject({ type: 'runEnded', status: 'failed', error: o.result.error });
  }, 30_000);

  it("the script's own error, thrown in a relative helper, is located there", async () => {
    const helper = script('throwing/helper.ts', 'export function check(n: number): void {\n  if (n > 1) throw new Error(`too big: ${n}`);\n}\n');
    const file = script('throwing/main.ts', "import { check } from './helper';\ncheck(1);\ncheck(2);\n");
    const o = await run(file);
    expect(o.result.status).toBe('failed');
    expect(o.result.error!.message).toBe('too big: 2');
    expect(o.result.error!.location).toEqual({ file: helper, ...position(helper, 'throw', 'new Error') });
    expect(o.result.error!.stack).toContain(`${file}:3:1`);
  }, 30_000);

  it('a syntax error fails at its line and column', async () => {
    const file = script('syntax.ts', 'const a: number = 1;\nconst b = (a + ;\n');
    const o = await run(file);
    expect(o.result.status).toBe('failed');
    expect(o.result.error!.location).toEqual({ file, line: 2, column: 16 });
    expect(o.result.error!.message).toMatch(/Unexpected/);
  }, 30_000);

  it("a name 'gradscope' does not export fails at the import", async () => {
    const file = script('typo.ts', "import * as gs from 'gradscope';\nimport { tensr } from 'gradscope';\nconsole.log(gs.tensor, tensr);\n");
    const o = await run(file);
    expect(o.result.status).toBe('failed');
    expect(o.result.error!.message).toContain('tensr');
    expect(o.result.error!.location).toMatchObject({ file, line: 2, column: 10 });
  }, 30_000);

  it('a missing script fails with a clear message', async () => {
    const o = await run(join(dir, 'nope.ts'));
    expect(o.result).toMatchObject({ status: 'failed', steps: 0 });
    expect(o.result.error!.message).toBe(`Script not found: ${join(dir, 'nope.ts')}`);
  }, 30_000);

  it("relative imports, the script's own node_modules (ESM and CJS), builtins, argv", async () => {
    script('proj/node_modules/esm-only/package.json', JSON.stringify({ name: 'esm-only', type: 'module', exports: { import: './index.js' } }));
    script('proj/node_modules/esm-only/index.js', "export const twice = (x) => 2 * x;\nexport const where = import.meta.url;\n");
    script('proj/node_modules/old-cjs/package.json', JSON.stringify({ name: 'old-cjs', main: 'lib.js' }));
    script('proj/node_modules/old-cjs/lib.js', 'exports.shout = (s) => s.toUpperCase();\n');
    script('proj/src/util.ts', "export const greet = (s: string): string => `hi ${s}`;\n");
    const file = script('proj/src/main.ts', [
      "import { twice, where } from 'esm-only';",
      "import { shout } from 'old-cjs';",
      "import { basename } from 'path';",
      "import { greet } from './util';",
      "import { tensor } from 'gradscope';",
      'const t = tensor([1, 2]).mul(twice(3));',
      'console.log(greet(shout(basename(where))), Array.from(t.data).join(","));',
      'console.log(JSON.stringify(process.argv.slice(1)));',
      'console.log(new URL(import.meta.url).pathname.endsWith("/proj/src/main.ts"));',
      'await new Promise((r) => setTimeout(r, 10));',
      'console.error("late");',
    ].join('\n'));
    const o = await run(file, { args: ['--epochs', '3'] });
    expect(o.result.error).toBeUndefined();
    expect(o.result.status).toBe('completed');
    expect(stdout(o)).toBe(`hi INDEX.JS 6,12\n${JSON.stringify([file, '--epochs', '3'])}\ntrue\n`);
    expect(o.events.filter((e) => e.type === 'log' && e.stream === 'stderr').map((e) => (e as { text: string }).text)).toEqual(['late\n']);
  }, 30_000);

  it("the script's tsconfig.json: paths and baseUrl map its imports, experimentalDecorators its decorators", async () => {
    script('tsproj/tsconfig.json', '{\n  // extends a base, with comments and trailing commas as tsc allows\n  "extends": "./base.json",\n  "compilerOptions": { "paths": { "@lib/*": ["src/lib/*"], }, },\n}\n');
    script('tsproj/base.json', JSON.stringify({ compilerOptions: { experimentalDecorators: true, baseUrl: '.' } }));
    script('tsproj/src/lib/scale.ts', 'export const scale = (x: number): number => 10 * x;\n');
    script('tsproj/helpers/twice.ts', 'export const twice = (x: number): number => 2 * x;\n');
    const main = script('tsproj/src/train.ts', [
      "import { scale } from '@lib/scale';",
      "import { twice } from 'helpers/twice';",
      // Legacy (experimentalDecorators) field decorators get the property's name; TC39 ones a context object.
      'function field(_target: object, key: string): void { console.log(`decorated ${typeof key} ${key}`); }',
      'class Model { @field width = 3; }',
      'console.log(scale(2), twice(new Model().width));',
    ].join('\n'));
    const o = await run(main);
    expect(o.result.status).toBe('completed');
    expect(stdout(o)).toBe('decorated string width\n20 6\n');
  }, 30_000);

  it('a tsconfig.json that is not valid JSON fails the run at its line', async () => {
    const cfg = script('badcfg/tsconfig.json', '{\n  "compilerOptions": {\n    "strict": true\n    "target": "ES2022"\n  }\n}\n');
    const o = await run(script('badcfg/train.ts', 'console.log(1);\n'));
    expect(o.result.status).toBe('failed');
    expect(o.result.error!.message).toContain(`${cfg}: not valid JSON at line 4`);
    expect(o.result.error!.location).toEqual({ file: cfg, line: 4, column: 1 });
  }, 30_000);

  it('plain JavaScript: CommonJS (require of gradscope and a helper) and .mjs with top-level await', async () => {
    script('js/helper.js', 'module.exports = { half: (x) => x / 2 };\n');
    const cjs = script('js/main.cjs', "const { tensor } = require('gradscope');\nconst { half } = require('./helper.js');\nconsole.log(tensor([4]).mul(half(3)).item(), typeof __dirname);\n");
    const mjs = script('js/main.mjs', "import { tensor } from 'gradscope';\nconst v = await Promise.resolve(tensor([2]).item());\nconsole.log(v);\n");
    const a = await run(cjs);
    expect(a.result.status).toBe('completed');
    expect(stdout(a)).toBe('6 string\n');
    const b = await run(mjs);
    expect(b.result.status).toBe('completed');
    expect(stdout(b)).toBe('2\n');
  }, 30_000);

  it('process.exit in the script: 0 completes, non-zero fails', async () => {
    const ok = await run(script('exit0.ts', "console.log('bye');\nprocess.exit(0);\nconsole.log('unreachable');\n"));
    expect(ok.result.status).toBe('completed');
    expect(stdout(ok)).toBe('bye\n');
    const bad = await run(script('exit3.ts', 'process.exit(3);\n'));
    expect(bad.result.status).toBe('failed');
    expect(bad.result.error!.message).toBe('The script called process.exit(3)');
  }, 30_000);

  it('an unresolvable package fails at its import line', async () => {
    const file = script('missing-pkg.ts', "const x = 1;\nimport { y } from 'no-such-package';\nconsole.log(x, y);\n");
    const o = await run(file);
    expect(o.result.status).toBe('failed');
    expect(o.result.error!.message).toContain('no-such-package');
    expect(o.result.error!.location).toMatchObject({ file, line: 2 });
  }, 30_000);

  it('an unhandled rejection fails the run', async () => {
    const file = script('reject.ts', "async function load(): Promise<void> {\n  throw new Error('no data');\n}\nload();\nsetTimeout(() => console.log('never'), 2000);\n");
    const o = await run(file);
    expect(o.result.status).toBe('failed');
    expect(o.result.error!.message).toBe('no data');
    expect(o.result.error!.location).toMatchObject({ file, line: 2 });
    expect(stdout(o)).toBe('');
  }, 30_000);
});

describe('runner: endings', () => {
  const training = (steps: string): string => [
    "import { tensor, nn, optim } from 'gradscope';",
    'const model = new nn.Linear(2, 1);',
    'const opt = new optim.SGD(model.parameters(), { lr: 0.01 });',
    'const x = tensor([[1, 2], [3, 4]]);',
    `for (let step = 0; ${steps}; step++) {`,
    '  try {',
    '    opt.zeroGrad();',
    '    const loss = model.forward(x).pow(2).mean();',
    '    loss.backward();',
    '    opt.step();',
    '  } catch { /* a script that swallows errors must still stop */ }',
    '}',
    'console.log("finished");',
  ].join('\n');

  it('maxSteps stops after exactly N steps, with the events of N steps', async () => {
    const o = await run(script('endless.ts', training('true')), { maxSteps: 7 });
    expect(o.result.status).toBe('stopped');
    expect(o.result.steps).toBe(7);
    expect(o.result.error!.message).toMatch(/max steps/);
    const steps = o.events.flatMap((e) => (e.type === 'step' ? [e.record] : []));
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The last step was flushed with its optimizer step.
    expect(steps[6]!.lr).toBe(0.01);
    expect(stdout(o)).toBe('');
  }, 30_000);

  it("at full, with the stats thread (a worker in the run's worker): every step and histogram, maxSteps exact", async () => {
    const big = script('big-full.ts', [
      "import { randn, nn, optim } from 'gradscope';",
      'const model = new nn.Sequential(new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 4));',
      'const opt = new optim.SGD(model.parameters(), { lr: 0.01 });',
      'const x = randn([96, 256]);',
      'for (;;) {',
      '  opt.zeroGrad();',
      '  model.forward(x).pow(2).mean().backward();',
      '  opt.step();',
      '}',
    ].join('\n'));
    const o = await run(big, { level: 'full', maxSteps: 6 });
    expect(o.result).toMatchObject({ status: 'stopped', steps: 6 });
    const steps = o.events.flatMap((e) => (e.type === 'step' ? [e.record] : []));
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    // The 32768-value weight and its gradient, measured on the thread, are in every record.
    for (const s of steps) {
      expect(s.params[0]!.weight.count).toBe(32768);
      expect(s.params[0]!.grad!.norm).toBeGreaterThan(0);
      expect(s.gradNorm).toBeGreaterThan(0);
    }
    const hists = o.events.flatMap((e) => (e.type === 'histograms' ? [e] : []));
    expect(hists.map((h) => h.step)).toEqual([1, 2, 3, 4, 5, 6]);
    // Gradient, weight and the 96 × 128 ReLU output's histograms each count every value.
    const count = (kind: string, name: string) => {
      const h = hists[5]!.entries.find((x) => x.kind === kind && x.name === name)!.hist;
      return h.counts.reduce((a, b) => a + b, 0) + h.zero + h.nan + h.posInf + h.negInf;
    };
    expect(count('grad', '0.weight')).toBe(32768);
    expect(count('weight', '0.weight')).toBe(32768);
    expect(count('activation', '1')).toBe(96 * 128);
  }, 30_000);

  it('a script that ends before maxSteps completes', async () => {
    const o = await run(script('short.ts', training('step < 4')), { maxSteps: 10 });
    expect(o.result).toMatchObject({ status: 'completed', steps: 4 });
    expect(stdout(o)).toBe('finished\n');
  }, 30_000);

  it('stop() mid-run: stopped, with the steps streamed so far', async () => {
    let stopped = false;
    const o = await run(script('endless2.ts', training('true')), {}, (e, stop) => {
      if (e.type === 'step' && e.record.step >= 3 && !stopped) {
        stopped = true;
        stop();
      }
    });
    expect(o.result.status).toBe('stopped');
    expect(o.result.steps).toBeGreaterThanOrEqual(3);
    expect(stepCount(o)).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('stop() right away still gives runStarted then runEnded', async () => {
    const events: RunEvent[] = [];
    const handle = startRun(join(examples, 'mlp-2-4-1.ts'), {}, (batch) => events.push(...batch));
    handle.stop();
    handle.stop();
    const result = await handle.done;
    expect(result).toMatchObject({ status: 'stopped', steps: 0 });
    expect(events.map((e) => e.type)).toEqual(['runStarted', 'runEnded']);
  }, 30_000);

  it('timeout terminates a busy infinite loop', async () => {
    const o = await run(script('spin.ts', 'console.log("spinning");\nfor (;;) {}\n'), { timeoutMs: 1500 });
    expect(o.result.status).toBe('timeout');
    expect(o.result.error!.message).toBe('Timed out after 1.5 s');
    expect(o.result.durationMs).toBeGreaterThanOrEqual(1500);
    expect(stdout(o)).toBe('spinning\n');
  }, 30_000);

  it('memoryLimitMb: running out of heap fails the run naming the limit', async () => {
    const file = script('hog.ts', 'const keep: number[][] = [];\nfor (;;) keep.push(Array.from({ length: 1000 }, (_, i) => i * 0.5));\n');
    const o = await run(file, { memoryLimitMb: 48, timeoutMs: 20_000 });
    expect(o.result.status).toBe('failed');
    expect(o.result.error!.message).toMatch(/out of memory.*48 MB/);
  }, 30_000);

  it('memoryLimitMb also counts tensors (their buffers live outside the JS heap)', async () => {
    const file = script('tensor-hog.ts', "import { randn, type Tensor } from 'gradscope';\nconst keep: Tensor[] = [];\nfor (;;) keep.push(randn([256, 1024]).mul(2));\n");
    const o = await run(file, { memoryLimitMb: 96, timeoutMs: 20_000 });
    expect(o.result.status).toBe('failed');
    expect(o.result.error!.message).toMatch(/^The script ran out of memory: it exceeded the memory limit of 96 MB \(memoryLimitMb\) \(\d+ MB in tensors and the JS heap\)$/);
  }, 30_000);
});
