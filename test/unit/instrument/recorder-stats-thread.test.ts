// At 'full', large gradients and weights are measured on the stats thread and each step is
// emitted once its measurements are in. These tests pin that this changes when events arrive,
// never what they say: the same events as measuring on the training thread, every step emitted
// by pause() and stop(), and a NaN born in a gradient still reported at its step and line even
// though the next forward (with the broken weights) runs before the thread's results are taken.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nn, optim, randn, manualSeed, noGrad, tensor } from '../../../core';
import { Recorder } from '../../../core/instrument/recorder';
import { StatsThread } from '../../../core/kernels/stats-thread';
import type { RunEvent } from '../../../core/instrument/events';

const here = fileURLToPath(import.meta.url);
const lineOf = (marker: string) => readFileSync(here, 'utf8').split('\n').findIndex((l) => l.includes(marker) && !l.includes('lineOf(')) + 1;

afterEach(() => vi.restoreAllMocks());

/** A model whose first weight (128 × 96) is large enough for the thread. */
function model(): nn.Sequential {
  manualSeed(11);
  return new nn.Sequential(new nn.Linear(128, 96), new nn.Tanh(), new nn.Linear(96, 8));
}

function train(statsThread: boolean, steps: number, between?: (rec: Recorder, step: number, events: RunEvent[]) => void): { events: RunEvent[]; rec: Recorder } {
  const events: RunEvent[] = [];
  const rec = new Recorder({ level: 'full', statsThread, emit: (e) => events.push(e) }).start();
  const m = model();
  const opt = new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
  // 128 × 96 activations: the thread takes their histograms too.
  const x = randn([128, 128]);
  const y = randn([128, 8]);
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    m.forward(x).sub(y).pow(2).mean().backward();
    opt.step();
    between?.(rec, i + 1, events);
  }
  rec.stop();
  return { events, rec };
}

describe('Recorder at full with the stats thread', () => {
  it('emits the same events as measuring on the training thread, and every step by pause() and stop()', () => {
    const start = vi.spyOn(StatsThread, 'start');
    const submit = vi.spyOn(StatsThread.prototype, 'submit');
    const paused: number[] = [];
    const { events } = train(true, 9, (rec, step, ev) => {
      if (step !== 4) return;
      rec.pause();
      paused.push(...ev.flatMap((e) => (e.type === 'step' ? [e.record.step] : [])));
      rec.resume();
    });
    expect(start).toHaveBeenCalledTimes(1);
    expect(start.mock.results[0]!.value).not.toBeNull();
    // Gradients, weights and the tanh's activations went to the thread.
    expect(new Set(submit.mock.calls.map((c) => c[1] ?? 'stats'))).toEqual(new Set(['stats', 'histogram']));
    expect(paused).toEqual([1, 2, 3, 4]);
    const reference = train(false, 9).events;
    expect(events.filter((e) => e.type === 'step').length).toBe(9);
    expect(events.filter((e) => e.type === 'histograms').length).toBe(9);
    expect(events).toEqual(reference);
  });

  // Training loops the thread must not change the story of: every gradient and weight here is
  // large enough for it (8192 values and up) somewhere.
  const loops: Record<string, () => void> = {
    'gradient accumulation (two backward per step) and Adam': () => {
      manualSeed(5);
      const m = new nn.Sequential(new nn.Linear(128, 96), new nn.ReLU(), new nn.Linear(96, 4));
      const opt = new optim.Adam(m.parameters(), { lr: 1e-3 });
      for (let i = 0; i < 5; i++) {
        opt.zeroGrad();
        for (let k = 0; k < 2; k++) m.forward(randn([16, 128])).pow(2).mean().backward();
        opt.step();
      }
    },
    'clipping before the step, and a weight used twice in one forward': () => {
      manualSeed(6);
      const shared = new nn.Linear(96, 96);
      const inp = new nn.Linear(32, 96);
      const params = [...shared.parameters(), ...inp.parameters()];
      const opt = new optim.SGD(params, { lr: 0.05, momentum: 0.9 });
      for (let i = 0; i < 5; i++) {
        opt.zeroGrad();
        shared.forward(shared.forward(inp.forward(randn([8, 32])).tanh()).tanh()).pow(2).mean().backward();
        nn.utils.clipGradNorm(params, 0.5);
        opt.step();
      }
    },
    'a recurrent layer (its weights get a contribution per time step) and no optimizer': () => {
      manualSeed(7);
      const rnn = new nn.GRU(8, 64, { batchFirst: true });
      for (let i = 0; i < 4; i++) {
        for (const p of rnn.parameters()) p.grad = null;
        const [out] = rnn.forward(randn([4, 12, 8]));
        out.pow(2).mean().backward();
        noGrad(() => { for (const p of rnn.parameters()) p.data.forEach((v, j, a) => { a[j] = v - 0.1 * p.grad!.data[j]!; }); });
      }
    },
  };
  for (const [name, loop] of Object.entries(loops)) {
    it(`changes nothing in the events: ${name}`, () => {
      const run = (statsThread: boolean): RunEvent[] => {
        const events: RunEvent[] = [];
        const rec = new Recorder({ level: 'full', statsThread, emit: (e) => events.push(e) }).start();
        loop();
        rec.stop();
        return events;
      };
      const start = vi.spyOn(StatsThread, 'start');
      const threaded = run(true);
      expect(start.mock.results.some((r) => r.value !== null)).toBe(true);
      expect(threaded).toEqual(run(false));
      expect(threaded.filter((e) => e.type === 'step').length).toBeGreaterThan(3);
    });
  }

  it('reports a non-finite gradient the thread measures at its step and line, before the NaN forward it causes', () => {
    const seen: RunEvent[][] = [];
    for (const statsThread of [true, false]) {
      const events: RunEvent[] = [];
      seen.push(events);
      const rec = new Recorder({ level: 'full', statsThread, emit: (e) => events.push(e) }).start();
      const m = model();
      const w = m.parameters()[0]!;
      const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
      const x = randn([32, 128]);
      for (let i = 0; i < 6; i++) {
        opt.zeroGrad();
        if (i === 2) w.data.fill(0.01).fill(0, 5, 6);
        // Step 3: sqrt at 0 sends +Inf straight into the weight's gradient (the forward is finite);
        // the step after, the weight is -Inf and the forward goes non-finite.
        const extra = i === 2 ? w.sqrt().sum() : tensor(0); // MARK-sqrt-weight
        m.forward(x).pow(2).mean().add(extra).backward();
        opt.step();
      }
      rec.stop();
      const found = rec.diagnostics().filter((d) => d.code === 'nan-inf');
      expect(found.length, `statsThread ${statsThread}`).toBe(1);
      expect(found[0]!.step, found[0]!.message).toBe(3);
      expect(found[0]!.message).toContain('Sqrt');
      expect(found[0]!.message).toContain('backward');
      expect(found[0]!.location).toEqual(expect.objectContaining({ file: here, line: lineOf('MARK-sqrt-weight') }));
      const step3 = events.flatMap((e) => (e.type === 'step' && e.record.step === 3 ? [e.record] : []))[0]!;
      expect(step3.params[0]!.grad!.infCount).toBe(1);
      expect(step3.gradNorm).toBe(Infinity);
    }
    // The same events in the same order, the finding among them.
    expect(seen[0]).toEqual(seen[1]);
  });
});
