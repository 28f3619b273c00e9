// Recurrent layers with PyTorch's parameters, formulas and shapes: nn.RNN, nn.LSTM, nn.GRU.
//
// Each layer (and direction) computes its input projection x·W_ihᵀ + b_ih for every time step
// in one matmul, then runs the recurrence one step at a time from ordinary ops. Nothing is fused
// across time: every step's hidden state is its own tensor in the graph, so backpropagation
// through time passes through each of them and the instrumentation can measure the gradient
// reaching each step (see `runDirection`).

import { currentScope, observers, tensorTags } from '../autograd/hooks';
import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';
import { Module, Parameter } from './module';
import { empty } from './params';
import { uniform } from './init';
import { linear } from '../ops/linear';
import { add, mul, relu, sigmoid, sub, tanh } from '../ops/elementwise';
import { cat, narrow, select, squeeze, stack, unsqueeze } from '../ops/shape-ops';
import { dropout as dropoutOp } from '../ops/dropout';

export interface RNNBaseOptions {
  numLayers?: number;
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training only. */
  dropout?: number;
  bidirectional?: boolean;
}

export interface RNNOptions extends RNNBaseOptions {
  nonlinearity?: 'tanh' | 'relu';
}

/** One layer-direction's weights; biases are null when the layer has none. */
interface CellParams {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
}

/** The recurrent state of one layer-direction: h, plus c for an LSTM. */
type State = readonly Tensor[];

/**
 * The slices of x along `dim` (that dim removed), cut by halving.
 * NOTE: selecting each of T steps straight from x would make backward quadratic in T: every
 * slice's gradient is a zero-filled tensor of x's full size, and the engine sums T of them.
 * Halving recursively costs O(|x|) per level, O(|x|·log T) in all, in forward and backward.
 */
function unbind(x: Tensor, dim: number): Tensor[] {
  const out: Tensor[] = [];
  const split = (part: Tensor, length: number): void => {
    if (length === 1) {
      out.push(squeeze(part, dim));
      return;
    }
    const half = length >> 1;
    split(narrow(part, dim, 0, half), half);
    split(narrow(part, dim, half, length - half), length - half);
  };
  split(x, x.shape[dim]!);
  return out;
}

