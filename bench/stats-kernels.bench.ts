// The instrumentation's statistics kernels on one tensor of 235,146 floats (the parameter count of
// the MLP 784-256-128-10 in instrument-overhead.bench.ts), weight-like N(0, 0.05) with every 13th
// value 0: ns/element of the stats sums, the 64-bin histogram (JS loop vs wasm), stats plus
// histogram with two copies into wasm memory vs one, and the plain SGD step (which now also sums
// g²). Interleaved rounds; min and median. `npm run bench stats-kernels`
import { histogramCounts, statsSums } from '../core/kernels/stats';
import { sgdPlainStep } from '../core/kernels/elementwise';
import { arena, heapBase, setKernelMode, wasmKernels } from '../core/kernels/wasm';
import { histogram, tensorStats, tensorStatsWithHistogram, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL } from '../core/instrument/stats';

const N = 235_146;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);
const REPS = Number(process.env.BENCH_REPS ?? 10);

let seed = 12345;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) + 0.5) / 2 ** 32;
const x = new Float32Array(N);
for (let i = 0; i < N; i++) x[i] = 0.05 * Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
for (let i = 0; i < N; i += 13) x[i] = 0;
const known = tensorStats(x);
const P = x.slice();

const k = wasmKernels();
if (k === null) throw new Error('stats-kernels.bench: WebAssembly SIMD is unavailable');
const px = heapBase(k);
const pout = px + ((N * 4 + 63) & ~63);

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
const cases: Record<string, () => number> = {
  'copy into wasm memory (h.set)': timed(() => arena(k, N * 4).set(x, px >> 2)),
  'stats_sums kernel (data in place)': () => {
    arena(k, pout + 128 - px).set(x, px >> 2);
    const t0 = performance.now();
    k.stats_sums(px, N, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL, pout, pout + 64);
    return performance.now() - t0;
  },
  'statsSums (copy + kernel)': timed(() => statsSums(x, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL)),
  'tensorStats': timed(() => tensorStats(x)),
  'histogram, JS loop (known stats)': inJs(() => histogram(x, 64, known)),
  'histogramCounts, wasm (copy + kernel)': timed(() => histogramCounts(x, 64, known.min, known.max)),
  'tensorStats + histogram, JS': inJs(() => histogram(x, 64, tensorStats(x))),
  'tensorStats + histogram (2 copies)': timed(() => histogram(x, 64, tensorStats(x))),
  'tensorStatsWithHistogram (1 copy)': timed(() => tensorStatsWithHistogram(x, 64)),
  'sgdPlainStep (update + Σg²)': timed(() => sgdPlainStep(P, x, Math.fround(-1e-30))),
};

const times: Record<string, number[]> = {};
for (const name of Object.keys(cases)) times[name] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, f] of Object.entries(cases)) {
    let ms = 0;
    for (let i = 0; i < REPS; i++) ms += f();
    times[name]!.push((ms * 1e6) / (REPS * N));
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${N} floats, ${ROUNDS} rounds × ${REPS}: ns/element, min / median`);
for (const [name, ts] of Object.entries(times)) console.log(`${name.padEnd(40)} ${Math.min(...ts).toFixed(3)} / ${median(ts).toFixed(3)}`);
