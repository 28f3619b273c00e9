// The TypeScript server plugin's package (extension/ts-plugin/plugin.ts): out/ts-plugin/ with its
// package.json, index.js (CommonJS: tsserver requires it) and the declarations in types/. tsserver
// finds an extension's plugins only in <extension>/node_modules/<name>: vsix-ts-plugin.mjs adds this
// folder there in the .vsix, and the build mirrors it into the repo's node_modules so an extension
// host started on the repo (extensionDevelopmentPath) finds it too.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TS_PLUGIN_NAME = 'gradscope-ts-plugin';

/** Builds the plugin package into `outDir` (replaced whole) from the declarations in `typesDir`. */
export async function buildTsPlugin(root, outDir, typesDir) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['extension/ts-plugin/plugin.ts'],
    outfile: join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    // tsserver calls module.exports as the plugin's factory.
    footer: { js: 'module.exports = module.exports.default;' },
    logLevel: 'warning',
  });
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({
    name: TS_PLUGIN_NAME,
    version: '0.0.0',
    private: true,
    description: "GradScope's TypeScript server plugin: `import … from 'gradscope'` resolves to the bundled declarations.",
    main: 'index.js',
  }, null, 2)}\n`);
  cpSync(typesDir, join(outDir, 'types'), { recursive: true });
  return outDir;
}

/** Copies the built plugin package to <extensionRoot>/node_modules/<name>. */
export function installTsPlugin(pluginDir, extensionRoot) {
  const to = join(extensionRoot, 'node_modules', TS_PLUGIN_NAME);
  rmSync(to, { recursive: true, force: true });
  cpSync(pluginDir, to, { recursive: true });
  return to;
}
