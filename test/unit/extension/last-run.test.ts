// The last run kept across window reloads: thinning, encode/decode (NaN kept, a live run restored as
// stopped), the throttled writer on a scripted session, and a restored session's history.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunSession } from '../../../extension/session';
import { LastRunWriter, decodeLastRun, encodeLastRun, readLastRun, thinReport } from '../../../extension/last-run';
import { ReportBuilder, type JsonReport } from '../../../core/report/model';
import type { EventSink, RunHandle, RunResult } from '../../../core/runner/types';
import type { RunEvent } from '../../../core/instrument/events';
import type { StepRecord } from '../../../core/instrument/records';

const started = (script: string): RunEvent => ({ type: 'runStarted', version: 1, script, level: 'default', startedAt: 0 });
const step = (n: number, loss: number, withParam = true): RunEvent => ({
  type: 'step',
  record: {
    step: n, loss, gradNorm: 1, lr: 0.1,
    params: withParam ? [{ name: 'w', module: '0', grad: { norm: n, meanAbs: 1, maxAbs: 1, zeroFrac: 0, nanCount: 0, infCount: 0 }, weight: { norm: 1 }, updateRatio: 0.01 }] : [],
    activations: [], bptt: [],
  } as unknown as StepRecord,
});
const finding: RunEvent = {
  type: 'diagnostic',
  diagnostic: { code: 'nan-inf', severity: 'error', message: 'NaN first produced by Log', fix: 'clamp', step: 1, lastStep: 1, location: { file: '/w/a.ts', line: 16, column: 9 }, related: [], evidence: { nan: NaN } },
};

function reportOf(events: RunEvent[]): JsonReport {
  const b = new ReportBuilder();
  for (const e of events) b.add(e);
  return b.report();
}

function fakeRunner() {
  const runs: { sink: EventSink; end: (status?: RunResult['status']) => void }[] = [];
  const start = (_script: string, _options: unknown, sink: EventSink): RunHandle => {
    let resolve!: (r: RunResult) => void;
    const done = new Promise<RunResult>((r) => { resolve = r; });
    const run = {
      sink,
      end: (status: RunResult['status'] = 'completed') => {
        sink([{ type: 'runEnded', status, steps: 3, durationMs: 5 }]);
        resolve({ status, steps: 3, durationMs: 5 });
      },
    };
    runs.push(run);
    return { done, stop: () => run.end('stopped') };
  };
  return { runs, start: start as unknown as ConstructorParameters<typeof RunSession>[0] };
}

const dirs: string[] = [];
const tempFile = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'gradscope-last-run-'));
  dirs.push(d);
  return join(d, 'nested', 'last-run.json');
};
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('thinReport', () => {
  it('leaves a short report alone', () => {
    const r = reportOf([started('/w/a.ts'), step(1, 1), step(2, 0.5)]);
    expect(thinReport(r, 10)).toBe(r);
  });

  it('keeps every k-th step of every series, the same steps everywhere, and each series\' latest', () => {
    const events = [started('/w/a.ts')];
    // The parameter appears from step 3 on: its rows are a subset of the scalar steps.
    for (let s = 1; s <= 25; s++) events.push(step(s, 1 / s, s >= 3));
    const r = thinReport(reportOf(events), 10);
    const k = 3; // ceil(25 / 10)
    expect(r.loss.map((p) => p.step)).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25]);
    expect(r.loss.map((p) => p.value)).toEqual(r.loss.map((p) => 1 / p.step));
    expect(r.gradNorm.map((p) => p.step)).toEqual(r.loss.map((p) => p.step));
    const w = r.parameters[0]!;
    expect(w.steps).toEqual([4, 7, 10, 13, 16, 19, 22, 25]);
    // The columns stay aligned with their steps (gradNorm = step in the fake records).
    expect(w.gradNorm).toEqual(w.steps);
    expect(w.updateRatio).toHaveLength(w.steps.length);
    expect(r.sampling.stride).toBe(k);
    expect(r.sampling.maxPoints).toBe(10);
  });
});

