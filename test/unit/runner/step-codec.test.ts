// Step records packed for the trip from the worker: what comes out equals what went in, with
// every optional and null field, NaN and ±Inf values, repeated strings, and the order of the
// events around the packed runs kept; and a real recorded run survives it.
import { describe, expect, it } from 'vitest';
import { decodeSteps, encodeSteps, packEvents, unpackEvents } from '../../../core/runner/step-codec';
import type { StepRecord } from '../../../core/instrument/records';
import type { RunEvent } from '../../../core/instrument/events';
import type { TensorStats } from '../../../core/instrument/stats';
import { Recorder } from '../../../core/instrument/recorder';
import { nn, optim, randn, manualSeed, type Tensor } from '../../../core';

const stats = (seed: number, over: Partial<TensorStats> = {}): TensorStats => ({
  count: 10 + seed, norm: 1.5 * seed, mean: -0.25, std: 0.5, min: -1e-30, max: 3e38, meanAbs: 0.125, maxAbs: 3e38,
  zeroFrac: 0.1, nanCount: 0, infCount: 0, fp16BelowNormal: 1 / 3, fp16BelowSubnormal: 0, ...over,
});

const records: StepRecord[] = [
  {
    step: 1, loss: 0.693, gradNorm: 2.5, lr: 0.01,
    params: [
      { name: '0.weight', module: '0', grad: stats(1), weight: stats(2), updateRatio: 1e-3, ndim: 2, requiresGrad: true },
      { name: '0.bias', module: '0', grad: null, weight: stats(3), updateRatio: null, ndim: 1, requiresGrad: false },
      { name: 'params.0', module: '', grad: stats(4, { norm: NaN, nanCount: 3, infCount: 1, max: Infinity, min: -Infinity }), weight: stats(5), updateRatio: NaN },
    ],
    activations: [
      { key: '1', module: '1', op: 'Relu', deadFrac: 0.75, saturatedFrac: null, units: 256 },
      { key: 'rnn.tanh', module: 'rnn.tanh', op: 'Tanh', deadFrac: 0, saturatedFrac: 0.5, units: 3 },
    ],
    bptt: [{ module: 'rnn', layer: 1, norms: [1e-20, 0.5, Infinity] }],
  },
  {
    step: 2, loss: null, gradNorm: Infinity, lr: null, detail: false,
    params: [{ name: '0.weight', module: '0', grad: stats(6, { mean: NaN, std: NaN }), weight: stats(7), updateRatio: null, ndim: 2 }],
    activations: [], bptt: [],
  },
  { step: 3, loss: -0, gradNorm: 0, lr: 0, detail: true, params: [], activations: [], bptt: [{ module: '', layer: 0, norms: [] }] },
];

describe('step codec', () => {
  it('gives back deep-equal records', () => {
    const packed = encodeSteps(records);
    expect(decodeSteps(packed)).toEqual(records);
    // Strings are sent once per batch.
    expect(packed.strings.filter((s) => s === '0.weight')).toHaveLength(1);
    // Absent optional fields stay absent (not undefined-valued keys).
    const back = decodeSteps(packed);
    expect('requiresGrad' in back[1]!.params[0]!).toBe(false);
    expect('detail' in back[0]!).toBe(false);
    expect(Object.is(back[2]!.loss, -0)).toBe(true);
  });

  it('packs runs of steps between other events, keeping the order', () => {
    const events: RunEvent[] = [
      { type: 'step', record: records[0]! },
      { type: 'step', record: records[1]! },
      { type: 'log', stream: 'stdout', text: 'epoch 1\n' },
      { type: 'step', record: records[2]! },
    ];
    const wire = packEvents(events);
    expect(wire.map((e) => e.type)).toEqual(['packedSteps', 'log', 'packedSteps']);
    expect(unpackEvents(structuredClone(wire))).toEqual(events);
  });

  it('carries a recorded run unchanged', () => {
    const events: RunEvent[] = [];
    const rec = new Recorder({ level: 'default', detailEvery: 3, emit: (e) => events.push(e) }).start();
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(40, 60), new nn.Tanh(), new nn.Linear(60, 2));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    for (let i = 0; i < 8; i++) {
      opt.zeroGrad();
      (model.forward(randn([8, 40])) as Tensor).pow(2).mean().backward();
      opt.step();
    }
    rec.stop();
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(8);
    expect(unpackEvents(structuredClone(packEvents(events)))).toEqual(events);
  });
});
