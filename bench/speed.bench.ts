// Speed side by side with TensorFlow.js 4.22 (issue 6), in one run: training steps/s of the MLP,
// the CNN and the 2-4-1 MLP, matmul and conv GFLOP/s. Each figure is the median of several
// timed rounds after warm-up steps (excluded, for every engine alike); every engine trains the
// same model on the same data from the same initial weights.
// Knobs: BENCH_ROUNDS (5), BENCH_TF_CNN_ROUNDS (3; tfjs-cpu takes seconds per CNN step),
// BENCH_TF_CPU_1024=1 (also time tfjs-cpu on the 1024² matmul, ~10 s).
import { conv2d, matmul, noGrad, randn, manualSeed, type Tensor } from 'gradscope';
import { cnn, mlp, tiny, type Model } from './models';
import { tf, tfCnn, tfMlp, tfTiny, useBackend, type TfBackend, type TfModel } from './tfjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TF_CNN_ROUNDS = Number(process.env.BENCH_TF_CNN_ROUNDS ?? 3);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Engine { model: Model | TfModel | string; backend?: TfBackend; rates: number[] }

/**
 * Median steps/s per engine. Rounds are interleaved across engines, so background load on a
 * shared machine hits all of them alike; each round starts with one untimed step (tfjs moves its
 * variables when the backend switches), after `warm` untimed steps per engine at the start.
 */
async function compare(engines: Engine[], steps: (e: Engine) => number, rounds: number, warm: number): Promise<(number | string)[]> {
  const run = async (e: Engine, n: number, timed: boolean): Promise<void> => {
    if (typeof e.model === 'string') return;
    if (e.backend !== undefined) await useBackend(e.backend);
    try {
      e.model.step();
      for (let i = 0; i < n - 1; i++) e.model.step();
      if (!timed) return;
      const k = steps(e);
      const t0 = performance.now();
      for (let i = 0; i < k; i++) e.model.step();
      e.rates.push((k * 1000) / (performance.now() - t0));
    } catch (err) {
      e.model = `fails: ${String((err as Error).message ?? err).split('\n')[0]!.slice(0, 60)}`;
    }
  };
  for (const e of engines) await run(e, warm, false);
  for (let r = 0; r < rounds; r++) for (const e of engines) await run(e, 1, true);
  return engines.map((e) => (typeof e.model === 'string' ? e.model : median(e.rates)));
}

/** Our model plus the same model on tfjs-wasm and tfjs-cpu (each created on its backend). */
async function engines(ours: Model, tfMake: () => TfModel): Promise<Engine[]> {
  const list: Engine[] = [{ model: ours, rates: [] }];
  for (const backend of ['wasm', 'cpu'] as const) {
    await useBackend(backend);
    let model: TfModel | string;
    try {
      model = tfMake();
    } catch (err) {
      model = `fails: ${String((err as Error).message ?? err).slice(0, 60)}`;
    }
    list.push({ model, backend, rates: [] });
  }
  return list;
}

/** A kernel call timed like a training step (so `compare` interleaves it with the others). */
const call = (fn: () => void): Model => ({ step: () => { fn(); return 0; } });

const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
const rows: string[][] = [];
function row(...cells: string[]): void {
  rows.push(cells);
}
function printTable(): void {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd());
}
function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

const num = (v: number | string | undefined): number => (typeof v === 'number' ? v : NaN);
const show = (v: number | string | undefined, d = 1): string => (typeof v === 'number' ? f(v, d) : String(v));

row('benchmark', 'gradscope', 'tfjs-wasm', 'tfjs-cpu', 'ratio', 'target');

// ---- MLP ---------------------------------------------------------------------------------------
{
  const { model, data } = mlp();
  const es = await engines(model, () => tfMlp(data));
  const [ours, w, c] = await compare(es, (e) => (e.backend === 'cpu' ? 5 : e.backend === 'wasm' ? 20 : 40), ROUNDS, 5);
  const ratio = num(ours) / num(w);
  row('MLP 784-256-128-10 b64 (steps/s)', show(ours), show(w), show(c), `${f(ratio, 2)}× wasm`, `≥ 2× wasm: ${verdict(ratio >= 2)}`);
}

// ---- CNN ---------------------------------------------------------------------------------------
{
  const { model, data } = cnn();
  const es = await engines(model, () => tfCnn(data));
  const [ours, w, c] = await compare(es, (e) => (e.backend === 'cpu' ? 1 : 10), TF_CNN_ROUNDS, 1);
  const ratio = num(ours) / num(c);
  row('CNN 28×28 b32 (steps/s)', show(ours, 2), show(w, 3), show(c, 3), `${f(ratio, 1)}× cpu`, `≥ 50× cpu: ${verdict(ratio >= 50)}`);
}

