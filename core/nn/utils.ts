// Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), in place on `.grad`.

import { Tensor } from '../tensor';
import { OpError } from '../shape';
import { observers } from '../autograd/hooks';

export type ParamsLike = Tensor | Iterable<Tensor>;

/** The tensors that have a gradient, as PyTorch filters them. */
function withGrads(params: ParamsLike, fn: string): Tensor[] {
  if (params instanceof Tensor) params = [params];
  if (params === null || params === undefined || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
    throw new OpError(fn, 'params must be a Tensor or an iterable of Tensors (e.g. model.parameters())');
  }
  const out: Tensor[] = [];
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new OpError(fn, `params must contain only Tensors, got ${p === null ? 'null' : typeof p}`);
    if (p.grad !== null) out.push(p);
  }
  return out;
}

/** Tells the instrumentation the gradients are about to change, so it reads them as backward left them. */
function notifyGradsChanging(): void {
  for (const o of observers) o.onGradsChanging?.();
}

export interface ClipGradNormOptions {
  /** Throw instead of scaling when the total norm is NaN or infinite (default false). */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales all gradients together so their joint `normType`-norm is at most `maxNorm`, and returns
 * the total norm before clipping. As in PyTorch 1.13 the gradients are always multiplied by
 * min(maxNorm / (total + 1e-6), 1) in float32, so a NaN total makes every gradient NaN and an infinite
 * total zeroes the finite entries (unless `errorIfNonfinite`).
 */
export function clipGradNorm(params: ParamsLike, maxNorm: number, normType: number | 'inf' = 2, options: ClipGradNormOptions = {}): number {
  const fn = 'clipGradNorm';
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new OpError(fn, `maxNorm must be a number, got ${String(maxNorm)}`);
  const p = normType === 'inf' ? Infinity : normType;
  if (typeof p !== 'number' || !(p > 0)) throw new OpError(fn, `normType must be a positive number or 'inf', got ${String(normType)}`);
  const ps = withGrads(params, fn);
  if (ps.length === 0) return 0;
  notifyGradsChanging();

  // Per-parameter norms are rounded to float32 like torch.norm's results, then combined.
  let total = 0;
  for (const t of ps) {
    const G = t.grad!.data;
    let acc = 0;
    if (p === Infinity) {
      for (let i = 0; i < G.length; i++) { const a = Math.abs(G[i]!); if (a > acc || a !== a) acc = a; }
      if (acc > total || acc !== acc) total = acc;
    } else if (p === 2) {
      for (let i = 0; i < G.length; i++) acc += G[i]! * G[i]!;
      const n = Math.fround(Math.sqrt(acc));
      total += n * n;
    } else {
      for (let i = 0; i < G.length; i++) acc += Math.pow(Math.abs(G[i]!), p);
      total += Math.pow(Math.fround(Math.pow(acc, 1 / p)), p);
    }
    if (Number.isNaN(total)) break;
  }
  if (p === 2) total = Math.sqrt(total);
  else if (p !== Infinity) total = Math.pow(total, 1 / p);
  total = Math.fround(total);

  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new OpError(fn, `the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped; to scale them by the non-finite norm anyway, leave errorIfNonfinite off`);
  }
  const coef = Math.min(Math.fround(maxNorm / Math.fround(total + 1e-6)), 1);
  // NOTE: Math.min(NaN, 1) is NaN, matching torch.clamp's NaN propagation.
  if (coef !== 1) {
    const c = Math.fround(coef);
    for (const t of ps) {
      const G = t.grad!.data;
      for (let i = 0; i < G.length; i++) G[i]! *= c;
    }
  }
  return total;
}

/** Clamps every gradient entry to [−clipValue, clipValue] in place (NaN stays NaN). */
export function clipGradValue(params: ParamsLike, clipValue: number): void {
  const fn = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new OpError(fn, `clipValue must be a non-negative number, got ${String(clipValue)}`);
  const hi = Math.fround(clipValue);
  const lo = -hi;
  const ps = withGrads(params, fn);
  if (ps.length > 0) notifyGradsChanging();
  for (const t of ps) {
    const G = t.grad!.data;
    for (let i = 0; i < G.length; i++) { const v = G[i]!; if (v < lo) G[i] = lo; else if (v > hi) G[i] = hi; }
  }
}
