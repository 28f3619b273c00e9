import { describe, expect, it } from 'vitest';
import { DiagnosisEngine, DEFAULT_DETECTOR_CONFIG, resolveConfig, nonFiniteFix, fmt, pct, type DetectorConfig } from '../../../core/instrument/detectors';
import type { Diagnostic } from '../../../core/instrument/diagnostics';
import type { NonFiniteOrigin, StepRecord } from '../../../core/instrument/records';
import type { SourceLocation } from '../../../core/instrument/callsite';
import { act, healthyParams, param, relu, run, step } from './detector-builder';

const LINES: Record<string, number> = { fc1: 10, fc2: 11, fc3: 12, relu1: 13, relu2: 14, head: 20, rnn: 30 };
const locate = (m: string): SourceLocation | null => (m in LINES ? { file: '/proj/train.ts', line: LINES[m]!, column: 5 } : null);

function engine(config: Partial<DetectorConfig> = {}): DiagnosisEngine {
  return new DiagnosisEngine(config, locate);
}

/** Feeds the records; returns what observe() returned at each step (index 0 = first record). */
function feed(e: DiagnosisEngine, records: StepRecord[]): Diagnostic[][] {
  return records.map((r) => e.observe(r));
}

function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => d.code);
}

describe('healthy runs', () => {
  it('a clean 300-step run with normal numbers produces no diagnostic, even at finish', () => {
    const e = engine();
    const out = feed(e, run(300, (i) => ({ loss: 2 * Math.exp(-0.01 * i) + 0.01 * Math.sin(i) })));
    expect(out.flat()).toEqual([]);
    expect(e.finish()).toEqual([]);
    expect(e.all()).toEqual([]);
  });

  it('healthy runs with tanh/sigmoid/leaky activations, no optimizer step and a non-scalar loss stay clean', () => {
    const e = engine();
    const out = feed(e, run(80, (i) => ({
      loss: i % 2 === 0 ? null : 1 / i,
      lr: null,
      params: healthyParams().map((p) => ({ ...p, updateRatio: null })),
      activations: [act('t', 'Tanh'), act('s', 'Sigmoid'), act('l', 'LeakyRelu', { deadFrac: 0.2 }), act('g', 'Gelu')],
    })));
    expect(out.flat()).toEqual([]);
    expect(e.finish()).toEqual([]);
  });

  it('a converged run (loss ≈ 1e-6, flat) is neither a plateau nor a too-low learning rate', () => {
    const e = engine();
    feed(e, run(120, () => ({ loss: 1e-6, patch: [{ name: 'fc1.weight', updateRatio: 1e-8 }, { name: 'fc2.weight', updateRatio: 1e-8 }, { name: 'fc3.weight', updateRatio: 1e-8 }] })));
    expect(e.finish()).toEqual([]);
    expect(e.all()).toEqual([]);
  });
});

