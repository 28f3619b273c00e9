// esbuild-wasm's browser API, run in this thread. Its Node API spawns `node bin/esbuild`, which
// needs a `node` on PATH (VS Code's extension host may have none) and cannot be bundled; the
// browser API runs the same WebAssembly in the calling thread (`worker: false`) and bundles into
// our own out/*.mjs and the extension. It has no file system: the runner's plugins read files.
//
// Started once per process; every build after the first reuses the running service.

import * as esbuild from 'esbuild-wasm/esm/browser.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export type Esbuild = typeof esbuild;

// The lib settings (ES2022 + node types) declare WebAssembly's types but not its global value.
const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;

let wasmOverride: string | null = null;
let service: Promise<Esbuild> | null = null;

/** Uses an esbuild.wasm elsewhere than next to this module (must be called before the first build). */
export function setEsbuildWasmPath(path: string | null): void {
  wasmOverride = path;
}

/** The esbuild.wasm to load: next to this file once bundled (out/esbuild.wasm), else esbuild-wasm's own. */
export function esbuildWasmPath(): string {
  if (wasmOverride !== null) return wasmOverride;
  const sibling = fileURLToPath(new URL('./esbuild.wasm', import.meta.url));
  if (existsSync(sibling)) return sibling;
  try {
    return createRequire(import.meta.url).resolve('esbuild-wasm/esbuild.wasm');
  } catch {
    return sibling;
  }
}

/** The running service, started on first use; a failed start is retried by the next call. */
export function esbuildService(): Promise<Esbuild> {
  service ??= start().catch((e: unknown) => {
    service = null;
    throw e;
  });
  return service;
}

async function start(): Promise<Esbuild> {
  const path = esbuildWasmPath();
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`esbuild's WebAssembly module is missing (${path}): ${(e as Error).message}`);
  }
  // Compiled off this thread; only running Go's start-up blocks it.
  const wasmModule = await wasmApi.compile(bytes);
  // NOTE: the in-thread Go glue reads the global object as `self` (a browser/worker global Node
  // lacks) and throws at once without it; here it is the global object itself, as in browsers.
  if (!('self' in globalThis)) Object.defineProperty(globalThis, 'self', { value: globalThis, configurable: true, writable: true });
  await esbuild.initialize({ wasmModule, worker: false });
  return esbuild;
}