/** The shared machinery; subclasses give the gate count and one step of the recurrence. */
abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  declare readonly weight_ih_l0: Tensor;
  declare readonly weight_hh_l0: Tensor;
  declare readonly bias_ih_l0: Tensor | undefined;
  declare readonly bias_hh_l0: Tensor | undefined;

  constructor(
    protected readonly layerName: string,
    gates: number,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RNNBaseOptions,
  ) {
    super();
    const { numLayers = 1, bias = true, batchFirst = false, dropout = 0, bidirectional = false } = options;
    for (const [n, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', numLayers]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new OpError(layerName, `${n} must be a positive integer, got ${v}`);
    }
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) {
      throw new OpError(layerName, `dropout must be a probability in [0, 1], got ${dropout}`);
    }
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = dropout;
    this.bidirectional = bidirectional;

    // Assigned in PyTorch's order (per layer, per direction: weight_ih, weight_hh, bias_ih,
    // bias_hh), which is the order Module discovers them in, so namedParameters() and stateDict()
    // list them exactly as PyTorch does.
    const bound = 1 / Math.sqrt(hiddenSize);
    const self = this as unknown as Record<string, Tensor>;
    for (let layer = 0; layer < numLayers; layer++) {
      const layerInput = layer === 0 ? inputSize : hiddenSize * this.numDirections;
      for (let dir = 0; dir < this.numDirections; dir++) {
        const sfx = RNNBase.suffix(layer, dir);
        const shapes: [string, number[]][] = [[`weight_ih${sfx}`, [gates * hiddenSize, layerInput]], [`weight_hh${sfx}`, [gates * hiddenSize, hiddenSize]]];
        if (bias) shapes.push([`bias_ih${sfx}`, [gates * hiddenSize]], [`bias_hh${sfx}`, [gates * hiddenSize]]);
        for (const [key, shape] of shapes) self[key] = Parameter(uniform(empty(shape), -bound, bound));
      }
    }
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  private static suffix(layer: number, dir: number): string {
    return `_l${layer}${dir === 1 ? '_reverse' : ''}`;
  }

  /** Read by name on every call, so a parameter replaced by the user is honoured. */
  private cellParams(layer: number, dir: number): CellParams {
    const self = this as unknown as Record<string, Tensor | undefined>;
    const sfx = RNNBase.suffix(layer, dir);
    return {
      wIh: self[`weight_ih${sfx}`]!,
      wHh: self[`weight_hh${sfx}`]!,
      bIh: this.bias ? self[`bias_ih${sfx}`]! : null,
      bHh: this.bias ? self[`bias_hh${sfx}`]! : null,
    };
  }

  /** One time step: xp = this step's input projection [N, gates·H] (b_ih included). */
  protected abstract cell(xp: Tensor, state: State, p: CellParams): State;

  /** The state's names for error messages: ['h0'] or ['h0', 'c0']. */
  protected abstract get stateNames(): readonly string[];

  /**
   * Runs all layers over `input` from initial states (one tensor per state name, each
   * [numLayers·numDirections, N, H], or [numLayers·numDirections, H] for unbatched input; absent
   * means zeros). Returns the last layer's output and the final states, stacked like the initial ones.
   */
  protected run(input: Tensor, initial: readonly Tensor[] | undefined): [Tensor, Tensor[]] {
    const { layerName: name, hiddenSize: H } = this;
    if (!(input instanceof Tensor)) throw new OpError(name, `input must be a Tensor, got ${input === null ? 'null' : typeof input}`);
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new OpError(name, `expected input of 3 dimensions (${this.batchFirst ? '[batch, seq, feature]' : '[seq, batch, feature]'}) or 2 (unbatched [seq, feature]), got shape ${shapeStr(input.shape)}`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new OpError(name, `input of shape ${shapeStr(input.shape)} has ${input.shape[input.ndim - 1]} features but the layer expects inputSize ${this.inputSize}`);
    }
    const batched = input.ndim === 3;
    const timeDim = this.batchFirst ? 1 : 0;
    const batchDim = 1 - timeDim;
    const x = batched ? input : unsqueeze(input, batchDim);
    const T = x.shape[timeDim]!;
    const N = x.shape[batchDim]!;
    if (T === 0) throw new OpError(name, `the sequence is empty (input of shape ${shapeStr(input.shape)}); it needs at least one time step`);
    const stacks = this.numLayers * this.numDirections;
    const states = this.initialStates(initial, batched, stacks, N, input.shape);

    const finals: Tensor[][] = this.stateNames.map(() => []);
    let layerInput = x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      if (layer > 0 && this.training && this.dropout > 0) layerInput = dropoutOp(layerInput, this.dropout, true);
      const outputs: Tensor[] = [];
      for (let dir = 0; dir < this.numDirections; dir++) {
        const k = layer * this.numDirections + dir;
        const start = states.map((s) => (s === null ? new Tensor(new Float32Array(N * H), [N, H]) : select(s, 0, k)));
        const [steps, last] = this.runDirection(layerInput, start, this.cellParams(layer, dir), timeDim, dir === 1, k);
        outputs.push(stack(steps, timeDim));
        last.forEach((s, i) => finals[i]!.push(s));
      }
      layerInput = outputs.length === 1 ? outputs[0]! : cat(outputs, 2);
    }
    const output = batched ? layerInput : squeeze(layerInput, batchDim);
    const finalStates = finals.map((f) => (batched ? stack(f, 0) : stack(f, 0).reshape([stacks, H])));
    return [output, finalStates];
  }

  /** The recurrence of one layer in one direction: each step's hidden state (in time order) and the final state. */
  private runDirection(layerInput: Tensor, start: State, p: CellParams, timeDim: number, reverse: boolean, stackIndex: number): [Tensor[], State] {
    // One matmul projects the input of every time step at once; only h·W_hhᵀ is per step.
    const proj = linear(layerInput, p.wIh, p.bIh, this.layerName);
    const T = layerInput.shape[timeDim]!;
    const inputs = unbind(proj, timeDim);
    const steps = new Array<Tensor>(T);
    let state = start;
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      state = this.cell(inputs[t]!, state, p);
      // BPTT probe point: state[0] is the hidden state after step t of this layer-direction, a
      // tensor of its own that every later step consumes, so the gradient that backward
      // accumulates into it is exactly the gradient reaching time step t.
      steps[t] = state[0]!;
      if (observers.length > 0) {
        tensorTags.set(state[0]!, { kind: 'rnn-step', modulePath: currentScope()?.path ?? null, layer: stackIndex, step: t, steps: T });
      }
    }
    return [steps, state];
  }

  private initialStates(initial: readonly Tensor[] | undefined, batched: boolean, stacks: number, N: number, inputShape: readonly number[]): (Tensor | null)[] {
    const names = this.stateNames;
    if (initial === undefined) return names.map(() => null);
    const H = this.hiddenSize;
    return names.map((n, i) => {
      const s = initial[i];
      if (!(s instanceof Tensor)) throw new OpError(this.layerName, `${n} must be a Tensor, got ${s === null ? 'null' : typeof s}`);
      const want = batched ? [stacks, N, H] : [stacks, H];
      if (s.ndim !== want.length || s.shape.some((d, j) => d !== want[j])) {
        throw new OpError(this.layerName, `${n} of shape ${shapeStr(s.shape)} does not match input of shape ${shapeStr(inputShape)}: expected ${shapeStr(want)} (numLayers·numDirections, ${batched ? 'batch, ' : ''}hiddenSize)`);
      }
      return batched ? s : unsqueeze(s, 1);
    });
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    return parts.join(', ');
  }
}

