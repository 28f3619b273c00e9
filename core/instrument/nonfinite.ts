// Finding the first NaN/Inf: a scan cheap enough to run on every op output at the default level.

/** Index of the first NaN or ±Inf in x, or -1. */
export function firstNonFinite(x: Float32Array): number {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    // v - v is 0 for every finite v, NaN for NaN and ±Inf.
    if (v - v !== 0) return i;
  }
  return -1;
}

export function describeNonFinite(v: number): string {
  return v !== v ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}
