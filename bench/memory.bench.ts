// Memory of the benchmark models (issue 6): RSS, JS heap and ArrayBuffer bytes (tensor data lives
// there, outside the JS heap) after warm-up, their peaks while training, and after a long run,
// each after a full GC. A leak shows as growth between "after warm-up" and "after N steps".
// The MLP runs 10,000 steps (BENCH_LEAK_STEPS); the CNN, ~25 steps/s, runs BENCH_CNN_STEPS (200).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cnn, mlp, type Model } from './models';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const LEAK_STEPS = Number(process.env.BENCH_LEAK_STEPS ?? 10000);
const CNN_STEPS = Number(process.env.BENCH_CNN_STEPS ?? 200);
const MB = (b: number): string => (b / 2 ** 20).toFixed(1);

interface Snap { rss: number; heap: number; buffers: number }
function snap(): Snap {
  gc();
  gc(); // a second pass frees ArrayBuffer backing stores released by the first
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, buffers: m.arrayBuffers };
}

function measure(name: string, build: () => Model, steps: number): void {
  const before = snap();
  const model = build();
  for (let i = 0; i < 50; i++) model.step();
  const warm = snap();
  const peak = { rss: 0, heap: 0, buffers: 0 };
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    model.step();
    if (i % 50 === 0) {
      const m = process.memoryUsage();
      peak.rss = Math.max(peak.rss, m.rss);
      peak.heap = Math.max(peak.heap, m.heapUsed);
      peak.buffers = Math.max(peak.buffers, m.arrayBuffers);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const end = snap();
  const row = (label: string, s: Snap): string => `  ${label.padEnd(22)} rss ${MB(s.rss).padStart(7)} MB   heap ${MB(s.heap).padStart(6)} MB   array buffers ${MB(s.buffers).padStart(6)} MB`;
  console.log(`${name}: ${steps} steps in ${secs.toFixed(1)} s (after 50 warm-up steps)`);
  console.log(row('before the model', before));
  console.log(row('after warm-up (GC)', warm));
  console.log(row(`peak while training`, peak));
  console.log(row(`after ${steps} steps (GC)`, end));
  const growth = (end.heap + end.buffers - warm.heap - warm.buffers) / 2 ** 20;
  console.log(`  growth heap+buffers after warm-up: ${growth.toFixed(2)} MB (${growth < 1 ? 'flat: no leak' : 'GROWING: possible leak'})`);
}

measure('MLP 784-256-128-10 b64', () => mlp().model, LEAK_STEPS);
measure('CNN 28×28 b32', () => cnn().model, CNN_STEPS);
