import { describe, expect, it } from 'vitest';
import { EventThrottle } from '../../../core/instrument/throttle';
import type { RunEvent } from '../../../core/instrument/events';

function fakeClock() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => { const t = { at: now + ms, fn }; timers.push(t); return t; },
    clearTimer: (h: unknown) => { const i = timers.indexOf(h as never); if (i >= 0) timers.splice(i, 1); },
    advance(ms: number) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        due.fn();
      }
    },
  };
}

const step = (n: number): RunEvent => ({ type: 'step', record: { step: n, loss: 1, gradNorm: 1, lr: null, params: [], activations: [], bptt: [] } });
const hist = (n: number): RunEvent => ({ type: 'histograms', step: n, entries: [] });

describe('EventThrottle', () => {
  it('sends at most one batch per interval for 1000 steps/s and keeps every step', () => {
    const clock = fakeClock();
    const batches: RunEvent[][] = [];
    const t = new EventThrottle((b) => batches.push(b), { intervalMs: 33, ...clock });
    for (let i = 1; i <= 1000; i++) {
      t.push(step(i));
      if (i % 10 === 0) t.push(hist(i));
      clock.advance(1);
    }
    t.flush();
    expect(batches.length).toBeLessThanOrEqual(32);
    const steps = batches.flat().filter((e) => e.type === 'step');
    expect(steps.map((e) => (e.type === 'step' ? e.record.step : 0))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    // histograms: latest-wins, at most one per batch
    for (const b of batches) expect(b.filter((e) => e.type === 'histograms').length).toBeLessThanOrEqual(1);
    expect(batches.flat().filter((e) => e.type === 'histograms').at(-1)).toEqual(hist(1000));
  });

  it('never drops diagnostics and sends runEnded at once', () => {
    const clock = fakeClock();
    const batches: RunEvent[][] = [];
    const t = new EventThrottle((b) => batches.push(b), { intervalMs: 33, ...clock });
    t.push(step(1));
    t.push({ type: 'diagnostic', diagnostic: { code: 'nan-inf', severity: 'error', message: 'm', fix: 'f', step: 1, lastStep: 1, location: null, related: [], evidence: {} } });
    t.push({ type: 'runEnded', status: 'completed', steps: 1, durationMs: 5 });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((e) => e.type)).toEqual(['step', 'diagnostic', 'runEnded']);
  });
});
