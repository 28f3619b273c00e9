// `npm run test:e2e [-- filter...]`: installs what is missing (setup.sh), builds and packages the
// extension when the repo has those scripts, then runs test/e2e/specs/*.spec.mjs with node's test
// runner, one file at a time. The packaged .vsix reaches the specs as GRADSCOPE_VSIX. The last line
// printed is "e2e: N passed, N failed"; the exit code is nonzero when anything failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, reportsDir } from './harness.mjs';

const filters = process.argv.slice(2);
const specsDir = join(repoRoot, 'test/e2e/specs');
const summaryFile = join(reportsDir, 'summary.json');
mkdirSync(reportsDir, { recursive: true });

function finish(passed, failed, extra = '') {
  console.log(`e2e: ${passed} passed, ${failed} failed${extra}`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

function step(label, cmd, args, opts = {}) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', ...opts });
  console.log(`e2e: ${label} ${r.status === 0 ? 'done' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r.status === 0;
}

if (!step('setup', 'bash', [join(repoRoot, 'test/e2e/setup.sh')])) finish(0, 1, ' (setup failed)');

const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts ?? {};
const env = { ...process.env };
if (scripts.package) {
  const started = Date.now();
  if (scripts.build && !step('build', 'npm', ['run', 'build'])) finish(0, 1, ' (build failed)');
  if (!step('package', 'npm', ['run', 'package'])) finish(0, 1, ' (package failed)');
  const fresh = readdirSync(repoRoot)
    .filter((f) => f.endsWith('.vsix'))
    .map((f) => ({ f: join(repoRoot, f), t: statSync(join(repoRoot, f)).mtimeMs }))
    .filter((x) => x.t >= started - 1000)
    .sort((a, b) => b.t - a.t);
  if (!fresh.length) finish(0, 1, ' (npm run package made no .vsix in the repo root)');
  env.GRADSCOPE_VSIX = fresh[0].f;
  console.log(`e2e: extension packaged: ${fresh[0].f}`);
} else {
  console.log('e2e: no "package" script in package.json yet: specs that need the extension .vsix cannot run');
}

const specs = readdirSync(specsDir)
  .filter((f) => /\.spec\.m?js$/.test(f))
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)))
  .map((f) => join(specsDir, f));
if (!specs.length) finish(0, 1, ` (no spec matched ${filters.join(' ')})`);

rmSync(summaryFile, { force: true });
const t0 = Date.now();
spawnSync(process.execPath, [
  '--test', '--test-concurrency=1',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  `--test-reporter=${join(repoRoot, 'test/e2e/summary-reporter.mjs')}`, `--test-reporter-destination=${summaryFile}`,
  ...specs,
], { cwd: repoRoot, stdio: 'inherit', env });
const seconds = ((Date.now() - t0) / 1000).toFixed(1);
let summary;
try {
  summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
} catch {
  finish(0, 1, ' (the test runner wrote no summary)');
}
writeFileSync(summaryFile, JSON.stringify({ ...summary, seconds: Number(seconds) }, null, 2));
finish(summary.passed, summary.failed, `${summary.skipped ? `, ${summary.skipped} skipped` : ''} (${seconds} s)`);
