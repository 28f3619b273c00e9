// Builds the bundles Node runs directly: `node extension/build.mjs` (npm run build).
// Each entry becomes out/<name>.mjs; add an entry here for new executables. The runner's worker
// bundles the whole engine; the runner bundles esbuild-wasm's browser API and loads out/esbuild.wasm.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPanel } from '../webview/panel/build.mjs';
import { emitTypes } from '../packaging/types.mjs';
import { buildTsPlugin, installTsPlugin } from '../packaging/ts-plugin.mjs';
import { buildNpmPackage } from '../packaging/npm.mjs';

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
  external: ['esbuild'],
  logLevel: 'warning',
});

for (const f of result.outputFiles) writeAtomic(f.path, f.contents);

// The VS Code extension: CommonJS for the extension host, `vscode` provided by it. Everything it
// runs must sit in out/ (the .vsix ships no node_modules): the runner's worker (out/worker.mjs),
// esbuild's out/esbuild.wasm, the panel's and the HTML report's scripts.
const extensionBuild = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'extension/extension.ts', out: 'extension' },
    // The run()-shaped integration tests (`extensionTestsPath`); excluded from the .vsix.
    { in: 'test/e2e/extension-tests/index.ts', out: 'test/extension-tests' },
    { in: 'test/e2e/extension-tests/types.ts', out: 'test/types-tests' },
  ],
  outdir: outDir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  write: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // Core modules locate files from import.meta.url, which CommonJS lacks.
  define: { 'import.meta.url': '__gradscopeImportMetaUrl' },
  banner: { js: 'var __gradscopeImportMetaUrl = require("url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
});

// The HTML report's scripts, prebuilt (the extension hands them to setReportAssets).
const reportClient = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['webview/report/main.ts'],
  outfile: join(outDir, 'report-client.js'),
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// The gradient panel's webview: out/panel.js and out/panel.css (see webview/panel/build.mjs).
const panelFiles = await buildPanel(root, outDir);

// Write each file atomically: test files that build concurrently, or a run starting while a
// build is under way, never load a half-written bundle.
function writeAtomic(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}
for (const f of [...extensionBuild.outputFiles, ...reportClient.outputFiles, ...panelFiles]) writeAtomic(f.path, f.contents);

const copyAtomic = (from, to) => {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
};
const modules = join(root, 'node_modules');
copyAtomic(join(modules, 'chart.js/dist/chart.umd.min.js'), join(outDir, 'chart.umd.min.js'));
copyAtomic(join(modules, 'esbuild-wasm/esbuild.wasm'), join(outDir, 'esbuild.wasm'));

// `import … from 'gradscope'` with nothing installed: the public API's declarations (out/types/),
// the TypeScript server plugin mapping 'gradscope' to them (out/ts-plugin/, also put in the repo's
// node_modules for an extension host run on the repo; the .vsix gets it from
// packaging/vsix-ts-plugin.mjs), and the npm package `gradscope` (out/npm/).
const typesDir = emitTypes(root, join(outDir, 'types'));
installTsPlugin(await buildTsPlugin(root, join(outDir, 'ts-plugin'), typesDir), root);
await buildNpmPackage(root);
