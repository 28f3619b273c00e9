// LR schedulers against PyTorch 1.13's lr sequences (pasted from /usr/bin/python3 runs of
// torch.optim.lr_scheduler). The recursive formulas are evaluated in PyTorch's order, so the
// doubles match exactly. seq[0] is the lr right after construction, seq[i] after the i-th step().

import { describe, expect, it } from 'vitest';
import { optim, tensor } from '../../../core';

const { lrScheduler } = optim;

/** An SGD whose group i starts at lr·(i + 1), as in the Python script. */
function sgd(groups = 1, lr = 0.1): optim.SGD {
  return new optim.SGD(Array.from({ length: groups }, (_, i) => ({ params: [tensor([0], { requiresGrad: true })], lr: lr * (i + 1) })), { lr });
}

function lrs(opt: optim.SGD): number[] {
  return opt.paramGroups.map((g) => g.lr);
}

function sequence(opt: optim.SGD, sched: { step(metric: number): void; getLastLr(): number[] }, steps: number, metrics?: number[]): number[][] {
  const out = [sched.getLastLr()];
  for (let i = 0; i < steps; i++) {
    opt.step();
    sched.step(metrics?.[i] as number);
    expect(sched.getLastLr()).toEqual(lrs(opt));
    out.push(lrs(opt));
  }
  return out;
}

describe('schedulers match PyTorch exactly', () => {
  it('StepLR', () => {
    const opt = sgd();
    const s = new lrScheduler.StepLR(opt, { stepSize: 2 });
    expect(sequence(opt, s, 5).map(([v]) => v)).toEqual([0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002]);
    expect(s.lastEpoch).toBe(5);
  });

  it('MultiStepLR with a repeated milestone', () => {
    const opt = sgd();
    const s = new lrScheduler.MultiStepLR(opt, { milestones: [2, 5, 5, 7], gamma: 0.5 });
    expect(sequence(opt, s, 9)).toEqual([[0.1], [0.1], [0.05], [0.05], [0.05], [0.0125], [0.0125], [0.00625], [0.00625], [0.00625]]);
  });

  it('LinearLR warm-up, custom and default factors', () => {
    let opt = sgd();
    expect(sequence(opt, new lrScheduler.LinearLR(opt, { startFactor: 0.25, totalIters: 4 }), 7)).toEqual(
      [[0.025], [0.043750000000000004], [0.06250000000000001], [0.08125000000000002], [0.10000000000000002], [0.10000000000000002], [0.10000000000000002], [0.10000000000000002]]);
    opt = sgd();
    expect(sequence(opt, new lrScheduler.LinearLR(opt), 7)).toEqual(
      [[0.03333333333333333], [0.04666666666666667], [0.060000000000000005], [0.07333333333333335], [0.08666666666666668], [0.1], [0.1], [0.1]]);
  });

  it('CosineAnnealingLR over two groups and past tMax (it rises again)', () => {
    const opt = sgd(2);
    expect(sequence(opt, new lrScheduler.CosineAnnealingLR(opt, { tMax: 3, etaMin: 0.01 }), 10)).toEqual([
      [0.1, 0.2], [0.0775, 0.15250000000000002], [0.032500000000000015, 0.05750000000000003], [0.01, 0.01], [0.0325, 0.05749999999999999],
      [0.07750000000000005, 0.1525000000000001], [0.10000000000000007, 0.20000000000000012], [0.07750000000000007, 0.15250000000000014],
      [0.03250000000000006, 0.05750000000000011], [0.01, 0.01], [0.0325, 0.05749999999999999],
    ]);
  });

  it('ExponentialLR chained after StepLR on one optimizer composes multiplicatively', () => {
    const opt = new optim.SGD([tensor([0], { requiresGrad: true })], { lr: 1 });
    const a = new lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const b = new lrScheduler.ExponentialLR(opt, { gamma: 0.9 });
    const got = [opt.lr];
    for (let i = 0; i < 5; i++) { opt.step(); a.step(); b.step(); got.push(opt.lr); }
    expect(got).toEqual([1.0, 0.9, 0.405, 0.36450000000000005, 0.16402500000000003, 0.14762250000000005]);
    expect(a.baseLrs).toEqual([1]);
    expect(b.baseLrs).toEqual([1]);
  });

  it('ReduceLROnPlateau: patience, cooldown and minLr (min mode, relative threshold)', () => {
    const opt = sgd();
    const s = new lrScheduler.ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, cooldown: 1, minLr: 0.02 });
    expect(sequence(opt, s, 10, [1.0, 0.9, 0.95, 0.91, 0.9, 0.8, 0.85, 0.85, 0.85, 0.85])).toEqual(
      [[0.1], [0.1], [0.1], [0.1], [0.05], [0.05], [0.05], [0.05], [0.025], [0.025], [0.025]]);
  });

  it('ReduceLROnPlateau: max mode, absolute threshold, patience 0', () => {
    const opt = sgd();
    const s = new lrScheduler.ReduceLROnPlateau(opt, { mode: 'max', thresholdMode: 'abs', threshold: 0.1, patience: 0 });
    expect(sequence(opt, s, 6, [0.5, 0.55, 0.7, 0.75, 0.9, 0.1])).toEqual(
      [[0.1], [0.1], [0.010000000000000002], [0.010000000000000002], [0.0010000000000000002], [0.0010000000000000002], [0.00010000000000000003]]);
  });
});

describe('scheduler option errors', () => {
  it('names the scheduler and the option', () => {
    expect(() => new lrScheduler.StepLR(sgd(), { stepSize: 0 })).toThrow('StepLR: stepSize must be a positive integer, got 0');
    expect(() => new lrScheduler.CosineAnnealingLR(sgd(), {} as never)).toThrow('CosineAnnealingLR: tMax must be a positive integer, got undefined');
    expect(() => new lrScheduler.ExponentialLR(sgd(), {} as never)).toThrow('ExponentialLR: gamma must be a number, got undefined');
    expect(() => new lrScheduler.LinearLR(sgd(), { startFactor: 1.5 })).toThrow('LinearLR: startFactor must be in [0, 1], got 1.5');
    expect(() => new lrScheduler.ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow('ReduceLROnPlateau: factor must be < 1, got 1');
    expect(() => new lrScheduler.StepLR({} as never, { stepSize: 1 })).toThrow('StepLR: the first argument must be an optimizer');
  });
});
