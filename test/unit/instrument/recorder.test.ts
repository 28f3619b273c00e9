import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nn, optim, tensor, randn, manualSeed, Tensor } from '../../../core';
import { Recorder } from '../../../core/instrument/recorder';
import type { RunEvent } from '../../../core/instrument/events';

const here = fileURLToPath(import.meta.url);
const lineOf = (marker: string) => readFileSync(here, 'utf8').split('\n').findIndex((l) => l.includes(marker) && !l.includes('lineOf(')) + 1;

function record<T>(fn: () => T, options: ConstructorParameters<typeof Recorder>[0] = {}): { events: RunEvent[]; rec: Recorder } {
  const events: RunEvent[] = [];
  const rec = new Recorder({ ...options, emit: (e) => events.push(e) }).start();
  try {
    fn();
  } finally {
    rec.stop();
  }
  return { events, rec };
}

const steps = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'step' ? [e.record] : []));

describe('Recorder', () => {
  it('records one step per backward with PyTorch parameter names, loss, norms and update ratios', () => {
    const { events } = record(() => {
      manualSeed(0);
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      const x = randn([8, 3]);
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        const loss = model.forward(x).pow(2).mean();
        loss.backward();
        opt.step();
      }
    });
    const s = steps(events);
    expect(s.map((r) => r.step)).toEqual([1, 2, 3]);
    const names = s[0]!.params.map((p) => p.name);
    expect(names).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    for (const r of s) {
      expect(r.loss).toBeGreaterThan(0);
      expect(r.lr).toBe(0.1);
      const sumSq = r.params.reduce((a, p) => a + p.grad!.norm ** 2, 0);
      expect(r.gradNorm).toBeCloseTo(Math.sqrt(sumSq), 6);
      // SGD: ‖Δw‖ = lr·‖g‖ for every parameter.
      for (const p of r.params) expect(p.updateRatio).toBeCloseTo((0.1 * p.grad!.norm) / p.weight.norm, 4);
    }
    const model = events.find((e) => e.type === 'model');
    expect(model?.type === 'model' && model.summary.modules.map((m) => [m.path, m.type])).toEqual([['', 'Sequential'], ['0', 'Linear'], ['1', 'ReLU'], ['2', 'Linear']]);
    const acts = s[0]!.activations;
    expect(acts.map((a) => [a.module, a.op, a.units])).toEqual([['1', 'Relu', 4]]);
  });

  it('locates layers where they were constructed', () => {
    const { rec } = record(() => {
      const model = new nn.Sequential(new nn.Linear(2, 2)); // MARK-layer
      model.forward(tensor([[1, 2]])).sum().backward();
    });
    const summary = (rec as unknown as { index: { summary(): { modules: { path: string; location: { line: number } | null }[] } } }).index.summary();
    expect(summary.modules.find((m) => m.path === '0')!.location!.line).toBe(lineOf('MARK-layer'));
  });

  it('finds a NaN born in backward at the line of the op that made it', () => {
    const { rec } = record(() => {
      const x = tensor([0, 4], { requiresGrad: true });
      const y = x.sqrt(); // MARK-sqrt: d√x/dx is +Inf at 0
      y.sum().backward();
    });
    const d = rec.diagnostics().find((x) => x.code === 'nan-inf')!;
    expect(d).toBeDefined();
    expect(d.message).toContain('Sqrt');
    expect(d.message).toContain('backward');
    expect(d.location).toEqual(expect.objectContaining({ file: here, line: lineOf('MARK-sqrt') }));
  });

  it('finds a NaN born in forward, and only the first origin', () => {
    const { rec } = record(() => {
      const x = tensor([-1, 1], { requiresGrad: true });
      const y = x.log(); // MARK-log
      y.mul(0).exp().sum().backward();
    });
    const nans = rec.diagnostics().filter((x) => x.code === 'nan-inf');
    expect(nans).toHaveLength(1);
    expect(nans[0]!.message).toContain('Log');
    expect(nans[0]!.location!.line).toBe(lineOf('MARK-log'));
  });

  it('records the gradient reaching each time step of an RNN (BPTT)', () => {
    const { events } = record(() => {
      manualSeed(1);
      const rnn = new nn.RNN(2, 3, { numLayers: 2 });
      const [out] = rnn.forward(randn([5, 1, 2])) as [Tensor, Tensor];
      out.select(0, -1).sum().backward();
    });
    const b = steps(events)[0]!.bptt;
    // Backward reaches the top layer first.
    expect(b.map((e) => [e.module, e.layer, e.norms.length])).toEqual([['', 1, 5], ['', 0, 5]]);
    // Only the last output is used: every step gets some gradient, the last layer's last step most directly.
    for (const e of b) for (const n of e.norms) expect(n).toBeGreaterThan(0);
  });

  it('emits histograms on the schedule: every step at full, every K with a fixed K', () => {
    const run = (options: ConstructorParameters<typeof Recorder>[0]) => record(() => {
      const w = tensor([1, 2, 3], { requiresGrad: true });
      for (let i = 0; i < 6; i++) w.mul(w).sum().backward();
    }, options).events.filter((e) => e.type === 'histograms').map((e) => (e.type === 'histograms' ? e.step : 0));
    expect(run({ level: 'full' })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(run({ level: 'default', histogramEvery: 2 })).toEqual([1, 3, 5]);
  });

  it('records nothing at level off', () => {
    const { events } = record(() => {
      const w = tensor([1, 2], { requiresGrad: true });
      w.sum().backward();
    }, { level: 'off' });
    expect(events).toEqual([]);
  });

  it('names parameters of several models apart, and loose optimizer parameters', () => {
    const { events } = record(() => {
      const g = new nn.Linear(2, 2);
      const d = new nn.Linear(2, 1);
      const extra = tensor([1], { requiresGrad: true });
      const opt = new optim.SGD([...g.parameters(), ...d.parameters(), extra], { lr: 0.1 });
      for (let i = 0; i < 2; i++) {
        opt.zeroGrad();
        d.forward(g.forward(tensor([[1, 1]]))).mul(extra).sum().backward();
        opt.step();
      }
    });
    const last = steps(events).at(-1)!;
    expect(last.params.map((p) => p.name)).toEqual(['Linear.weight', 'Linear.bias', 'Linear1.weight', 'Linear1.bias', 'params.0']);
  });
});

