// The Tensor: contiguous row-major float32 storage plus autograd bookkeeping. Every method is a
// thin call into the op functions in ops/, which own the math and the gradients.

import { normDim, numel, OpError, shapeStr, type Shape } from './shape';
import type { Node } from './autograd/node';
import { runBackward, type BackwardOptions } from './autograd/backward';
import * as ew from './ops/elementwise';
import * as red from './ops/reduce';
import * as sh from './ops/shape-ops';
import { matmul } from './ops/matmul';
import { softmax, logSoftmax } from './ops/softmax';

/** A tensor or a plain number (treated as a 0-d tensor that needs no gradient). */
export type Operand = Tensor | number;

let nextTensorId = 1;

/**
 * An n-dimensional array of float32 values (row-major) that records the ops producing it, so
 * `backward()` can compute gradients. Create one with `tensor([[1, 2], [3, 4]])`, `zeros([2, 3])`,
 * `randn([4, 8])`, …. PyTorch: `torch.Tensor`.
 */
export class Tensor {
  /** Unique id, stable for the tensor's life (used by the instrumentation to tell tensors apart). */
  readonly id = nextTensorId++;
  /** Row-major float32 values. Users may write them inside `noGrad` (e.g. manual weight updates). */
  data: Float32Array;
  readonly shape: readonly number[];
  /** Accumulated gradient of a leaf (or of a tensor that called `retainGrad()`), after backward. */
  grad: Tensor | null = null;
  private _requiresGrad = false;
  private _gradFn: Node | null = null;
  private _retainsGrad = false;

  constructor(data: Float32Array, shape: Shape, requiresGrad = false) {
    if (data.length !== numel(shape)) {
      throw new OpError('Tensor', `data has ${data.length} elements but shape ${shapeStr(shape)} needs ${numel(shape)}`);
    }
    this.data = data;
    // A frozen shape (typically another tensor's) cannot change: share it instead of copying per op.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this._requiresGrad = requiresGrad;
  }

  /** Internal: wraps freshly computed data without copying. */
  static _make(data: Float32Array, shape: Shape): Tensor {
    return new Tensor(data, shape);
  }

  /** Internal: called by `apply` when the op's output joins the graph. */
  _setGradFn(node: Node): void {
    this._gradFn = node;
    this._requiresGrad = true;
  }

  // ---- autograd state ------------------------------------------------------------------------

