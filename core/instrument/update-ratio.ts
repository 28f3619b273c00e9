// The update ratio ‖Δw‖/‖w‖ of each optimizer step, measured around it: a copy (or sample) of the
// weights before, and sums over the same entries after. Pure functions; the recorder keeps the
// buffers from step to step.

/**
 * The update ratio ‖Δw‖/‖w‖ of a large tensor is estimated on a sample of UPDATE_SAMPLE entries:
 * UPDATE_SAMPLE / SAMPLE_RUN runs of SAMPLE_RUN consecutive entries spread evenly over the tensor
 * (whole cache lines: a strided sample touched a line per entry), starting at an offset that
 * moves each step; smaller tensors are measured exactly. Copying and re-reading every weight
 * around every optimizer step would cost more than the rest of the instrumentation together.
 */
export const UPDATE_SAMPLE = 1024;
const SAMPLE_RUN = 16;

/** Distance between the starts of two runs (1 when the tensor is measured exactly). */
function runSpacing(n: number): number {
  return n > UPDATE_SAMPLE ? Math.floor(n / (UPDATE_SAMPLE / SAMPLE_RUN)) : 1;
}

/** The offset of the first run this step (it moves each step, so over steps every entry is seen). */
function sampleOffset(spacing: number, step: number): number {
  return step % (spacing - SAMPLE_RUN + 1);
}

/** The sample of w this step, into `reuse` when it has the right length (typed arrays cost ~1 µs each to allocate). */
export function sampleOf(w: Float32Array, step: number, reuse: Float32Array | undefined): Float32Array {
  const spacing = runSpacing(w.length);
  const size = spacing === 1 ? w.length : UPDATE_SAMPLE;
  const out = reuse !== undefined && reuse.length === size ? reuse : new Float32Array(size);
  if (spacing === 1) {
    out.set(w);
    return out;
  }
  const offset = sampleOffset(spacing, step);
  for (let r = 0, i = 0; i < UPDATE_SAMPLE; r += spacing) {
    for (let k = 0; k < SAMPLE_RUN; k++, i++) out[i] = w[offset + r + k]!;
  }
  return out;
}

/** Σ(after − before)², Σ before², Σ after² over the sampled entries. */
export function updateSums(after: Float32Array, before: Float32Array, step: number): { d2: number; w2: number; a2: number } {
  const exact = before.length === after.length;
  const spacing = exact ? before.length : runSpacing(after.length);
  const run = exact ? before.length : SAMPLE_RUN;
  const offset = exact ? 0 : sampleOffset(spacing, step);
  // Plain local sums (a closure over them would box every update).
  let d2 = 0, w2 = 0, a2 = 0;
  for (let r = 0, i = 0; i < before.length; r += spacing) {
    for (let k = 0; k < run; k++, i++) {
      const a = after[offset + r + k]!;
      const b = before[i]!;
      d2 += (a - b) * (a - b);
      w2 += b * b;
      a2 += a * a;
    }
  }
  return { d2, w2, a2 };
}