describe('nan-inf', () => {
  const origin = (over: Partial<NonFiniteOrigin> = {}): NonFiniteOrigin => ({
    phase: 'forward', op: 'Log', module: 'head', step: 3, value: 'NaN',
    location: { file: '/proj/train.ts', line: 42, column: 9 },
    callers: [{ file: '/proj/train.ts', line: 60, column: 3 }],
    ...over,
  });

  it('names the op, module, phase, value and step; points at the op; callers are related', () => {
    const e = engine();
    const d = e.nonFinite(origin())!;
    expect(d.code).toBe('nan-inf');
    expect(d.severity).toBe('error');
    expect(d.message).toBe("NaN first produced by Log in forward (module 'head') at step 3");
    expect(d.module).toBe('head');
    expect(d.step).toBe(3);
    expect(d.lastStep).toBe(3);
    expect(d.location).toEqual({ file: '/proj/train.ts', line: 42, column: 9 });
    expect(d.related).toEqual([{ message: 'called from here', location: { file: '/proj/train.ts', line: 60, column: 3 } }]);
    expect(d.fix).toContain('clamp(1e-8)');
    expect(d.fix).toContain('logSoftmax');
    expect(d.evidence).toEqual({ nan: 1, backward: 0 });
    expect(e.all()).toHaveLength(1);
  });

  it('fires once per module: a later origin in the same module updates lastStep and keeps the first op', () => {
    const e = engine();
    e.nonFinite(origin());
    const d = e.nonFinite(origin({ step: 7, op: 'Exp', value: '+Inf' }))!;
    expect(d.step).toBe(3);
    expect(d.lastStep).toBe(7);
    expect(d.message).toBe("NaN first produced by Log in forward (module 'head') at step 3; seen again at step 7");
    expect(e.all()).toHaveLength(1);
    e.nonFinite(origin({ module: null, op: 'Div', phase: 'backward', value: '-Inf' }));
    const all = e.all();
    expect(all).toHaveLength(2);
    expect(all[1]!.module).toBeUndefined();
    expect(all[1]!.message).toBe('-Inf first produced by Div in backward at step 3');
    expect(all[1]!.evidence).toEqual({ inf: -1, backward: 1 });
  });

  it('the fix depends on the op and the phase', () => {
    expect(nonFiniteFix('Sqrt', 'forward')).toContain('negative');
    expect(nonFiniteFix('Sqrt', 'backward')).toContain('infinite at 0');
    expect(nonFiniteFix('Exp', 'forward')).toContain('88.7');
    expect(nonFiniteFix('Div', 'forward')).toContain('epsilon');
    expect(nonFiniteFix('Pow', 'backward')).toContain('negative base');
    expect(nonFiniteFix('BinaryCrossEntropy', 'forward')).toContain('BCEWithLogitsLoss');
    expect(nonFiniteFix('Linear', 'forward')).toContain('clip');
    expect(nonFiniteFix('SomethingNew', 'forward')).toContain('learning rate');
  });

  it('falls back to the records: a NaN gradient in a layer, located at the layer', () => {
    const e = engine();
    const out = feed(e, [step(1), step(2, { loss: NaN, patch: [{ name: 'fc2.weight', grad: { nanCount: 12, norm: NaN } }] })]);
    expect(out[0]).toEqual([]);
    expect(codes(out[1]!)).toEqual(['nan-inf']);
    const d = out[1]![0]!;
    expect(d.module).toBe('fc2');
    expect(d.step).toBe(2);
    expect(d.location).toEqual(locate('fc2'));
    expect(d.message).toContain("'fc2.weight' (12 NaN)");
    expect(d.message).toContain('the loss is NaN');
    // Everything downstream of the NaN stays quiet: no exploding gradient, no divergence.
    const later = feed(e, [step(3, { loss: NaN, gradNorm: NaN, params: healthyParams().map((p) => ({ ...p, grad: { ...p.grad!, norm: NaN, nanCount: 5 }, weight: { ...p.weight, nanCount: 5, norm: NaN } })) })]);
    expect(codes(later[0]!)).toEqual(['nan-inf']);
    expect(e.all()).toHaveLength(1);
    expect(e.all()[0]!.lastStep).toBe(3);
    expect(e.all()[0]!.step).toBe(2);
  });

  it('falls back to a run-wide finding for a non-finite loss alone, and not at all once an origin was reported', () => {
    const e = engine();
    const out = feed(e, [step(1, { loss: 1 }), step(2, { loss: Infinity })]);
    expect(codes(out[1]!)).toEqual(['nan-inf']);
    expect(out[1]![0]!.module).toBeUndefined();
    expect(out[1]![0]!.location).toBeNull();
    expect(out[1]![0]!.message).toContain('the loss is Inf');

    const e2 = engine();
    e2.nonFinite(origin({ step: 2 }));
    expect(feed(e2, [step(1), step(2, { loss: NaN, patch: [{ name: 'fc1.weight', grad: { nanCount: 1, norm: NaN } }] })]).flat()).toEqual([]);
    expect(e2.all()).toHaveLength(1);
  });
});

