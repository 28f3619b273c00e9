// Small synthetic data sets for the examples, generated from the seeded RNG (no downloads).
import { Tensor, randn, tensor } from 'gradscope';

/** Two interleaved spirals in 2-D: [n, 2] points and [n] class labels 0/1. */
export function spirals(n: number): { x: Tensor; y: Tensor } {
  const noise = randn([n, 2]).data;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const r = (i / n) * 3 + 0.3;
    const theta = r * 2.5 + label * Math.PI;
    xs.push(r * Math.cos(theta) + 0.1 * noise[2 * i]!, r * Math.sin(theta) + 0.1 * noise[2 * i + 1]!);
    ys.push(label);
  }
  return { x: tensor(xs, { shape: [n, 2] }), y: tensor(ys) };
}

/**
 * A noisy linear regression problem: y = x·w + 0.1·noise for standard-normal features; with
 * `scale` > 1 the first feature is then recorded in other units (multiplied by `scale`), as raw
 * data often is.
 */
export function regression(n: number, features: number, scale = 1): { x: Tensor; y: Tensor } {
  const x = randn([n, features]);
  const w = randn([features, 1]);
  const y = x.matmul(w).add(randn([n, 1]).mul(0.1));
  for (let i = 0; i < x.data.length; i += features) x.data[i]! *= scale;
  return { x, y };
}
