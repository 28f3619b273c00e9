// The built CLI end to end: `npm run build`, then `node out/cli.mjs` in a child process, as a user
// or CI would run it.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'out', 'cli.mjs');
const work = mkdtempSync(join(tmpdir(), 'gradscope-cli-'));
// Generous: the runs share the machine with each other (and, in CI, with the rest of the suite).
const TIMEOUT = 120_000;
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

// Asynchronous, so the concurrent cases overlap (spawnSync would block the others' clocks).
function gradscope(args: string[], cwd = root): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function bugLine(name: string): number {
  const lines = readFileSync(join(root, 'examples', `${name}.ts`), 'utf8').split('\n');
  return lines.findIndex((l) => l.includes('BUG-LINE')) + 1;
}

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
}, 120_000);

describe.concurrent('gradscope CLI (built)', () => {
  it('is a Node ESM file with a shebang', async () => {
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('--version and --help', async () => {
    expect(await gradscope(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = await gradscope(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
  }, TIMEOUT);

  it('a NaN bug: exit 1, the finding at the BUG-LINE, valid JSON and HTML reports', async () => {
    const json = join(work, 'nan.json');
    const html = join(work, 'nan.html');
    const r = await gradscope(['run', 'examples/nan-zero-std.ts', '--json', json, '--report', html]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const line = bugLine('nan-zero-std');
    expect(r.stdout).toMatch(new RegExp(`^examples/nan-zero-std\\.ts:${line}:\\d+: error \\[nan-inf\\] .+$`, 'm'));
    expect(r.stdout).toMatch(/^ {4}fix: .+$/m);
    expect(r.stdout).toMatch(/^gradscope: completed after 20 steps in .+: [1-9]\d* errors?, /m);

    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ status: 'completed', steps: 20, script: join(root, 'examples', 'nan-zero-std.ts') });
    expect(typeof report.version).toBe('number');
    const nan = report.diagnostics.find((d: { code: string }) => d.code === 'nan-inf');
    expect(nan).toMatchObject({ severity: 'error', location: { file: join(root, 'examples', 'nan-zero-std.ts'), line } });
    const page = readFileSync(html, 'utf8');
    expect(page.slice(0, 200).toLowerCase()).toContain('<!doctype html>');
  }, TIMEOUT);

  it('a clean example exits 0', async () => {
    const r = await gradscope(['run', 'examples/mlp-2-4-1.ts']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/: (error|warning) \[/);
    expect(r.stdout).toMatch(/^gradscope: completed after \d+ steps/m);
  }, TIMEOUT);

  it('bad usage exits 3 and names the problem', async () => {
    const r = await gradscope(['run', 'examples/mlp-2-4-1.ts', '--bogus']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("gradscope: unknown option '--bogus'\nRun 'gradscope --help' for usage.\n");
    expect((await gradscope(['run', 'examples/mlp-2-4-1.ts', '--max-steps', 'x'])).code).toBe(3);
    expect((await gradscope(['run', 'no-such-file.ts'])).stderr).toContain('script not found: no-such-file.ts');
  }, TIMEOUT);

  it('a script that throws: exit 2, its error at its line, console output kept, report still written', async () => {
    const script = join(work, 'throws.ts');
    writeFileSync(
      script,
      [
        "import { tensor, nn } from 'gradscope';",
        "console.log('hello from the script');",
        'const layer = new nn.Linear(3, 2);',
        'const y: number = 1;',
        'layer.forward(tensor([[1, 2]])); // shape mismatch',
        '',
      ].join('\n'),
    );
    const json = join(work, 'throws.json');
    const r = await gradscope(['run', 'throws.ts', '--json', json], work);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('hello from the script\n');
    expect(r.stdout).toMatch(/^throws\.ts:5:\d+: error \[script-error\] .*Linear.*$/m);
    expect(r.stdout).toMatch(/^gradscope: failed after 0 steps/m);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ status: 'failed', error: { location: { file: script, line: 5 } } });
  }, TIMEOUT);

  it('--max-steps 3 stops after 3 steps; judged by its findings (exit 0 here)', async () => {
    const json = join(work, 'stopped.json');
    const r = await gradscope(['run', 'examples/nan-zero-std-fixed.ts', '--max-steps', '3', '--json', json]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^gradscope: stopped \(--max-steps 3\) after 3 steps/m);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ status: 'stopped', steps: 3 });
  }, TIMEOUT);

  it('--timeout ends an endless script: exit 2', async () => {
    const script = join(work, 'forever.js');
    writeFileSync(script, "import { tensor } from 'gradscope';\nconst x = tensor([1], { requiresGrad: true });\nfor (;;) x.mul(2).sum().backward();\n");
    const r = await gradscope(['run', script, '--timeout', '1'], work);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^gradscope: timeout after \d+ steps/m);
  }, TIMEOUT);

  it('Ctrl-C stops the run: exit 130, the report still written with status stopped', async () => {
    const script = join(work, 'endless.js');
    writeFileSync(script, "import { tensor } from 'gradscope';\nconst x = tensor([1], { requiresGrad: true });\nfor (;;) x.mul(2).sum().backward();\n");
    const json = join(work, 'endless.json');
    const child = spawn(process.execPath, [cli, 'run', script, '--json', json], { cwd: work });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    // Interrupt once training is under way (the first plain progress line).
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (s.includes('gradscope: step ')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code, stdout).toBe(130);
    expect(stdout).toMatch(/^gradscope: stopped \(Ctrl-C\) after \d+ steps/m);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ status: 'stopped' });
  }, TIMEOUT);
});
