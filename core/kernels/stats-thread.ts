// The statistics and histograms of large tensors on a second thread. At the 'full' level every
// gradient and every weight gets them every step: ~1 ns per value of SIMD work that no fusion
// makes cheaper (the kernels are bound by their instruction count, not by memory), about a sixth
// of a training step of the benchmark MLP. The training thread copies each tensor into shared
// memory (~0.1-0.2 ns per value) and goes on; a worker runs the same `stats_histogram` kernel on
// its own instance of the module and leaves the results in shared memory for the caller to take
// when it needs them (in submission order or not).
//
// Node only (worker_threads, reached through process.getBuiltinModule so that the core imports no
// Node module): `StatsThread.start()` returns null elsewhere, or without wasm, and callers keep
// computing on their own thread. The protocol, all in SharedArrayBuffers:
// - ctl[0] = jobs submitted, ctl[1] = jobs completed (the worker takes them in order),
//   ctl[2] = 1 to stop, ctl[3] = 1 when the worker failed;
// - jobs[4·slot] = staging buffer id, jobs[4·slot + 1] = length, jobs[4·slot + 2] = the kernel
//   (0: stats_histogram, 1: nonzero_histogram); slot = sequence % MAX_JOBS;
// - results: per slot the kernel's out and cnt, then the counts (SLOT);
// - a staging buffer is announced once on a MessagePort ({ id, buffer }), which the worker reads
//   synchronously (it never returns to its event loop).

import { heapBase, wasmKernels, wasmModule } from './wasm';
import { readNonzeroHistogram, readStatsHistogram, statsLayout, type NonzeroHistogram, type StatsAndHistogram } from './stats';

/** Jobs in flight at most (submit() returns null beyond). */
const MAX_JOBS = 256;
/** Bins the thread takes (more: the caller's own path). */
export const THREAD_MAX_BINS = 256;
/**
 * A result slot: the kernel's out (64 bytes) and cnt (16) copied from where `statsLayout` puts
 * them, then the counts; both threads place and read them by these offsets.
 */
const SLOT = { out: 0, outBytes: 64, cnt: 64, cntBytes: 16, counts: 128 } as const;
const RESULT_BYTES = SLOT.counts + THREAD_MAX_BINS * 4;
/** How long take() waits for one job before it gives the thread up and computes itself. */
const TAKE_TIMEOUT_MS = 10_000;

interface WorkerLike {
  unref(): void;
  terminate(): unknown;
  on(event: 'error', listener: (e: unknown) => void): unknown;
}

interface WorkerThreadsApi {
  Worker: new (code: string, options: { eval: true; workerData: unknown; transferList: unknown[] }) => WorkerLike;
  MessageChannel: new () => { port1: { postMessage(m: unknown): void; close(): void }; port2: unknown };
}

function workerThreads(): WorkerThreadsApi | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return (p?.getBuiltinModule?.('node:worker_threads') as WorkerThreadsApi | undefined) ?? null;
  } catch {
    return null;
  }
}

/**
 * The worker: JavaScript of its own (it runs without the bundle), kept to copying and calling the
 * kernel; the layout comes from statsLayout, the reading of results from readStatsHistogram.
 */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { module, port, ctlBuffer, jobsBuffer, resultsBuffer, maxJobs, resultBytes, slotLayout: s, layout, bins, minNormal, minSub } = workerData;