describe('exploding-gradient', () => {
  it('an absolute norm over the limit fires at once, on the worst layer, and is updated later', () => {
    const e = engine();
    const out = feed(e, [step(1), step(2, { patch: [{ name: 'fc2.weight', grad: { norm: 5e3 } }] }), step(3), step(4, { patch: [{ name: 'fc2.weight', grad: { norm: 8e3 } }] })]);
    expect(out[0]).toEqual([]);
    expect(codes(out[1]!)).toEqual(['exploding-gradient']);
    const d = out[1]![0]!;
    expect(d.severity).toBe('warning');
    expect(d.module).toBe('fc2');
    expect(d.step).toBe(2);
    expect(d.location).toEqual(locate('fc2'));
    expect(d.message).toContain("'fc2.weight' is 5000");
    expect(d.message).toContain('at step 2');
    expect(d.fix).toContain('clipGradNorm');
    expect(out[2]).toEqual([]);
    expect(out[3]![0]!.step).toBe(2);
    expect(out[3]![0]!.lastStep).toBe(4);
    expect(out[3]![0]!.message).toContain('since step 2 (latest step 4)');
    expect(out[3]![0]!.evidence['maxNorm']).toBe(8e3);
    expect(e.all()).toHaveLength(1);
  });

  it('an RNN with 1e16 gradients in every layer (first/last ratio 1) is exploding from step 1, reported once', () => {
    const e = engine();
    const rnn = (): StepRecord['params'] => ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((n) =>
      param({ name: `rnn.${n}`, ndim: n.startsWith('weight') ? 2 : 1, grad: { norm: 1e16 } })).concat([param({ name: 'head.weight', grad: { norm: 1e16 } })]);
    const out = feed(e, run(5, () => ({ params: rnn() })));
    expect(codes(out[0]!)).toEqual(['exploding-gradient']);
    expect(out[0]![0]!.step).toBe(1);
    expect(out[0]![0]!.module).toBe('rnn');
    expect(out[0]![0]!.message).toContain('1e+16');
    expect(out[0]![0]!.message).toContain('5 parameters are over the limit');
    expect(e.all()).toHaveLength(1);
    expect(e.all()[0]!.lastStep).toBe(5);
  });

  it('a global norm over the limit with every layer under it still fires', () => {
    const e = engine();
    const out = feed(e, [step(1, { gradNorm: 2e3, patch: ['fc1', 'fc2', 'fc3'].map((m) => ({ name: `${m}.weight`, grad: { norm: 900 } })) })]);
    expect(codes(out[0]!)).toEqual(['exploding-gradient']);
    expect(out[0]![0]!.message).toContain('global gradient norm is 2000');
  });

  it('a first/last ratio over 70 fires after windowSteps consecutive steps, dated from the first', () => {
    const bad = { patch: [{ name: 'fc1.weight', grad: { norm: 10 } }, { name: 'fc3.weight', grad: { norm: 0.1 } }] };
    const e = engine();
    const out = feed(e, run(7, (i) => (i >= 4 ? bad : {})));
    expect(out.slice(0, 5).flat()).toEqual([]);
    expect(codes(out[5]!)).toEqual(['exploding-gradient']);
    const d = out[5]![0]!;
    expect(d.step).toBe(4);
    expect(d.lastStep).toBe(6);
    expect(d.module).toBe('fc1');
    expect(d.message).toContain('100×');
    expect(d.message).toContain('3 consecutive steps');
    expect(out[6]![0]!.lastStep).toBe(7);
  });

  it('a broken streak, a higher configured ratio or non-finite norms do not fire', () => {
    const bad = { patch: [{ name: 'fc1.weight', grad: { norm: 10 } }, { name: 'fc3.weight', grad: { norm: 0.1 } }] };
    const e = engine();
    feed(e, run(8, (i) => (i === 3 || i === 6 ? {} : bad)));
    expect(e.all()).toEqual([]);
    const e2 = engine({ explodingRatio: 200 });
    feed(e2, run(8, () => bad));
    expect(e2.all()).toEqual([]);
    const e3 = engine({ explodingAbsNorm: 1e4 });
    feed(e3, [step(1, { patch: [{ name: 'fc2.weight', grad: { norm: 5e3 } }] })]);
    expect(e3.all()).toEqual([]);
    const e4 = engine({ disabled: ['nan-inf'] });
    feed(e4, run(4, () => ({ gradNorm: Infinity, patch: [{ name: 'fc2.weight', grad: { norm: Infinity, infCount: 1 } }] })));
    expect(e4.all()).toEqual([]);
  });
});

