// Transpiles and bundles a user's script with esbuild-wasm (pure WebAssembly: one package works on
// every platform). The script's own files are bundled with an inline source map; 'gradscope' becomes
// a virtual module re-exporting the engine the worker already loaded (the same instance the
// Recorder observes); any other bare import stays external, resolved as Node would from the
// importing file, so the script's node_modules work although the bundle lives in a temp folder.

import { isBuiltin } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild-wasm';
import type { RunError } from '../instrument/events';
import { ENGINE_GLOBAL } from './protocol';

export type BundleResult = { ok: true; code: string } | { ok: false; error: RunError };

const SKIP = Symbol('gradscope-resolving');

/** Starts esbuild's service early, so its start-up overlaps the worker's. */
export function warmBundler(): void {
  esbuild.transform('').catch(() => {});
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

function runnerPlugin(exportNames: readonly string[]): esbuild.Plugin {
  return {
    name: 'gradscope-runner',
    setup(build) {
      build.onResolve({ filter: /^gradscope$/ }, () => ({ path: 'gradscope', namespace: 'gradscope' }));
      build.onLoad({ filter: /.*/, namespace: 'gradscope' }, () => ({ contents: engineModuleSource(exportNames), loader: 'js' }));
      // Bare specifiers (packages, builtins): external, at the path Node's resolution gives.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === SKIP || isAbsolute(args.path) || args.path.startsWith('file:')) return undefined;
        if (isBuiltin(args.path)) return { path: args.path.startsWith('node:') ? args.path : `node:${args.path}`, external: true };
        const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: SKIP });
        // Unresolvable: let esbuild's own resolution report it at the import's line.
        if (r.errors.length > 0 || r.path === '' || r.external) return undefined;
        const isRequire = args.kind === 'require-call' || args.kind === 'require-resolve';
        return { path: isRequire ? r.path : pathToFileURL(r.path).href, external: true };
      });
    },
  };
}

/**
 * Bundles `script` (absolute path) into ESM code for `outFile` (its source map's paths are
 * relative to it). Never throws: a syntax error or an unresolvable import comes back located.
 */
export async function bundleScript(script: string, exportNames: readonly string[], outFile: string): Promise<BundleResult> {
  const url = pathToFileURL(script).href;
  try {
    const result = await esbuild.build({
      entryPoints: [script],
      absWorkingDir: dirname(script),
      outfile: outFile,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
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
      plugins: [runnerPlugin(exportNames)],
    });
    const out = result.outputFiles.find((f) => f.path.endsWith('.mjs') || f.path.endsWith('.js')) ?? result.outputFiles[0];
    if (out === undefined) return { ok: false, error: { message: 'esbuild produced no output', location: null, stack: '' } };
    return { ok: true, code: out.text };
  } catch (e) {
    return { ok: false, error: buildError(e, dirname(script)) };
  }
}

function buildError(e: unknown, workDir: string): RunError {
  const failure = e as Partial<esbuild.BuildFailure>;
  const first = failure.errors?.[0];
  if (first === undefined) return { message: `Could not bundle the script: ${e instanceof Error ? e.message : String(e)}`, location: null, stack: '' };
  const loc = first.location;
  const location = loc ? { file: resolve(workDir, loc.file), line: loc.line, column: loc.column + 1 } : null;
  const where = location ? `${location.file}:${location.line}:${location.column}: ` : '';
  const more = (failure.errors?.length ?? 1) > 1 ? ` (and ${failure.errors!.length - 1} more error${failure.errors!.length > 2 ? 's' : ''})` : '';
  return {
    message: `${first.text}${more}`,
    location,
    stack: (failure.errors ?? []).map((m) => `${m.location ? `${resolve(workDir, m.location.file)}:${m.location.line}:${m.location.column + 1}: ` : ''}error: ${m.text}`).join('\n') || `${where}error: ${first.text}`,
  };
}