const ctl = new Int32Array(ctlBuffer), jobs = new Int32Array(jobsBuffer), results = new Uint8Array(resultsBuffer);
const buffers = new Map();
try {
  const k = new WebAssembly.Instance(module, {}).exports;
  for (let done = 0; ; ) {
    while (Atomics.load(ctl, 0) === done && Atomics.load(ctl, 2) === 0) Atomics.wait(ctl, 0, done);
    if (Atomics.load(ctl, 2) !== 0) break;
    const slot = done % maxJobs, id = jobs[4 * slot], n = jobs[4 * slot + 1], kind = jobs[4 * slot + 2];
    while (!buffers.has(id)) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) Atomics.wait(ctl, 2, 0, 1);
      else buffers.set(m.message.id, new Float32Array(m.message.buffer));
    }
    const need = layout.px + 4 * n - k.memory.buffer.byteLength;
    if (need > 0) k.memory.grow(Math.ceil(need / 65536));
    new Float32Array(k.memory.buffer, layout.px, n).set(buffers.get(id).subarray(0, n));
    if (kind === 0) k.stats_histogram(layout.px, n, bins, minNormal, minSub, layout.pout, layout.pcnt, layout.ptab, layout.pcounts);
    else k.nonzero_histogram(layout.px, n, bins, layout.pout, layout.pcnt, layout.ptab, layout.pcounts);
    const memory = new Uint8Array(k.memory.buffer);
    const base = slot * resultBytes;
    results.set(memory.subarray(layout.pout, layout.pout + s.outBytes), base + s.out);
    results.set(memory.subarray(layout.pcnt, layout.pcnt + s.cntBytes), base + s.cnt);
    results.set(memory.subarray(layout.pcounts, layout.pcounts + 4 * bins), base + s.counts);
    Atomics.store(ctl, 1, ++done);
    Atomics.notify(ctl, 1);
  }
} catch (e) {
  Atomics.store(ctl, 3, 1);
  Atomics.notify(ctl, 1);
  throw e;
}
`;

/** What the thread computes: `stats_histogram` (statistics and histogram) or `nonzero_histogram`. */
export type ThreadKernel = 'stats' | 'histogram';

/** A submitted tensor: `data` is its copy, valid until release() (for a careful pass over NaN/Inf data). */
export interface StatsTicket {
  readonly seq: number;
  readonly kernel: ThreadKernel;
  readonly data: Float32Array;
}

/** One worker and its shared memory; used from one thread (the training thread), like the recorder. */
export class StatsThread {
  private readonly ctl: Int32Array;
  private readonly jobs: Int32Array;
  private readonly results: SharedArrayBuffer;
  private submitted = 0;
  /** Sequence numbers submitted and not yet taken (a slot is reused only once its job is taken). */
  private readonly untaken = new Set<number>();
  /** Staging buffers by length: free ones, and every buffer's id as the worker knows it. */
  private readonly free = new Map<number, Float32Array[]>();
  private readonly ids = new WeakMap<Float32Array, number>();
  private nextId = 1;
  private failed = false;

  private constructor(
    private readonly worker: WorkerLike,
    private readonly port: { postMessage(m: unknown): void; close(): void },
    ctl: SharedArrayBuffer,
    jobs: SharedArrayBuffer,
    results: SharedArrayBuffer,
    private readonly bins: number,
  ) {
    this.ctl = new Int32Array(ctl);
    this.jobs = new Int32Array(jobs);
    this.results = results;
  }

  /**
   * A thread running `stats_histogram(…, bins, minNormal, minSub)` and `nonzero_histogram(…, bins)`
   * jobs, or null where it cannot run (no worker_threads, no wasm, no SharedArrayBuffer, bins past
   * THREAD_MAX_BINS).
   */
  static start(bins: number, minNormal: number, minSub: number): StatsThread | null {
    const wt = workerThreads();
    const module = wasmModule();
    const k = wasmKernels();
    if (wt === null || module === null || k === null || typeof SharedArrayBuffer !== 'function') return null;
    if (!(Number.isInteger(bins) && bins > 0 && bins <= THREAD_MAX_BINS)) return null;
    try {
      const ctl = new SharedArrayBuffer(16);
      const jobs = new SharedArrayBuffer(MAX_JOBS * 16);
      const results = new SharedArrayBuffer(MAX_JOBS * RESULT_BYTES);
      const { port1, port2 } = new wt.MessageChannel();
      const workerData = {
        module, port: port2, ctlBuffer: ctl, jobsBuffer: jobs, resultsBuffer: results, maxJobs: MAX_JOBS,
        resultBytes: RESULT_BYTES, slotLayout: SLOT, layout: statsLayout(heapBase(k), bins), bins, minNormal, minSub,
      };
      const worker = new wt.Worker(WORKER_SOURCE, { eval: true, workerData, transferList: [port2] });
      // The worker must not keep a process alive, nor take it down. Its failures also raise the
      // flag in shared memory (what a training thread busy in a step can see).
      worker.unref();
      const thread = new StatsThread(worker, port1, ctl, jobs, results, bins);
      worker.on('error', () => { thread.failed = true; });
      return thread;
    } catch {
      return null;
    }
  }

  /** Copies x for the worker; null when the thread is gone or MAX_JOBS are in flight (compute it yourself). */
  submit(x: Float32Array, kernel: ThreadKernel = 'stats'): StatsTicket | null {
    const seq = this.submitted;
    if (this.gone() || this.untaken.has(seq - MAX_JOBS)) return null;
    const data = this.staging(x.length);
    data.set(x);
    const slot = seq % MAX_JOBS;
    this.jobs[4 * slot] = this.ids.get(data)!;
    this.jobs[4 * slot + 1] = x.length;
    this.jobs[4 * slot + 2] = kernel === 'stats' ? 0 : 1;
    this.submitted = seq + 1;
    this.untaken.add(seq);
    Atomics.store(this.ctl, 0, this.submitted);
    Atomics.notify(this.ctl, 0);
    return { seq, kernel, data };
  }

  /** Whether take(t) would return without waiting (with results, or null once the thread failed). */
  done(t: StatsTicket): boolean {
    return this.gone() || Atomics.load(this.ctl, 1) > t.seq;
  }

  /**
   * The statistics and histogram of a 'stats' ticket, waiting for them if needed; null when the
   * thread failed or timed out (the caller computes from `t.data`, still valid here, then releases).
   */
  take(t: StatsTicket): StatsAndHistogram | null {
    const base = this.wait(t, 'stats');
    return base === null ? null : readStatsHistogram(this.results, base + SLOT.out, base + SLOT.cnt, base + SLOT.counts, this.bins);
  }

  /** The histogram of a 'histogram' ticket (as nonzeroHistogram); null as take(), or for NaN/Inf data. */
  takeHistogram(t: StatsTicket): NonzeroHistogram | null {
    const base = this.wait(t, 'histogram');
    return base === null ? null : readNonzeroHistogram(this.results, base + SLOT.out, base + SLOT.cnt, base + SLOT.counts, this.bins);
  }

  /** Waits for a ticket's job; the offset of its results, or null once the thread is given up. */
  private wait(t: StatsTicket, kernel: ThreadKernel): number | null {
    if (!this.untaken.has(t.seq)) throw new Error(`stats ticket ${t.seq} was already released`);
    if (t.kernel !== kernel) throw new Error(`stats ticket ${t.seq} is a '${t.kernel}' job`);
    const deadline = performance.now() + TAKE_TIMEOUT_MS;
    for (let seen = Atomics.load(this.ctl, 1); seen <= t.seq; seen = Atomics.load(this.ctl, 1)) {
      if (this.gone() || performance.now() > deadline) {
        this.failed = true;
        return null;
      }
      Atomics.wait(this.ctl, 1, seen, 50);
    }
    return (t.seq % MAX_JOBS) * RESULT_BYTES;
  }

  /**
   * Ends a ticket: its slot and staging copy are reused. A ticket may be released before its job
   * ran (a measurement made void): the worker may then read the copy while it is reused, but that
   * job's results are never read, and the jobs run in order.
   */
  release(t: StatsTicket): void {
    if (!this.untaken.delete(t.seq)) return;
    let list = this.free.get(t.data.length);
    if (list === undefined) this.free.set(t.data.length, (list = []));
    list.push(t.data);
  }

  /** Closed, or the worker failed (its flag in shared memory, or its 'error' event). */
  private gone(): boolean {
    return this.failed || Atomics.load(this.ctl, 3) !== 0;
  }

  /** Stops the worker (results not taken are lost; tickets still hold their copies). */
  close(): void {
    this.failed = true;
    Atomics.store(this.ctl, 2, 1);
    Atomics.notify(this.ctl, 0);
    this.port.close();
    void this.worker.terminate();
  }

  /** A free staging buffer of n floats, or a new one announced to the worker. */
  private staging(n: number): Float32Array {
    const reuse = this.free.get(n)?.pop();
    if (reuse !== undefined) return reuse;
    const buffer = new SharedArrayBuffer(Math.max(4, 4 * n));
    const data = new Float32Array(buffer, 0, n);
    const id = this.nextId++;
    this.ids.set(data, id);
    this.port.postMessage({ id, buffer });
    return data;
  }
}