describe('vanishing-gradient', () => {
  const vanish = { patch: [{ name: 'fc1.weight', grad: { norm: 1e-6 } }, { name: 'fc3.weight', grad: { norm: 0.1 } }] };

  it('fires on the first layer after windowSteps steps with ratio < 1e-3 and first norm < 1e-4', () => {
    const e = engine();
    const out = feed(e, run(4, (i) => (i >= 2 ? vanish : {})));
    expect(out.slice(0, 3).flat()).toEqual([]);
    expect(codes(out[3]!)).toEqual(['vanishing-gradient']);
    const d = out[3]![0]!;
    expect(d.module).toBe('fc1');
    expect(d.step).toBe(2);
    expect(d.location).toEqual(locate('fc1'));
    expect(d.message).toContain("'fc1.weight'");
    expect(d.message).toContain('1e-5 times');
    expect(d.fix).toContain('LSTM/GRU');
  });

  it('needs both conditions; an exactly-zero first layer is no-gradient, not vanishing', () => {
    const e = engine();
    // Tiny everywhere: ratio 1, not vanishing by the AUTOTRAINER rule.
    feed(e, run(5, () => ({ patch: ['fc1', 'fc2', 'fc3'].map((m) => ({ name: `${m}.weight`, grad: { norm: 1e-6 } })) })));
    // Ratio small but first layer norm 1e-3 ≥ 1e-4.
    feed(e, run(5, () => ({ patch: [{ name: 'fc1.weight', grad: { norm: 1e-3 } }, { name: 'fc3.weight', grad: { norm: 10 } }] })).map((r) => ({ ...r, step: r.step + 5 })));
    expect(e.all()).toEqual([]);
    const e2 = engine();
    feed(e2, run(3, () => ({ patch: [{ name: 'fc1.weight', grad: { norm: 0, zeroFrac: 1 } }] })));
    expect(codes(e2.all())).toEqual(['no-gradient']);
  });

  it('thresholds and the window are configurable', () => {
    const e = engine({ vanishingFirstNorm: 1e-7 });
    feed(e, run(6, () => vanish));
    expect(e.all()).toEqual([]);
    const e2 = engine({ windowSteps: 1 });
    expect(codes(e2.observe(step(1, vanish)))).toEqual(['vanishing-gradient']);
  });
});

describe('dead-relu and saturated-activation', () => {
  it('a ReLU with ≥ 70% dead units for 3 steps fires once per activation, with the percentage', () => {
    const e = engine();
    const out = feed(e, run(5, (i) => ({ activations: [relu('relu1', i >= 2 ? 0.8 + i / 100 : 0.1), relu('relu2', 0.1)] })));
    expect(out.slice(0, 3).flat()).toEqual([]);
    expect(codes(out[3]!)).toEqual(['dead-relu']);
    const d = out[3]![0]!;
    expect(d.module).toBe('relu1');
    expect(d.step).toBe(2);
    expect(d.location).toEqual(locate('relu1'));
    expect(d.message).toContain('84%');
    expect(d.message).toContain('64 units');
    expect(d.evidence['frac']).toBeCloseTo(0.84);
    expect(out[4]![0]!.message).toContain('85%');
    expect(out[4]![0]!.lastStep).toBe(5);
    expect(e.all()).toHaveLength(1);
  });

  it('exactly 0.7 counts; LeakyReLU and GELU never die; the threshold is configurable', () => {
    const e = engine();
    feed(e, run(3, () => ({ activations: [relu('relu1', 0.7)] })));
    expect(codes(e.all())).toEqual(['dead-relu']);
    const e2 = engine();
    feed(e2, run(6, () => ({ activations: [act('l', 'LeakyRelu', { deadFrac: 0.95 }), act('g', 'Gelu', { deadFrac: 0.95 })] })));
    expect(e2.all()).toEqual([]);
    const e3 = engine({ deadReluFrac: 0.9 });
    feed(e3, run(6, () => ({ activations: [relu('relu1', 0.8)] })));
    expect(e3.all()).toEqual([]);
  });

  it('sigmoid/tanh with more than half the pre-activations saturated fire after the window', () => {
    const e = engine();
    const out = feed(e, run(4, () => ({ activations: [act('t', 'Tanh', { saturatedFrac: 0.6 }), act('s', 'Sigmoid', { saturatedFrac: 0.5 }), act('r', 'Relu', { saturatedFrac: 0.9 })] })));
    expect(out.slice(0, 2).flat()).toEqual([]);
    expect(codes(out[2]!)).toEqual(['saturated-activation']);
    expect(out[2]![0]!.module).toBe('t');
    expect(out[2]![0]!.message).toContain("Tanh in module 't': 60% of its pre-activations");
    expect(e.all()).toHaveLength(1);
  });
});

