import { describe, expect, it } from 'vitest';
import { ReportBuilder, type JsonReport } from '../../../core/report/model';
import { Decimator } from '../../../core/report/sampling';
import { decodeReport, encodeReport } from '../../../core/report/codec';
import { diag, param, run, stepRecord } from './events';

function build(events: ReturnType<typeof run>, options = {}): JsonReport {
  const b = new ReportBuilder(options);
  for (const e of events) b.add(e);
  return b.report();
}

describe('ReportBuilder', () => {
  it('folds a run into the summary, series and model', () => {
    const r = build(run(5));
    expect(r).toMatchObject({ version: 1, script: '/abs/train.ts', level: 'default', status: 'completed', steps: 5, durationMs: 1234, startedAt: 1_700_000_000_000 });
    expect(r.error).toBeUndefined();
    expect(r.loss).toEqual([1, 2, 3, 4, 5].map((s) => ({ step: s, value: 10 / s })));
    expect(r.gradNorm.map((p) => p.value)).toEqual([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]);
    expect(r.lr.every((p) => p.value === 0.1)).toBe(true);
    expect(r.model?.params).toEqual([{ name: 'fc.weight', module: 'fc', shape: [1, 2], numel: 2 }, { name: 'fc.bias', module: 'fc', shape: [1], numel: 1 }]);
    const w = r.parameters.find((p) => p.name === 'fc.weight')!;
    expect(w.shape).toEqual([1, 2]);
    expect(w.steps).toEqual([1, 2, 3, 4, 5]);
    // grad [s, -s]: norm s·√2, mean|g| s, max|g| s.
    expect(w.gradNorm[2]).toBeCloseTo(3 * Math.SQRT2, 5);
    expect(w.gradMeanAbs[2]).toBe(3);
    expect(w.gradMaxAbs[2]).toBe(3);
    expect(w.gradZeroFrac[2]).toBe(0);
    expect(w.weightNorm[0]).toBeCloseTo(Math.sqrt(5), 5);
    expect(w.updateRatio[0]).toBeCloseTo(1e-3, 9);
    expect(r.activations).toEqual([{ name: 'act', module: 'act', op: 'Relu', units: 4, steps: [1, 2, 3, 4, 5], deadFrac: [0.01, 0.02, 0.03, 0.04, 0.05], saturatedFrac: [null, null, null, null, null] }]);
    expect(r.histograms.map((h) => h.step)).toEqual([1, 2, 3, 4, 5]);
    expect(r.histograms[0]!.entries[0]!.counts).toBeInstanceOf(Array);
    expect(r.histograms[0]!.entries[0]!).toMatchObject({ name: 'fc.weight', kind: 'grad', lo: -1, hi: 1, zero: 1 });
  });

  it('keeps a gradient gap as null, not zero', () => {
    const b = new ReportBuilder();
    b.add({ type: 'step', record: stepRecord(1, 1) });
    b.add({ type: 'step', record: stepRecord(2, 1, { params: [param('fc.weight', 'fc', null, [1, 2])] }) });
    const w = b.report().parameters.find((p) => p.name === 'fc.weight')!;
    expect(w.gradNorm).toEqual([expect.any(Number), null]);
    expect(w.weightNorm[1]).toBeCloseTo(Math.sqrt(5), 5);
    expect(b.report().status).toBe('running');
  });

  it('keeps only the norm (and NaN/Inf counts) of a step between detailed ones', () => {
    const b = new ReportBuilder();
    b.add({ type: 'step', record: stepRecord(1, 1) });
    b.add({ type: 'step', record: stepRecord(2, 1, { detail: false }) });
    const w = b.report().parameters.find((p) => p.name === 'fc.weight')!;
    expect(w.gradNorm.every((v) => typeof v === 'number')).toBe(true);
    expect(w.gradMeanAbs[0]).toEqual(expect.any(Number));
    expect(w.gradMeanAbs[1]).toBeNull();
    expect(w.gradMaxAbs[1]).toBeNull();
    expect(w.gradZeroFrac[1]).toBeNull();
    expect(w.gradNanCount[1]).toBe(0);
  });

  it('updates a finding in place by code and module, keeps others apart', () => {
    const b = new ReportBuilder();
    b.add({ type: 'diagnostic', diagnostic: diag({ lastStep: 3, evidence: { deadFrac: 0.9 } }) });
    b.add({ type: 'diagnostic', diagnostic: diag({ code: 'loss-plateau', module: undefined, severity: 'info' }) });
    b.add({ type: 'diagnostic', diagnostic: diag({ module: 'other' }) });
    b.add({ type: 'diagnostic', diagnostic: diag({ lastStep: 9, message: 'worse', evidence: { deadFrac: 0.99 } }) });
    const ds = b.report().diagnostics;
    expect(ds.map((d) => `${d.code}@${d.module ?? '-'}`)).toEqual(['dead-relu@act', 'loss-plateau@-', 'dead-relu@other']);
    expect(ds[0]).toMatchObject({ lastStep: 9, message: 'worse', evidence: { deadFrac: 0.99 }, location: { file: '/abs/train.ts', line: 7, column: 5 } });
    expect('module' in ds[1]!).toBe(false);
  });

  it('a root-module finding (module "") and a run-wide one (no module) are different findings', () => {
    const b = new ReportBuilder();
    b.add({ type: 'diagnostic', diagnostic: diag({ code: 'nan-inf', module: '' }) });
    b.add({ type: 'diagnostic', diagnostic: diag({ code: 'nan-inf', module: undefined }) });
    expect(b.report().diagnostics).toHaveLength(2);
  });

  it('records a failed run with its error location', () => {
    const b = new ReportBuilder();
    b.add({ type: 'step', record: stepRecord(1, 2) });
    b.add({ type: 'runEnded', status: 'failed', steps: 1, durationMs: 5, error: { message: 'Linear: input of shape [2,3]', location: { file: '/abs/t.ts', line: 12, column: 3 }, stack: 'Error: x\n    at /abs/t.ts:12:3' } });
    const r = b.report();
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({ message: 'Linear: input of shape [2,3]', location: { file: '/abs/t.ts', line: 12, column: 3 }, stack: 'Error: x\n    at /abs/t.ts:12:3' });
  });

  it('keeps every step up to the limit, then decimates evenly and keeps the latest', () => {
    const r = build(run(1000), { maxPoints: 100 });
    // 1000 samples with limit 100: stride 16 keeps ordinals 0,16,…,992 (63), plus the latest.
    expect(r.sampling.stride).toBe(16);
    const steps = r.loss.map((p) => p.step);
    expect(steps.length).toBeLessThanOrEqual(101);
    expect(steps[0]).toBe(1);
    expect(steps[steps.length - 1]).toBe(1000);
    const gaps = new Set(steps.slice(1, -1).map((s, i) => s - steps[i]!));
    expect(gaps).toEqual(new Set([16]));
    // Every series is thinned at the same steps.
    for (const p of r.parameters) expect(p.steps).toEqual(steps);
    expect(r.activations[0]!.steps).toEqual(steps);
    expect(r.gradNorm.map((p) => p.step)).toEqual(steps);
    expect(r.steps).toBe(1000);
  });

  it('keeps up to maxHistogramSteps evenly spaced histogram steps, the first and the latest', () => {
    const r = build(run(500, 5), { maxHistogramSteps: 20 });
    const hs = r.histograms.map((h) => h.step);
    expect(hs.length).toBeLessThanOrEqual(21);
    expect(hs[0]).toBe(1);
    expect(hs[hs.length - 1]).toBe(500);
    const gaps = new Set(hs.slice(1, -1).map((s, i) => s - hs[i]!).slice(1));
    expect(gaps.size).toBe(1);
  });

  it('keeps the latest BPTT norms per layer', () => {
    const b = new ReportBuilder();
    b.add({ type: 'step', record: stepRecord(1, 1, { bptt: [{ module: 'rnn', layer: 0, norms: [1, 2, 3] }, { module: 'rnn', layer: 1, norms: [4] }] }) });
    b.add({ type: 'step', record: stepRecord(2, 1, { bptt: [{ module: 'rnn', layer: 0, norms: [5, 6, 7] }] }) });
    expect(b.report().bptt).toEqual([{ module: 'rnn', layer: 0, step: 2, norms: [5, 6, 7] }, { module: 'rnn', layer: 1, step: 1, norms: [4] }]);
    // Gone non-finite: the last all-finite reading is kept beside it, and stays through later NaN steps.
    b.add({ type: 'step', record: stepRecord(3, 1, { bptt: [{ module: 'rnn', layer: 0, norms: [Infinity, 6, 7] }] }) });
    b.add({ type: 'step', record: stepRecord(4, 1, { bptt: [{ module: 'rnn', layer: 0, norms: [NaN, NaN, NaN] }] }) });
    expect(b.report().bptt[0]).toEqual({ module: 'rnn', layer: 0, step: 4, norms: [NaN, NaN, NaN], lastFinite: { step: 2, norms: [5, 6, 7] } });
  });

  it('returns snapshots the caller cannot corrupt', () => {
    const b = new ReportBuilder();
    b.add({ type: 'step', record: stepRecord(1, 1) });
    b.report().loss.push({ step: 99, value: 0 });
    b.report().parameters[0]!.steps.push(99);
    expect(b.report().loss).toHaveLength(1);
    expect(b.report().parameters[0]!.steps).toEqual([1]);
  });
});

