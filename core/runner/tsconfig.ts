// The script's tsconfig.json, read here because the bundler (esbuild's browser API) has no file
// system: the nearest one above the script, with its `extends` chain, as TypeScript reads it
// (comments and trailing commas allowed). Two things come out of it: the compiler options that
// change what the code does once transpiled (decorators, class fields, JSX...), handed to esbuild
// as `tsconfigRaw`, and the module paths (`baseUrl`, `paths`) the runner's resolver maps imports
// through, as tsc does.

import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** The options esbuild reads from a tsconfig (those that change the emitted code). */
const EMIT_OPTIONS = [
  'alwaysStrict', 'experimentalDecorators', 'importsNotUsedAsValues', 'jsx', 'jsxFactory', 'jsxFragmentFactory',
  'jsxImportSource', 'preserveValueImports', 'strict', 'target', 'useDefineForClassFields', 'verbatimModuleSyntax',
] as const;

export interface ScriptTsconfig {
  /** The tsconfig.json found (the start of the extends chain). */
  file: string;
  /** Options for esbuild's `tsconfigRaw.compilerOptions`. */
  emit: Record<string, unknown>;
  /** `paths` patterns, in the file's order, with their targets made absolute. */
  paths: { pattern: string; targets: string[] }[];
  /** Absolute `baseUrl`, or null: bare imports then never resolve against it. */
  baseUrl: string | null;
}

/** A tsconfig that cannot be read: the message names the file and what is wrong. */
export class TsconfigError extends Error {
  constructor(readonly file: string, message: string, readonly line = 1) {
    super(`${file}: ${message}`);
  }
}

/** The nearest tsconfig.json in the script's folder or above it, read; null when there is none. */
export function scriptTsconfig(script: string): ScriptTsconfig | null {
  for (let dir = dirname(script); ; dir = dirname(dir)) {
    const file = join(dir, 'tsconfig.json');
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return readTsconfig(file);
    if (dirname(dir) === dir) return null;
  }
}

interface Merged {
  compilerOptions: Record<string, unknown>;
  /** Where `baseUrl` and `paths` are relative to: the folder of the file that set each. */
  baseUrlDir: string | null;
  pathsDir: string | null;
}

export function readTsconfig(file: string): ScriptTsconfig {
  const m = load(file, []);
  const o = m.compilerOptions;
  const baseUrl = typeof o.baseUrl === 'string' && m.baseUrlDir !== null ? resolve(m.baseUrlDir, o.baseUrl) : null;
  // Without baseUrl, paths are relative to the tsconfig that declares them (TypeScript 4.1+).
  const pathsBase = baseUrl ?? m.pathsDir;
  const paths: ScriptTsconfig['paths'] = [];
  if (o.paths !== undefined) {
    if (o.paths === null || typeof o.paths !== 'object' || Array.isArray(o.paths)) throw new TsconfigError(file, 'compilerOptions.paths must be an object of pattern → list of paths');
    for (const [pattern, targets] of Object.entries(o.paths as Record<string, unknown>)) {
      if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string')) throw new TsconfigError(file, `compilerOptions.paths["${pattern}"] must be a list of paths`);
      paths.push({ pattern, targets: (targets as string[]).map((t) => resolve(pathsBase!, t)) });
    }
  }
  const emit: Record<string, unknown> = {};
  for (const k of EMIT_OPTIONS) if (o[k] !== undefined) emit[k] = o[k];
  return { file, emit, paths, baseUrl };
}