describe('no-gradient', () => {
  it('one finding per module listing its parameters, after noGradientSteps steps', () => {
    const e = engine();
    const starved = { patch: [{ name: 'fc2.weight', grad: null }, { name: 'fc2.bias', grad: { zeroFrac: 1, norm: 0 } }] };
    const out = feed(e, run(4, () => starved));
    expect(out.slice(0, 2).flat()).toEqual([]);
    expect(codes(out[2]!)).toEqual(['no-gradient']);
    const d = out[2]![0]!;
    expect(d.module).toBe('fc2');
    expect(d.step).toBe(1);
    expect(d.location).toEqual(locate('fc2'));
    expect(d.message).toContain("'fc2.weight' and 'fc2.bias'");
    expect(d.message).toContain('backward did not reach them');
    expect(d.fix).toContain('detach()');
    expect(out[3]![0]!.lastStep).toBe(4);
    expect(e.all()).toHaveLength(1);
    expect(e.finish()).toEqual([]);
  });

  it('a run shorter than the window is judged at finish; a gradient at any step clears it', () => {
    const e = engine();
    expect(feed(e, run(2, () => ({ patch: [{ name: 'fc3.weight', grad: null }] }))).flat()).toEqual([]);
    const fin = e.finish();
    expect(codes(fin)).toEqual(['no-gradient']);
    expect(fin[0]!.module).toBe('fc3');
    expect(fin[0]!.step).toBe(1);
    expect(fin[0]!.lastStep).toBe(2);
    const e2 = engine();
    feed(e2, run(2, (i) => (i === 1 ? { patch: [{ name: 'fc3.weight', grad: null }] } : {})));
    expect(e2.finish()).toEqual([]);
    const e3 = engine();
    feed(e3, run(5, (i) => (i % 2 === 0 ? { patch: [{ name: 'fc3.weight', grad: null }] } : {})));
    expect(e3.finish()).toEqual([]);
    expect(e3.all()).toEqual([]);
  });

  it('frozen parameters (requiresGrad false) are not flagged; noGradientSteps is configurable', () => {
    const e = engine();
    feed(e, run(5, () => ({ patch: [{ name: 'fc1.weight', grad: null, requiresGrad: false }] })));
    expect(e.finish()).toEqual([]);
    expect(e.all()).toEqual([]);
    const e2 = engine({ noGradientSteps: 5 });
    const out = feed(e2, run(5, () => ({ patch: [{ name: 'fc1.weight', grad: null }] })));
    expect(out.slice(0, 4).flat()).toEqual([]);
    expect(codes(out[4]!)).toEqual(['no-gradient']);
  });
});

