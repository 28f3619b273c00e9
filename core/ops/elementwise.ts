// Elementwise ops: binary ops broadcast (NumPy rules), unary ops map. Each primitive's forward
// and backward sit together. Backward runs with grad mode off and composes other ops freely.

import { Tensor, type Operand } from '../tensor';
import { OpError, broadcastShapes, numel } from '../shape';
import { apply, defineOp, type BackwardContext } from './op';
import { broadcastBinary, expandData, type RowFn } from './broadcast';
import { sumTo } from './reduce';
import { erf } from './special';
import { reluBackward, reluForward } from '../kernels/elementwise';

/** Wraps a number operand as a 0-d tensor; rejects anything else by name. */
export function asTensor(x: Operand, op: string, what = 'operand'): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return new Tensor(new Float32Array([x]), []);
  throw new OpError(op, `${what} must be a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
}

/** True when input i of the node needs a gradient (skip the work otherwise). */
const needs = (ctx: BackwardContext<unknown, unknown>, i: number): boolean => ctx.inputs[i]!.requiresGrad;

// ---- binary arithmetic ------------------------------------------------------------------------

const rowAdd: RowFn = (A, pa, sa, B, pb, sb, O, po, n) => { for (let i = 0; i < n; i++) O[po + i] = A[pa + i * sa]! + B[pb + i * sb]!; };
const rowSub: RowFn = (A, pa, sa, B, pb, sb, O, po, n) => { for (let i = 0; i < n; i++) O[po + i] = A[pa + i * sa]! - B[pb + i * sb]!; };
const rowMul: RowFn = (A, pa, sa, B, pb, sb, O, po, n) => { for (let i = 0; i < n; i++) O[po + i] = A[pa + i * sa]! * B[pb + i * sb]!; };
const rowDiv: RowFn = (A, pa, sa, B, pb, sb, O, po, n) => { for (let i = 0; i < n; i++) O[po + i] = A[pa + i * sa]! / B[pb + i * sb]!; };
const rowPow: RowFn = (A, pa, sa, B, pb, sb, O, po, n) => { for (let i = 0; i < n; i++) O[po + i] = Math.pow(A[pa + i * sa]!, B[pb + i * sb]!); };

export const Add = defineOp({
  name: 'Add',
  forward: ([a, b]) => broadcastBinary(a!, b!, 'add', rowAdd),
  backward: (g, ctx) => [needs(ctx, 0) ? sumTo(g, ctx.inputs[0]!.shape) : null, needs(ctx, 1) ? sumTo(g, ctx.inputs[1]!.shape) : null],
});

export const Sub = defineOp({
  name: 'Sub',
  forward: ([a, b]) => broadcastBinary(a!, b!, 'sub', rowSub),
  backward: (g, ctx) => [needs(ctx, 0) ? sumTo(g, ctx.inputs[0]!.shape) : null, needs(ctx, 1) ? sumTo(neg(g), ctx.inputs[1]!.shape) : null],
});

export const Mul = defineOp({
  name: 'Mul',
  forward: ([a, b]) => broadcastBinary(a!, b!, 'mul', rowMul),
  backward: (g, ctx) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    return [needs(ctx, 0) ? sumTo(mul(g, b), a.shape) : null, needs(ctx, 1) ? sumTo(mul(g, a), b.shape) : null];
  },
});

export const Div = defineOp({
  name: 'Div',
  forward: ([a, b]) => broadcastBinary(a!, b!, 'div', rowDiv),
  backward: (g, ctx) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    const ga = needs(ctx, 0) ? div(g, b) : null;
    // d(a/b)/db = -a/b² = -out/b
    const gb = needs(ctx, 1) ? neg(div(mul(g, ctx.output), b)) : null;
    return [ga && sumTo(ga, a.shape), gb && sumTo(gb, b.shape)];
  },
});

export const PowTensor = defineOp({
  name: 'Pow',
  forward: ([a, b]) => broadcastBinary(a!, b!, 'pow', rowPow),
  backward: (g, ctx) => {
    const [a, b] = ctx.inputs as [Tensor, Tensor];
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (needs(ctx, 0)) {
      // NOTE: PyTorch defines the gradient as 0 where the exponent is 0 (even at a = 0).
      const d = broadcastBinary(a, b, 'pow', (A, pa, sa, B, pb, sb, O, po, n) => {
        for (let i = 0; i < n; i++) { const e = B[pb + i * sb]!; O[po + i] = e === 0 ? 0 : e * Math.pow(A[pa + i * sa]!, e - 1); }
      });
      ga = sumTo(mul(g, d), a.shape);
    }
    if (needs(ctx, 1)) {
      // NOTE: d(a^b)/db = a^b·ln a; PyTorch masks it to 0 where a = 0 and b >= 0 (the limit).
      const d = broadcastBinary(a, b, 'pow', (A, pa, sa, B, pb, sb, O, po, n) => {
        for (let i = 0; i < n; i++) { const x = A[pa + i * sa]!; const e = B[pb + i * sb]!; O[po + i] = x === 0 && e >= 0 ? 0 : Math.pow(x, e) * Math.log(x); }
      });
      gb = sumTo(mul(g, d), b.shape);
    }
    return [ga, gb];
  },
});

export function add(a: Operand, b: Operand): Tensor { return apply(Add, [asTensor(a, 'add'), asTensor(b, 'add')], undefined); }
export function sub(a: Operand, b: Operand): Tensor { return apply(Sub, [asTensor(a, 'sub'), asTensor(b, 'sub')], undefined); }
export function mul(a: Operand, b: Operand): Tensor { return apply(Mul, [asTensor(a, 'mul'), asTensor(b, 'mul')], undefined); }
export function div(a: Operand, b: Operand): Tensor { return apply(Div, [asTensor(a, 'div'), asTensor(b, 'div')], undefined); }

/** a ** exponent; a number exponent uses the cheaper scalar-power op. */
export function pow(a: Operand, exponent: Operand): Tensor {
  if (typeof exponent === 'number' && a instanceof Tensor) return apply(PowScalar, [a], exponent);
  return apply(PowTensor, [asTensor(a, 'pow'), asTensor(exponent, 'pow', 'exponent')], undefined);
}

// ---- unary maps -------------------------------------------------------------------------------

/** Allocates the output of a unary map over x. */
function mapped(x: Tensor, f: (X: Float32Array, O: Float32Array) => void): Tensor {
  const O = new Float32Array(x.data.length);
  f(x.data, O);
  return Tensor._make(O, x.shape);
}

export const Neg = defineOp({
  name: 'Neg',
  forward: ([x]) => mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = -X[i]!; }),
  backward: (g) => [neg(g)],
});

export const Exp = defineOp({
  name: 'Exp',
  forward: ([x]) => mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.exp(X[i]!); }),
  backward: (g, { output }) => [mul(g, output)],
});

export const Log = defineOp({
  name: 'Log',
  forward: ([x]) => mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.log(X[i]!); }),
  backward: (g, { inputs: [x] }) => [div(g, x!)],
});

export const Sqrt = defineOp({
  name: 'Sqrt',
  forward: ([x]) => mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.sqrt(X[i]!); }),
  backward: (g, { output }) => [div(g, mul(output, 2))],
});

export const Abs = defineOp({
  name: 'Abs',
  forward: ([x]) => mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.abs(X[i]!); }),
  // NOTE: sign(0) = 0, PyTorch's subgradient at the kink.
  backward: (g, { inputs: [x] }) => [mul(g, mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.sign(X[i]!); }))],
});

export const PowScalar = defineOp<number>({
  name: 'PowScalar',
  forward: ([x], p) => mapped(x!, (X, O) => {
    if (p === 2) for (let i = 0; i < X.length; i++) O[i] = X[i]! * X[i]!;
    else for (let i = 0; i < X.length; i++) O[i] = Math.pow(X[i]!, p);
  }),
  // NOTE: PyTorch's gradient is 0 everywhere for exponent 0.
  backward: (g, { inputs: [x], attrs: p }) => [p === 0 ? mul(g, 0) : mul(g, mapped(x!, (X, O) => {
    for (let i = 0; i < X.length; i++) O[i] = p * Math.pow(X[i]!, p - 1);
  }))],
});

interface ClampAttrs { min: number; max: number }
export const Clamp = defineOp<ClampAttrs>({
  name: 'Clamp',
  forward: ([x], { min, max }) => mapped(x!, (X, O) => {
    // min(max(x, min), max) as PyTorch: max wins when min > max; NaN stays NaN.
    for (let i = 0; i < X.length; i++) { const v = X[i]! < min ? min : X[i]!; O[i] = v > max ? max : v; }
  }),
  // NOTE: the gradient passes where min <= x <= max (inclusive at the bounds, as PyTorch).
  backward: (g, { inputs: [x], attrs: { min, max } }) => [mul(g, mapped(x!, (X, O) => {
    for (let i = 0; i < X.length; i++) O[i] = X[i]! >= min && X[i]! <= max ? 1 : 0;
  }))],
});

export const Relu = defineOp({
  name: 'Relu',
  forward: ([x]) => Tensor._make(reluForward(x!.data), x!.shape),
  // NOTE: relu'(0) = 0, and a NaN output passes the gradient: PyTorch's threshold_backward,
  // `output <= 0 ? 0 : grad` (a select, so a NaN grad at a dead unit still gives 0). Fused in
  // one pass (kernels/elementwise.ts) because the mask-then-multiply form was a hot spot.
  backward: (g, { output }) => [Tensor._make(reluBackward(output.data, g.data), g.shape)],
});

export const LeakyRelu = defineOp<number>({
  name: 'LeakyRelu',
  forward: ([x], slope) => mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = X[i]! > 0 ? X[i]! : X[i]! * slope; }),
  // NOTE: at x = 0 the slope is negativeSlope, as in PyTorch (x > 0 ? 1 : slope).
  backward: (g, { inputs: [x], attrs: slope }) => [mul(g, mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = X[i]! > 0 ? 1 : slope; }))],
});

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const Gelu = defineOp({
  name: 'Gelu',
  // Exact form x·Φ(x) with Φ(x) = (1 + erf(x/√2))/2, PyTorch's default (approximate='none').
  forward: ([x]) => mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) { const v = X[i]!; O[i] = 0.5 * v * (1 + erf(v * SQRT1_2)); } }),
  backward: (g, { inputs: [x] }) => [mul(g, mapped(x!, (X, O) => {
    for (let i = 0; i < X.length; i++) { const v = X[i]!; O[i] = 0.5 * (1 + erf(v * SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v); }
  }))],
});

export const Sigmoid = defineOp({
  name: 'Sigmoid',
  // Two branches so exp never overflows.
  forward: ([x]) => mapped(x!, (X, O) => {
    for (let i = 0; i < X.length; i++) { const v = X[i]!; if (v >= 0) O[i] = 1 / (1 + Math.exp(-v)); else { const e = Math.exp(v); O[i] = e / (1 + e); } }
  }),
  backward: (g, { output }) => [mul(g, mapped(output, (Y, O) => { for (let i = 0; i < Y.length; i++) O[i] = Y[i]! * (1 - Y[i]!); }))],
});

export const Tanh = defineOp({
  name: 'Tanh',
  forward: ([x]) => mapped(x!, (X, O) => { for (let i = 0; i < X.length; i++) O[i] = Math.tanh(X[i]!); }),
  backward: (g, { output }) => [mul(g, mapped(output, (Y, O) => { for (let i = 0; i < Y.length; i++) O[i] = 1 - Y[i]! * Y[i]!; }))],
});

function unaryTensor(x: Tensor, op: string): Tensor {
  if (!(x instanceof Tensor)) throw new OpError(op, `expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  return x;
}
export function neg(x: Tensor): Tensor { return apply(Neg, [unaryTensor(x, 'neg')], undefined); }
export function exp(x: Tensor): Tensor { return apply(Exp, [unaryTensor(x, 'exp')], undefined); }
export function log(x: Tensor): Tensor { return apply(Log, [unaryTensor(x, 'log')], undefined); }
export function sqrt(x: Tensor): Tensor { return apply(Sqrt, [unaryTensor(x, 'sqrt')], undefined); }
export function abs(x: Tensor): Tensor { return apply(Abs, [unaryTensor(x, 'abs')], undefined); }
export function relu(x: Tensor): Tensor { return apply(Relu, [unaryTensor(x, 'relu')], undefined); }
export function gelu(x: Tensor): Tensor { return apply(Gelu, [unaryTensor(x, 'gelu')], undefined); }
export function sigmoid(x: Tensor): Tensor { return apply(Sigmoid, [unaryTensor(x, 'sigmoid')], undefined); }
export function tanh(x: Tensor): Tensor { return apply(Tanh, [unaryTensor(x, 'tanh')], undefined); }
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  if (typeof negativeSlope !== 'number' || Number.isNaN(negativeSlope)) throw new OpError('leakyRelu', `negativeSlope must be a number, got ${String(negativeSlope)}`);
  return apply(LeakyRelu, [unaryTensor(x, 'leakyRelu')], negativeSlope);
}
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new OpError('clamp', 'at least one of min and max must be given');
  }
  return apply(Clamp, [unaryTensor(x, 'clamp')], { min: min ?? -Infinity, max: max ?? Infinity });
}

