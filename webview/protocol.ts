// The typed protocol between the extension host and the gradient panel: one discriminated union
// per direction. Types only on both sides (the host imports none of the webview's code and vice
// versa); the one runtime piece is the guard for messages coming from the panel, which the host
// must treat as untrusted input.

import type { RunEvent } from '../core/instrument/events';
import type { JsonReport } from '../core/report/model';

export const PROTOCOL_VERSION = 1;

/** Host → panel. */
export type HostToWebview =
  /** The full state, sent in answer to every `ready` (a hidden panel is torn down and replays from this). */
  | { type: 'init'; version: typeof PROTOCOL_VERSION; report: JsonReport | null; running: boolean }
  /** New events of the current run, batched (≤ ~30 messages/s). */
  | { type: 'events'; events: RunEvent[] }
  /** A new run starts: the panel drops the previous run's data. */
  | { type: 'reset'; script: string };

/** Panel → host. */
export type WebviewToHost =
  | { type: 'ready' }
  /** Open a file at a 1-based line and column (a finding was clicked). */
  | { type: 'openLocation'; file: string; line: number; column: number }
  /** Run a GradScope command from the panel's toolbar. */
  | { type: 'command'; command: PanelCommand };

export const PANEL_COMMANDS = ['run', 'stop', 'exportReport'] as const;
export type PanelCommand = (typeof PANEL_COMMANDS)[number];

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** Narrows an untrusted message from the panel; anything malformed is rejected whole. */
export function isWebviewToHost(msg: unknown): msg is WebviewToHost {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
      return Object.keys(m).length === 1;
    case 'openLocation':
      return typeof m['file'] === 'string' && m['file'].length > 0 && isPositiveInt(m['line']) && isPositiveInt(m['column']);
    case 'command':
      return typeof m['command'] === 'string' && (PANEL_COMMANDS as readonly string[]).includes(m['command']);
    default:
      return false;
  }
}

/** For exhaustive switches over the unions: a new message kind fails to compile until handled. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
