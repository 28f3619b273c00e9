// The default level's cheap steps: gradient norms measured late (from the optimizer's own pass
// when it computes Σg², else by a pass of their own before anything can change the gradients),
// and op outputs scanned for NaN/Inf only when the loss or a gradient goes non-finite. These
// tests pin that the cheap path gives the same answers as measuring everything at once.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nn, optim, tensor, randn, manualSeed, where, type Tensor } from '../../../core';
import { Recorder, type RecorderOptions } from '../../../core/instrument/recorder';
import type { RunEvent } from '../../../core/instrument/events';
import type { StepRecord } from '../../../core/instrument/records';
import { setKernelMode } from '../../../core/kernels/wasm';

const here = fileURLToPath(import.meta.url);
const lineOf = (marker: string) => readFileSync(here, 'utf8').split('\n').findIndex((l) => l.includes(marker) && !l.includes('lineOf(')) + 1;

function record(fn: () => void, options: RecorderOptions = {}): { steps: StepRecord[]; rec: Recorder } {
  const events: RunEvent[] = [];
  const rec = new Recorder({ histogramEvery: 1000, detailEvery: 4, ...options, emit: (e) => events.push(e) }).start();
  try {
    fn();
  } finally {
    rec.stop();
  }
  return { steps: events.flatMap((e) => (e.type === 'step' ? [e.record] : [])), rec };
}

const norm = (g: Float32Array) => Math.sqrt(g.reduce((a, v) => a + v * v, 0));

/** A model big enough for the WebAssembly SGD step (which reports Σg²). */
function mlp(): nn.Module {
  manualSeed(3);
  return new nn.Sequential(new nn.Linear(64, 96), new nn.ReLU(), new nn.Linear(96, 8));
}

describe('Recorder: gradient norms between detailed steps', () => {
  for (const mode of ['auto', 'js'] as const) {
    it(`equal the gradients' own norms, from the optimizer's pass or not (kernels: ${mode})`, () => {
      setKernelMode(mode);
      try {
        const expected: number[][] = [];
        const { steps } = record(() => {
          const model = mlp();
          const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
          const x = randn([16, 64]);
          for (let i = 0; i < 10; i++) {
            opt.zeroGrad();
            model.forward(x).pow(2).mean().backward();
            expected.push(model.parameters().map((p) => norm(p.grad!.data)));
            opt.step();
          }
        });
        expect(steps.map((s) => s.detail !== false)).toEqual([true, true, true, false, false, false, true, false, false, false]);
        steps.forEach((s, i) => {
          s.params.forEach((p, j) => expect(p.grad!.norm).toBeCloseTo(expected[i]![j]!, 5));
          expect(s.gradNorm).toBeCloseTo(Math.hypot(...expected[i]!), 5);
        });
      } finally {
        setKernelMode('auto');
      }
    });
  }

  it('are taken before clipping changes the gradients', () => {
    const returned: number[] = [];
    const { steps } = record(() => {
      const model = mlp();
      const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
      const x = randn([16, 64]);
      for (let i = 0; i < 8; i++) {
        opt.zeroGrad();
        model.forward(x).pow(2).sum().backward();
        returned.push(nn.utils.clipGradNorm(model.parameters(), 1e-3));
        opt.step();
      }
    });
    expect(steps.some((s) => s.detail === false)).toBe(true);
    steps.forEach((s, i) => {
      expect(s.gradNorm / returned[i]!).toBeCloseTo(1, 5);
      expect(s.gradNorm).toBeGreaterThan(1e-2);
    });
  });

  it('are taken before the next backward adds to them (gradient accumulation)', () => {
    const expected: number[] = [];
    const { steps } = record(() => {
      const model = mlp();
      const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
      for (let i = 0; i < 4; i++) {
        opt.zeroGrad();
        for (let micro = 0; micro < 3; micro++) {
          model.forward(randn([4, 64])).pow(2).mean().backward();
          expected.push(Math.hypot(...model.parameters().map((p) => norm(p.grad!.data))));
        }
        opt.step();
      }
    });
    expect(steps).toHaveLength(12);
    expect(steps.some((s) => s.detail === false)).toBe(true);
    steps.forEach((s, i) => expect(s.gradNorm).toBeCloseTo(expected[i]!, 5));
  });

  it('are taken on a loop with no optimizer, before the gradients are dropped', () => {
    const expected: number[] = [];
    const { steps } = record(() => {
      const model = mlp();
      const x = randn([8, 64]);
      for (let i = 1; i <= 6; i++) {
        model.forward(x).mul(i).pow(2).sum().backward();
        expected.push(Math.hypot(...model.parameters().map((p) => norm(p.grad!.data))));
        // A hand-written update: step, then drop the gradients.
        for (const p of model.parameters()) {
          p.data.forEach((v, k) => { p.data[k] = v - 1e-4 * p.grad!.data[k]!; });
          p.grad = null;
        }
      }
    });
    expect(steps.map((s) => s.detail !== false)).toEqual([true, true, true, false, false, false]);
    steps.forEach((s, i) => expect(s.gradNorm / expected[i]!).toBeCloseTo(1, 6));
  });

  it('find a non-finite gradient born in backward on a cheap step, at its line', () => {
    const { steps, rec } = record(() => {
      const model = mlp();
      const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
      const x = randn([16, 64]);
      for (let i = 0; i < 6; i++) {
        opt.zeroGrad();
        const h = model.forward(x);
        // Step 6: a parameter passes through sqrt at 0, whose derivative is +Inf.
        const w = i === 5 ? model.parameters()[3]!.mul(0).sqrt().sum() : tensor(0); // MARK-sqrt-leaf
        h.pow(2).mean().add(w).backward();
        opt.step();
      }
    });
    expect(steps[5]!.detail).toBe(false);
    const d = rec.diagnostics().find((x) => x.code === 'nan-inf')!;
    expect(d.message).toContain('Sqrt');
    expect(d.message).toContain('backward');
    expect(d.step).toBe(6);
    expect(d.location).toEqual(expect.objectContaining({ file: here, line: lineOf('MARK-sqrt-leaf') }));
  });
});