// ---- comparisons (0/1 floats, no gradient) ------------------------------------------------------

function comparison(name: string, fn: string, test: (x: number, y: number) => boolean) {
  const row: RowFn = (A, pa, sa, B, pb, sb, O, po, n) => { for (let i = 0; i < n; i++) O[po + i] = test(A[pa + i * sa]!, B[pb + i * sb]!) ? 1 : 0; };
  const op = defineOp({ name, forward: ([a, b]) => broadcastBinary(a!, b!, fn, row) });
  return (a: Operand, b: Operand): Tensor => apply(op, [asTensor(a, fn), asTensor(b, fn)], undefined);
}
export const gt = comparison('Greater', 'gt', (x, y) => x > y);
export const lt = comparison('Less', 'lt', (x, y) => x < y);
export const ge = comparison('GreaterEqual', 'ge', (x, y) => x >= y);
export const le = comparison('LessEqual', 'le', (x, y) => x <= y);
export const eq = comparison('Equal', 'eq', (x, y) => x === y);

// ---- where ------------------------------------------------------------------------------------

/** Copies `src` where mask is nonzero (or zero, with `invert`), 0 elsewhere; all same length. */
function masked(mask: Float32Array, src: Float32Array, invert: boolean): Float32Array {
  const O = new Float32Array(src.length);
  for (let i = 0; i < O.length; i++) if ((mask[i] !== 0) !== invert) O[i] = src[i]!;
  return O;
}

