// Runs an example from examples/ in this process under a Recorder and returns the event stream a
// runner would have produced (runStarted … runEnded): the recorded input of the report and panel tests.
import { fileURLToPath } from 'node:url';
import { Recorder } from '../../../core/instrument/recorder';
import type { RunEvent } from '../../../core/instrument/events';
import { ReportBuilder, type JsonReport } from '../../../core/report/model';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export async function recordExample(example: string): Promise<RunEvent[]> {
  const script = `${root}examples/${example}.ts`;
  const events: RunEvent[] = [{ type: 'runStarted', version: 1, script, level: 'default', startedAt: Date.now() }];
  const rec = new Recorder({ level: 'default', histogramEvery: 2, emit: (e) => events.push(e) }).start();
  const t0 = performance.now();
  try {
    await import(`../../../examples/${example}.ts`);
  } finally {
    rec.stop();
  }
  events.push({ type: 'runEnded', status: 'completed', steps: rec.steps, durationMs: performance.now() - t0 });
  return events;
}

export function foldReport(events: readonly RunEvent[]): JsonReport {
  const b = new ReportBuilder();
  for (const e of events) b.add(e);
  return b.report();
}