describe('Recorder: a non-finite contribution to a gradient several ops add to', () => {
  it('is reported at its own op, line and step, on a cheap step (measured late) as on a detailed one', () => {
    for (const at of [2, 5]) {
      const { steps, rec } = record(() => {
        const model = mlp();
        const w = model.parameters()[0]!;
        const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
        const x = randn([16, 64]);
        for (let i = 0; i < 6; i++) {
          opt.zeroGrad();
          if (i === at) w.data.fill(0.01).fill(0, 7, 8);
          // sqrt at 0 sends +Inf straight into the weight's gradient, which the Linear's matmul
          // adds to after (the last producer): the origin is still the sqrt.
          const extra = i === at ? w.sqrt().sum() : tensor(0); // MARK-sqrt-shared
          model.forward(x).pow(2).mean().add(extra).backward();
          opt.step();
        }
      });
      expect(steps[at]!.detail !== false).toBe(at < 3);
      const d = rec.diagnostics().filter((x) => x.code === 'nan-inf');
      expect(d.length).toBe(1);
      expect(d[0]!.message).toContain('Sqrt');
      expect(d[0]!.step).toBe(at + 1);
      expect(d[0]!.location).toEqual(expect.objectContaining({ file: here, line: lineOf('MARK-sqrt-shared') }));
    }
  });
});