export const Where = defineOp({
  name: 'Where',
  forward: ([c, a, b]) => {
    const shape = broadcastShapes(broadcastShapes(c!.shape, a!.shape, 'where'), b!.shape, 'where');
    const C = expandData(c!, shape);
    const A = expandData(a!, shape);
    const B = expandData(b!, shape);
    const O = new Float32Array(numel(shape));
    for (let i = 0; i < O.length; i++) O[i] = C[i] !== 0 ? A[i]! : B[i]!;
    return Tensor._make(O, shape);
  },
  backward: (g, ctx) => {
    const [c, a, b] = ctx.inputs as [Tensor, Tensor, Tensor];
    const C = expandData(c, g.shape);
    return [
      null,
      needs(ctx, 1) ? sumTo(Tensor._make(masked(C, g.data, false), g.shape), a.shape) : null,
      needs(ctx, 2) ? sumTo(Tensor._make(masked(C, g.data, true), g.shape), b.shape) : null,
    ];
  },
});

/** Elementwise `condition ? a : b` (condition nonzero = true), broadcasting all three. */
export function where(condition: Tensor, a: Operand, b: Operand): Tensor {
  return apply(Where, [asTensor(condition, 'where', 'condition'), asTensor(a, 'where'), asTensor(b, 'where')], undefined);
}
