// Finding the first NaN/Inf: a scan cheap enough to run on every gradient at the default level
// and on every op output at 'full'.

import { firstNonFiniteBlock } from '../kernels/nonfinite';

/** Index of the first NaN or ±Inf in x, or -1. */
export function firstNonFinite(x: Float32Array): number {
  const block = firstNonFiniteBlock(x);
  if (block !== null) return block < 0 ? -1 : scan(x, block);
  return scan(x, 0);
}

/** From `start`: eight elements per test (v - v is 0 for every finite v, NaN for NaN and ±Inf), then the exact index. */
function scan(x: Float32Array, start: number): number {
  const n = x.length;
  let i = start;
  for (; i + 8 <= n; i += 8) {
    const s = (x[i]! - x[i]!) + (x[i + 1]! - x[i + 1]!) + (x[i + 2]! - x[i + 2]!) + (x[i + 3]! - x[i + 3]!)
      + (x[i + 4]! - x[i + 4]!) + (x[i + 5]! - x[i + 5]!) + (x[i + 6]! - x[i + 6]!) + (x[i + 7]! - x[i + 7]!);
    if (s !== 0) break;
  }
  for (; i < n; i++) {
    const v = x[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

export function describeNonFinite(v: number): string {
  return v !== v ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}