  /** Whether backward computes a gradient for this tensor. PyTorch: `requires_grad`. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(v: boolean) {
    if (this._gradFn !== null && !v) {
      throw new OpError('requiresGrad', 'cannot turn off requiresGrad on a non-leaf tensor; use detach() to cut it from the graph');
    }
    this._requiresGrad = v;
  }

  /** Sets requiresGrad in place and returns this tensor (PyTorch's `requires_grad_`). */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }

  /** The graph node that produced this tensor; null for leaves. */
  get gradFn(): Node | null {
    return this._gradFn;
  }

  get isLeaf(): boolean {
    return this._gradFn === null;
  }

  /** Keep `.grad` for this non-leaf tensor after backward (PyTorch's `retain_grad`). */
  retainGrad(): this {
    this._retainsGrad = true;
    return this;
  }

  get retainsGrad(): boolean {
    return this._retainsGrad;
  }

  /**
   * Backpropagates from this tensor. `gradient` is required unless the tensor holds one element.
   * The graph is freed afterwards; a second backward through it throws unless `retainGraph` was set.
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, gradient, options);
  }

  /** A tensor sharing this one's data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  // ---- inspection ----------------------------------------------------------------------------

  /** Number of dimensions (0 for a scalar). PyTorch: `ndim`. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of dimensions. PyTorch: `dim()`. */
  dim(): number {
    return this.shape.length;
  }

  /** Number of elements (the product of the shape). PyTorch: `numel()`. */
  numel(): number {
    return this.data.length;
  }

  /** The shape, or the size of dimension `dim` (negative counts from the end). PyTorch: `size()`. */
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    if (this.ndim === 0) throw new OpError('size', 'a 0-d tensor has no dimensions');
    return this.shape[normDim(dim, this.ndim, 'size')]!;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new OpError('item', `only a tensor with one element can be converted to a number; this one has shape ${shapeStr(this.shape)}`);
    }
    return this.data[0]!;
  }

  /** Nested arrays of numbers (a number for a 0-d tensor). */
  toArray(): number | unknown[] {
    if (this.shape.length === 0) return this.data[0]!;
    const build = (dim: number, offset: number, stride: number): unknown[] => {
      const n = this.shape[dim]!;
      const inner = stride / n;
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        out[i] = dim === this.shape.length - 1 ? this.data[offset + i] : build(dim + 1, offset + i * inner, inner);
      }
      return out;
    };
    return build(0, 0, this.data.length);
  }

  toString(): string {
    const body = this.data.length <= 20 ? JSON.stringify(this.toArray()) : `[${Array.from(this.data.subarray(0, 6)).join(', ')}, …]`;
    return `tensor(${body}, shape=${shapeStr(this.shape)}${this._gradFn ? `, gradFn=${this._gradFn.name}` : this._requiresGrad ? ', requiresGrad=true' : ''})`;
  }

  // ---- ops (see ops/ for the math and gradients) ---------------------------------------------

  /** A copy with its own data that stays in the graph (gradients flow back). PyTorch: `clone`. */
  clone(): Tensor { return sh.clone(this); }
  /** this + other elementwise, with broadcasting. PyTorch: `add` / `+`. */
  add(other: Operand): Tensor { return ew.add(this, other); }
  /** this − other elementwise, with broadcasting. PyTorch: `sub` / `-`. */
  sub(other: Operand): Tensor { return ew.sub(this, other); }
  /**
   * this · other elementwise (not the matrix product: see matmul), with broadcasting. PyTorch: `mul` / `*`.
   */
  mul(other: Operand): Tensor { return ew.mul(this, other); }
  /** this / other elementwise, with broadcasting. PyTorch: `div` / `/`. */
  div(other: Operand): Tensor { return ew.div(this, other); }
  /** this ^ exponent elementwise, with broadcasting. PyTorch: `pow` / `**`. */
  pow(exponent: Operand): Tensor { return ew.pow(this, exponent); }
  /** −this elementwise. PyTorch: `neg`. */
  neg(): Tensor { return ew.neg(this); }
  /** eˣ elementwise. PyTorch: `exp`. */
  exp(): Tensor { return ew.exp(this); }
  /** Natural log elementwise (log 0 = −Infinity, log of a negative = NaN). PyTorch: `log`. */
  log(): Tensor { return ew.log(this); }
  /** √x elementwise. PyTorch: `sqrt`. */
  sqrt(): Tensor { return ew.sqrt(this); }
  /** |x| elementwise. PyTorch: `abs`. */
  abs(): Tensor { return ew.abs(this); }
  /** Limits each value to [min, max] (either bound may be null). PyTorch: `clamp`. */
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }
  /** max(0, x) elementwise. PyTorch: `relu`. */
  relu(): Tensor { return ew.relu(this); }
  /** x for x > 0, negativeSlope·x otherwise. PyTorch: `F.leaky_relu`. */
  leakyRelu(negativeSlope = 0.01): Tensor { return ew.leakyRelu(this, negativeSlope); }
  /** x·Φ(x), Φ the standard normal CDF (exact erf form). PyTorch: `F.gelu`. */
  gelu(): Tensor { return ew.gelu(this); }
  /** 1 / (1 + e^(−x)) elementwise. PyTorch: `sigmoid`. */
  sigmoid(): Tensor { return ew.sigmoid(this); }
  /** tanh(x) elementwise. PyTorch: `tanh`. */
  tanh(): Tensor { return ew.tanh(this); }
  /** 1 where this > other, else 0 (float; no gradient), with broadcasting. PyTorch: `gt` / `>`. */
  gt(other: Operand): Tensor { return ew.gt(this, other); }
  /** 1 where this < other, else 0 (float; no gradient), with broadcasting. PyTorch: `lt` / `<`. */
  lt(other: Operand): Tensor { return ew.lt(this, other); }
  /** 1 where this ≥ other, else 0 (float; no gradient), with broadcasting. PyTorch: `ge` / `>=`. */
  ge(other: Operand): Tensor { return ew.ge(this, other); }
  /** 1 where this ≤ other, else 0 (float; no gradient), with broadcasting. PyTorch: `le` / `<=`. */
  le(other: Operand): Tensor { return ew.le(this, other); }
  /** 1 where this = other, else 0 (float; no gradient), with broadcasting. PyTorch: `eq` / `==`. */
  eq(other: Operand): Tensor { return ew.eq(this, other); }
  /** exp(x) / Σ exp(x) along `dim` (each slice sums to 1). PyTorch: `softmax`. */
  softmax(dim: number): Tensor { return softmax(this, dim); }
  /** log(softmax(x)) along `dim`, computed stably. PyTorch: `log_softmax`. */
  logSoftmax(dim: number): Tensor { return logSoftmax(this, dim); }
  /**
   * Matrix product: [n, k]·[k, m] → [n, m]; 1-D operands as vectors, batch dims broadcast. PyTorch: `matmul` / `@`.
   */
  matmul(other: Tensor): Tensor { return matmul(this, other); }
  /** Sum over `dim` (a dim, dims, or all when omitted), dropping them unless keepdim. PyTorch: `sum`. */
  sum(dim?: number | readonly number[] | null, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  /**
   * Mean over `dim` (a dim, dims, or all when omitted), dropping them unless keepdim. PyTorch: `mean`.
   */
  mean(dim?: number | readonly number[] | null, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  /**
   * Largest value over `dim` (all when omitted). PyTorch: `amax` (torch.max(dim) also returns indices: see argmax).
   */
  max(dim?: number | null, keepdim = false): Tensor { return red.max(this, dim, keepdim); }
  /**
   * Smallest value over `dim` (all when omitted). PyTorch: `amin` (torch.min(dim) also returns indices: see argmin).
   */
  min(dim?: number | null, keepdim = false): Tensor { return red.min(this, dim, keepdim); }
  /**
   * Index of the largest value over `dim` (of the flattened tensor when omitted), as float. PyTorch: `argmax`.
   */
  argmax(dim?: number | null, keepdim = false): Tensor { return red.argmax(this, dim, keepdim); }
  /**
   * Index of the smallest value over `dim` (of the flattened tensor when omitted), as float. PyTorch: `argmin`.
   */
  argmin(dim?: number | null, keepdim = false): Tensor { return red.argmin(this, dim, keepdim); }
  /** Variance over `dim` (all when omitted), unbiased (N − 1) by default. PyTorch: `var`. */
  var(dim?: number | readonly number[] | null, options?: red.VarOptions): Tensor { return red.variance(this, dim, options); }
  /** Standard deviation over `dim` (all when omitted), unbiased (N − 1) by default. PyTorch: `std`. */
  std(dim?: number | readonly number[] | null, options?: red.VarOptions): Tensor { return red.std(this, dim, options); }
  /** The same values in a new shape (one dim may be −1: inferred). PyTorch: `reshape`. */
  reshape(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  /** Same as reshape (tensors here are always contiguous). PyTorch: `view`. */
  view(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  /** Swaps dims dim0 and dim1. PyTorch: `transpose`. */
  transpose(dim0: number, dim1: number): Tensor { return sh.transpose(this, dim0, dim1); }
  /** Reorders the dims: result dim i is this tensor's dim dims[i]. PyTorch: `permute`. */
  permute(dims: readonly number[]): Tensor { return sh.permute(this, dims); }
  /** Merges dims startDim..endDim into one (all by default: a 1-D tensor). PyTorch: `flatten`. */
  flatten(startDim = 0, endDim = -1): Tensor { return sh.flatten(this, startDim, endDim); }
  /** Removes size-1 dims (only `dim` when given). PyTorch: `squeeze`. */
  squeeze(dim?: number): Tensor { return sh.squeeze(this, dim); }
  /** Inserts a size-1 dim at `dim`. PyTorch: `unsqueeze`. */
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  /** The slice at `index` along `dim`, which is removed (x[:, i] is select(1, i)). PyTorch: `select`. */
  select(dim: number, index: number): Tensor { return sh.select(this, dim, index); }
  /**
   * The `length` entries from `start` along `dim` (x[:, a:a+n] is narrow(1, a, n)). PyTorch: `narrow`.
   */
  narrow(dim: number, start: number, length: number): Tensor { return sh.narrow(this, dim, start, length); }
  /** Broadcasts size-1 dims to `shape` (−1 keeps a dim); copies here. PyTorch: `expand`. */
  expand(shape: readonly number[]): Tensor { return sh.expand(this, shape); }
  /**
   * Values picked along `dim` at the integer-valued `index` (same rank; result shaped like index). PyTorch: `gather`.
   */
  gather(dim: number, index: Tensor): Tensor { return sh.gather(this, dim, index); }
  /** The matrix transpose of a 2-D tensor (PyTorch's `.T` for matrices). */
  get T(): Tensor { return sh.transpose(this, 0, -1); }
}
