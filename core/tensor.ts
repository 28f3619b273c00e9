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

  get ndim(): number {
    return this.shape.length;
  }

  dim(): number {
    return this.shape.length;
  }

  numel(): number {
    return this.data.length;
  }

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

  clone(): Tensor { return sh.clone(this); }
  add(other: Operand): Tensor { return ew.add(this, other); }
  sub(other: Operand): Tensor { return ew.sub(this, other); }
  mul(other: Operand): Tensor { return ew.mul(this, other); }
  div(other: Operand): Tensor { return ew.div(this, other); }
  pow(exponent: Operand): Tensor { return ew.pow(this, exponent); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }
  relu(): Tensor { return ew.relu(this); }
  leakyRelu(negativeSlope = 0.01): Tensor { return ew.leakyRelu(this, negativeSlope); }
  gelu(): Tensor { return ew.gelu(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  tanh(): Tensor { return ew.tanh(this); }
  gt(other: Operand): Tensor { return ew.gt(this, other); }
  lt(other: Operand): Tensor { return ew.lt(this, other); }
  ge(other: Operand): Tensor { return ew.ge(this, other); }
  le(other: Operand): Tensor { return ew.le(this, other); }
  eq(other: Operand): Tensor { return ew.eq(this, other); }
  softmax(dim: number): Tensor { return softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return logSoftmax(this, dim); }
  matmul(other: Tensor): Tensor { return matmul(this, other); }
  sum(dim?: number | readonly number[] | null, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | readonly number[] | null, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  max(dim?: number | null, keepdim = false): Tensor { return red.max(this, dim, keepdim); }
  min(dim?: number | null, keepdim = false): Tensor { return red.min(this, dim, keepdim); }
  argmax(dim?: number | null, keepdim = false): Tensor { return red.argmax(this, dim, keepdim); }
  argmin(dim?: number | null, keepdim = false): Tensor { return red.argmin(this, dim, keepdim); }
  var(dim?: number | readonly number[] | null, options?: red.VarOptions): Tensor { return red.variance(this, dim, options); }
  std(dim?: number | readonly number[] | null, options?: red.VarOptions): Tensor { return red.std(this, dim, options); }
  reshape(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  view(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  transpose(dim0: number, dim1: number): Tensor { return sh.transpose(this, dim0, dim1); }
  permute(dims: readonly number[]): Tensor { return sh.permute(this, dims); }
  flatten(startDim = 0, endDim = -1): Tensor { return sh.flatten(this, startDim, endDim); }
  squeeze(dim?: number): Tensor { return sh.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return sh.unsqueeze(this, dim); }
  select(dim: number, index: number): Tensor { return sh.select(this, dim, index); }
  narrow(dim: number, start: number, length: number): Tensor { return sh.narrow(this, dim, start, length); }
  expand(shape: readonly number[]): Tensor { return sh.expand(this, shape); }
  gather(dim: number, index: Tensor): Tensor { return sh.gather(this, dim, index); }
  /** The matrix transpose of a 2-D tensor (PyTorch's `.T` for matrices). */
  get T(): Tensor { return sh.transpose(this, 0, -1); }
}
