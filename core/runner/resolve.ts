// Module resolution for the bundler, which has no file system of its own. The script's own files
// resolve as TypeScript does (extensionless, `/index`, `./x.js` meaning `./x.ts`) and get bundled;
// packages stay external at the file Node itself would load: `require` resolution for require
// calls, and for imports Node's ESM rules (package `exports`/`imports` under the conditions
// node, import, default; else `main`), since require.resolve cannot see import-only exports.

import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';

/** What a script's own imports may omit, in TypeScript's order of preference. */
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
/** TypeScript sources import each other by their emitted names: `./x.js` is `./x.ts`. */
const TS_TWINS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
const TS_SOURCE = /\.[mc]?tsx?$/;

const ESM_CONDITIONS = new Set(['node', 'import', 'default']);

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/**
 * The file a relative or absolute import names (`base` is already absolute), or null.
 * From TypeScript, `./x.js` prefers `./x.ts` (a compiled x.js beside it would be stale).
 */
export function resolveSourceFile(base: string, importer: string | undefined): string | null {
  const ext = extname(base);
  const twins = (TS_TWINS[ext] ?? []).map((e) => base.slice(0, -ext.length) + e);
  const fromTs = importer !== undefined && TS_SOURCE.test(importer);
  const candidates = [
    ...(fromTs ? twins : []),
    base,
    ...(fromTs ? [] : twins),
    ...EXTENSIONS.map((e) => base + e),
    ...EXTENSIONS.map((e) => join(base, `index${e}`)),
  ];
  return candidates.find(isFile) ?? null;
}

/** The file Node loads for a bare `specifier` imported (or required) by `importer`, or null. */
export function resolvePackage(specifier: string, importer: string, kind: 'import' | 'require'): string | null {
  const found = kind === 'import' ? esmResolve(specifier, dirname(importer)) ?? requireResolve(specifier, importer) : requireResolve(specifier, importer);
  if (found === null) return null;
  try {
    // As Node does: a package linked into node_modules is one module, wherever it is imported from.
    return realpathSync(found);
  } catch {
    return found;
  }
}

function requireResolve(specifier: string, importer: string): string | null {
  try {
    return createRequire(importer).resolve(specifier);
  } catch {
    return null;
  }
}

type PackageJson = { name?: unknown; main?: unknown; exports?: unknown; imports?: unknown };

function readPackageJson(dir: string): PackageJson | null {
  try {
    const json: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return typeof json === 'object' && json !== null ? (json as PackageJson) : null;
  } catch {
    return null;
  }
}

function nearestPackage(fromDir: string): { dir: string; json: PackageJson } | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const json = readPackageJson(dir);
    if (json !== null) return { dir, json };
    if (dirname(dir) === dir) return null;
  }
}

/** Node's ESM package resolution, the part scripts meet: `#imports`, self-reference, node_modules. */
function esmResolve(specifier: string, fromDir: string): string | null {
  if (specifier.startsWith('#')) {
    const own = nearestPackage(fromDir);
    const target = own !== null ? mapTarget(own.json.imports, specifier) : null;
    return target !== null ? existing(join(own!.dir, target)) : null;
  }
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = ['.', ...parts.slice(nameLength)].join('/');
  const own = nearestPackage(fromDir);
  if (own !== null && own.json.name === name && own.json.exports !== undefined) return inPackage(own.dir, own.json, subpath);
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    // Node stops at the first folder of that name, found or not.
    if (isDirectory(pkgDir)) return inPackage(pkgDir, readPackageJson(pkgDir) ?? {}, subpath);
    if (dirname(dir) === dir) return null;
  }
}

function inPackage(dir: string, json: PackageJson, subpath: string): string | null {
  if (json.exports !== undefined && json.exports !== null) {
    const target = mapTarget(exportsMap(json.exports), subpath);
    return target !== null ? existing(join(dir, target)) : null;
  }
  if (subpath !== '.') return existing(join(dir, subpath));
  // NOTE: Node never reads `module` (a bundlers' convention): `main`, then index.js.
  const main = typeof json.main === 'string' ? json.main : null;
  const candidates = main !== null ? [main, `${main}.js`, `${main}.json`, `${main}.node`, join(main, 'index.js'), join(main, 'index.json')] : [];
  for (const c of [...candidates, 'index.js', 'index.json']) {
    const file = existing(join(dir, c));
    if (file !== null) return file;
  }
  return null;
}

const existing = (path: string): string | null => (isFile(path) ? path : null);

/** `exports` as a subpath map: a string, an array or a conditions object stand for '.'. */
function exportsMap(exports: unknown): Record<string, unknown> {
  const isSubpathMap = typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  return isSubpathMap ? (exports as Record<string, unknown>) : { '.': exports };
}

/** The target of `key` in an exports/imports map: exact keys first, then the longest `*` pattern. */
function mapTarget(map: unknown, key: string): string | null {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return null;
  const entries = map as Record<string, unknown>;
  if (Object.hasOwn(entries, key) && !key.includes('*')) return conditionalTarget(entries[key], null);
  let best: { prefix: string; star: string; value: unknown } | null = null;
  for (const [pattern, value] of Object.entries(entries)) {
    const star = pattern.indexOf('*');
    if (star < 0) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (key.length < pattern.length - 1 || !key.startsWith(prefix) || !key.endsWith(suffix)) continue;
    if (best === null || prefix.length > best.prefix.length) best = { prefix, star: key.slice(prefix.length, key.length - suffix.length), value };
  }
  return best !== null ? conditionalTarget(best.value, best.star) : null;
}

/** A target under the conditions node, import, default (first match in the object's order). */
function conditionalTarget(target: unknown, star: string | null): string | null {
  // Targets are files inside the package (anything else is invalid, and skipped in a fallback array).
  if (typeof target === 'string') return !target.startsWith('./') ? null : star === null ? target : target.replaceAll('*', star);
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = conditionalTarget(t, star);
      if (r !== null) return r;
    }
    return null;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (ESM_CONDITIONS.has(condition)) {
        const r = conditionalTarget(value, star);
        if (r !== null) return r;
      }
    }
  }
  return null;
}