describe('encode/decode', () => {
  it('keeps NaN and Infinity, and a run that was still going reads as stopped', () => {
    const r = reportOf([started('/w/a.ts'), step(1, NaN), step(2, Infinity), finding]);
    expect(r.status).toBe('running');
    const back = decodeLastRun(encodeLastRun(r));
    expect(back.status).toBe('stopped');
    expect(back.loss.map((p) => p.value)).toEqual([NaN, Infinity]);
    expect(back.diagnostics[0]!.evidence['nan']).toBeNaN();
    expect(back.diagnostics[0]!.location).toEqual({ file: '/w/a.ts', line: 16, column: 9 });
  });

  it('a finished run keeps its status', () => {
    const r = reportOf([started('/w/a.ts'), step(1, 1), { type: 'runEnded', status: 'failed', steps: 1, durationMs: 3, error: { message: 'boom', location: null, stack: '' } }]);
    const back = decodeLastRun(encodeLastRun(r));
    expect(back.status).toBe('failed');
    expect(back.error?.message).toBe('boom');
  });

  it('rejects what is not a report', () => {
    expect(() => decodeLastRun('{"version":1}')).toThrow(/not a GradScope report/);
    expect(() => decodeLastRun('{"version":2,"loss":[]}')).toThrow(/newer/);
    expect(() => decodeLastRun('nope')).toThrow();
  });

  it('readLastRun: null when there is no file or a broken one (the error reported)', async () => {
    const file = tempFile();
    expect(await readLastRun(file)).toBeNull();
    const errors: unknown[] = [];
    writeFileSync(join(file, '..', '..', 'broken.json'), '{"version":1');
    expect(await readLastRun(join(file, '..', '..', 'broken.json'), (e) => errors.push(e))).toBeNull();
    expect(errors).toHaveLength(1);
  });
});

describe('LastRunWriter', () => {
  it('writes at most every interval while running, at once when the run ends', async () => {
    vi.useFakeTimers();
    const fake = fakeRunner();
    const s = new RunSession(fake.start);
    const file = tempFile();
    const w = new LastRunWriter(s, file, { intervalMs: 2_000 });
    const done = s.run('/w/a.ts', {});
    fake.runs[0]!.sink([started('/w/a.ts'), step(1, 0.5)]);
    fake.runs[0]!.sink([step(2, 0.25)]);
    expect(existsSync(file)).toBe(false);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(existsSync(file)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await w.flush();
    const live = decodeLastRun(readFileSync(file, 'utf8'));
    expect(live.loss.map((p) => p.value)).toEqual([0.5, 0.25]);
    expect(live.status).toBe('stopped');

    fake.runs[0]!.sink([step(3, 0.125), finding]);
    fake.runs[0]!.end();
    await done;
    // No timer needed for the end of a run.
    await w.flush();
    const ended = decodeLastRun(readFileSync(file, 'utf8'));
    expect(ended.status).toBe('completed');
    expect(ended.loss).toHaveLength(3);
    expect(ended.diagnostics.map((d) => d.code)).toEqual(['nan-inf']);
    // No temp files left behind.
    expect(readdirSync(join(file, '..'))).toEqual(['last-run.json']);
    w.dispose();
  });

  it('flushSync (deactivation) writes what the throttle held; a restored session shows it as stopped', async () => {
    const fake = fakeRunner();
    const s = new RunSession(fake.start);
    const file = tempFile();
    const w = new LastRunWriter(s, file, { intervalMs: 60_000 });
    void s.run('/w/a.ts', {});
    fake.runs[0]!.sink([started('/w/a.ts'), step(1, NaN), finding]);
    w.flushSync();
    // Events after the flush are not written any more (the host is going down).
    fake.runs[0]!.sink([step(2, 1)]);

    const restored = await readLastRun(file);
    expect(restored).not.toBeNull();
    const next = new RunSession(fake.start);
    next.restore(restored!);
    expect(next.running).toBe(false);
    expect(next.script).toBe('/w/a.ts');
    const r = next.report()!;
    expect(r.status).toBe('stopped');
    expect(r.loss.map((p) => p.value)).toEqual([NaN]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['nan-inf']);

    // A new run replaces the restored history.
    const done = next.run('/w/b.ts', {});
    expect(next.report()!.loss).toEqual([]);
    fake.runs[1]!.end();
    await done;
  });
});
