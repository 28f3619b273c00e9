// Even decimation of an unbounded stream into at most `limit` samples: sample n (0-based) is kept
// while n % stride === 0; when more than `limit` are kept, the stride doubles and every other kept
// sample goes. What remains is always evenly spaced, includes the first sample, and is decided by
// the sample's ordinal alone, so several series fed the same ordinals stay aligned.

export class Decimator {
  private strideValue = 1;
  private keptCount = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 2)) throw new Error(`Decimator: limit must be at least 2, got ${limit}`);
  }

  get stride(): number {
    return this.strideValue;
  }

  /** Whether the sample with this ordinal is kept (call once per ordinal, in order). When the
   *  stride doubles here, the owner must drop the samples `keeps` now rejects. */
  admit(ordinal: number): boolean {
    if (ordinal % this.strideValue !== 0) return false;
    this.keptCount++;
    if (this.keptCount > this.limit) {
      this.strideValue *= 2;
      this.keptCount = Math.floor(ordinal / this.strideValue) + 1;
      return ordinal % this.strideValue === 0;
    }
    return true;
  }

  /** Whether an already-kept ordinal survives the current stride. */
  keeps(ordinal: number): boolean {
    return ordinal % this.strideValue === 0;
  }
}

/** Columns of numbers (or nulls) aligned with a `steps` column, thinned by ordinal. */
export class Columns<K extends string> {
  readonly ordinals: number[] = [];
  readonly steps: number[] = [];
  readonly cols: Record<K, (number | null)[]>;

  constructor(readonly names: readonly K[]) {
    this.cols = {} as Record<K, (number | null)[]>;
    for (const n of names) this.cols[n] = [];
  }

  push(ordinal: number, step: number, values: Record<K, number | null>): void {
    this.ordinals.push(ordinal);
    this.steps.push(step);
    for (const n of this.names) this.cols[n].push(values[n]);
  }

  /** Keeps only the rows whose ordinal the decimator still keeps. */
  thin(d: Decimator): void {
    let w = 0;
    for (let r = 0; r < this.ordinals.length; r++) {
      if (!d.keeps(this.ordinals[r]!)) continue;
      this.ordinals[w] = this.ordinals[r]!;
      this.steps[w] = this.steps[r]!;
      for (const n of this.names) this.cols[n][w] = this.cols[n][r]!;
      w++;
    }
    this.ordinals.length = w;
    this.steps.length = w;
    for (const n of this.names) this.cols[n].length = w;
  }

  get length(): number {
    return this.steps.length;
  }
}