/**
 * Elman RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu. Input [L, N, inputSize]
 * (or [N, L, …] with batchFirst) → [output, h_n]. PyTorch: `torch.nn.RNN`.
 */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('RNN', 1, inputSize, hiddenSize, options);
    const { nonlinearity = 'tanh' } = options;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new OpError('RNN', `nonlinearity must be 'tanh' or 'relu', got ${String(nonlinearity)}`);
    }
    this.nonlinearity = nonlinearity;
  }

  protected get stateNames(): readonly string[] {
    return ['h0'];
  }

  protected cell(xp: Tensor, [h]: State, p: CellParams): State {
    const pre = add(xp, linear(h!, p.wHh, p.bHh, this.layerName));
    return [this.nonlinearity === 'tanh' ? tanh(pre) : relu(pre)];
  }

  /** input [T, N, inputSize] ([N, T, inputSize] if batchFirst, or unbatched [T, inputSize]); returns [output, hN]. */
  override forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const [out, [hN]] = this.run(input, h0 == null ? undefined : [h0]);
    return [out, hN!];
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === 'relu' ? ", nonlinearity='relu'" : '');
  }
}

/**
 * LSTM, gates in PyTorch's order i, f, g, o: c' = f⊙c + i⊙g, h' = o⊙tanh(c'). Input [L, N, inputSize]
 * (or [N, L, …] with batchFirst) → [output, [h_n, c_n]]. PyTorch: `torch.nn.LSTM`.
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    super('LSTM', 4, inputSize, hiddenSize, options);
  }

  protected get stateNames(): readonly string[] {
    return ['h0', 'c0'];
  }

  protected cell(xp: Tensor, [h, c]: State, p: CellParams): State {
    const H = this.hiddenSize;
    const g = add(xp, linear(h!, p.wHh, p.bHh, this.layerName));
    const i = sigmoid(narrow(g, 1, 0, H));
    const f = sigmoid(narrow(g, 1, H, H));
    const cand = tanh(narrow(g, 1, 2 * H, H));
    const o = sigmoid(narrow(g, 1, 3 * H, H));
    const cNext = add(mul(f, c!), mul(i, cand));
    return [mul(o, tanh(cNext)), cNext];
  }

  /** Like RNN.forward with state [h0, c0]; returns [output, [hN, cN]]. */
  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    if (hx != null && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new OpError('LSTM', 'the initial state must be a pair [h0, c0]');
    }
    const [out, [hN, cN]] = this.run(input, hx ?? undefined);
    return [out, [hN!, cN!]];
  }
}

/**
 * GRU, gates in PyTorch's order r, z, n: n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)),
 * h' = (1 − z)⊙n + z⊙h. Input [L, N, inputSize] (or [N, L, …] with batchFirst) → [output, h_n].
 * PyTorch: `torch.nn.GRU`.
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    super('GRU', 3, inputSize, hiddenSize, options);
  }

  protected get stateNames(): readonly string[] {
    return ['h0'];
  }

  protected cell(xp: Tensor, [h]: State, p: CellParams): State {
    const H = this.hiddenSize;
    const gh = linear(h!, p.wHh, p.bHh, this.layerName);
    const rz = sigmoid(add(narrow(xp, 1, 0, 2 * H), narrow(gh, 1, 0, 2 * H)));
    const r = narrow(rz, 1, 0, H);
    const z = narrow(rz, 1, H, H);
    const n = tanh(add(narrow(xp, 1, 2 * H, H), mul(r, narrow(gh, 1, 2 * H, H))));
    // (1 − z)⊙n + z⊙h written as n + z⊙(h − n): one op fewer per step.
    return [add(n, mul(z, sub(h!, n)))];
  }

  override forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const [out, [hN]] = this.run(input, h0 == null ? undefined : [h0]);
    return [out, hN!];
  }
}
