// Adds the TypeScript server plugin package to the .vsix `npm run package` made, at
// extension/node_modules/gradscope-ts-plugin/: tsserver loads an extension's plugins only from its
// node_modules, and vsce never packs the root node_modules with --no-dependencies (nor would we want
// the dependencies it would list). Run after `vsce package`: `node packaging/vsix-ts-plugin.mjs [x.vsix]`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TS_PLUGIN_NAME, installTsPlugin } from './ts-plugin.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = resolve(process.argv[2] ?? join(root, `${pkg.name}-${pkg.version}.vsix`));
const pluginDir = join(root, 'out', 'ts-plugin');
if (!existsSync(join(pluginDir, 'index.js'))) throw new Error(`${pluginDir} is missing: run npm run build first`);
if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run vsce package first`);

const stage = mkdtempSync(join(tmpdir(), 'gradscope-vsix-'));
try {
  installTsPlugin(pluginDir, join(stage, 'extension'));
  // The package's [Content_Types].xml names every file extension it holds: add .ts (the .d.ts files).
  const typesXml = '[Content_Types].xml';
  const xml = execFileSync('unzip', ['-p', vsix, '\\[Content_Types\\].xml'] /* brackets are unzip wildcards */, { encoding: 'utf8' });
  const entries = [`extension/node_modules/${TS_PLUGIN_NAME}`];
  if (!xml.includes('Extension=".ts"')) {
    writeFileSync(join(stage, typesXml), xml.replace('</Types>', '<Default Extension=".ts" ContentType="text/plain"/></Types>'));
    entries.push(typesXml);
  }
  // zip adds or replaces these entries, leaving the rest of the archive as vsce wrote it.
  execFileSync('zip', ['-q', '-r', '-X', vsix, ...entries], { cwd: stage, stdio: 'inherit' });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
console.log(`${vsix}: added extension/node_modules/${TS_PLUGIN_NAME}/`);
