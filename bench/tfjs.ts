// The same models as bench/models.ts in TensorFlow.js 4.22 (cpu = pure JS, wasm = XNNPACK SIMD),
// built from the same data and initial weights. The wasm backend's .wasm files load from
// node_modules (offline). Layout is each engine's native one: NCHW for us, NHWC for tfjs.
import * as tf from '@tensorflow/tfjs-core';
// The union package @tensorflow/tfjs registers the gradients; with tfjs-core alone we do.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import type { CnnData, MlpData, TinyData } from './models';

export type TfBackend = 'cpu' | 'wasm';
export { tf };

let wasmPathSet = false;
export async function useBackend(b: TfBackend): Promise<void> {
  if (b === 'wasm' && !wasmPathSet) {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    // Served from node_modules through the platform fetch (Node's fetch cannot read files).
    const platform = tf.env().platform as { fetch(path: string, init?: unknown): Promise<Response> };
    const fetchUrl = platform.fetch.bind(platform);
    platform.fetch = async (path, init) => (path.startsWith(dir) ? new Response(readFileSync(path)) : fetchUrl(path, init));
    setWasmPaths(`${dir}/`, true);
    wasmPathSet = true;
  }
  tf.env().set('PROD', true); // as a deployed app runs it: no debug checks or deprecation warnings
  if (!(await tf.setBackend(b))) throw new Error(`tfjs backend ${b} did not initialise`);
  await tf.ready();
}

/** One training step; returns the loss. `dispose` frees the model's variables. */
export interface TfModel { step(): number; dispose(): void }

// Our Linear weight is [out, in]; tfjs multiplies by [in, out].
const linearW = (w: Float32Array, out: number, inF: number): tf.Variable => tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(w, [out, inF]))));

function trainer(vars: tf.Variable[], opt: tf.Optimizer, loss: () => tf.Scalar): TfModel {
  return {
    step() {
      const l = opt.minimize(loss, true, vars)!;
      const v = l.dataSync()[0]!;
      l.dispose();
      return v;
    },
    dispose() {
      for (const v of vars) v.dispose();
      opt.dispose();
    },
  };
}

export function tfMlp(d: MlpData): TfModel {
  const x = tf.tensor2d(d.x, [d.batch, 784]);
  const y = tf.oneHot(tf.tensor1d(d.labels, 'int32'), 10);
  const [w1, w2, w3] = [linearW(d.w[0]!, 256, 784), linearW(d.w[1]!, 128, 256), linearW(d.w[2]!, 10, 128)];
  const [b1, b2, b3] = [tf.variable(tf.tensor1d(d.b[0]!)), tf.variable(tf.tensor1d(d.b[1]!)), tf.variable(tf.tensor1d(d.b[2]!))];
  const m = trainer([w1, b1, w2, b2, w3, b3], tf.train.sgd(0.01), () => {
    const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
    return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h2, w3), b3)) as tf.Scalar;
  });
  return { step: m.step, dispose: () => { m.dispose(); x.dispose(); y.dispose(); } };
}

export function tfCnn(d: CnnData): TfModel {
  // NCHW data → NHWC; conv weights [O, C, kH, kW] → [kH, kW, C, O].
  const x = tf.tidy(() => tf.transpose(tf.tensor4d(d.x, [d.batch, 1, 28, 28]), [0, 2, 3, 1])) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d(d.labels, 'int32'), 10);
  const f1 = tf.variable(tf.tidy(() => tf.transpose(tf.tensor4d(d.conv1, [16, 1, 3, 3]), [2, 3, 1, 0]))) as tf.Variable<tf.Rank.R4>;
  const f2 = tf.variable(tf.tidy(() => tf.transpose(tf.tensor4d(d.conv2, [32, 16, 3, 3]), [2, 3, 1, 0]))) as tf.Variable<tf.Rank.R4>;
  const c1 = tf.variable(tf.tensor1d(d.convB1));
  const c2 = tf.variable(tf.tensor1d(d.convB2));
  const w = linearW(d.fc, 10, 1568);
  const b = tf.variable(tf.tensor1d(d.fcB));
  const m = trainer([f1, c1, f2, c2, w, b], tf.train.sgd(0.01), () => {
    const h1 = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, f1, 1, 'same'), c1)) as tf.Tensor4D, 2, 2, 'valid');
    const h2 = tf.maxPool(tf.relu(tf.add(tf.conv2d(h1, f2, 1, 'same'), c2)) as tf.Tensor4D, 2, 2, 'valid');
    const logits = tf.add(tf.matMul(tf.reshape(h2, [d.batch, 1568]), w), b);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  });
  return { step: m.step, dispose: () => { m.dispose(); x.dispose(); y.dispose(); } };
}

export function tfTiny(d: TinyData): TfModel {
  const x = tf.tensor2d(d.x, [4, 2]);
  const y = tf.tensor2d(d.y, [4, 1]);
  const w1 = linearW(d.w1, 4, 2);
  const b1 = tf.variable(tf.tensor1d(d.b1));
  const w2 = linearW(d.w2, 1, 4);
  const b2 = tf.variable(tf.tensor1d(d.b2));
  const m = trainer([w1, b1, w2, b2], tf.train.momentum(0.1, 0.9), () => {
    const h = tf.tanh(tf.add(tf.matMul(x, w1), b1));
    return tf.losses.meanSquaredError(y, tf.add(tf.matMul(h, w2), b2)) as tf.Scalar;
  });
  return { step: m.step, dispose: () => { m.dispose(); x.dispose(); y.dispose(); } };
}
