// Batches the event stream for a UI: at most one batch per interval however fast the script
// steps. Steps, diagnostics and lifecycle events are all kept, in order (never dropped); of the
// histograms only the latest survives a batch (latest-wins), since a panel shows one at a time.

import type { RunEvent } from './events';

export interface ThrottleOptions {
  /** Minimum time between batches (default 33 ms, ~30 messages/s). */
  intervalMs?: number;
  /** Timer functions (injectable for tests). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => number;
}

export class EventThrottle {
  private queue: RunEvent[] = [];
  private latestHistograms: RunEvent | null = null;
  private timer: unknown = null;
  private lastSent = -Infinity;
  private readonly interval: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;
  private readonly now: () => number;

  constructor(private readonly send: (batch: RunEvent[]) => void, options: ThrottleOptions = {}) {
    this.interval = options.intervalMs ?? 33;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.now = options.now ?? (() => performance.now());
  }

  push(e: RunEvent): void {
    if (e.type === 'histograms') this.latestHistograms = e;
    else this.queue.push(e);
    // The end of a run goes out at once, with everything before it.
    if (e.type === 'runEnded') {
      this.flush();
      return;
    }
    if (this.timer === null) {
      const wait = Math.max(0, this.lastSent + this.interval - this.now());
      this.timer = this.setTimer(() => {
        this.timer = null;
        this.flush();
      }, wait);
    }
  }

  /** Sends whatever is queued now. */
  flush(): void {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    const batch = this.queue;
    if (this.latestHistograms !== null) batch.push(this.latestHistograms);
    this.queue = [];
    this.latestHistograms = null;
    if (batch.length === 0) return;
    this.lastSent = this.now();
    this.send(batch);
  }
}
