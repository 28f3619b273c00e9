// One entry per registered primitive op: finite-difference checks of its backward on inputs
// sampled away from kinks and domain edges, over several shapes (broadcasting included), plus a
// coverage test that fails, naming the op, when a registered op has no entry here.
//
// Each case also asserts that the op it is filed under really ran (through the forward observer),
// so an entry cannot silently test something else.

import { describe, expect, it } from 'vitest';
import * as gs from '../../../core';
import { gradcheck, Generator, Tensor, tensor } from '../../../core';
import { opRegistry } from '../../../core/ops/op';
import { addObserver } from '../../../core/autograd/hooks';
import { indexSelect0 } from '../../../core/ops/shape-ops';
import { linear } from '../../../core/ops/linear';
import { conv2d } from '../../../core/ops/conv';
import { avgPool2d, maxPool2d } from '../../../core/ops/pool';
import { batchNorm, layerNorm } from '../../../core/ops/norm';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits } from '../../../core/ops/loss';
import { distinct as distinctTensor } from './samples';

// ---- input sampling (seeded, local generator so the cases do not depend on each other) ----------

const gen = new Generator(1234);

function fill(shape: number[], draw: () => number, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = draw();
  return new Tensor(d, shape, requiresGrad);
}

/** Uniform in [lo, hi). */
const u = (shape: number[], lo = -2, hi = 2, requiresGrad = true): Tensor => fill(shape, () => lo + (hi - lo) * gen.uniform(), requiresGrad);

/** Uniform in [lo, hi) but at least `margin` from every point in `kinks` (eps is 1e-3). */
function away(shape: number[], kinks: number[], lo = -2, hi = 2, margin = 0.05): Tensor {
  return fill(shape, () => {
    for (;;) {
      const v = lo + (hi - lo) * gen.uniform();
      if (kinks.every((k) => Math.abs(v - k) >= margin)) return v;
    }
  });
}

/** Magnitude in [lo, hi), random sign: away from zero (denominators, abs). */
const signed = (shape: number[], lo = 0.5, hi = 2): Tensor =>
  fill(shape, () => (lo + (hi - lo) * gen.uniform()) * (gen.uniform() < 0.5 ? -1 : 1));

const distinct = (shape: number[]): Tensor => distinctTensor(gen, shape);

/** A constant (not checked) tensor. */
const c = (data: number[][] | number[], shape?: number[]): Tensor => tensor(data, shape ? { shape } : {});

// ---- the table --------------------------------------------------------------------------------

