// The stats thread runs the same kernel as statsAndHistogram on its own thread: its results must be
// the same numbers, taken in any order, from a copy made at submit (the caller may change the
// tensor right after), and it must step aside (null) rather than hang when it cannot run.
import { afterEach, describe, expect, it } from 'vitest';
import { StatsThread, THREAD_MAX_BINS } from '../../../core/kernels/stats-thread';
import { nonzeroHistogram, statsAndHistogram } from '../../../core/kernels/stats';

const MIN_NORMAL = 2 ** -14;
const MIN_SUB = 2 ** -24;

function randn(n: number, sd: number, seed: number): Float32Array {
  let s = seed;
  const r = (): number => ((s = (s * 1103515245 + 12345) >>> 0) + 0.5) / 2 ** 32;
  return new Float32Array(n).map(() => sd * Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r()));
}

let thread: StatsThread | null = null;
afterEach(() => {
  thread?.close();
  thread = null;
});

describe('StatsThread', () => {
  it('gives the results of statsAndHistogram, taken in any order, from the copy made at submit', () => {
    for (const bins of [64, 7, THREAD_MAX_BINS]) {
      thread = StatsThread.start(bins, MIN_NORMAL, MIN_SUB)!;
      expect(thread).not.toBeNull();
      const xs = [randn(200_704, 0.05, 1), randn(20_000, 1e-4, 2), randn(1024, 1, 3), new Float32Array(5000), randn(65_536, 3, 4)];
      xs[1]![17] = 0;
      const expected = xs.map((x) => statsAndHistogram(x, MIN_NORMAL, MIN_SUB, bins)!);
      const tickets = xs.map((x) => thread!.submit(x)!);
      // The caller changes its tensors at once (an optimizer step): the thread works on the copies.
      for (const x of xs) x.fill(7);
      for (const i of [3, 0, 4, 1, 2]) {
        const got = thread.take(tickets[i]!)!;
        thread.release(tickets[i]!);
        expect(got.sums, `bins ${bins} tensor ${i}`).toEqual(expected[i]!.sums);
        expect(got.counts === null ? null : Array.from(got.counts)).toEqual(Array.from(expected[i]!.counts!));
        expect([got.lo, got.hi]).toEqual([expected[i]!.lo, expected[i]!.hi]);
      }
      thread.close();
    }
  });

  it('gives the histograms of nonzeroHistogram for the histogram kernel, beside statistics jobs', () => {
    thread = StatsThread.start(64, MIN_NORMAL, MIN_SUB)!;
    const relu = randn(16_384, 1, 9).map((v) => Math.max(v, 0));
    const zeros = new Float32Array(9000);
    const bad = randn(9000, 1, 10);
    bad[77] = -Infinity;
    const stats = thread.submit(relu)!;
    const tickets = [relu, zeros, bad].map((x) => thread!.submit(x, 'histogram')!);
    expect(thread.take(stats)!.sums).toEqual(statsAndHistogram(relu, MIN_NORMAL, MIN_SUB, 64)!.sums);
    expect(thread.takeHistogram(tickets[0]!)).toEqual(nonzeroHistogram(relu, 64));
    expect(thread.takeHistogram(tickets[1]!)).toEqual({ lo: 0, hi: 0, counts: new Uint32Array(64), zeros: 9000 });
    // NaN/Inf: left to the caller's JS histogram, as nonzeroHistogram does.
    expect(thread.takeHistogram(tickets[2]!)).toBeNull();
    expect(nonzeroHistogram(bad, 64)).toBeNull();
    // A ticket read as the other kind is a caller's bug.
    expect(() => thread!.take(tickets[0]!)).toThrow(/'histogram' job/);
  });

  it('reports non-finite data as the kernel does (no counts) and keeps the copy for a careful pass', () => {
    thread = StatsThread.start(64, MIN_NORMAL, MIN_SUB)!;
    const x = randn(10_000, 1, 5);
    x[4321] = NaN;
    const t = thread.submit(x)!;
    x.fill(0);
    const r = thread.take(t)!;
    expect(Number.isNaN(r.sums.sum)).toBe(true);
    expect(r.counts).toBeNull();
    expect(Number.isNaN(t.data[4321]!)).toBe(true);
    thread.release(t);
  });

  it('reuses its staging copies, and refuses new work past its jobs in flight or once closed', () => {
    thread = StatsThread.start(64, MIN_NORMAL, MIN_SUB)!;
    const x = randn(4096, 1, 6);
    const a = thread.submit(x)!;
    thread.take(a);
    thread.release(a);
    const b = thread.submit(x)!;
    expect(b.data).toBe(a.data);
    const many = [b];
    for (let i = 0; ; i++) {
      const t = thread.submit(x);
      if (t === null) break;
      many.push(t);
      expect(i).toBeLessThan(1000);
    }
    expect(many.length).toBe(256);
    // Taking the oldest frees its slot.
    thread.take(many[0]!);
    thread.release(many[0]!);
    expect(thread.submit(x)).not.toBeNull();
    thread.close();
    expect(thread.submit(x)).toBeNull();
  });

  it('gives up, without waiting, once the worker has failed (its flag in shared memory)', () => {
    thread = StatsThread.start(64, MIN_NORMAL, MIN_SUB)!;
    const t = thread.submit(randn(4096, 1, 7))!;
    while (!thread.done(t)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    Atomics.store((thread as unknown as { ctl: Int32Array }).ctl, 3, 1);
    expect(thread.submit(randn(4096, 1, 8))).toBeNull();
    const late = { ...t, seq: t.seq + 1 };
    (thread as unknown as { untaken: Set<number> }).untaken.add(late.seq);
    expect(thread.take(late)).toBeNull();
  });

  it('does not start for bins it does not take', () => {
    expect(StatsThread.start(THREAD_MAX_BINS + 1, MIN_NORMAL, MIN_SUB)).toBeNull();
    expect(StatsThread.start(0, MIN_NORMAL, MIN_SUB)).toBeNull();
  });
});