/** The file's options over those of what it extends (TypeScript's order: later entries win). */
function load(file: string, seen: string[]): Merged {
  if (seen.includes(file)) throw new TsconfigError(seen[0]!, `its "extends" chain comes back to ${file}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TsconfigError(seen[0] ?? file, `cannot read ${file}: ${(e as Error).message}`);
  }
  const json = parseJsonc(text, file);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new TsconfigError(file, 'not a JSON object');
  const config = json as { extends?: unknown; compilerOptions?: unknown };
  const dir = dirname(file);
  const bases = config.extends === undefined ? [] : Array.isArray(config.extends) ? config.extends : [config.extends];
  let merged: Merged = { compilerOptions: {}, baseUrlDir: null, pathsDir: null };
  for (const base of bases) {
    if (typeof base !== 'string') throw new TsconfigError(file, '"extends" must be a path or a list of paths');
    const parent = load(extendedFile(base, dir, file), [...seen, file]);
    merged = { compilerOptions: { ...merged.compilerOptions, ...parent.compilerOptions }, baseUrlDir: parent.baseUrlDir ?? merged.baseUrlDir, pathsDir: parent.pathsDir ?? merged.pathsDir };
  }
  const own = config.compilerOptions ?? {};
  if (typeof own !== 'object' || own === null || Array.isArray(own)) throw new TsconfigError(file, '"compilerOptions" must be an object');
  const ownOptions = own as Record<string, unknown>;
  return {
    compilerOptions: { ...merged.compilerOptions, ...ownOptions },
    baseUrlDir: 'baseUrl' in ownOptions ? dir : merged.baseUrlDir,
    pathsDir: 'paths' in ownOptions ? dir : merged.pathsDir,
  };
}

/** A relative or absolute path (`.json` optional), else a package's file, as TypeScript finds it. */
function extendedFile(spec: string, dir: string, from: string): string {
  if (isAbsolute(spec) || spec.startsWith('.')) {
    const path = resolve(dir, spec);
    return statSync(path, { throwIfNoEntry: false })?.isFile() || path.endsWith('.json') ? path : `${path}.json`;
  }
  const require = createRequire(join(dir, 'tsconfig.json'));
  for (const candidate of [spec, `${spec}.json`, `${spec}/tsconfig.json`]) {
    try {
      return require.resolve(candidate);
    } catch {
      // the next form
    }
  }
  throw new TsconfigError(from, `"extends": "${spec}" is neither a file nor an installed package's tsconfig`);
}

/** JSON with comments and trailing commas (tsconfig's dialect); errors name the file and line. */
export function parseJsonc(text: string, file: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      // A string, copied whole (escapes included).
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const body = text.slice(i, end < 0 ? text.length : end + 2);
      // Newlines kept, so error lines stay right.
      out += body.replace(/[^\n]/g, ' ');
      i = end < 0 ? text.length : end + 1;
    } else {
      out += c;
    }
  }
  // Trailing commas: a comma followed (past blanks) by } or ].
  out = out.replace(/,(\s*[}\]])/g, '$1');
  try {
    return JSON.parse(out);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const line = m === null ? null : out.slice(0, Number(m[1])).split('\n').length;
    throw new TsconfigError(file, `not valid JSON${line === null ? '' : ` at line ${line}`}: ${(e as Error).message}`, line ?? 1);
  }
}

/**
 * The candidate paths `paths` maps a bare specifier to (the longest matching prefix's pattern
 * first, as TypeScript picks it), then `baseUrl`/specifier; the caller takes the first that
 * names a source file.
 */
export function mappedCandidates(ts: ScriptTsconfig, specifier: string): string[] {
  const matches: { prefix: number; targets: string[] }[] = [];
  for (const { pattern, targets } of ts.paths) {
    const star = pattern.indexOf('*');
    if (star < 0) {
      if (pattern === specifier) matches.push({ prefix: Infinity, targets });
      continue;
    }
    const pre = pattern.slice(0, star);
    const post = pattern.slice(star + 1);
    if (specifier.length >= pre.length + post.length && specifier.startsWith(pre) && specifier.endsWith(post)) {
      const hole = specifier.slice(pre.length, specifier.length - post.length);
      matches.push({ prefix: pre.length, targets: targets.map((t) => t.replace('*', hole)) });
    }
  }
  // Stable: among equal prefixes the file's order stands.
  matches.sort((a, b) => b.prefix - a.prefix);
  const out = matches.flatMap((m) => m.targets);
  if (ts.baseUrl !== null) out.push(resolve(ts.baseUrl, specifier));
  return out;
}