describe('loss-divergence', () => {
  it('fires when the loss exceeds 10× the first and is still rising; updated when it rises again', () => {
    const e = engine();
    const out = feed(e, [1, 2, 5, 12, 11, 15].map((loss, i) => step(i + 1, { loss })));
    expect(out.slice(0, 3).flat()).toEqual([]);
    expect(codes(out[3]!)).toEqual(['loss-divergence']);
    const d = out[3]![0]!;
    expect(d.module).toBeUndefined();
    expect(d.location).toBeNull();
    expect(d.step).toBe(4);
    expect(d.message).toBe('Loss is diverging: 12, 12× the first loss (1) and still rising (limit 10×), at step 4');
    expect(out[4]).toEqual([]);
    expect(out[5]![0]!.lastStep).toBe(6);
    expect(e.all()).toHaveLength(1);
  });

  it('a non-finite loss is nan-inf only; a negative first loss or a larger factor never diverge', () => {
    const e = engine();
    feed(e, [1, 5, Infinity].map((loss, i) => step(i + 1, { loss })));
    expect(codes(e.all())).toEqual(['nan-inf']);
    const e2 = engine();
    feed(e2, [-1, 2, 5].map((loss, i) => step(i + 1, { loss })));
    expect(e2.all()).toEqual([]);
    const e3 = engine({ divergenceFactor: 20 });
    feed(e3, [1, 2, 15].map((loss, i) => step(i + 1, { loss })));
    expect(e3.all()).toEqual([]);
  });
});

describe('loss-plateau', () => {
  it('a flat loss over 50 steps is a plateau dated from the window start', () => {
    const e = engine();
    const out = feed(e, run(55, (i) => ({ loss: 0.69 + (i % 2) * 1e-5 })));
    expect(out.slice(0, 49).flat()).toEqual([]);
    expect(codes(out[49]!)).toEqual(['loss-plateau']);
    const d = out[49]![0]!;
    expect(d.severity).toBe('info');
    expect(d.step).toBe(1);
    expect(d.lastStep).toBe(50);
    expect(d.message).toContain('plateaued at 0.69');
    expect(out[54]![0]!.lastStep).toBe(55);
    expect(e.all()).toHaveLength(1);
  });

  it('a slowly improving loss, or a window broken by a NaN, is not; the window is configurable', () => {
    const e = engine({ disabled: ['nan-inf'] });
    feed(e, run(100, (i) => ({ loss: 1 - 1e-3 * i })));
    feed(e, run(60, (i) => ({ loss: i === 30 ? NaN : 0.5 })).map((r) => ({ ...r, step: r.step + 100 })));
    expect(e.all()).toEqual([]);
    const e2 = engine({ plateauWindow: 10 });
    const out = feed(e2, run(10, () => ({ loss: 0.3 })));
    expect(codes(out[9]!)).toEqual(['loss-plateau']);
  });
});

