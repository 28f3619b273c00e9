// Which parameters count as the network's layers, and the medians/norms the rules compare.

import type { ParamStep } from '../../records';

/** Weight matrices/kernels: parameters with ≥ 2 dims. Without `ndim` in the record, anything but a bias with more than one value. */
export function isLayerWeight(p: ParamStep): boolean {
  if (p.ndim !== undefined) return p.ndim >= 2;
  return !/(^|\.)bias(_\w+)?$/.test(p.name) && p.weight.count > 1;
}

/** First and last layer weights (record order = forward/registration order) that got a finite gradient; null with fewer than two. */
export function firstAndLastLayers(params: readonly ParamStep[]): { first: ParamStep; last: ParamStep } | null {
  let first: ParamStep | null = null;
  let last: ParamStep | null = null;
  for (const p of params) {
    if (p.grad === null || !Number.isFinite(p.grad.norm) || !isLayerWeight(p)) continue;
    if (first === null) first = p;
    last = p;
  }
  return first !== null && last !== null && first !== last ? { first, last } : null;
}

export function median(values: number[]): number {
  const v = values.slice().sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}
