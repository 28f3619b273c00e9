// The instrumentation's statistics kernels, ns/element (min / median of interleaved rounds):
// - one tensor of 235,146 floats (the parameter count of the MLP 784-256-128-10 in
//   instrument-overhead.bench.ts), weight-like N(0, 0.05) with every 13th value 0: the stats sums,
//   the 64-bin histogram (JS loop vs wasm), stats plus histogram with one copy into wasm memory
//   (statsAndHistogram, what the 'full' level runs on every gradient and weight) and with two, the
//   activation histogram without known stats, and the plain SGD step (which also sums g²);
// - activation-sized tensors (16,384 and 50,176 floats): statsAndHistogram on the same kind of
//   data, and histogram(x) without stats on ReLU outputs (half zeros);
// - the kernels of statsAndHistogram one by one on data already in wasm memory (the split).
// `npm run bench stats-kernels`; BENCH_ROUNDS / BENCH_REPS scale the rounds.
import { binParams, histogramCounts, statsAndHistogram, statsSums } from '../core/kernels/stats';
import { sgdPlainStep } from '../core/kernels/elementwise';
import { arena, heapBase, setKernelMode, wasmKernels } from '../core/kernels/wasm';
import { histogram, tensorStats, tensorStatsWithHistogram, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL } from '../core/instrument/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);
const REPS = Number(process.env.BENCH_REPS ?? 10);

let seed = 12345;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) + 0.5) / 2 ** 32;
const gauss = (): number => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
/** Weight-like: N(0, 0.05), every 13th value 0. */
function weights(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = i % 13 === 0 ? 0 : 0.05 * gauss();
  return x;
}
/** ReLU outputs: max(0, N(0, 1)). */
function relu(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => Math.max(0, gauss()));
}

const k = wasmKernels();
if (k === null) throw new Error('stats-kernels.bench: WebAssembly SIMD is unavailable');

// Each case returns the milliseconds it wants counted (the JS-loop cases switch the kernel mode
// outside the timed part).
const timed = (f: () => unknown) => (): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const inJs = (f: () => unknown) => (): number => {
  setKernelMode('js');
  const t0 = performance.now();
  f();
  const dt = performance.now() - t0;
  setKernelMode('auto');
  return dt;
};

function run(title: string, n: number, cases: Record<string, () => number>, rounds = ROUNDS, reps = REPS): void {
  const times: Record<string, number[]> = {};
  for (const name of Object.keys(cases)) times[name] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [name, f] of Object.entries(cases)) {
      let ms = 0;
      for (let i = 0; i < reps; i++) ms += f();
      times[name]!.push((ms * 1e6) / (reps * n));
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\n${title}: ${rounds} rounds × ${reps}, ns/element min / median`);
  for (const [name, ts] of Object.entries(times)) console.log(`${name.padEnd(44)} ${Math.min(...ts).toFixed(3)} / ${median(ts).toFixed(3)}`);
}

{
  const N = 235_146;
  const x = weights(N);
  const known = tensorStats(x);
  const act = relu(N);
  const P = x.slice();
  const px = heapBase(k);
  // The stats thread's hand-over: V8 copies into shared memory with relaxed atomics, ~2.5× a plain copy.
  const shared = new Float32Array(new SharedArrayBuffer(N * 4));
  run(`${N} floats, weight-like`, N, {
    'copy into wasm memory (h.set)': timed(() => arena(k, N * 4).set(x, px >> 2)),
    'copy into shared memory (stats thread)': timed(() => shared.set(x)),
    'statsSums (copy + kernels)': timed(() => statsSums(x, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL)),
    'tensorStats': timed(() => tensorStats(x)),
    'histogram, JS loop (known stats)': inJs(() => histogram(x, 64, known)),
    'histogramCounts, wasm (copy + kernels)': timed(() => histogramCounts(x, 64, known.min, known.max)),
    'tensorStats + histogram, JS': inJs(() => histogram(x, 64, tensorStats(x))),
    'tensorStats + histogram (2 copies)': timed(() => histogram(x, 64, tensorStats(x))),
    'statsAndHistogram (1 copy)': timed(() => statsAndHistogram(x, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL, 64)),
    'tensorStatsWithHistogram (1 copy)': timed(() => tensorStatsWithHistogram(x, 64)),
    'histogram(relu), no stats': timed(() => histogram(act, 64)),
    'sgdPlainStep (update + Σg²)': timed(() => sgdPlainStep(P, x, Math.fround(-1e-30))),
  });
  // The split of statsAndHistogram: its two kernels with x in place (scratch as its layout).
  const pout = px + ((N * 4 + 63) & ~63), pcnt = pout + 64, ptab = pcnt + 64;
  const prep = (): void => {
    arena(k, ptab + 256 - px).set(x, px >> 2);
    k.stats_range(px, N, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL, pout, pcnt);
  };
  prep();
  const range = new Float64Array(k.memory.buffer, pout, 5);
  const p = binParams(64, range[3]!, range[4]!);
  const inPlace = (f: () => void) => (): number => {
    prep();
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  run(`${N} floats, kernels on data in wasm memory`, N, {
    'stats_range (min, max, counts)': inPlace(() => k.stats_range(px, N, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL, pout, pcnt)),
    'stats_sums_histogram (sums + 64 bins)': inPlace(() => k.stats_sums_histogram(px, N, 64, p.pre, p.off, p.scale, pout, pcnt, ptab, ptab)),
    'stats_sums_histogram (sums only)': inPlace(() => k.stats_sums_histogram(px, N, 0, p.pre, p.off, p.scale, pout, pcnt, ptab, ptab)),
    'histogram (64 bins, clamped)': inPlace(() => k.histogram(px, N, 64, p.pre, p.off, p.scale, 0, ptab, ptab)),
  });
}

for (const N of [16_384, 50_176]) {
  const x = weights(N);
  const act = relu(N);
  const px = heapBase(k);
  const reps = Math.round((REPS * 235_146) / N / 4);
  run(`${N} floats, weight-like / ReLU outputs`, N, {
    'copy into wasm memory (h.set)': timed(() => arena(k, N * 4).set(x, px >> 2)),
    'statsAndHistogram (1 copy)': timed(() => statsAndHistogram(x, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL, 64)),
    'tensorStatsWithHistogram (1 copy)': timed(() => tensorStatsWithHistogram(x, 64)),
    'histogram(relu), no stats, JS': inJs(() => histogram(act, 64)),
    'histogram(relu), no stats': timed(() => histogram(act, 64)),
  }, ROUNDS, reps);
}
