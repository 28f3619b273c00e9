// The npm package `gradscope` generated into out/npm by the build: `npm pack` holds the ESM and
// CommonJS builds, the declarations and the CLI, and nothing else (no sources, tests, vscode); a
// require(), an ESM import and the CLI each train the starter script from a folder that installed it.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STARTER_SCRIPT } from '../../../extension/starter-script';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const npmDir = join(root, 'out', 'npm');
let files: string[];
let app: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'extension/build.mjs')], { cwd: root, stdio: 'pipe' });
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: npmDir, encoding: 'utf8' }));
  files = pack.files.map((f: { path: string }) => f.path).sort();
  // A user's folder with the package installed (copied as npm would unpack it).
  app = mkdtempSync(join(tmpdir(), 'gradscope-npm-'));
  mkdirSync(join(app, 'node_modules'));
  cpSync(npmDir, join(app, 'node_modules', 'gradscope'), { recursive: true });
}, 180_000);

describe('npm package gradscope', () => {
  it('packs the ESM and CJS builds, the declarations and the CLI, nothing else', () => {
    for (const f of ['package.json', 'README.md', 'index.mjs', 'index.cjs', 'types/index.d.ts', 'types/nn/linear.d.ts', 'types/optim/sgd.d.ts', 'cli.mjs', 'worker.mjs', 'esbuild.wasm', 'report-client.js']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => !/^(types\/.*\.d\.ts|[\w-]+\.(mjs|cjs|js|wasm|json|md))$/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /test|vscode|extension|webview/i.test(f))).toEqual([]);
  });

  it('has a manifest with exports for types, import and require, the bin, and no dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(npmDir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('gradscope');
    expect(pkg.exports['.']).toEqual({ types: './types/index.d.ts', import: './index.mjs', require: './index.cjs' });
    expect(pkg.bin).toEqual({ gradscope: './cli.mjs' });
    expect(pkg.dependencies).toBeUndefined();
    expect(readFileSync(join(npmDir, 'cli.mjs'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node/);
    for (const f of ['index.mjs', 'index.cjs']) expect(readFileSync(join(npmDir, f), 'utf8')).not.toMatch(/require\("vscode"\)|from "vscode"/);
  });

  const plain = STARTER_SCRIPT.replace(/^import .*$/m, '');
  it('require() trains the starter script', () => {
    writeFileSync(join(app, 'train.cjs'), `const { tensor, nn, optim, manualSeed } = require('gradscope');\n${plain}`);
    const r = spawnSync(process.execPath, ['train.cjs'], { cwd: app, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/step 0 loss [\d.]+\n/);
    const preds = JSON.parse(r.stdout.split('predictions')[1]!.trim().replace(/\s+/g, '').replace(/'/g, '"')) as number[][];
    // XOR learned: 0, 1, 1, 0.
    expect(preds.map(([p]) => Math.round(p!) + 0)).toEqual([0, 1, 1, 0]);
  });

  it('an ESM import trains the starter script, with the same losses', () => {
    writeFileSync(join(app, 'train.mjs'), STARTER_SCRIPT);
    const esm = spawnSync(process.execPath, ['train.mjs'], { cwd: app, encoding: 'utf8' });
    const cjs = spawnSync(process.execPath, ['train.cjs'], { cwd: app, encoding: 'utf8' });
    expect(esm.stderr).toBe('');
    expect(esm.stdout).toBe(cjs.stdout);
  });

  it('the CLI runs the TypeScript starter script with gradient debugging', () => {
    writeFileSync(join(app, 'train.ts'), STARTER_SCRIPT);
    const r = spawnSync(process.execPath, [join(app, 'node_modules/gradscope/cli.mjs'), 'run', 'train.ts', '--json', 'run.json'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/step 200 loss/);
    const report = JSON.parse(readFileSync(join(app, 'run.json'), 'utf8')) as { status: string; steps: number };
    expect(report).toMatchObject({ status: 'completed', steps: 300 });
  }, 120_000);
});
