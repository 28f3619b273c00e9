// Finite-difference check of analytic gradients (PyTorch's torch.autograd.gradcheck, adapted to
// float32 storage).
//
// A non-scalar output is reduced to one number by a fixed random projection f = Σ out·r, summed in
// float64, so one backward(r) gives the analytic gradient of f for every input at once. Each
// checked element is then perturbed in place and f recomputed by a fresh forward (under noGrad):
// numeric = (f(x+h) − f(x−h)) / (x+h − x−h), where x±h are the float32 values actually stored
// (rounding makes them differ from x ± eps). eps = 1e-3 suits float32: PyTorch's 1e-6 assumes
// float64 and would be swamped by float32 rounding of the outputs. For the same reason fn should
// return the op's output as is rather than reduce a large one to a float32 scalar itself.
//
// Inputs with more than LARGE_INPUT (2,000) elements are checked on a seeded random subset of
// `sampleSize` elements (default 500), so checking a conv weight or a long sequence stays fast.

import { Tensor } from './tensor';
import { Generator } from './random';
import { noGrad } from './autograd/grad-mode';
import { shapeStr } from './shape';

export interface GradcheckOptions {
  /** Perturbation added to and subtracted from each element (default 1e-3). */
  eps?: number;
  /** Absolute tolerance (default 1e-3). */
  atol?: number;
  /** Relative tolerance, against |numeric| (default 1e-2). */
  rtol?: number;
  /** Seed for the projection vector and the element subset (default 0). */
  seed?: number;
  /** Elements checked per input of more than 2,000 elements (default 500). */
  sampleSize?: number;
}

const LARGE_INPUT = 2000;

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

/** Distinct element indices to check: all of them, or a seeded random subset of a big input. */
function elementsToCheck(n: number, sampleSize: number, gen: Generator): number[] {
  if (n <= LARGE_INPUT || sampleSize >= n) return Array.from({ length: n }, (_, i) => i);
  // Partial Fisher–Yates: the first sampleSize slots end up a uniform random subset.
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < sampleSize; i++) {
    const j = gen.int(i, n);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return Array.from(idx.subarray(0, sampleSize)).sort((a, b) => a - b);
}

function callFn(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]): Tensor {
  const out = fn(...inputs);
  if (!(out instanceof Tensor)) throw new Error(`gradcheck: fn must return a Tensor, got ${out === null ? 'null' : typeof out}`);
  return out;
}

/**
 * Compares analytic and central-difference gradients of `fn` for every input with requiresGrad.
 * Returns { ok: true }, or throws an Error naming the worst element (input index, element index,
 * analytic and numeric values). Inputs must be leaf tensors; their `.grad` is left as it was.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  options: GradcheckOptions = {},
): { ok: true } {
  const { eps = 1e-3, atol = 1e-3, rtol = 1e-2, seed = 0, sampleSize = 500 } = options;
  inputs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`gradcheck: input ${i} is not a Tensor`);
    if (t.requiresGrad && !t.isLeaf) throw new Error(`gradcheck: input ${i} is not a leaf tensor; pass leaves (detach() it and set requiresGrad)`);
  });
  const checked = inputs.map((t, i) => [t, i] as const).filter(([t]) => t.requiresGrad);
  if (checked.length === 0) throw new Error('gradcheck: no input requires grad, so there is nothing to check');

  const gen = new Generator(seed);
  const out = callFn(fn, inputs);
  // The projection, rounded to float32 so backward(r) and the float64 sum use the same numbers.
  const r = new Float32Array(out.numel());
  for (let k = 0; k < r.length; k++) r[k] = gen.uniform() * 2 - 1;
  const project = (y: Tensor): number => {
    if (y.numel() !== r.length) throw new Error(`gradcheck: fn returned shape ${shapeStr(y.shape)} on a perturbed input but ${shapeStr(out.shape)} at first`);
    let s = 0;
    for (let k = 0; k < r.length; k++) s += y.data[k]! * r[k]!;
    return s;
  };

  // Analytic gradients of f, leaving the inputs' existing .grad untouched.
  const savedGrads = inputs.map((t) => t.grad);
  let analytic: (Float32Array | null)[];
  try {
    for (const t of inputs) t.grad = null;
    if (out.requiresGrad) out.backward(new Tensor(r, out.shape));
    // An input the output does not depend on gets no gradient: compare against zeros.
    analytic = inputs.map((t) => (t.grad === null ? null : t.grad.data.slice()));
  } finally {
    inputs.forEach((t, i) => (t.grad = savedGrads[i] ?? null));
  }

  let worst: { input: number; element: number; a: number; n: number; err: number; ratio: number } | null = null;
  let failures = 0;
  let maxErr = 0;
  noGrad(() => {
    for (const [t, i] of checked) {
      const X = t.data;
      const A = analytic[i] ?? null;
      if (A !== null && A.length !== X.length) throw new Error(`gradcheck: the gradient of input ${i} has ${A.length} elements, the input ${X.length}`);
      for (const j of elementsToCheck(X.length, sampleSize, gen)) {
        const orig = X[j]!;
        let hi: number, lo: number, fPlus: number, fMinus: number;
        try {
          X[j] = orig + eps;
          hi = X[j]!;
          fPlus = project(callFn(fn, inputs));
          X[j] = orig - eps;
          lo = X[j]!;
          fMinus = project(callFn(fn, inputs));
        } finally {
          X[j] = orig;
        }
        const numeric = (fPlus - fMinus) / (hi - lo);
        const a = A === null ? 0 : A[j]!;
        const err = Math.abs(a - numeric);
        const tol = atol + rtol * Math.abs(numeric);
        // NaN in either value fails (the comparison is false).
        const ratio = Number.isNaN(err) ? Infinity : err / tol;
        if (!(err <= tol)) failures++;
        if (Number.isNaN(err) || err > maxErr) maxErr = err;
        if (worst === null || ratio > worst.ratio) worst = { input: i, element: j, a, n: numeric, err, ratio };
      }
    }
  });

  if (failures > 0 && worst !== null) {
    const w = worst as { input: number; element: number; a: number; n: number; err: number };
    const t = inputs[w.input]!;
    const at = t.ndim > 1 ? ` (index [${unravel(w.element, t.shape).join(',')}] of shape ${shapeStr(t.shape)})` : '';
    throw new Error(
      `gradcheck: gradient mismatch for input ${w.input}, element ${w.element}${at}: ` +
        `analytic ${w.a} vs numeric ${w.n} (|error| ${w.err.toExponential(3)} > ${(atol + rtol * Math.abs(w.n)).toExponential(3)}); ` +
        `${failures} element${failures === 1 ? '' : 's'} out of tolerance, worst |error| ${maxErr.toExponential(3)}`,
    );
  }
  return { ok: true };
}
