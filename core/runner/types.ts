// The runner's contract, shared by the CLI and the VS Code extension: start a user's training
// script in a worker thread, stream its events, stop it, and learn how it ended.

import type { DetectorConfig } from '../instrument/detectors';
import type { Level } from '../instrument/records';
import type { RunError, RunEvent, RunStatus } from '../instrument/events';

export interface RunOptions {
  /** Instrumentation level (default 'default'). */
  level?: Level;
  /** Stop after this many steps (backward passes): status 'stopped'. */
  maxSteps?: number;
  /** Stop after this long: status 'timeout'. */
  timeoutMs?: number;
  /** Histograms every K steps (default: adaptive). */
  histogramEvery?: number;
  /** Heap limit of the worker, in MB: exceeding it fails the run with a clear message. */
  memoryLimitMb?: number;
  detectors?: Partial<DetectorConfig>;
  /** Working directory the script sees (default: the script's folder). */
  cwd?: string;
  /** process.argv.slice(2) for the script. */
  args?: string[];
}

export interface RunResult {
  status: RunStatus;
  steps: number;
  durationMs: number;
  error?: RunError;
}

export interface RunHandle {
  /** Resolves when the run has ended, however it ended (never rejects). */
  readonly done: Promise<RunResult>;
  /** Ends the run now: status 'stopped'. */
  stop(): void;
}

/** Receives the run's events in order, in batches; every event of the run arrives before `done` resolves. */
export type EventSink = (batch: RunEvent[]) => void;
