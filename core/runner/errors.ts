// Turns whatever a script threw into a RunError located at the innermost frame of the user's
// code (stacks are already source-mapped by Node when source maps are enabled).

import { userFrames } from '../instrument/callsite';
import type { RunError } from '../instrument/events';

export function runErrorOf(thrown: unknown): RunError {
  if (thrown instanceof Error) {
    const stack = typeof thrown.stack === 'string' ? thrown.stack : `${thrown.name}: ${thrown.message}`;
    // A plain Error or an engine OpError already names its subject; TypeError etc. say what they are.
    const plain = thrown.name === 'Error' || thrown.name === 'OpError';
    return {
      message: plain ? thrown.message : `${thrown.name}: ${thrown.message}`,
      location: userFrames({ holder: { stack } })[0] ?? null,
      stack,
    };
  }
  return { message: `Uncaught ${describe(thrown)}`, location: null, stack: '' };
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return String(v);
  } catch {
    return typeof v;
  }
}

/** A run-ending message that is not an exception (stop, timeout, limits). */
export function endMessage(message: string): RunError {
  return { message, location: null, stack: '' };
}
