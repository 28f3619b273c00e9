// Synthetic event streams for the report tests.
import type { RunEvent } from '../../../core/instrument/events';
import type { Diagnostic } from '../../../core/instrument/diagnostics';
import type { ParamStep, StepRecord } from '../../../core/instrument/records';
import { histogram, tensorStats } from '../../../core/instrument/stats';

export function param(name: string, module: string, grad: number[] | null, weight: number[], updateRatio: number | null = null): ParamStep {
  return { name, module, grad: grad === null ? null : tensorStats(Float32Array.from(grad)), weight: tensorStats(Float32Array.from(weight)), updateRatio, ndim: 2, requiresGrad: true };
}

export function stepRecord(step: number, loss: number | null, extra: Partial<StepRecord> = {}): StepRecord {
  return {
    step, loss, gradNorm: 1 / step, lr: 0.1,
    params: [param('fc.weight', 'fc', [step, -step], [1, 2], 1e-3), param('fc.bias', 'fc', [0.5], [0.1], 2e-3)],
    activations: [{ key: 'act', module: 'act', op: 'Relu', deadFrac: step / 100, saturatedFrac: null, units: 4 }],
    bptt: [],
    ...extra,
  };
}

export function diag(over: Partial<Diagnostic> = {}): Diagnostic {
  return {
    code: 'dead-relu', severity: 'warning', message: 'ReLU at act is dead for 93% of its units since step 3', fix: 'Lower the learning rate or use LeakyReLU.',
    module: 'act', step: 3, lastStep: 3, location: { file: '/abs/train.ts', line: 7, column: 5 }, related: [], evidence: { deadFrac: 0.93 }, ...over,
  };
}

/** A run of `n` steps with a model, histograms every `histEvery` steps, a finding and an end. */
export function run(n: number, histEvery = 1): RunEvent[] {
  const events: RunEvent[] = [
    { type: 'runStarted', version: 1, script: '/abs/train.ts', level: 'default', startedAt: 1_700_000_000_000 },
    { type: 'model', summary: { modules: [{ path: 'fc', type: 'Linear', location: { file: '/abs/train.ts', line: 3, column: 15 } }], params: [{ name: 'fc.weight', module: 'fc', shape: [1, 2] }, { name: 'fc.bias', module: 'fc', shape: [1] }] } },
  ];
  for (let s = 1; s <= n; s++) {
    events.push({ type: 'step', record: stepRecord(s, 10 / s) });
    if (s === 1 || s % histEvery === 0) {
      events.push({ type: 'histograms', step: s, entries: [{ name: 'fc.weight', kind: 'grad', hist: histogram(Float32Array.from([s, -s, 0, s / 2]), 8) }] });
    }
  }
  events.push({ type: 'diagnostic', diagnostic: diag() });
  events.push({ type: 'runEnded', status: 'completed', steps: n, durationMs: 1234 });
  return events;
}