describe('learning rate', () => {
  const ratios = (r: number | null) => ({ patch: ['fc1', 'fc2', 'fc3'].map((m) => ({ name: `${m}.weight`, updateRatio: r })) });

  it('lr-too-high: median update ratio > 0.1 for lrHighWindow steps while the loss stalls; the message gives the lr', () => {
    const e = engine();
    // The loss oscillates around 2 without progress.
    const out = feed(e, run(11, (i) => ({ ...ratios(0.5), lr: 0.5, loss: 2 + 0.1 * ((i + 1) % 2) })));
    expect(out.slice(0, 9).flat()).toEqual([]);
    expect(codes(out[9]!)).toEqual(['lr-too-high']);
    const d = out[9]![0]!;
    expect(d.module).toBeUndefined();
    expect(d.step).toBe(1);
    expect(d.message).toContain('lr = 0.5');
    expect(d.message).toContain('median 0.5');
    expect(d.message).toContain('did not improve');
    expect(d.fix).toContain('0.05');
    expect(d.evidence).toEqual({ medianUpdateRatio: 0.5, lr: 0.5, steps: 10 });
    expect(out[10]![0]!.lastStep).toBe(11);
  });

  it('lr-too-high stays quiet while large updates still make fast progress (a healthy start)', () => {
    const e = engine();
    feed(e, run(30, (i) => ({ ...ratios(0.3), loss: 2 * Math.exp(-0.2 * i) })));
    expect(e.all()).toEqual([]);
    const e2 = engine({ lrHighWindow: 3 });
    const out = feed(e2, run(3, () => ({ ...ratios(0.3), loss: 5 })));
    expect(codes(out[2]!)).toEqual(['lr-too-high']);
  });

  it('biases starting at zero (infinite ratio) do not count; steps without an optimizer step do not break a streak', () => {
    const e = engine();
    const biases = ['fc1', 'fc2', 'fc3'].map((m) => ({ name: `${m}.bias`, updateRatio: Infinity }));
    feed(e, run(12, () => ({ patch: biases, loss: 3 })));
    expect(e.all()).toEqual([]);
    const e2 = engine();
    const noStep = { params: healthyParams().map((p) => ({ ...p, updateRatio: null })), loss: 3 };
    const out = feed(e2, run(11, (i) => (i === 2 ? noStep : { ...ratios(0.3), loss: 3 })));
    expect(out.slice(0, 10).flat()).toEqual([]);
    expect(codes(out[10]!)).toEqual(['lr-too-high']);
    expect(out[10]![0]!.step).toBe(1);
  });

  it('lr-too-low: median < 1e-5 for 10 steps while the loss is above plateauMinLoss', () => {
    const e = engine();
    const out = feed(e, run(11, () => ({ ...ratios(1e-7), lr: 1e-6 })));
    expect(out.slice(0, 9).flat()).toEqual([]);
    expect(codes(out[9]!)).toEqual(['lr-too-low']);
    expect(out[9]![0]!.severity).toBe('info');
    expect(out[9]![0]!.message).toContain('lr = 1e-6');
    expect(out[10]![0]!.lastStep).toBe(11);
    const e2 = engine({ lrLowWindow: 3, lrLowRatio: 1e-8 });
    feed(e2, run(5, () => ratios(1e-7)));
    expect(e2.all()).toEqual([]);
    const e3 = engine({ lrLowWindow: 3 });
    feed(e3, run(3, () => ratios(1e-7)));
    expect(codes(e3.all())).toEqual(['lr-too-low']);
  });
});

describe('fp16-underflow', () => {
  const tiny = { patch: [{ name: 'fc1.weight', grad: { fp16BelowNormal: 0.5, fp16BelowSubnormal: 0.1 } }] };

  it('weights the fraction by parameter size and fires after windowSteps steps', () => {
    const e = engine();
    // 100 of the 600 gradient values are in fc1.weight, half of them below fp16's smallest normal: 8.33%.
    const out = feed(e, run(3, () => tiny));
    expect(out.slice(0, 2).flat()).toEqual([]);
    expect(codes(out[2]!)).toEqual(['fp16-underflow']);
    const d = out[2]![0]!;
    expect(d.severity).toBe('info');
    expect(d.step).toBe(1);
    expect(d.evidence['belowNormal']).toBeCloseTo(50 / 600);
    expect(d.message).toContain('8.33% of gradient values would underflow in float16');
    expect(d.message).toContain('1.67% flush to zero entirely');
    expect(d.fix).toContain('GradScaler');
  });

  it('a single step, or a converged run, is not evidence', () => {
    const e = engine();
    feed(e, run(6, (i) => (i % 2 === 0 ? tiny : {})));
    expect(e.all()).toEqual([]);
    const e2 = engine();
    feed(e2, run(5, () => ({ ...tiny, loss: 1e-6 })));
    expect(e2.all()).toEqual([]);
  });

  it('exact zeros do not count as nonzero values; the threshold is configurable', () => {
    const e = engine();
    // fc1.weight: 100 values, 90% zeros → 10 nonzero, all tiny; 10 / 510 ≈ 2% < 5%.
    const zeros = { patch: [{ name: 'fc1.weight', grad: { zeroFrac: 0.9, fp16BelowNormal: 1 } }] };
    feed(e, run(3, () => zeros));
    expect(e.all()).toEqual([]);
    const e2 = engine({ fp16UnderflowFrac: 0.01 });
    feed(e2, run(3, () => zeros));
    expect(codes(e2.all())).toEqual(['fp16-underflow']);
  });
});