// ---- 2-4-1 MLP (per-op overhead) ---------------------------------------------------------------
{
  const { model, data } = tiny();
  const es = await engines(model, () => tfTiny(data));
  const [ours, w, c] = (await compare(es, (e) => (e.backend === undefined ? 3000 : 300), ROUNDS, 300)).map((v) => 1e6 / num(v));
  const ratio = ours! / c!;
  row('2-4-1 MLP step (µs)', f(ours!), f(w!), f(c!), `${f(ratio, 3)}× cpu time`, `≤ 0.1× cpu: ${verdict(ratio <= 0.1)}`);
}

// ---- matmul GFLOP/s ----------------------------------------------------------------------------
for (const n of [256, 512, 1024]) {
  manualSeed(0);
  const a = randn([n, n]);
  const b = randn([n, n]);
  const flops = 2 * n * n * n;
  const reps = Math.max(1, Math.round(2e9 / flops / 4)); // calls per round: ~0.1 s at 20 GFLOP/s
  const es: Engine[] = [{ model: call(() => noGrad(() => matmul(a, b))), rates: [] }];
  const held: tf.Tensor[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    if (backend === 'cpu' && n === 1024 && process.env.BENCH_TF_CPU_1024 !== '1') continue;
    await useBackend(backend);
    const ta = tf.tensor2d(a.data, [n, n]);
    const tb = tf.tensor2d(b.data, [n, n]);
    held.push(ta, tb);
    es.push({ model: call(() => { const c = tf.matMul(ta, tb); c.dataSync(); c.dispose(); }), backend, rates: [] });
  }
  const [ours, w, c] = (await compare(es, (e) => (e.backend === 'cpu' ? 1 : reps), 3, 1)).map((v) => (num(v) * flops) / 1e9);
  held.forEach((t) => t.dispose());
  row(`matmul ${n}² (GFLOP/s)`, f(ours!), f(w!), f(c ?? NaN), `${f(ours! / w!, 2)}× wasm`, '');
}

// ---- conv GFLOP/s (the CNN's two layers, batch 32) ---------------------------------------------
for (const [C, O, HW] of [[1, 16, 28], [16, 32, 14]] as const) {
  manualSeed(0);
  const x = randn([32, C, HW, HW]).requiresGrad_();
  const w = randn([O, C, 3, 3]).requiresGrad_();
  const bias = randn([O]).requiresGrad_();
  const flops = 2 * 32 * O * HW * HW * C * 9;
  const y: Tensor = conv2d(x, w, bias, { padding: 1 });
  const gy = randn(y.shape as number[]);
  await useBackend('wasm');
  const tx = tf.transpose(tf.tensor4d(x.data, [32, C, HW, HW]), [0, 2, 3, 1]) as tf.Tensor4D;
  const tw = tf.transpose(tf.tensor4d(w.data, [O, C, 3, 3]), [2, 3, 1, 0]) as tf.Tensor4D;
  const reps = Math.max(2, Math.round(1e9 / flops / 4));
  const [fwd, bwd, tfw] = (await compare([
    { model: call(() => noGrad(() => conv2d(x, w, bias, { padding: 1 }))), rates: [] },
    // dX and dW each cost one forward's flops; retainGraph lets the same graph run again.
    { model: call(() => y.backward(gy, { retainGraph: true })), rates: [] },
    { model: call(() => { const r = tf.conv2d(tx, tw, 1, 'same'); r.dataSync(); r.dispose(); }), backend: 'wasm', rates: [] },
  ], () => reps, ROUNDS, 2)).map(num);
  tx.dispose();
  tw.dispose();
  row(`conv ${C}→${O} 3×3 ${HW}² b32 fwd (GFLOP/s)`, f((flops * fwd!) / 1e9), f((flops * tfw!) / 1e9), '', `${f(fwd! / tfw!, 2)}× wasm`, '');
  row(`conv ${C}→${O} 3×3 ${HW}² b32 bwd dX+dW (GFLOP/s)`, f((2 * flops * bwd!) / 1e9), 'no kernel', '', '', '');
}

printTable();
console.log(`(medians of ${ROUNDS} interleaved rounds after warm-up (matmul: 3); tfjs-cpu CNN: ${TF_CNN_ROUNDS} rounds of 1 step; tfjs-cpu 1024² matmul only with BENCH_TF_CPU_1024=1; tfjs-wasm has no Conv2DBackpropFilter so cannot train the CNN)`);
