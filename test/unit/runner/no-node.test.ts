// A run needs no `node` executable (VS Code's extension host may have none on PATH): the bundler
// runs esbuild's WebAssembly in the calling thread instead of spawning `node bin/esbuild`.
import { beforeAll, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'extension/build.mjs')], { stdio: 'inherit' });
}, 120_000);

it('the built CLI runs an example with no `node` on PATH', async () => {
  // An empty folder as the whole PATH (`node` is usually in /usr/bin or /usr/local/bin).
  const path = mkdtempSync(join(tmpdir(), 'gradscope-no-node-'));
  const env = { ...process.env, PATH: path };
  expect(existsSync(join(path, 'node'))).toBe(false);
  expect(spawnSync('node', ['--version'], { env }).error).toMatchObject({ code: 'ENOENT' });

  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'out/cli.mjs'), 'run', 'examples/mlp-2-4-1.ts', '--max-steps', '5'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  console.log(`no-node: the CLI ran 5 steps of mlp-2-4-1 in ${(performance.now() - t0).toFixed(0)} ms`);
  expect(code, stderr).toBe(0);
  expect(stdout).toContain('step 0 loss');
  expect(stdout).toMatch(/stopped \(--max-steps 5\) after 5 steps/);
}, 120_000);
