// The WebAssembly SIMD kernels: instantiated synchronously from the embedded module on first
// use, with one grow-only arena for operands and packing scratch. Where WebAssembly or SIMD128
// is missing (or GRADSCOPE_KERNELS=js), `wasmKernels()` is null and callers keep the JS path.

import { WASM_KERNELS_BASE64 } from './wasm-binary';

// The lib settings (ES2022 + node types) carry no WebAssembly declarations: the few used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

export interface KernelExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  __heap_base: { readonly value: number };
  sgemm_scratch_bytes(): number;
  sgemm(transA: number, transB: number, M: number, N: number, K: number, A: number, B: number, C: number, accumulate: number, scratch: number): void;
  im2col(X: number, C: number, H: number, W: number, kH: number, kW: number, sH: number, sW: number, pT: number, pL: number, dH: number, dW: number, OH: number, OW: number, col: number): void;
  col2im(col: number, C: number, H: number, W: number, kH: number, kW: number, sH: number, sW: number, pT: number, pL: number, dH: number, dW: number, OH: number, OW: number, GX: number): void;
  relu_fwd(X: number, O: number, n: number): void;
  relu_bwd(Y: number, G: number, O: number, n: number): void;
  stats_sums(x: number, n: number, minNormal: number, minSub: number, out: number, cnt: number): void;
  stats_range(x: number, n: number, minNormal: number, minSub: number, out: number, cnt: number): void;
  stats_sums_histogram(x: number, n: number, bins: number, pre: number, off: number, scale: number, out: number, cnt: number, tables: number, counts: number): void;
  stats_histogram(x: number, n: number, bins: number, minNormal: number, minSub: number, out: number, cnt: number, tables: number, counts: number): void;
  histogram(x: number, n: number, bins: number, pre: number, off: number, scale: number, zeros: number, tables: number, counts: number): void;
  nonzero_range(x: number, n: number, out: number, cnt: number): void;
  nonzero_histogram(x: number, n: number, bins: number, out: number, cnt: number, tables: number, counts: number): void;
  /** Returns Σg² of G. */
  column_max(x: number, rows: number, cols: number, out: number): void;
  count_abs_above(x: number, n: number, t: number): number;
  first_nonfinite_block(x: number, n: number): number;
  sgd_plain(P: number, G: number, n: number, negLr: number): number;
  maxpool_fwd(X: number, planes: number, H: number, W: number, dH: number, dW: number, rlo: number, rhi: number, OH: number, clo: number, chi: number, OW: number, Y: number, idx: number): void;
}

export type KernelMode = 'auto' | 'js' | 'wasm';

function envMode(): KernelMode {
  const v = typeof process !== 'undefined' ? process.env?.GRADSCOPE_KERNELS : undefined;
  return v === 'js' || v === 'wasm' ? v : 'auto';
}

let mode: KernelMode = envMode();
let loaded: KernelExports | null | undefined;
let compiled: object | null = null;

function decode(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function load(): KernelExports | null {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wa === undefined) return null;
  try {
    // Throws where SIMD128 is unsupported (validation), or where sync compilation is refused.
    const module = new wa.Module(decode(WASM_KERNELS_BASE64));
    const exports = new wa.Instance(module, {}).exports as KernelExports;
    compiled = module;
    return exports;
  } catch {
    return null;
  }
}

/**
 * Chooses the kernels: 'js' forces the reference loops everywhere (debugging, parity checks),
 * 'wasm' and 'auto' use WebAssembly where it pays. Also set by GRADSCOPE_KERNELS=js|wasm.
 */
export function setKernelMode(m: KernelMode): void {
  mode = m;
}

export function kernelMode(): KernelMode {
  return mode;
}

/** The instantiated kernels, or null when the JS path is forced or WebAssembly SIMD is unavailable. */
export function wasmKernels(): KernelExports | null {
  if (mode === 'js') return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** The compiled module behind `wasmKernels()` (a thread instantiates its own from it), or null. */
export function wasmModule(): object | null {
  return wasmKernels() === null ? null : compiled;
}

// ---- arena --------------------------------------------------------------------------------------

let heap: Float32Array | null = null;

/** A float32 view of the whole wasm memory, grown to at least `bytes` past the heap base. */
export function arena(k: KernelExports, bytes: number): Float32Array {
  const base = heapBase(k);
  const need = base + bytes;
  const have = k.memory.buffer.byteLength;
  // Grow by at least half again, so a slowly rising size does not grow on every call.
  if (need > have) k.memory.grow(Math.ceil(Math.max(need - have, have / 2) / 65536));
  if (heap === null || heap.buffer !== k.memory.buffer) heap = new Float32Array(k.memory.buffer);
  return heap;
}

/** First free byte after the module's stack and data, 64-byte aligned. */
export function heapBase(k: KernelExports): number {
  return (k.__heap_base.value + 63) & ~63;
}
