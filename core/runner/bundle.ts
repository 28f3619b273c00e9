// Transpiles and bundles a user's script with esbuild-wasm, in this thread (esbuild-service.ts).
// The script's own files are bundled (read here: the browser API has no file system) with a
// source map naming them by absolute file URL; 'gradscope' becomes a virtual module re-exporting
// the engine the worker already loaded (the same instance the Recorder observes); any other bare
// import stays external, at the file Node would load from the importing file, so the script's
// node_modules work although the bundle lives in a temp folder.

import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as esbuild from 'esbuild-wasm/esm/browser.js';
import type { RunError } from '../instrument/events';
import { ENGINE_GLOBAL } from './protocol';
import { esbuildService } from './esbuild-service';
import { resolvePackage, resolveSourceFile } from './resolve';
import { mappedCandidates, scriptTsconfig, TsconfigError, type ScriptTsconfig } from './tsconfig';

export { setEsbuildWasmPath } from './esbuild-service';

export type BundleResult = { ok: true; code: string } | { ok: false; error: RunError };

/** The script's own files: paths are native absolute paths, opaque to esbuild (so Windows paths work too). */
const FILES = 'gradscope-file';

/** Starts esbuild early (its first start takes about a second), so it overlaps the worker's. */
export function warmBundler(): void {
  esbuildService().then((s) => s.transform('')).catch(() => {});
}

/** Source of the virtual 'gradscope' module: one named export per key of the engine's index. */
export function engineModuleSource(exportNames: readonly string[]): string {
  const lines = [`const g = globalThis[${JSON.stringify(ENGINE_GLOBAL)}];`];
  const specs: string[] = [];
  exportNames.forEach((name, i) => {
    lines.push(`const e${i} = g[${JSON.stringify(name)}];`);
    specs.push(`e${i} as ${JSON.stringify(name)}`);
  });
  lines.push(`export { ${specs.join(', ')} };`, 'export default g;');
  return lines.join('\n');
}

const LOADERS: Record<string, esbuild.Loader> = {
  '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx',
  '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx',
  '.json': 'json', '.txt': 'text',
};

const unresolved = (specifier: string, detail: string): esbuild.OnResolveResult => ({
  // esbuild places a plugin's error at the import that asked.
  errors: [{ text: `Could not resolve "${specifier}"`, notes: [{ text: detail }] }],
});

function runnerPlugin(exportNames: readonly string[], tsconfig: ScriptTsconfig | null): esbuild.Plugin {
  return {
    name: 'gradscope-runner',
    setup(build) {
      build.onResolve({ filter: /^gradscope$/ }, () => ({ path: 'gradscope', namespace: 'gradscope' }));
      build.onLoad({ filter: /.*/, namespace: 'gradscope' }, () => ({ contents: engineModuleSource(exportNames), loader: 'js' }));

      build.onResolve({ filter: /.*/ }, (args) => {
        const specifier = args.path.startsWith('file:') ? fileURLToPath(args.path) : args.path;
        if (args.kind === 'entry-point') return { path: specifier, namespace: FILES };
        const importer = args.namespace === FILES ? args.importer : undefined;
        if (isAbsolute(specifier) || /^\.\.?(\/|\\|$)/.test(specifier)) {
          const file = resolveSourceFile(resolve(args.resolveDir, specifier), importer);
          return file !== null ? { path: file, namespace: FILES } : unresolved(args.path, `No file ${resolve(args.resolveDir, specifier)} (with or without a .ts/.js/… extension, nor an index file in it).`);
        }
        // The tsconfig's `paths` and `baseUrl` map bare imports onto the script's own files, as tsc does.
        if (tsconfig !== null) {
          for (const candidate of mappedCandidates(tsconfig, specifier)) {
            const file = resolveSourceFile(candidate, importer);
            if (file !== null) return { path: file, namespace: FILES };
          }
        }
        if (isBuiltin(specifier)) return { path: specifier.startsWith('node:') ? specifier : `node:${specifier}`, external: true };
        const isRequire = args.kind === 'require-call' || args.kind === 'require-resolve';
        const from = importer ?? resolve(args.resolveDir, 'index.js');
        const file = resolvePackage(specifier, from, isRequire ? 'require' : 'import');
        if (file === null) return unresolved(args.path, `No package "${specifier}" is installed for ${from} (npm install it next to the script).`);
        return { path: isRequire ? file : pathToFileURL(file).href, external: true };
      });

      build.onLoad({ filter: /.*/, namespace: FILES }, async (args) => {
        // Other extensions get esbuild's own choice (or its located "no loader" error).
        const loader = LOADERS[extname(args.path).toLowerCase()];
        return { contents: await readFile(args.path), resolveDir: dirname(args.path), ...(loader !== undefined ? { loader } : {}) };
      });
    },
  };
}

