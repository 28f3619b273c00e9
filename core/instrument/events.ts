// The event stream: one discriminated union, versioned. Produced by the recorder and the runner,
// consumed by the CLI, the reports and the VS Code panels.

import type { Diagnostic } from './diagnostics';
import type { HistogramEntry, Level, ModelSummary, StepRecord } from './records';
import type { SourceLocation } from './callsite';

export const EVENT_VERSION = 1;

export type RunStatus = 'completed' | 'failed' | 'stopped' | 'timeout';

export interface RunError {
  message: string;
  location: SourceLocation | null;
  stack: string;
}

export type RunEvent =
  | { type: 'runStarted'; version: typeof EVENT_VERSION; script: string; level: Level; startedAt: number }
  | { type: 'model'; summary: ModelSummary }
  | { type: 'step'; record: StepRecord }
  | { type: 'histograms'; step: number; entries: HistogramEntry[] }
  | { type: 'diagnostic'; diagnostic: Diagnostic }
  | { type: 'log'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'runEnded'; status: RunStatus; steps: number; durationMs: number; error?: RunError };

export type RunEventType = RunEvent['type'];