describe('Recorder: NaN origins found from the loss and gradients', () => {
  it('finds a forward NaN on a late step at its line, through a graph that changed that step', () => {
    const { rec } = record(() => {
      const model = mlp();
      const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
      const x = randn([16, 64]);
      for (let i = 0; i < 30; i++) {
        opt.zeroGrad();
        let h = model.forward(x);
        if (i === 16) h = h.sub(100).log(); // MARK-late-log
        h.pow(2).mean().backward();
        opt.step();
      }
    });
    const d = rec.diagnostics().find((x) => x.code === 'nan-inf')!;
    expect(d.step).toBe(17);
    expect(d.message).toContain('Log');
    expect(d.message).toContain('forward');
    expect(d.location).toEqual(expect.objectContaining({ file: here, line: lineOf('MARK-late-log') }));
  });

  it('finds a forward Inf the loss does not show when backward turns it into NaN', () => {
    const { rec } = record(() => {
      const x = tensor([0, 1, 2], { requiresGrad: true }).mul(1);
      const l = x.log(); // MARK-masked-log: -Inf at 0
      const mask = tensor([0, 1, 1]);
      // The mask hides -Inf from the loss in forward (where, not a product), but log's
      // backward at 0 is 1/0 scaled by a zero: NaN.
      where(mask.gt(0), l, tensor([0, 0, 0])).sum().backward();
    }, { level: 'default' });
    const d = rec.diagnostics().find((x) => x.code === 'nan-inf');
    expect(d).toBeDefined();
    expect(d!.message).toContain('Log');
    expect(d!.message).toContain('forward');
    expect(d!.location!.line).toBe(lineOf('MARK-masked-log'));
  });

  it('finds a NaN loss that no backward followed (the script stopped on it)', () => {
    const { rec } = record(() => {
      const model = mlp();
      const y = model.forward(randn([4, 64])).sub(1e3).sqrt(); // MARK-no-backward
      const loss: Tensor = y.mean();
      if (Number.isNaN(loss.item())) return;
      loss.backward();
    });
    const d = rec.diagnostics().find((x) => x.code === 'nan-inf')!;
    expect(d.message).toContain('Sqrt');
    expect(d.location!.line).toBe(lineOf('MARK-no-backward'));
  });

  it('at full, checks every op output as it is made, even one the loss does not depend on', () => {
    const run = (level: 'default' | 'full') => record(() => {
      const w = tensor([1, 2], { requiresGrad: true });
      w.sub(5).log(); // MARK-unused-log: NaN, never used
      w.pow(2).sum().backward();
    }, { level }).rec.diagnostics().filter((d) => d.code === 'nan-inf');
    expect(run('default')).toEqual([]);
    const full = run('full');
    expect(full).toHaveLength(1);
    expect(full[0]!.location!.line).toBe(lineOf('MARK-unused-log'));
  });
});

describe('Recorder: update ratios of large tensors', () => {
  it('are estimated from a sample close to the exact ‖Δw‖/‖w‖', () => {
    const exact: number[] = [];
    const { steps } = record(() => {
      manualSeed(5);
      const layer = new nn.Linear(300, 200);
      const opt = new optim.SGD(layer.parameters(), { lr: 0.5 });
      const x = randn([32, 300]);
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        layer.forward(x).pow(2).mean().backward();
        const before = layer.weight.data.slice();
        opt.step();
        let d2 = 0, w2 = 0;
        before.forEach((b, k) => { d2 += (layer.weight.data[k]! - b) ** 2; w2 += b * b; });
        exact.push(Math.sqrt(d2 / w2));
      }
    }, { detailEvery: 1 });
    steps.forEach((s, i) => {
      const est = s.params.find((p) => p.name === 'weight')!.updateRatio!;
      expect(est / exact[i]!).toBeGreaterThan(0.75);
      expect(est / exact[i]!).toBeLessThan(1.33);
    });
  });
});

describe('Recorder: pause and resume', () => {
  it('records nothing while paused, keeps numbering steps after, and stops cleanly while paused', () => {
    const events: RunEvent[] = [];
    const rec = new Recorder({ emit: (e) => events.push(e) }).start();
    const model = mlp();
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    const train = (n: number, x = randn([4, 64])) => {
      for (let i = 0; i < n; i++) {
        opt.zeroGrad();
        model.forward(x).pow(2).mean().backward();
        opt.step();
      }
    };
    train(2);
    rec.pause();
    train(3, randn([4, 64]).mul(0).add(NaN)); // NaN while paused: not seen
    rec.resume();
    // Resume with fresh weights: the paused NaN steps changed them.
    for (const p of model.parameters()) p.data.fill(0.01);
    train(2);
    rec.pause();
    rec.stop();
    const steps = events.flatMap((e) => (e.type === 'step' ? [e.record.step] : []));
    expect(steps).toEqual([1, 2, 3, 4]);
    expect(rec.diagnostics().filter((d) => d.code === 'nan-inf')).toEqual([]);
  });
});
