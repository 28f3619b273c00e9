import { describe, expect, it } from 'vitest';
import { StatusModel } from '../../../extension/status-text';
import type { RunEvent } from '../../../core/instrument/events';
import type { Diagnostic } from '../../../core/instrument/diagnostics';
import { ReportBuilder } from '../../../core/report/model';

const step = (n: number, loss: number | null): RunEvent => ({ type: 'step', record: { step: n, loss, gradNorm: 1, lr: null, params: [], activations: [], bptt: [] } });
const finding = (code: Diagnostic['code'], severity: Diagnostic['severity'], lastStep: number): RunEvent => ({
  type: 'diagnostic',
  diagnostic: { code, severity, message: 'm', fix: 'f', module: '1', step: 2, lastStep, location: null, related: [], evidence: {} },
});

describe('StatusModel', () => {
  it('shows step, loss and findings while running; a re-sent finding counts once', () => {
    const m = new StatusModel();
    expect(m.view().text).toBe('$(sync~spin) GradScope: step 0 · loss – · no findings');
    m.add(step(1, 0.69312));
    m.add(step(2, Number.NaN));
    m.add(finding('nan-inf', 'error', 2));
    m.add(finding('dead-relu', 'warning', 2));
    m.add(finding('dead-relu', 'warning', 3));
    expect(m.view().text).toBe('$(sync~spin) GradScope: step 2 · loss NaN · 1 error, 1 warning');
    expect(m.running).toBe(true);
  });

  it('says how the run ended, with the worst severity as its icon, until reset', () => {
    const m = new StatusModel();
    m.add(step(1, 0.5));
    m.add(finding('dead-relu', 'warning', 1));
    m.add({ type: 'runEnded', status: 'stopped', steps: 7, durationMs: 10 });
    expect(m.running).toBe(false);
    expect(m.view().text).toBe('$(warning) GradScope: stopped, 7 steps · loss 0.5 · 1 warning');
    m.reset();
    expect(m.view().text).toBe('$(sync~spin) GradScope: step 0 · loss – · no findings');
  });

  it("restored from the last run's report (a window reload) reads as it did when the run ended", () => {
    const events: RunEvent[] = [
      { type: 'runStarted', version: 1, script: '/w/train.ts', level: 'default', startedAt: 1 },
      step(1, 0.9),
      step(2, 0.75),
      finding('dead-relu', 'warning', 2),
      finding('nan-inf', 'error', 2),
      { type: 'runEnded', status: 'failed', steps: 2, durationMs: 10 },
    ];
    const live = new StatusModel();
    const builder = new ReportBuilder();
    for (const e of events) {
      live.add(e);
      builder.add(e);
    }
    const restored = new StatusModel();
    restored.restore(builder.report());
    expect(restored.view()).toEqual(live.view());
    expect(restored.view().text).toBe('$(error) GradScope: failed, 2 steps · loss 0.75 · 1 error, 1 warning');
    expect(restored.running).toBe(false);
  });
});
