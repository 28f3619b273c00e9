// Declaration files of the public API (`import … from 'gradscope'`), emitted from core/ by tsc:
// a tree of .d.ts files with index.d.ts at its root. Shipped in the .vsix (beside the TypeScript
// server plugin) and in the npm package. Relative specifiers get explicit `.js` (or `/index.js`)
// endings so the tree resolves under every moduleResolution (node16/nodenext demand them, bundler
// and node10 accept them). One rolled-up index.d.ts would need a d.ts bundler as a new dependency.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Emits the declarations into `outDir` (replaced whole). Returns outDir. */
export function emitTypes(root, outDir) {
  const tmp = mkdtempSync(join(tmpdir(), 'gradscope-types-'));
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'packaging/tsconfig.types.json'), '--outDir', tmp],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // tsc emits despite type errors (someone's change in progress): warn, fail only without output.
    const said = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    if (!existsSync(join(tmp, 'index.d.ts'))) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`tsc could not emit the declarations:\n${said}`);
    }
    process.stderr.write(`warning: type errors while emitting the declarations:\n${said}`);
  }
  for (const f of walk(tmp)) writeFileSync(f, withJsSpecifiers(readFileSync(f, 'utf8'), dirname(f)));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  renameOrCopy(tmp, outDir);
  return outDir;
}

/** `from './x'` → './x.js' or './x/index.js', whichever declaration exists beside `dir`. */
export function withJsSpecifiers(source, dir) {
  return source.replace(/(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g, (all, lead, q, spec) => {
    if (/\.(m|c)?js$/.test(spec)) return all;
    const base = resolve(dir, spec);
    if (existsSync(`${base}.d.ts`)) return `${lead}${q}${spec}.js${q}`;
    if (existsSync(join(base, 'index.d.ts'))) return `${lead}${q}${spec}/index.js${q}`;
    return all;
  });
}

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.d.ts') ? [p] : [];
  });
}

function renameOrCopy(from, to) {
  try {
    renameSync(from, to);
  } catch {
    // A temp dir on another file system.
    cpSync(from, to, { recursive: true });
    rmSync(from, { recursive: true, force: true });
  }
}