interface Case {
  label: string;
  fn: (...inputs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
}

interface NonDifferentiable {
  nonDifferentiable: true;
  /** One call of the op, to show its output does not require grad even from inputs that do. */
  run: () => Tensor;
}

type Entry = Case[] | NonDifferentiable;

const binaryShapes: [number[], number[]][] = [[[2, 3], [2, 3]], [[2, 3], [3]], [[4, 1], [1, 5]], [[], [3]], [[2, 1, 3], [4, 1]]];

function binaryCases(name: string, f: (a: Tensor, b: Tensor) => Tensor, rhs: (s: number[]) => Tensor = (s) => u(s)): Case[] {
  return binaryShapes.map(([sa, sb]) => ({ label: `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, fn: f, inputs: () => [u(sa), rhs(sb)] }));
}

function unaryCases(name: string, f: (x: Tensor) => Tensor, sample: (s: number[]) => Tensor): Case[] {
  return [[], [5], [2, 3, 4]].map((s) => ({ label: `${name} ${JSON.stringify(s)}`, fn: f, inputs: () => [sample(s)] }));
}

const comparison = (f: (a: Tensor, b: Tensor) => Tensor): NonDifferentiable => ({
  nonDifferentiable: true,
  run: () => f(u([2, 3]), u([3])),
});

const TABLE: Record<string, Entry> = {
  // elementwise arithmetic (broadcasting)
  Add: [...binaryCases('add', (a, b) => a.add(b)), { label: 'add a number', fn: (a) => a.add(2.5), inputs: () => [u([3])] }],
  Sub: [...binaryCases('sub', (a, b) => a.sub(b)), { label: 'number minus tensor', fn: (a) => gs.sub(1, a), inputs: () => [u([2, 2])] }],
  Mul: [...binaryCases('mul', (a, b) => a.mul(b)), { label: 'x·x (fan-out into both operands)', fn: (a) => a.mul(a), inputs: () => [u([4])] }],
  Div: [...binaryCases('div', (a, b) => a.div(b), (s) => signed(s)), { label: 'number over tensor', fn: (a) => gs.div(2, a), inputs: () => [signed([3])] }],
  Pow: [
    { label: 'pow tensor^tensor [2,3]^[2,3]', fn: (a, b) => a.pow(b), inputs: () => [u([2, 3], 0.5, 2), u([2, 3], -1.5, 2)] },
    { label: 'pow broadcast [4,1]^[3]', fn: (a, b) => a.pow(b), inputs: () => [u([4, 1], 0.5, 2), u([3], -1.5, 2)] },
    { label: 'pow number^tensor', fn: (b) => gs.pow(2, b), inputs: () => [u([3])] },
  ],
  PowScalar: [
    { label: 'x^3', fn: (x) => x.pow(3), inputs: () => [u([2, 3])] },
    { label: 'x^2', fn: (x) => x.pow(2), inputs: () => [u([5])] },
    { label: 'x^0.5 on x > 0', fn: (x) => x.pow(0.5), inputs: () => [u([4], 0.3, 2)] },
    { label: 'x^-2 away from 0', fn: (x) => x.pow(-2), inputs: () => [signed([4])] },
    { label: 'x^0 has zero gradient', fn: (x) => x.pow(0), inputs: () => [u([3])] },
  ],
  Neg: unaryCases('neg', (x) => x.neg(), (s) => u(s)),
  Exp: unaryCases('exp', (x) => x.exp(), (s) => u(s)),
  Log: unaryCases('log', (x) => x.log(), (s) => u(s, 0.2, 3)),
  Sqrt: unaryCases('sqrt', (x) => x.sqrt(), (s) => u(s, 0.2, 3)),
  Abs: unaryCases('abs', (x) => x.abs(), (s) => away(s, [0])),
  Clamp: [
    { label: 'clamp(-0.5, 0.5) away from the bounds', fn: (x) => x.clamp(-0.5, 0.5), inputs: () => [away([3, 4], [-0.5, 0.5])] },
    { label: 'clamp(min only)', fn: (x) => x.clamp(0.2), inputs: () => [away([6], [0.2])] },
    { label: 'clamp(max only)', fn: (x) => x.clamp(null, -0.3), inputs: () => [away([6], [-0.3])] },
  ],
  Relu: unaryCases('relu', (x) => x.relu(), (s) => away(s, [0])),
  LeakyRelu: [
    ...unaryCases('leakyRelu default slope', (x) => x.leakyRelu(), (s) => away(s, [0])),
    { label: 'leakyRelu slope 0.2', fn: (x) => x.leakyRelu(0.2), inputs: () => [away([3, 3], [0])] },
  ],
  Gelu: unaryCases('gelu', (x) => x.gelu(), (s) => u(s, -3, 3)),
  Sigmoid: unaryCases('sigmoid', (x) => x.sigmoid(), (s) => u(s, -4, 4)),
  Tanh: unaryCases('tanh', (x) => x.tanh(), (s) => u(s, -2, 2)),
  Greater: comparison(gs.gt),
  Less: comparison(gs.lt),
  GreaterEqual: comparison(gs.ge),
  LessEqual: comparison(gs.le),
  Equal: comparison(gs.eq),
  Where: [
    { label: 'where same shapes', fn: (a, b) => gs.where(c([[1, 0, 1], [0, 0, 1]]), a, b), inputs: () => [u([2, 3]), u([2, 3])] },
    { label: 'where broadcast [2,3] vs [3] under a [2,1] condition', fn: (a, b) => gs.where(c([[1], [0]]), a, b), inputs: () => [u([2, 3]), u([3])] },
    { label: 'where with a number branch', fn: (a) => gs.where(c([1, 0, 1, 0]), a, 0), inputs: () => [u([4])] },
  ],

  // reductions
  Sum: [
    { label: 'sum all', fn: (x) => x.sum(), inputs: () => [u([3, 4])] },
    { label: 'sum dim 1', fn: (x) => x.sum(1), inputs: () => [u([2, 3, 4])] },
    { label: 'sum dims [0, 2] keepdim', fn: (x) => x.sum([0, 2], true), inputs: () => [u([2, 3, 4])] },
    { label: 'sum dim -1 of a 1-D tensor', fn: (x) => x.sum(-1), inputs: () => [u([7])] },
    { label: 'mean dim 0 (composite)', fn: (x) => x.mean(0), inputs: () => [u([4, 3])] },
    { label: 'var unbiased dim 1 (composite)', fn: (x) => x.var(1), inputs: () => [u([3, 5])] },
    { label: 'std biased all (composite)', fn: (x) => x.std(null, { unbiased: false }), inputs: () => [u([2, 4])] },
  ],
  Max: [
    { label: 'max all', fn: (x) => x.max(), inputs: () => [distinct([3, 4])] },
    { label: 'max dim 1', fn: (x) => x.max(1), inputs: () => [distinct([3, 4])] },
    { label: 'max dim 0 keepdim of 3-D', fn: (x) => x.max(0, true), inputs: () => [distinct([3, 2, 4])] },
    { label: 'max dim -1', fn: (x) => x.max(-1), inputs: () => [distinct([2, 5])] },
  ],
  Min: [
    { label: 'min all', fn: (x) => x.min(), inputs: () => [distinct([3, 4])] },
    { label: 'min dim 0', fn: (x) => x.min(0), inputs: () => [distinct([3, 4])] },
    { label: 'min dim -1 keepdim of 3-D', fn: (x) => x.min(-1, true), inputs: () => [distinct([2, 3, 4])] },
  ],
  ArgExtreme: { nonDifferentiable: true, run: () => u([3, 4]).argmax(1) },

  // shape ops
  Reshape: [
    { label: 'reshape [2,3,4] -> [6,-1]', fn: (x) => x.reshape([6, -1]).mul(c([1, 2, 3, 4])), inputs: () => [u([2, 3, 4])] },
    { label: 'flatten / unsqueeze / squeeze', fn: (x) => x.flatten(1).unsqueeze(0).squeeze(0).pow(2), inputs: () => [u([2, 2, 3])] },
  ],
  Permute: [
    { label: 'permute [2,0,1]', fn: (x, w) => x.permute([2, 0, 1]).mul(w), inputs: () => [u([2, 3, 4]), u([4, 2, 3], -1, 1, false)] },
    { label: 'transpose(-1, 0)', fn: (x) => x.transpose(-1, 0), inputs: () => [u([3, 5])] },
    { label: '.T', fn: (x) => x.T, inputs: () => [u([4, 2])] },
  ],
  Narrow: [
    { label: 'narrow dim 1', fn: (x) => x.narrow(1, 1, 2), inputs: () => [u([3, 4])] },
    { label: 'narrow dim -1 of 3-D, negative start', fn: (x) => x.narrow(-1, -3, 2), inputs: () => [u([2, 3, 4])] },
    { label: 'select dim 0 index -1', fn: (x) => x.select(0, -1), inputs: () => [u([3, 4])] },
  ],
  Cat: [
    { label: 'cat dim 0 of three', fn: (a, b, d) => gs.cat([a, b, d], 0), inputs: () => [u([2, 3]), u([1, 3]), u([3, 3])] },
    { label: 'cat dim -1', fn: (a, b) => gs.cat([a, b], -1), inputs: () => [u([2, 2]), u([2, 3])] },
    { label: 'cat with a constant', fn: (a) => gs.cat([a, c([[1, 2]])], 0), inputs: () => [u([2, 2])] },
    { label: 'stack dim 1', fn: (a, b) => gs.stack([a, b], 1), inputs: () => [u([2, 3]), u([2, 3])] },
  ],
  Expand: [
    { label: 'expand [3,1] -> [2,3,4]', fn: (x) => x.expand([2, 3, 4]), inputs: () => [u([3, 1])] },
    { label: 'expand with -1', fn: (x) => x.expand([-1, 5]), inputs: () => [u([2, 1])] },
  ],
  Clone: [{ label: 'clone', fn: (x) => x.clone().mul(x), inputs: () => [u([2, 3])] }],
  Gather: [
    { label: 'gather dim 1 with repeats', fn: (x) => x.gather(1, c([[0, 3], [1, 1], [2, 0]])), inputs: () => [u([3, 4])] },
    { label: 'gather dim 0', fn: (x) => x.gather(0, c([[2, 0, 1, 2]])), inputs: () => [u([3, 4])] },
  ],
  IndexSelect: [
    { label: 'indexSelect rows with repeats, 2-D index', fn: (x) => indexSelect0(x, c([[0, 2], [2, 1]])), inputs: () => [u([3, 4])] },
    { label: 'indexSelect from a 1-D tensor', fn: (x) => indexSelect0(x, c([4, 0, 4])), inputs: () => [u([5])] },
  ],

  // products
  MatMul: [
    { label: 'matmul [3,4]@[4,2]', fn: (a, b) => a.matmul(b), inputs: () => [u([3, 4]), u([4, 2])] },
    { label: 'matmul batched [2,3,4]@[2,4,5]', fn: (a, b) => a.matmul(b), inputs: () => [u([2, 3, 4]), u([2, 4, 5])] },
    { label: 'matmul broadcast [2,1,3,4]@[3,4,2]', fn: (a, b) => a.matmul(b), inputs: () => [u([2, 1, 3, 4]), u([3, 4, 2])] },
    { label: 'matmul 1-D @ 2-D', fn: (a, b) => a.matmul(b), inputs: () => [u([4]), u([4, 3])] },
    { label: 'matmul 2-D @ 1-D', fn: (a, b) => a.matmul(b), inputs: () => [u([3, 4]), u([4])] },
    { label: 'matmul 1-D @ 1-D', fn: (a, b) => a.matmul(b), inputs: () => [u([5]), u([5])] },
    { label: 'matmul batched @ 1-D', fn: (a, b) => a.matmul(b), inputs: () => [u([2, 3, 4]), u([4])] },
  ],
  Linear: [
    { label: 'linear [4,3] with bias', fn: (x, w, b) => linear(x, w, b), inputs: () => [u([4, 3]), u([2, 3]), u([2])] },
    { label: 'linear 3-D input, no bias', fn: (x, w) => linear(x, w), inputs: () => [u([2, 3, 4]), u([5, 4])] },
    { label: 'linear of a constant input', fn: (w, b) => linear(c([[1, 2, 3]]), w, b), inputs: () => [u([2, 3]), u([2])] },
  ],

  // softmax
  Softmax: [
    { label: 'softmax dim -1', fn: (x) => x.softmax(-1), inputs: () => [u([3, 4])] },
    { label: 'softmax dim 1 of 3-D', fn: (x) => x.softmax(1), inputs: () => [u([2, 3, 4])] },
    { label: 'softmax dim 0 of 1-D', fn: (x) => x.softmax(0), inputs: () => [u([5])] },
  ],
  LogSoftmax: [
    { label: 'logSoftmax dim -1', fn: (x) => x.logSoftmax(-1), inputs: () => [u([3, 4])] },
    { label: 'logSoftmax dim 0 of 3-D', fn: (x) => x.logSoftmax(0), inputs: () => [u([3, 2, 2])] },
  ],

  // layers
  Conv2d: [
    { label: 'conv2d [2,2,5,5] * [3,2,3,3] + bias', fn: (x, w, b) => conv2d(x, w, b), inputs: () => [u([2, 2, 5, 5]), u([3, 2, 3, 3]), u([3])] },
    { label: 'conv2d stride 2, padding 1, no bias', fn: (x, w) => conv2d(x, w, null, { stride: 2, padding: 1 }), inputs: () => [u([1, 2, 6, 5]), u([2, 2, 3, 3])] },
    { label: 'conv2d dilation 2, rectangular kernel', fn: (x, w, b) => conv2d(x, w, b, { dilation: 2, padding: [1, 0] }), inputs: () => [u([1, 1, 7, 6]), u([2, 1, 2, 3]), u([2])] },
    { label: 'conv2d groups 2', fn: (x, w) => conv2d(x, w, null, { groups: 2 }), inputs: () => [u([1, 4, 4, 4]), u([4, 2, 2, 2])] },
    { label: 'conv2d padding same with an even kernel, unbatched input', fn: (x, w) => conv2d(x, w, null, { padding: 'same' }), inputs: () => [u([2, 4, 4]), u([1, 2, 2, 2])] },
  ],
  MaxPool2d: [
    { label: 'maxPool2d 2x2', fn: (x) => maxPool2d(x, 2), inputs: () => [distinct([1, 2, 4, 4])] },
    { label: 'maxPool2d kernel 3, stride 2, padding 1 (overlapping windows)', fn: (x) => maxPool2d(x, 3, { stride: 2, padding: 1 }), inputs: () => [distinct([2, 1, 5, 5])] },
    { label: 'maxPool2d dilation 2, ceilMode, unbatched', fn: (x) => maxPool2d(x, 2, { dilation: 2, ceilMode: true, stride: 2 }), inputs: () => [distinct([1, 6, 7])] },
  ],
  AvgPool2d: [
    { label: 'avgPool2d 2x2', fn: (x) => avgPool2d(x, 2), inputs: () => [u([1, 2, 4, 4])] },
    { label: 'avgPool2d kernel 3, stride 2, padding 1, countIncludePad false', fn: (x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), inputs: () => [u([2, 1, 5, 5])] },
    { label: 'avgPool2d ceilMode, divisorOverride 3, unbatched', fn: (x) => avgPool2d(x, 2, { ceilMode: true, divisorOverride: 3 }), inputs: () => [u([1, 5, 5])] },
  ],
  BatchNorm: [
    { label: 'batchNorm training [4,3] with weight and bias', fn: (x, w, b) => batchNorm(x, null, null, { weight: w, bias: b, training: true }), inputs: () => [u([4, 3]), u([3]), u([3])] },
    { label: 'batchNorm training [2,3,2,2] without affine', fn: (x) => batchNorm(x, null, null, { training: true }), inputs: () => [u([2, 3, 2, 2])] },
    {
      label: 'batchNorm eval with running statistics',
      fn: (x, w, b, rm, rv) => batchNorm(x, rm!, rv!, { weight: w, bias: b, training: false }),
      inputs: () => [u([3, 2, 4]), u([2]), u([2]), u([2], -1, 1, false), u([2], 0.5, 2, false)],
    },
  ],
  LayerNorm: [
    { label: 'layerNorm over the last dim with weight and bias', fn: (x, w, b) => layerNorm(x, 4, { weight: w, bias: b }), inputs: () => [u([3, 4]), u([4]), u([4])] },
    { label: 'layerNorm over the last two dims without affine', fn: (x) => layerNorm(x, [2, 3]), inputs: () => [u([2, 2, 3])] },
  ],

  // losses (elementwise; the loss modules reduce)
  BinaryCrossEntropy: [
    { label: 'BCE of probabilities, gradients for input and target', fn: (x, y) => binaryCrossEntropy(x, y), inputs: () => [u([2, 3], 0.05, 0.95), u([2, 3], 0, 1)] },
  ],
  BinaryCrossEntropyWithLogits: [
    { label: 'BCE with logits', fn: (x, y) => binaryCrossEntropyWithLogits(x, y, null), inputs: () => [u([2, 3], -4, 4), u([2, 3], 0, 1)] },
    { label: 'BCE with logits and posWeight', fn: (x, y) => binaryCrossEntropyWithLogits(x, y, new Float32Array([0.5, 2, 3, 0.5, 2, 3])), inputs: () => [u([2, 3], -4, 4), u([2, 3], 0, 1)] },
  ],
};

// ---- the tests --------------------------------------------------------------------------------

/** Op names run during `fn`, in order. */
function opsRun(fn: () => void): string[] {
  const names: string[] = [];
  const remove = addObserver({ onForward: (e) => names.push(e.op) });
  try {
    fn();
  } finally {
    remove();
  }
  return names;
}

describe('gradcheck of every primitive op', () => {
  for (const [op, entry] of Object.entries(TABLE)) {
    if (Array.isArray(entry)) {
      describe(op, () => {
        for (const k of entry) {
          it(k.label, () => {
            const ran = opsRun(() => expect(gradcheck(k.fn, k.inputs())).toEqual({ ok: true }));
            expect(ran, `case "${k.label}" never ran op ${op}`).toContain(op);
          });
        }
      });
    } else {
      it(`${op} is not differentiable: it has no backward and its output never requires grad`, () => {
        expect(opRegistry.get(op)?.backward, `op ${op} is listed as non-differentiable but defines a backward`).toBeUndefined();
        let out: Tensor | undefined;
        const ran = opsRun(() => (out = entry.run()));
        expect(ran).toContain(op);
        expect(out!.requiresGrad).toBe(false);
        expect(out!.gradFn).toBeNull();
      });
    }
  }
});

describe('coverage', () => {
  it('every registered op has an entry in the table', () => {
    const missing = [...opRegistry.keys()].filter((name) => !(name in TABLE));
    expect(missing, `ops with no gradcheck entry: ${missing.join(', ')}`).toEqual([]);
  });

  it('every entry names a registered op, with a backward exactly when it is listed as differentiable', () => {
    for (const [name, entry] of Object.entries(TABLE)) {
      const def = opRegistry.get(name);
      expect(def, `table entry ${name} is not a registered op (renamed or removed?)`).toBeDefined();
      if (Array.isArray(entry)) {
        expect(def!.backward, `op ${name} has gradcheck cases but no backward`).toBeDefined();
        expect(entry.length, `op ${name} has no cases`).toBeGreaterThan(0);
      }
    }
  });
});