describe('engine', () => {
  it('all() lists diagnostics in order of first appearance; observe returns only new or changed ones', () => {
    const e = engine();
    e.nonFinite({ phase: 'backward', op: 'Sqrt', module: 'head', step: 9, value: 'NaN', location: null, callers: [] });
    const out = feed(e, run(6, (i) => ({
      patch: [
        ...(i >= 2 ? [{ name: 'fc2.weight', grad: { norm: 2e3 } }] : []),
        ...(i >= 1 ? [{ name: 'fc1.weight', grad: { fp16BelowNormal: 1 } }] : []),
      ],
      activations: [relu('relu1', 0.9), relu('relu2', 0.1)],
    })));
    expect(codes(out[0]!)).toEqual([]);
    expect(codes(out[1]!)).toEqual(['exploding-gradient']);
    expect(codes(out[2]!).sort()).toEqual(['dead-relu', 'exploding-gradient', 'fp16-underflow']);
    expect(codes(e.all())).toEqual(['nan-inf', 'exploding-gradient', 'dead-relu', 'fp16-underflow']);
    // The same evidence again: only lastStep changes, and that is a change.
    expect(out[5]!.every((d) => d.lastStep === 6)).toBe(true);
    // Re-observing an old step with identical figures changes nothing.
    const e2 = engine();
    const bad = step(1, { patch: [{ name: 'fc2.weight', grad: { norm: 2e3 } }] });
    expect(e2.observe(bad)).toHaveLength(1);
    expect(e2.observe(bad)).toEqual([]);
  });

  it('disabled codes are never reported; nonFinite returns null for a disabled nan-inf', () => {
    const e = engine({ disabled: ['dead-relu', 'nan-inf'] });
    feed(e, run(5, () => ({ activations: [relu('relu1', 0.95)], loss: NaN })));
    expect(e.nonFinite({ phase: 'forward', op: 'Log', module: 'head', step: 1, value: 'NaN', location: null, callers: [] })).toBeNull();
    expect(e.all()).toEqual([]);
  });

  it('returns snapshots: changing a returned diagnostic does not change the engine', () => {
    const e = engine();
    const [d] = e.observe(step(1, { patch: [{ name: 'fc2.weight', grad: { norm: 2e3 } }] }));
    d!.message = 'x';
    d!.evidence['maxNorm'] = 0;
    expect(e.all()[0]!.message).not.toBe('x');
    expect(e.all()[0]!.evidence['maxNorm']).toBe(2e3);
  });

  it('config: user values merge over the defaults, undefined keeps the default, windows are at least 1', () => {
    const c = resolveConfig({ windowSteps: 0, deadReluFrac: 0.5, explodingRatio: undefined });
    expect(c.windowSteps).toBe(1);
    expect(c.deadReluFrac).toBe(0.5);
    expect(c.explodingRatio).toBe(70);
    expect(c.disabled).toEqual([]);
    expect(DEFAULT_DETECTOR_CONFIG.explodingAbsNorm).toBe(1e3);
  });

  it('formats numbers to 3 significant digits, with exponents for the extremes', () => {
    expect(fmt(1234)).toBe('1230');
    expect(fmt(0.012345)).toBe('0.0123');
    expect(fmt(1e16)).toBe('1e+16');
    expect(fmt(2.5e-7)).toBe('2.5e-7');
    expect(fmt(NaN)).toBe('NaN');
    expect(fmt(-Infinity)).toBe('-Inf');
    expect(pct(0.8333)).toBe('83.3%');
  });
});

describe('lr-too-low ignores parameters that got no gradient', () => {
  it('does not blame the learning rate for layers that did not move for lack of a gradient', () => {
    const e = engine({ lrLowWindow: 3 });
    // fc1/fc2 get exact-zero gradients (dead units upstream): ratio 0; fc3 moves healthily.
    const dead = ['fc1', 'fc2'].map((m) => ({ name: `${m}.weight`, updateRatio: 0, grad: { norm: 0, zeroFrac: 1 } }));
    feed(e, run(5, () => ({ patch: dead })));
    expect(codes(e.all())).not.toContain('lr-too-low');
  });
});
