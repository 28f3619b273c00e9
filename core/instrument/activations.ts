// Per-step health of an activation: dead units and saturated pre-activations.

import type { ActivationOp } from './records';
import { columnMax, countAbsAbove } from '../kernels/activations';

export const ACTIVATION_OPS: ReadonlySet<string> = new Set<ActivationOp>(['Relu', 'LeakyRelu', 'Gelu', 'Sigmoid', 'Tanh']);
const SATURATING: ReadonlySet<string> = new Set(['Sigmoid', 'Tanh']);

export interface ActivationHealth {
  deadFrac: number;
  saturatedFrac: number | null;
  units: number;
}

/**
 * A unit is one position across all dims but the first (the batch); it is dead when its output
 * is ≤ 0 for every sample (DeepDiagnosis's rule). Saturation: the fraction of pre-activations
 * with |x| > threshold, for sigmoid and tanh only.
 */
export function activationHealth(op: string, input: Float32Array, output: Float32Array, shape: readonly number[], threshold: number): ActivationHealth {
  const batch = shape.length >= 2 ? shape[0]! : 1;
  const units = batch > 0 ? output.length / batch : 0;
  const dead = deadUnits(output, batch, units);
  let saturatedFrac: number | null = null;
  if (SATURATING.has(op)) saturatedFrac = input.length > 0 ? saturatedCount(input, threshold) / input.length : 0;
  return { deadFrac: units > 0 ? dead / units : 0, saturatedFrac, units };
}

/** Units ≤ 0 for every sample. NaN is not 'dead': it is reported as nan-inf, not as a silent unit. */
function deadUnits(output: Float32Array, batch: number, units: number): number {
  let dead = 0;
  const max = columnMax(output, batch, units);
  if (max !== null) {
    for (let j = 0; j < units; j++) if (max[j]! <= 0) dead++;
    return dead;
  }
  const alive = new Uint8Array(units);
  for (let n = 0; n < batch; n++) {
    const base = n * units;
    for (let j = 0; j < units; j++) { const v = output[base + j]!; if (v > 0 || v !== v) alive[j] = 1; }
  }
  for (let j = 0; j < units; j++) if (alive[j] === 0) dead++;
  return dead;
}

function saturatedCount(input: Float32Array, threshold: number): number {
  const fast = countAbsAbove(input, threshold);
  if (fast !== null) return fast;
  let sat = 0;
  for (let i = 0; i < input.length; i++) { const v = input[i]!; if (v > threshold || v < -threshold) sat++; }
  return sat;
}
