// RunSession: the extension's one training run at a time, and the host's history of it. Every event
// is folded into a ReportBuilder before listeners hear of it, so a snapshot taken at any moment
// (a panel's `ready`, an export) already holds every event delivered so far; the history outlives
// the run until the next one starts. No vscode import: tested in vitest with the real runner.

import { startRun } from '../core/runner';
import type { RunHandle, RunOptions, RunResult } from '../core/runner/types';
import type { RunEvent } from '../core/instrument/events';
import { ReportBuilder, type JsonReport } from '../core/report/model';

export type SessionChange =
  /** A new run starts: whatever was shown for the previous one is stale. */
  | { kind: 'reset'; script: string }
  | { kind: 'events'; events: RunEvent[] };

export type SessionListener = (change: SessionChange) => void;

export class RunSession {
  private builder: ReportBuilder | null = null;
  /** The last run of an earlier extension host (a window reload), until a run starts here. */
  private restored: JsonReport | null = null;
  private handle: RunHandle | null = null;
  private runId = 0;
  private readonly listeners = new Set<SessionListener>();

  /** The script of the current or last run. */
  script: string | null = null;

  constructor(private readonly start: typeof startRun = startRun) {}

  get running(): boolean {
    return this.handle !== null;
  }

  /** Stops any run in progress, then starts `script`; resolves when this run ends. */
  run(script: string, options: RunOptions): Promise<RunResult> {
    // The old run's ending belongs to a history being replaced: it is ignored like its other late events.
    const id = ++this.runId;
    this.stop();
    const builder = new ReportBuilder();
    this.builder = builder;
    this.restored = null;
    this.script = script;
    // The runner delivers events asynchronously: the handle is in place before the first one.
    const handle = this.start(script, options, (batch) => {
      // A stopped run still reports its ending; a newer run has replaced its history by then.
      if (id !== this.runId) return;
      for (const e of batch) {
        builder.add(e);
        // runEnded is the last event: listeners already see the session as idle.
        if (e.type === 'runEnded') this.handle = null;
      }
      this.emit({ kind: 'events', events: batch });
    });
    this.handle = handle;
    this.emit({ kind: 'reset', script });
    return handle.done.finally(() => {
      if (id === this.runId) this.handle = null;
    });
  }

  /** Ends the run in progress (its runEnded still arrives); false when nothing runs. */
  stop(): boolean {
    const h = this.handle;
    if (h === null) return false;
    this.handle = null;
    h.stop();
    return true;
  }

  /** The history of the current or last run; null before the first. */
  report(): JsonReport | null {
    return this.builder?.report() ?? this.restored;
  }

  /**
   * Takes the last run of an earlier extension host (see last-run.ts) as this session's history, for
   * the panel, the Problems view and export; before any listener or run (at activation).
   */
  restore(report: JsonReport): void {
    if (this.builder !== null) return;
    this.restored = report;
    this.script = report.script !== '' ? report.script : null;
  }

  /** Subscribes; returns the unsubscribe function. */
  listen(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.stop();
    this.listeners.clear();
  }

  private emit(change: SessionChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (e) {
        // One failing view must not starve the others (or the history) of events.
        console.error('gradscope: a session listener threw', e);
      }
    }
  }
}
