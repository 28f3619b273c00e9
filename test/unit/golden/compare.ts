// Shared helpers for the PyTorch parity ("golden") tests.
//
// Fixtures are produced by test/fixtures/generate.py (`npm run fixtures`) with
// real PyTorch and live in test/fixtures/torch/*.json. Tensors in fixtures are
// { shape, data } with data flat and row-major.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nn, tensor } from '../../../core';

export interface TensorJSON {
  shape: number[];
  data: number[];
}

export interface CloseOptions {
  /** absolute tolerance (default 1e-5) */
  atol?: number;
  /** relative tolerance (default 1e-4) */
  rtol?: number;
  /** what is being compared, used in failure messages */
  label?: string;
}

/** Something with a shape and row-major float data (our Tensor). */
interface TensorLike {
  shape: readonly number[];
  data: ArrayLike<number>;
}

export const DEFAULT_ATOL = 1e-5;
export const DEFAULT_RTOL = 1e-4;

export function loadFixture<C = any>(name: string): { torch: string; cases: C[] } {
  const path = fileURLToPath(new URL(`../../fixtures/torch/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8'));
}

function fmtShape(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx: number[] = new Array(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

function isClose(got: number, want: number, atol: number, rtol: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(got)) return got === want;
  return Math.abs(got - want) <= atol + rtol * Math.abs(want);
}

/**
 * Assert |got - want| <= atol + rtol*|want| element-wise.
 * If `got` is a tensor its shape must equal want.shape exactly; for plain
 * arrays only the element count is checked. The failure message names the
 * first bad element (multi-index and flat index), both values, the number
 * of bad elements and the largest absolute difference.
 */
export function expectClose(
  got: TensorLike | Float32Array | number[] | null | undefined,
  want: TensorJSON,
  opts: CloseOptions = {},
): void {
  const atol = opts.atol ?? DEFAULT_ATOL;
  const rtol = opts.rtol ?? DEFAULT_RTOL;
  const label = opts.label ?? 'value';
  if (got === null || got === undefined) {
    throw new Error(`${label}: expected a tensor of shape ${fmtShape(want.shape)}, got ${got}`);
  }
  let data: ArrayLike<number>;
  if (got instanceof Float32Array || Array.isArray(got)) {
    data = got;
  } else {
    const gotShape = Array.from(got.shape);
    if (gotShape.length !== want.shape.length || gotShape.some((s, i) => s !== want.shape[i])) {
      throw new Error(`${label}: shape mismatch: got ${fmtShape(gotShape)}, want ${fmtShape(want.shape)}`);
    }
    data = got.data;
  }
  if (data.length !== want.data.length) {
    throw new Error(`${label}: element count mismatch: got ${data.length}, want ${want.data.length}` +
      ` (want shape ${fmtShape(want.shape)})`);
  }
  let bad = 0;
  let first = -1;
  let maxDiff = 0;
  for (let i = 0; i < want.data.length; i++) {
    const g = data[i]!;
    const w = want.data[i]!;
    const diff = Math.abs(g - w);
    if (!(diff <= maxDiff)) maxDiff = diff; // NaN-aware
    if (!isClose(g, w, atol, rtol)) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) {
    const idx = want.shape.length ? `[${unravel(first, want.shape).join(', ')}] (flat ${first})` : '[] (scalar)';
    throw new Error(
      `${label}: ${bad}/${want.data.length} elements differ (atol=${atol}, rtol=${rtol}); ` +
      `first at ${idx}: got ${data[first]}, want ${want.data[first]}; max |diff| = ${maxDiff}`,
    );
  }
}

/** Scalar version of expectClose. */
export function expectNumberClose(got: number | null | undefined, want: number, opts: CloseOptions = {}): void {
  const atol = opts.atol ?? DEFAULT_ATOL;
  const rtol = opts.rtol ?? DEFAULT_RTOL;
  const label = opts.label ?? 'value';
  if (typeof got !== 'number' || !isClose(got, want, atol, rtol)) {
    throw new Error(`${label}: got ${got}, want ${want} (atol=${atol}, rtol=${rtol})`);
  }
}

// ---------------------------------------------------------------------------
// building engine objects from fixture specs
// ---------------------------------------------------------------------------

/** Fixture tensor -> engine tensor (fresh leaf). */
export function toTensor(t: TensorJSON, requiresGrad = false): any {
  if (t.shape.length === 0) return tensor(t.data[0]!, { requiresGrad });
  return tensor(Array.from(t.data), { shape: [...t.shape], requiresGrad });
}

export interface ModuleSpec {
  type: string;
  args?: any[];
  opts?: Record<string, unknown>;
  children?: ModuleSpec[];
}

/** {"type": "Conv2d", "args": [...], "opts": {...}} -> new nn.Conv2d(...args, opts) */
export function buildModule(spec: ModuleSpec): any {
  const N = nn as any;
  if (spec.type === 'Sequential') {
    return new N.Sequential(...(spec.children ?? []).map(buildModule));
  }
  const Ctor = N[spec.type];
  if (typeof Ctor !== 'function') throw new Error(`nn.${spec.type} is not exported by core`);
  const args = (spec.args ?? []).map((a) => (Array.isArray(a) ? [...a] : a));
  return spec.opts ? new Ctor(...args, { ...spec.opts }) : new Ctor(...args);
}

/** num_batches_tracked is a 0-d int64 in torch; we only compare its value. */
export function isCounterKey(k: string): boolean {
  return k.endsWith('num_batches_tracked');
}

/**
 * Check the module's stateDict() has exactly torch's keys with torch's shapes,
 * then load torch's initial state into it.
 */
export function checkAndLoadState(mod: any, state: Record<string, TensorJSON>): void {
  const ours: Record<string, any> = mod.stateDict();
  const ourKeys = Object.keys(ours).sort();
  const wantKeys = Object.keys(state).sort();
  if (ourKeys.join(',') !== wantKeys.join(',')) {
    throw new Error(`stateDict keys differ from PyTorch: got [${ourKeys.join(', ')}], want [${wantKeys.join(', ')}]`);
  }
  for (const k of wantKeys) {
    if (isCounterKey(k)) continue;
    const got = Array.from(ours[k].shape as number[]);
    const want = state[k]!.shape;
    if (got.join(',') !== want.join(',')) {
      throw new Error(`stateDict['${k}'] shape: got ${fmtShape(got)}, want ${fmtShape(want)}`);
    }
  }
  const record: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(state)) record[k] = Float32Array.from(v.data);
  mod.loadStateDict(record);
}

/** Named parameters as a map, checking the names equal torch's parameter names. */
export function paramMap(mod: any, wantNames: string[]): Map<string, any> {
  const named: [string, any][] = mod.namedParameters();
  const got = named.map(([k]) => k).sort();
  const want = [...wantNames].sort();
  if (got.join(',') !== want.join(',')) {
    throw new Error(`namedParameters differ from PyTorch: got [${got.join(', ')}], want [${want.join(', ')}]`);
  }
  return new Map(named);
}
