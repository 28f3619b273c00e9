// Consecutive-step counters, one per key: a trend is reported once it has held long enough.

export interface Streak {
  /** Step the current run of hits started at. */
  start: number;
  count: number;
}

export class Streaks {
  private readonly runs = new Map<string, Streak>();

  /** The condition held at `step`: extends (or starts) the key's streak and returns it. */
  hit(key: string, step: number): Streak {
    let s = this.runs.get(key);
    if (s === undefined) {
      s = { start: step, count: 0 };
      this.runs.set(key, s);
    }
    s.count++;
    return s;
  }

  /** The condition did not hold: the streak is broken. */
  miss(key: string): void {
    this.runs.delete(key);
  }

  get(key: string): Streak | undefined {
    return this.runs.get(key);
  }
}
