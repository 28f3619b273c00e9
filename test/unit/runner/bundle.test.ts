// bundleScript in this process (esbuild-wasm's browser API, no `node` child): TypeScript-style
// imports, the source map naming the original files, errors located at the import.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleScript } from '../../../core/runner/bundle';
import { esbuildService } from '../../../core/runner/esbuild-service';

let dir: string;
function file(p: string, text: string): string {
  const f = join(dir, p);
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f, text);
  return f;
}

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'gradscope-bundle-')));
  const t0 = performance.now();
  await esbuildService();
  console.log(`bundler: esbuild-wasm started in this thread in ${(performance.now() - t0).toFixed(0)} ms`);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a bundle with source maps, as the worker does. */
function execute(code: string): { status: number | null; stdout: string; stderr: string } {
  const out = file(`out-${Math.random().toString(36).slice(2)}.mjs`, code);
  const r = spawnSync(process.execPath, ['--enable-source-maps', out], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bundleScript', () => {
  it('TypeScript-style imports: ./x.js meaning x.ts, folder index, .tsx, .mts, JSON', async () => {
    file('ts/lib/math.ts', 'export const twice = (n: number): number => 2 * n;\n');
    file('ts/lib/index.ts', "export { twice } from './math.js';\nexport const name: string = 'lib';\n");
    file('ts/view.tsx', 'export const tag = (s: string): string => `<${s}>`;\n');
    file('ts/esm.mts', 'export const three: number = 3;\n');
    file('ts/table.json', '{ "rows": 4 }\n');
    const main = file('ts/main.ts', [
      "import { twice, name } from './lib';",
      "import { tag } from './view.js';",
      "import { three } from './esm.mjs';",
      "import table from './table.json';",
      'console.log(twice(three), name, tag("b"), table.rows);',
    ].join('\n'));
    const t0 = performance.now();
    const b = await bundleScript(main, []);
    console.log(`bundler: a 5-file script bundled in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(execute(b.code)).toMatchObject({ status: 0, stdout: '6 lib <b> 4\n' });
  }, 30_000);

  it('the source map names the original files by absolute URL, at their lines and columns', async () => {
    const helper = file('map/deep/helper.ts', 'type N = number;\nexport function check(n: N): void {\n  if (n > 1) throw new RangeError(`too big: ${n}`);\n}\n');
    const main = file('map/main.ts', "import { check } from './deep/helper';\nconst xs: number[] = [1, 2];\nfor (const x of xs) check(x);\n");
    const b = await bundleScript(main, []);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    const map = JSON.parse(Buffer.from(/sourceMappingURL=data:application\/json;base64,(\S+)/.exec(b.code)![1]!, 'base64').toString()) as { sources: string[] };
    expect(map.sources).toEqual([pathToFileURL(helper).href, pathToFileURL(main).href]);
    const r = execute(b.code);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`at check (${helper}:3:20)`);
    expect(r.stderr).toContain(`${main}:3:21`);
  }, 30_000);

  it('an unresolvable relative import or package fails at its import, naming what is missing', async () => {
    const main = file('bad/main.ts', "const a = 1;\nimport { b } from './nowhere';\nconsole.log(a, b);\n");
    const r = await bundleScript(main, []);
    expect(r).toMatchObject({ ok: false, error: { message: 'Could not resolve "./nowhere"', location: { file: main, line: 2, column: 19 } } });
    if (r.ok) return;
    expect(r.error.stack).toContain(`No file ${join(dir, 'bad/nowhere')}`);
    const pkg = file('bad/pkg.ts', "import { c } from 'left-pad-nope/sub';\nconsole.log(c);\n");
    expect(await bundleScript(pkg, [])).toMatchObject({ ok: false, error: { message: 'Could not resolve "left-pad-nope/sub"', location: { file: pkg, line: 1, column: 19 } } });
  }, 30_000);

  it('builtins stay external under node:, packages at their absolute file URL', async () => {
    file('ext/node_modules/esm-only/package.json', JSON.stringify({ name: 'esm-only', type: 'module', exports: { './feature': { import: './feature.js' } } }));
    const feature = file('ext/node_modules/esm-only/feature.js', 'export const on = true;\n');
    const main = file('ext/main.ts', "import { on } from 'esm-only/feature';\nimport { sep } from 'path';\nconsole.log(on, sep);\n");
    const b = await bundleScript(main, []);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(b.code).toContain(`from ${JSON.stringify(pathToFileURL(feature).href)}`);
    expect(b.code).toContain('from "node:path"');
    expect(execute(b.code)).toMatchObject({ status: 0, stdout: 'true /\n' });
  }, 30_000);
});
