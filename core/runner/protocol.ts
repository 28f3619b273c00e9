// Messages between the runner (main thread) and its worker. The worker loads the engine, says
// which names 'gradscope' exports, runs the bundle it is sent, and streams events until it ends.

import type { DetectorConfig } from '../instrument/detectors';
import type { Level } from '../instrument/records';
import type { RunError } from '../instrument/events';
import type { WireEvent } from './step-codec';

/** workerData of the worker. */
export interface WorkerInit {
  script: string;
  args: string[];
  level: Level;
  histogramEvery?: number;
  maxSteps?: number;
  /** Limit on JS heap + tensor memory, in MB (the heap alone is also capped by resourceLimits). */
  memoryLimitMb?: number;
  detectors?: Partial<DetectorConfig>;
}

export type ToWorker = { kind: 'run'; bundle: string };

export type FromWorker =
  | { kind: 'ready'; exports: string[] }
  /** Events in order, runs of step events packed (step-codec.ts): the main thread unpacks them. */
  | { kind: 'events'; events: WireEvent[]; steps: number }
  /** The script ended (the worker then waits to be terminated, except after 'completed'). */
  | { kind: 'end'; status: 'completed' | 'failed' | 'stopped'; steps: number; error?: RunError };

/** Name under which the worker publishes the engine for the bundle's virtual 'gradscope' module. */
export const ENGINE_GLOBAL = '__gradscope';

/** The message for a run that exceeded its memory limit (the worker's check and the heap cap). */
export function outOfMemoryMessage(limitMb: number | undefined, usedMb?: number): string {
  const limit = limitMb !== undefined ? `the memory limit of ${limitMb} MB (memoryLimitMb)` : "the worker's default heap limit";
  const used = usedMb !== undefined ? ` (${Math.round(usedMb)} MB in tensors and the JS heap)` : '';
  return `The script ran out of memory: it exceeded ${limit}${used}`;
}