/**
 * Bundles `script` (absolute path) into ESM code with an inline source map. Never throws: a syntax
 * error or an unresolvable import comes back located.
 */
export async function bundleScript(script: string, exportNames: readonly string[]): Promise<BundleResult> {
  let service: typeof esbuild;
  try {
    service = await esbuildService();
  } catch (e) {
    return { ok: false, error: { message: `Could not start the bundler (esbuild-wasm): ${(e as Error).message}`, location: null, stack: '' } };
  }
  const url = pathToFileURL(script).href;
  let tsconfig: ScriptTsconfig | null;
  try {
    tsconfig = scriptTsconfig(script);
  } catch (e) {
    if (!(e instanceof TsconfigError)) throw e;
    return { ok: false, error: { message: e.message, location: { file: e.file, line: e.line, column: 1 }, stack: '' } };
  }
  try {
    const result = await service.build({
      entryPoints: [script],
      outfile: 'script.mjs',
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'external',
      sourcesContent: false,
      // Module names (constructor.name) appear in reports: keep them even when files collide.
      keepNames: true,
      logLevel: 'silent',
      // The bundle runs from a temp folder: the script's own location stays what it expects.
      define: {
        'import.meta.url': JSON.stringify(url),
        'import.meta.filename': JSON.stringify(script),
        'import.meta.dirname': JSON.stringify(dirname(script)),
        __filename: JSON.stringify(script),
        __dirname: JSON.stringify(dirname(script)),
      },
      // The compiler options that change the emitted code (decorators, class fields, JSX…).
      ...(tsconfig !== null ? { tsconfigRaw: { compilerOptions: tsconfig.emit } } : {}),
      plugins: [runnerPlugin(exportNames, tsconfig)],
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
    if (code === undefined || map === undefined) return { ok: false, error: { message: 'esbuild produced no output', location: null, stack: '' } };
    return { ok: true, code: withInlineMap(code.text, map.text) };
  } catch (e) {
    return { ok: false, error: buildError(e) };
  }
}

/**
 * Replaces the map's reference by the map itself, its sources as absolute file URLs (the bundle
 * is written elsewhere, maybe on another drive, so relative sources would not do).
 */
function withInlineMap(code: string, mapText: string): string {
  const map = JSON.parse(mapText) as { sources: string[] };
  map.sources = map.sources.map((s) => (s.startsWith(`${FILES}:`) ? pathToFileURL(s.slice(FILES.length + 1)).href : s));
  const body = code.replace(/\/\/# sourceMappingURL=\S+\s*$/, '');
  return `${body}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/** A message's file: esbuild names files outside its own namespace `namespace:path`. */
function fileOf(loc: esbuild.Location): string {
  return loc.file.startsWith(`${FILES}:`) ? loc.file.slice(FILES.length + 1) : loc.file;
}

function buildError(e: unknown): RunError {
  const failure = e as Partial<esbuild.BuildFailure>;
  const errors = failure.errors ?? [];
  const first = errors[0];
  if (first === undefined) return { message: `Could not bundle the script: ${e instanceof Error ? e.message : String(e)}`, location: null, stack: '' };
  const where = (m: esbuild.Message): string => (m.location ? `${fileOf(m.location)}:${m.location.line}:${m.location.column + 1}: ` : '');
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const notes = (m: esbuild.Message): string => m.notes.map((n) => `\n  ${n.text}`).join('');
  return {
    message: `${first.text}${more}`,
    location: first.location ? { file: fileOf(first.location), line: first.location.line, column: first.location.column + 1 } : null,
    stack: errors.map((m) => `${where(m)}error: ${m.text}${notes(m)}`).join('\n'),
  };
}
