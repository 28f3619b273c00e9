// Messages between the runner (main thread) and its worker. The worker loads the engine, says
// which names 'gradscope' exports, runs the bundle it is sent, and streams events until it ends.

import type { DetectorConfig } from '../instrument/detectors';
import type { Level } from '../instrument/records';
import type { RunError, RunEvent } from '../instrument/events';

/** workerData of the worker. */
export interface WorkerInit {
  script: string;
  args: string[];
  level: Level;
  histogramEvery?: number;
  maxSteps?: number;
  detectors?: Partial<DetectorConfig>;
}

export type ToWorker = { kind: 'run'; bundle: string };

export type FromWorker =
  | { kind: 'ready'; exports: string[] }
  | { kind: 'events'; events: RunEvent[]; steps: number }
  /** The script ended (the worker then waits to be terminated, except after 'completed'). */
  | { kind: 'end'; status: 'completed' | 'failed' | 'stopped'; steps: number; error?: RunError };

/** Name under which the worker publishes the engine for the bundle's virtual 'gradscope' module. */
export const ENGINE_GLOBAL = '__gradscope';
