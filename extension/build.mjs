// Builds the bundles Node runs directly: `node extension/build.mjs` (npm run build).
// Each entry becomes out/<name>.mjs; add an entry here for new executables. The runner's worker
// bundles the whole engine; esbuild-wasm stays external (it locates its .wasm next to itself).
import * as esbuild from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = join(root, 'out');

const entries = [
  { name: 'worker', entry: 'core/runner/worker.ts' },
  { name: 'runner', entry: 'core/runner/index.ts' },
  { name: 'cli', entry: 'core/cli/cli.ts' },
  { name: 'demo', entry: 'core/cli/demo.ts' },
];

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: entries.map((e) => ({ in: e.entry, out: e.name })),
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  write: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The instrumentation names modules by constructor.name.
  keepNames: true,
  external: ['esbuild-wasm', 'esbuild'],
  logLevel: 'warning',
});

// Write each file atomically: test files that build concurrently, or a run starting while a
// build is under way, never load a half-written bundle.
mkdirSync(outDir, { recursive: true });
for (const f of result.outputFiles) {
  const tmp = `${f.path}.${process.pid}.tmp`;
  writeFileSync(tmp, f.contents);
  renameSync(tmp, f.path);
}
