// RunSession: one run at a time, the history folded before listeners hear of it, a replaced run's
// late events ignored. A scripted fake runner for the ordering, and one real run (worker + esbuild).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunSession, type SessionChange } from '../../../extension/session';
import type { EventSink, RunHandle, RunResult } from '../../../core/runner/types';
import type { RunEvent } from '../../../core/instrument/events';
import type { StepRecord } from '../../../core/instrument/records';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A runner whose runs are driven by the test: `emit` delivers a batch, `end` finishes. */
function fakeRunner() {
  const runs: { script: string; sink: EventSink; stopped: boolean; end: (status?: RunResult['status']) => void }[] = [];
  const start = (script: string, _options: unknown, sink: EventSink): RunHandle => {
    let resolve!: (r: RunResult) => void;
    const done = new Promise<RunResult>((r) => { resolve = r; });
    const run = {
      script, sink, stopped: false,
      end: (status: RunResult['status'] = 'completed') => {
        sink([{ type: 'runEnded', status, steps: 1, durationMs: 5 }]);
        resolve({ status, steps: 1, durationMs: 5 });
      },
    };
    runs.push(run);
    return { done, stop: () => { run.stopped = true; run.end('stopped'); } };
  };
  return { runs, start: start as unknown as ConstructorParameters<typeof RunSession>[0] };
}

const started = (script: string): RunEvent => ({ type: 'runStarted', version: 1, script, level: 'default', startedAt: 0 });
const step = (n: number, loss: number): RunEvent => ({
  type: 'step', record: { step: n, loss, gradNorm: 1, lr: 0.1, params: [], activations: [], bptt: [] } satisfies StepRecord,
});

describe('RunSession', () => {
  it('announces a reset, then folds each batch into the history before listeners see it', async () => {
    const fake = fakeRunner();
    const s = new RunSession(fake.start);
    const seen: { change: SessionChange; steps: number | undefined; running: boolean }[] = [];
    s.listen((change) => seen.push({ change, steps: s.report()?.steps, running: s.running }));
    expect(s.report()).toBeNull();

    const done = s.run('/w/a.ts', {});
    expect(s.running).toBe(true);
    expect(s.script).toBe('/w/a.ts');
    fake.runs[0]!.sink([started('/w/a.ts'), step(1, 0.5)]);
    fake.runs[0]!.end();
    await done;

    expect(seen.map((x) => x.change.kind)).toEqual(['reset', 'events', 'events']);
    // The listener already sees step 1 in the history.
    expect(seen[1]!.steps).toBe(1);
    // When runEnded arrives, the session already reads as idle.
    expect(seen[2]!.running).toBe(false);
    expect(s.report()!.status).toBe('completed');
    expect(s.report()!.loss.map((p) => p.value)).toEqual([0.5]);
  });

  it('a new run stops the old one, whose late events never reach the new history', async () => {
    const fake = fakeRunner();
    const s = new RunSession(fake.start);
    const kinds: string[] = [];
    s.listen((c) => kinds.push(c.kind === 'reset' ? `reset ${c.script}` : c.events.map((e) => e.type).join(',')));

    void s.run('/w/a.ts', {});
    fake.runs[0]!.sink([started('/w/a.ts'), step(1, 9)]);
    const second = s.run('/w/b.ts', {});
    expect(fake.runs[0]!.stopped).toBe(true);
    fake.runs[0]!.sink([step(2, 9)]); // a straggler of the stopped run
    fake.runs[1]!.sink([started('/w/b.ts'), step(1, 0.25)]);
    fake.runs[1]!.end();
    await second;

    expect(kinds).toEqual(['reset /w/a.ts', 'runStarted,step', 'reset /w/b.ts', 'runStarted,step', 'runEnded']);
    const r = s.report()!;
    expect(r.script).toBe('/w/b.ts');
    expect(r.loss.map((p) => p.value)).toEqual([0.25]);
  });

  it('stop() is false when nothing runs; the history stays after the run', async () => {
    const fake = fakeRunner();
    const s = new RunSession(fake.start);
    expect(s.stop()).toBe(false);
    const done = s.run('/w/a.ts', {});
    fake.runs[0]!.sink([started('/w/a.ts'), step(1, 1)]);
    expect(s.stop()).toBe(true);
    expect((await done).status).toBe('stopped');
    expect(s.running).toBe(false);
    expect(s.report()!.status).toBe('stopped');
    expect(s.report()!.steps).toBe(1);
  });

  it('a throwing listener does not starve the others', async () => {
    const fake = fakeRunner();
    const s = new RunSession(fake.start);
    let calls = 0;
    s.listen(() => { throw new Error('boom'); });
    s.listen(() => { calls++; });
    const err = console.error;
    console.error = () => {};
    try {
      const done = s.run('/w/a.ts', {});
      fake.runs[0]!.end();
      await done;
    } finally {
      console.error = err;
    }
    expect(calls).toBe(2);
  });

  describe('with the real runner', () => {
    beforeAll(() => {
      execFileSync(process.execPath, [join(root, 'extension/build.mjs')], { stdio: 'inherit' });
    });

    it('runs an example to its end and keeps its findings in the history', async () => {
      const s = new RunSession();
      const types = new Set<string>();
      s.listen((c) => { if (c.kind === 'events') for (const e of c.events) types.add(e.type); });
      const result = await s.run(join(root, 'examples/nan-log-zero.ts'), { maxSteps: 5 });
      expect(result.status).toBe('stopped');
      expect([...types]).toEqual(expect.arrayContaining(['runStarted', 'model', 'step', 'diagnostic', 'runEnded']));
      const nan = s.report()!.diagnostics.find((d) => d.code === 'nan-inf');
      expect(nan?.location?.line).toBe(16);
    }, 60_000);
  });
});
