// The panel's store: an `init` snapshot continued by `events` batches reads the same as the whole
// stream folded at once; `reset` starts over; only UI state is persisted.
import { describe, expect, it } from 'vitest';
import { PANEL_MAX_POINTS, PanelStore, mergeReports, readUiState, type UiState } from '../../../webview/panel/store';
import { ReportBuilder, type JsonReport } from '../../../core/report/model';
import type { RunEvent } from '../../../core/instrument/events';
import type { HostToWebview } from '../../../webview/protocol';
import { diag, run, stepRecord } from '../report/events';

const fold = (events: RunEvent[], maxPoints = PANEL_MAX_POINTS): JsonReport => {
  const b = new ReportBuilder({ maxPoints });
  for (const e of events) b.add(e);
  return b.report();
};

const init = (report: JsonReport | null, running = false): HostToWebview => ({ type: 'init', version: 1, report, running });

describe('PanelStore: the run data', () => {
  it('starts empty and not running', () => {
    const s = new PanelStore(undefined);
    expect(s.report).toBeNull();
    expect(s.running).toBe(false);
    expect(s.script).toBeNull();
    s.receive(init(null));
    expect(s.report).toBeNull();
  });

  it('reset → events: folds the stream like ReportBuilder, running until runEnded', () => {
    const events = run(12, 3);
    const s = new PanelStore(undefined);
    s.receive({ type: 'reset', script: '/abs/train.ts' });
    expect(s.running).toBe(true);
    expect(s.script).toBe('/abs/train.ts');
    expect(s.report).toBeNull();
    s.receive({ type: 'events', events: events.slice(0, -1) });
    expect(s.running).toBe(true);
    expect(s.report!.steps).toBe(12);
    s.receive({ type: 'events', events: events.slice(-1) });
    expect(s.running).toBe(false);
    expect(s.report).toEqual(fold(events));
  });

  it.each([1, 5, 17, 22])('an init snapshot after %i events, continued by batches, equals the whole stream folded', (cut) => {
    const events = run(14, 4);
    const s = new PanelStore(undefined);
    s.receive(init(fold(events.slice(0, cut)), cut < events.length));
    expect(s.running).toBe(cut < events.length);
    for (let i = cut; i < events.length; i += 3) s.receive({ type: 'events', events: events.slice(i, i + 3) });
    const whole = fold(events);
    const got = s.report!;
    // The builder's sampling bookkeeping is the only thing a merge cannot reproduce.
    expect({ ...got, sampling: null }).toEqual({ ...whole, sampling: null });
    expect(s.running).toBe(false);
  });

  it('a finding from a later batch updates the snapshot one in place (same code and module)', () => {
    const base = fold([...run(3).slice(0, -1)]);
    expect(base.diagnostics).toHaveLength(1);
    const s = new PanelStore(undefined);
    s.receive(init(base, true));
    s.receive({ type: 'events', events: [{ type: 'diagnostic', diagnostic: diag({ step: 3, lastStep: 9, message: 'still dead' }) }, { type: 'diagnostic', diagnostic: diag({ code: 'exploding-gradient', module: 'fc', severity: 'error' }) }] });
    const ds = s.report!.diagnostics;
    expect(ds.map((d) => [d.code, d.lastStep, d.message])).toEqual([['dead-relu', 9, 'still dead'], ['exploding-gradient', 3, expect.any(String)]]);
  });

  it('rows a batch repeats from the snapshot are not drawn twice', () => {
    const events = run(6);
    const base = fold(events.slice(0, 8));
    const lastBase = base.loss[base.loss.length - 1]!.step;
    const s = new PanelStore(undefined);
    s.receive(init(base, true));
    s.receive({ type: 'events', events: events.filter((e) => e.type === 'step' && e.record.step >= lastBase) });
    const steps = s.report!.loss.map((p) => p.step);
    expect(steps).toEqual([...new Set(steps)]);
    expect(s.report!.parameters[0]!.steps).toEqual(steps);
  });

  it('stays bounded on a long run', () => {
    const s = new PanelStore(undefined);
    s.receive({ type: 'reset', script: '/abs/train.ts' });
    for (let b = 0; b < 50; b++) {
      const batch: RunEvent[] = [];
      for (let i = 1; i <= 200; i++) batch.push({ type: 'step', record: stepRecord(b * 200 + i, 1) });
      s.receive({ type: 'events', events: batch });
    }
    const r = s.report!;
    expect(r.steps).toBe(10_000);
    expect(r.loss.length).toBeLessThanOrEqual(PANEL_MAX_POINTS + 1);
    expect(r.parameters[0]!.steps.length).toBe(r.loss.length);
    expect(r.loss[r.loss.length - 1]!.step).toBe(10_000);
  });

  it('reset drops the previous run', () => {
    const s = new PanelStore(undefined);
    s.receive(init(fold(run(4))));
    expect(s.report!.steps).toBe(4);
    s.receive({ type: 'reset', script: '/abs/other.ts' });
    expect(s.report).toBeNull();
    expect(s.script).toBe('/abs/other.ts');
  });

  it('recomputes the report once per change, and the revision moves on every message', () => {
    const s = new PanelStore(undefined);
    s.receive(init(fold(run(3)), true));
    const r0 = s.revision;
    s.receive({ type: 'events', events: [{ type: 'step', record: stepRecord(4, 1) }] });
    expect(s.revision).toBe(r0 + 1);
    expect(s.report).toBe(s.report);
  });

  it('rejects a message kind it does not know', () => {
    const s = new PanelStore(undefined);
    expect(() => s.receive({ type: 'nope' } as unknown as HostToWebview)).toThrow(/unexpected message/);
  });
});

describe('mergeReports', () => {
  it('keeps the snapshot status while the continuation is still running', () => {
    const base = fold(run(3));
    const delta = fold([{ type: 'step', record: stepRecord(4, 1) }]);
    expect(mergeReports(base, delta).status).toBe('completed');
    expect(mergeReports(base, delta).loss.map((p) => p.step)).toEqual([1, 2, 3, 4]);
  });
});

describe('PanelStore: UI state', () => {
  it('reads saved state defensively', () => {
    expect(readUiState(undefined)).toEqual({ view: 'gradients', layer: null, histStep: null });
    expect(readUiState({ view: 'histograms', layer: 'grad:fc.weight', histStep: 4 })).toEqual({ view: 'histograms', layer: 'grad:fc.weight', histStep: 4 });
    expect(readUiState({ view: 'bogus', layer: 3, histStep: 'x', extra: 1 })).toEqual({ view: 'gradients', layer: null, histStep: null });
  });

  it('persists UI state only, and only when it changes', () => {
    const saved: UiState[] = [];
    const s = new PanelStore({ view: 'training' }, (ui) => saved.push(ui));
    expect(s.ui.view).toBe('training');
    s.setUi({ view: 'training' });
    expect(saved).toHaveLength(0);
    s.setUi({ layer: 'grad:fc.weight', histStep: 5 });
    s.receive(init(fold(run(3))));
    expect(saved).toEqual([{ view: 'training', layer: 'grad:fc.weight', histStep: 5 }]);
    // A new run follows the latest histogram again; the layer choice stays.
    s.receive({ type: 'reset', script: '/abs/train.ts' });
    expect(saved[saved.length - 1]).toEqual({ view: 'training', layer: 'grad:fc.weight', histStep: null });
    expect(Object.keys(saved[saved.length - 1]!).sort()).toEqual(['histStep', 'layer', 'view']);
  });
});