describe('Decimator', () => {
  it('stays evenly spaced and within its limit for any length', () => {
    for (const limit of [2, 3, 10, 17]) {
      const d = new Decimator(limit);
      let kept: number[] = [];
      for (let n = 0; n < 1000; n++) {
        const s = d.stride;
        const keep = d.admit(n);
        if (d.stride !== s) kept = kept.filter((k) => d.keeps(k));
        if (keep) kept.push(n);
        expect(kept.length).toBeLessThanOrEqual(limit);
      }
      expect(kept[0]).toBe(0);
      expect(kept.every((k, i) => k === i * d.stride)).toBe(true);
      expect(kept.length).toBeGreaterThan(limit / 2 - 1);
    }
  });
});

describe('non-finite numbers in JSON', () => {
  it('round-trips NaN and ±Infinity in every numeric field, leaving strings alone', () => {
    const b = new ReportBuilder();
    b.add({ type: 'runStarted', version: 1, script: '/abs/NaN', level: 'default', startedAt: 1 });
    b.add({ type: 'step', record: stepRecord(1, NaN, { gradNorm: Infinity, lr: null, params: [param('NaN', 'Infinity', [NaN, 1], [Infinity, -1], Infinity)], bptt: [{ module: 'rnn', layer: 0, norms: [NaN, -Infinity, 2] }] }) });
    b.add({ type: 'diagnostic', diagnostic: diag({ message: 'NaN', fix: 'Infinity', evidence: { norm: Infinity, loss: NaN, x: 1 } }) });
    b.add({ type: 'runEnded', status: 'failed', steps: 1, durationMs: 3, error: { message: '-Infinity', location: null, stack: 'NaN' } });
    const r = b.report();
    const text = encodeReport(r);
    expect(text).not.toMatch(/\bNaN\b(?!")|[^"-]Infinity(?!")/);
    expect(() => JSON.parse(text)).not.toThrow();
    const back = decodeReport(text);
    expect(back).toEqual(r);
    expect(back.loss[0]!.value).toBeNaN();
    expect(back.gradNorm[0]!.value).toBe(Infinity);
    expect(back.bptt[0]!.norms).toEqual([NaN, -Infinity, 2]);
    expect(back.parameters[0]!.name).toBe('NaN');
    expect(back.parameters[0]!.module).toBe('Infinity');
    expect(back.parameters[0]!.gradNorm[0]).toBeNaN();
    expect(back.parameters[0]!.weightNorm[0]).toBe(Infinity);
    expect(back.parameters[0]!.updateRatio[0]).toBe(Infinity);
    expect(back.diagnostics[0]).toMatchObject({ message: 'NaN', fix: 'Infinity', evidence: { norm: Infinity, x: 1 } });
    expect(back.diagnostics[0]!.evidence.loss).toBeNaN();
    expect(back.error).toEqual({ message: '-Infinity', location: null, stack: 'NaN' });
    expect(back.script).toBe('/abs/NaN');
  });

  it('rejects a report from a newer format version', () => {
    expect(() => decodeReport('{"version":2}')).toThrow(/version 2/);
    expect(() => decodeReport('{}')).toThrow(/no version/);
  });
});
