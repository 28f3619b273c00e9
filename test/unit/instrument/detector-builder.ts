// Builds synthetic StepRecords for the detector tests: a healthy small MLP by default, with
// overrides for the figures a test is about.

import type { ActivationStep, ParamStep, StepRecord } from '../../../core/instrument/records';
import type { TensorStats } from '../../../core/instrument/stats';

export function stats(over: Partial<TensorStats> = {}): TensorStats {
  return {
    count: 100, norm: 0.5, mean: 0, std: 0.05, min: -0.1, max: 0.1, meanAbs: 0.04, maxAbs: 0.1,
    zeroFrac: 0, nanCount: 0, infCount: 0, fp16BelowNormal: 0, fp16BelowSubnormal: 0,
    ...over,
  };
}

export interface ParamSpec {
  name: string;
  ndim?: number;
  grad?: Partial<TensorStats> | null;
  weight?: Partial<TensorStats>;
  updateRatio?: number | null;
  requiresGrad?: boolean;
}

export function param(spec: ParamSpec): ParamStep {
  const dot = spec.name.lastIndexOf('.');
  const p: ParamStep = {
    name: spec.name,
    module: dot < 0 ? '' : spec.name.slice(0, dot),
    grad: spec.grad === null ? null : stats({ norm: 0.1, ...spec.grad }),
    weight: stats({ norm: 3, ...spec.weight }),
    updateRatio: spec.updateRatio === undefined ? 1e-3 : spec.updateRatio,
    ndim: spec.ndim ?? (spec.name.endsWith('bias') ? 1 : 2),
  };
  if (spec.requiresGrad !== undefined) p.requiresGrad = spec.requiresGrad;
  return p;
}

export function relu(module: string, deadFrac: number): ActivationStep {
  return { key: module, module, op: 'Relu', deadFrac, saturatedFrac: null, units: 64 };
}

export function act(module: string, op: ActivationStep['op'], over: Partial<ActivationStep> = {}): ActivationStep {
  return { key: module, module, op, deadFrac: 0.05, saturatedFrac: op === 'Sigmoid' || op === 'Tanh' ? 0.02 : null, units: 64, ...over };
}

/** A 3-layer MLP (fc1, fc2, fc3 with biases) with healthy numbers: grad norms 0.1, update ratio 1e-3, a slowly falling loss. */
export function healthyParams(): ParamStep[] {
  return ['fc1', 'fc2', 'fc3'].flatMap((m) => [param({ name: `${m}.weight` }), param({ name: `${m}.bias`, updateRatio: 5e-3 })]);
}

export interface StepSpec {
  loss?: number | null;
  gradNorm?: number;
  lr?: number | null;
  params?: ParamStep[];
  activations?: ActivationStep[];
  /** Replaces the named params of the healthy set. */
  patch?: ParamSpec[];
}

export function step(n: number, spec: StepSpec = {}): StepRecord {
  let params = spec.params ?? healthyParams();
  for (const p of spec.patch ?? []) {
    const i = params.findIndex((q) => q.name === p.name);
    params = i < 0 ? [...params, param(p)] : params.map((q, j) => (j === i ? param(p) : q));
  }
  const sumSq = params.reduce((s, p) => s + (p.grad === null ? 0 : p.grad.norm ** 2), 0);
  return {
    step: n,
    loss: spec.loss === undefined ? 2 * Math.exp(-0.01 * n) : spec.loss,
    gradNorm: spec.gradNorm ?? Math.sqrt(sumSq),
    lr: spec.lr === undefined ? 0.01 : spec.lr,
    params,
    activations: spec.activations ?? [relu('relu1', 0.1), relu('relu2', 0.15)],
    bptt: [],
  };
}

/** Steps 1..n built by `f(step)`. */
export function run(n: number, f: (i: number) => StepSpec = () => ({})): StepRecord[] {
  return Array.from({ length: n }, (_, i) => step(i + 1, f(i + 1)));
}