describe('Recorder: NaN that comes in with the data', () => {
  it('names the input, not the op, when an op only passes a NaN along', () => {
    const { rec } = record(() => {
      const data = tensor([[1, NaN]]);
      const layer = new nn.Linear(2, 1);
      layer.forward(data).sum().backward(); // MARK-data-nan
    });
    const d = rec.diagnostics().find((x) => x.code === 'nan-inf')!;
    expect(d.message).toContain('first seen in the input 0 of Linear');
    expect(d.fix).toContain('input data');
    expect(d.location!.line).toBe(lineOf('MARK-data-nan'));
  });
});

describe('Recorder: activation names', () => {
  it('folds an engine layer’s activation over time steps into one, named from the first step on', () => {
    const { events } = record(() => {
      manualSeed(2);
      const rnn = new nn.RNN(2, 3, { nonlinearity: 'relu' });
      const head = new nn.Linear(3, 1);
      for (let i = 0; i < 2; i++) {
        const [out] = rnn.forward(randn([6, 1, 2])) as [Tensor, Tensor];
        head.forward(out.select(0, -1)).sum().backward();
      }
    });
    const s = steps(events);
    for (const r of s) {
      expect(r.activations.map((a) => a.module)).toEqual(['RNN.relu']);
      expect(r.bptt.map((b) => b.module)).toEqual(['RNN']);
    }
  });

  it('names activations a user module calls directly by call site', () => {
    class Net extends nn.Module {
      a = new nn.Linear(2, 2);
      override forward(x: Tensor): Tensor {
        const h = this.a.forward(x).relu(); // MARK-relu-1
        return h.relu().sum(); // MARK-relu-2
      }
    }
    const { events, rec } = record(() => {
      const net = new Net();
      for (let i = 0; i < 2; i++) net.forward(tensor([[1, -1]])).backward();
    });
    const names = steps(events).map((r) => r.activations.map((a) => a.module));
    expect(names).toEqual([['relu', 'relu1'], ['relu', 'relu1']]);
    const locate = (n: string) => (rec as unknown as { locate(p: string): { line: number } | null }).locate(n)!.line;
    expect(locate('relu')).toBe(lineOf('MARK-relu-1'));
    expect(locate('relu1')).toBe(lineOf('MARK-relu-2'));
  });
});
