// The npm package `gradscope`: the engine without VS Code, for `npm install gradscope` and
// `npx gradscope run train.ts` or plain `node train.mjs`. Generated into out/npm/ (its own
// package.json; the repo's root package.json is the extension's manifest):
//   index.mjs (ESM) and index.cjs (CommonJS) bundles of core/index.ts, types/ (the declarations),
//   cli.mjs (bin `gradscope`) with what it loads beside it: worker.mjs, esbuild.wasm, report-client.js.
// Needs the main build's out/ (extension/build.mjs calls this last; `npm run build:npm` runs both).
// No "type" field: the file extensions say ESM or CommonJS, and the declarations read as CommonJS,
// whose named exports both an ESM `import` and a `require` may take.
import * as esbuild from 'esbuild';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files the CLI loads from beside itself, built by extension/build.mjs into out/. */
export const CLI_FILES = ['cli.mjs', 'worker.mjs', 'esbuild.wasm', 'report-client.js'];

export async function buildNpmPackage(root, { builtDir = join(root, 'out'), typesDir = join(root, 'out', 'types'), outDir = join(root, 'out', 'npm') } = {}) {
  for (const f of CLI_FILES) if (!existsSync(join(builtDir, f))) throw new Error(`${join(builtDir, f)} is missing: run npm run build first`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common = {
    absWorkingDir: root,
    entryPoints: ['core/index.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    // The instrumentation names modules by constructor.name.
    keepNames: true,
    logLevel: 'warning',
  };
  await esbuild.build({ ...common, format: 'esm', outfile: join(outDir, 'index.mjs') });
  await esbuild.build({
    ...common,
    format: 'cjs',
    outfile: join(outDir, 'index.cjs'),
    // Core modules locate files from import.meta.url, which CommonJS lacks.
    define: { 'import.meta.url': '__gradscopeImportMetaUrl' },
    banner: { js: 'var __gradscopeImportMetaUrl = require("url").pathToFileURL(__filename).href;' },
  });
  for (const f of CLI_FILES) copyFileSync(join(builtDir, f), join(outDir, f));
  cpSync(typesDir, join(outDir, 'types'), { recursive: true });
  copyFileSync(join(root, 'packaging', 'npm-README.md'), join(outDir, 'README.md'));

  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const pkg = {
    name: 'gradscope',
    version: manifest.version,
    description: 'A PyTorch-like autograd engine in TypeScript, with gradient debugging: run a training script and get findings (NaN, exploding/vanishing gradients, dead ReLUs, …) at the lines that cause them.',
    license: manifest.license,
    keywords: ['autograd', 'neural-network', 'deep-learning', 'pytorch', 'gradient', 'debugger'],
    main: './index.cjs',
    module: './index.mjs',
    types: './types/index.d.ts',
    exports: {
      '.': { types: './types/index.d.ts', import: './index.mjs', require: './index.cjs' },
      './package.json': './package.json',
    },
    bin: { gradscope: './cli.mjs' },
    files: ['index.mjs', 'index.cjs', 'types/', ...CLI_FILES, 'README.md'],
    engines: { node: manifest.engines.node },
  };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return outDir;
}
