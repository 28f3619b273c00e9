// The last run, kept across window reloads. A reload restarts the extension host, and the session's
// history lived in it: so the report is written to the extension's storage (encodeReport, so a NaN
// loss stays NaN) when a run ends and, throttled, while it runs; activation reads it back. Writes are
// asynchronous and atomic (temp file, then rename), never more than one at a time; deactivation
// writes synchronously what the throttle still held. No vscode import: tested in vitest.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeReport, encodeReport } from '../core/report/codec';
import type { JsonReport, StepValue } from '../core/report/model';
import type { RunSession } from './session';

export const LAST_RUN_FILE = 'last-run.json';
/** The stored report keeps what the panel draws (PANEL_MAX_POINTS): a write costs little, a restore too. */
export const PERSIST_MAX_POINTS = 2_000;
export const PERSIST_INTERVAL_MS = 2_000;

/**
 * The report with its per-step series thinned to about `maxPoints` steps: every k-th of the steps
 * kept (the same steps for every series, as the builder keeps them) plus each series' latest.
 */
export function thinReport(r: JsonReport, maxPoints = PERSIST_MAX_POINTS): JsonReport {
  // The scalar series hold a row at every step the builder kept; the other series at a subset of them.
  const n = r.loss.length;
  if (n <= maxPoints + 1) return r;
  const k = Math.ceil(n / maxPoints);
  const keep = new Set<number>();
  for (let i = 0; i < n; i += k) keep.add(r.loss[i]!.step);
  const points = (s: StepValue[]): StepValue[] => s.filter((p, i) => keep.has(p.step) || i === s.length - 1);
  const rows = <T extends { steps: number[] }>(s: T, cols: readonly (keyof T)[]): T => {
    const idx: number[] = [];
    for (let i = 0; i < s.steps.length; i++) if (keep.has(s.steps[i]!) || i === s.steps.length - 1) idx.push(i);
    const out = { ...s, steps: idx.map((i) => s.steps[i]!) };
    for (const c of cols) (out[c] as unknown) = idx.map((i) => (s[c] as unknown as unknown[])[i]);
    return out;
  };
  return {
    ...r,
    sampling: { ...r.sampling, maxPoints, stride: r.sampling.stride * k },
    loss: points(r.loss),
    gradNorm: points(r.gradNorm),
    lr: points(r.lr),
    parameters: r.parameters.map((p) => rows(p, ['gradNorm', 'gradMeanAbs', 'gradMaxAbs', 'gradZeroFrac', 'gradNanCount', 'gradInfCount', 'weightNorm', 'updateRatio'])),
    activations: r.activations.map((a) => rows(a, ['deadFrac', 'saturatedFrac'])),
  };
}

export function encodeLastRun(r: JsonReport): string {
  return encodeReport(thinReport(r));
}

/**
 * The stored report, as the restored session shows it: a run that was still going when its
 * extension host went away reads as stopped. Throws on anything that is not a report.
 */
export function decodeLastRun(text: string): JsonReport {
  const r = decodeReport(text);
  for (const k of ['diagnostics', 'loss', 'gradNorm', 'lr', 'parameters', 'activations', 'bptt', 'histograms'] as const) {
    if (!Array.isArray(r[k])) throw new Error(`not a GradScope report: ${k} is not a list`);
  }
  if (typeof r.script !== 'string' || typeof r.sampling !== 'object' || r.sampling === null) throw new Error('not a GradScope report: no script or sampling');
  return r.status === 'running' ? { ...r, status: 'stopped' } : r;
}

/** The stored last run, or null when there is none or it cannot be read (`onError` hears why). */
export async function readLastRun(file: string, onError: (e: unknown) => void = () => {}): Promise<JsonReport | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onError(e);
    return null;
  }
  try {
    return decodeLastRun(text);
  } catch (e) {
    onError(e);
    return null;
  }
}

export interface LastRunWriterOptions {
  intervalMs?: number;
  onError?: (e: unknown) => void;
}

/** Writes the session's report to `file`: at once when a run ends, at most every `intervalMs` while it runs. */
export class LastRunWriter {
  private dirty = false;
  private urgent = false;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> | null = null;
  private readonly interval: number;
  private wait: number;
  private readonly onError: (e: unknown) => void;
  private readonly unlisten: () => void;

  constructor(private readonly session: RunSession, private readonly file: string, options: LastRunWriterOptions = {}) {
    this.interval = options.intervalMs ?? PERSIST_INTERVAL_MS;
    this.wait = this.interval;
    this.onError = options.onError ?? (() => {});
    this.unlisten = session.listen((change) => {
      this.dirty = true;
      this.schedule(change.kind === 'events' && change.events.some((e) => e.type === 'runEnded'));
    });
  }

  /** Resolves once what the session held when called is on disk (or failed to get there). */
  async flush(): Promise<void> {
    this.cancelTimer();
    while (this.writing !== null) await this.writing;
    await this.write();
  }

  /** For deactivation: writes what is pending synchronously, then stops. */
  flushSync(): void {
    this.dispose();
    if (!this.dirty) return;
    this.dirty = false;
    const report = this.session.report();
    if (report === null) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.sync.tmp`;
      writeFileSync(tmp, encodeLastRun(report));
      renameSync(tmp, this.file);
    } catch (e) {
      this.onError(e);
    }
  }

  dispose(): void {
    this.closed = true;
    this.cancelTimer();
    this.unlisten();
  }

  private schedule(urgent: boolean): void {
    if (this.closed) return;
    // The write in flight schedules the next one when it ends.
    if (this.writing !== null) {
      this.urgent ||= urgent;
      return;
    }
    if (urgent) {
      this.cancelTimer();
      void this.write();
    } else {
      this.timer ??= setTimeout(() => { this.timer = null; void this.write(); }, this.wait);
    }
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private write(): Promise<void> {
    if (this.writing !== null) return this.writing;
    if (!this.dirty || this.closed) return Promise.resolve();
    this.dirty = false;
    const t0 = performance.now();
    const report = this.session.report();
    if (report === null) return Promise.resolve();
    // Encoded here, on the host's thread (bounded by thinReport: ~1–100 ms, report() included, from
    // a tiny model to 20 layers × 2000 steps); written off it. A slow encode stretches the interval,
    // so the live writes take at most ~2% of the host's time.
    const text = encodeLastRun(report);
    this.wait = Math.max(this.interval, 50 * (performance.now() - t0));
    const tmp = `${this.file}.${process.pid}.tmp`;
    this.writing = (async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(tmp, text);
      // A synchronous flush at deactivation wrote a newer state meanwhile: keep it.
      if (!this.closed) await rename(tmp, this.file);
      else await unlink(tmp);
    })().catch(this.onError).finally(() => {
      this.writing = null;
      const urgent = this.urgent;
      this.urgent = false;
      if (this.dirty) this.schedule(urgent);
    });
    return this.writing;
  }
}
