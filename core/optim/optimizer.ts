// The optimizer base: parameter groups with per-group options (PyTorch's param_groups), per-
// parameter state, zeroGrad and step. Subclasses supply the per-parameter update, written as
// typed-array loops over `p.data` in place (so modules and other references see the new values).
//
// Float32 fidelity: PyTorch's updates are sequences of float32 tensor ops whose scalar arguments
// are cast to float32, so the updates round scalars and intermediates with Math.fround where
// PyTorch would materialize a float32 tensor; the step-dependent bias corrections stay double.

import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';
import { noGrad } from '../autograd/grad-mode';
import { observers, type OptimizerStepEvent } from '../autograd/hooks';

export interface BaseOptions {
  lr: number;
}

/** One group as given by the user: its tensors and any options overriding the optimizer's. */
export type ParamGroupSpec<O> = Partial<O> & { params: Iterable<Tensor> };

/** A resolved group: every option filled in. `initialLr` is set by the first lr scheduler. */
export type ParamGroup<O> = O & { params: Tensor[]; initialLr?: number };

export type ParamsArg<O> = Iterable<Tensor> | Iterable<ParamGroupSpec<O>>;

/** Rounds to float32: how PyTorch casts a Python scalar into a float32 kernel, and each op's result. */
export const f32 = Math.fround;

export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends object = object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (moment buffers, step counts), created on the parameter's first update. */
  readonly state = new Map<Tensor, S>();
  /** Options used for groups that do not override them. */
  readonly defaults: O;
  readonly #name: string;

  protected constructor(name: string, params: ParamsArg<O>, classDefaults: O, options: Partial<O>) {
    this.#name = name;
    this.checkKeys(options, Object.keys(classDefaults), 'options');
    this.defaults = { ...classDefaults, ...definedOnly(options) };
    if (params instanceof Tensor) {
      throw new OpError(name, 'params must be an iterable of Tensors or of parameter groups (e.g. model.parameters()), not a single Tensor');
    }
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new OpError(name, `params must be an iterable of Tensors or of parameter groups (e.g. model.parameters()), got ${params === null ? 'null' : typeof params}`);
    }
    const items = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw new OpError(name, 'got an empty parameter list (does the model have parameters?)');
    if (items.every((it) => it instanceof Tensor)) this.addParamGroup({ params: items as Tensor[] } as unknown as ParamGroupSpec<O>);
    else for (const g of items) this.addParamGroup(g as ParamGroupSpec<O>);
  }

  /** The optimizer's name, for error messages. */
  protected get optimizerName(): string {
    return this.#name;
  }

  /** Throws naming the optimizer when an option is out of range. */
  protected abstract validate(options: O): void;

  /**
   * Updates one parameter in place from its gradient; `state` persists across steps. May return
   * Σg² of the gradient when the update computed it in the same pass (the instrumentation's
   * gradient norm, without reading the gradient again).
   */
  protected abstract update(p: Tensor, grad: Float32Array, state: S, group: ParamGroup<O>): number | void;

  /** Fresh state for a parameter's first update. */
  protected abstract initState(p: Tensor, group: ParamGroup<O>): S;

  /** Adds a group of parameters with optional option overrides (PyTorch's add_param_group). */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    const name = this.#name;
    if (spec === null || typeof spec !== 'object' || !('params' in spec)) {
      throw new OpError(name, 'a parameter group must be an object { params, ...options }');
    }
    const { params, ...overrides } = spec;
    this.checkKeys(overrides, Object.keys(this.defaults), 'parameter group option');
    const list = params instanceof Tensor ? [params] : [...params];
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    for (const p of list) {
      if (!(p instanceof Tensor)) throw new OpError(name, `can only optimize Tensors, got ${p === null ? 'null' : typeof p}`);
      if (!p.isLeaf) throw new OpError(name, `can't optimize a non-leaf Tensor (shape ${shapeStr(p.shape)}); optimize the leaf parameters it was computed from`);
      if (seen.has(p)) throw new OpError(name, `a parameter of shape ${shapeStr(p.shape)} appears more than once in the parameter groups`);
      seen.add(p);
    }
    const group = { ...this.defaults, ...definedOnly(overrides as unknown as Partial<O>), params: list } as ParamGroup<O>;
    this.validate(group);
    this.paramGroups.push(group);
  }

  /** Clears every parameter's gradient (sets it to null, PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** One update of every parameter that has a gradient (parameters with a null grad are skipped). */
  step(): void {
    // The instrumentation measures each update (‖Δw‖/‖w‖) around the step.
    const event = observers.length > 0 ? this.stepEvent() : null;
    if (event !== null) for (const o of observers) o.onOptimizerStep?.('before', event);
    this.applyUpdates(event?.gradSumSq ?? null);
    if (event !== null) for (const o of observers) o.onOptimizerStep?.('after', event);
  }

  private stepEvent(): OptimizerStepEvent {
    const params: Tensor[] = [];
    const lrs: number[] = [];
    for (const g of this.paramGroups) for (const p of g.params) { params.push(p); lrs.push(g.lr); }
    return { optimizer: this, params, lrs, gradSumSq: new Float64Array(params.length).fill(-1) };
  }

  /** `sums`: where to put each parameter's Σg² when its update computes it (in the event's order). */
  private applyUpdates(sums: Float64Array | null): void {
    noGrad(() => {
      let index = -1;
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          index++;
          const grad = p.grad;
          if (grad === null) continue;
          if (grad.data.length !== p.data.length) {
            throw new OpError(this.#name, `a parameter of shape ${shapeStr(p.shape)} has a gradient of shape ${shapeStr(grad.shape)}`);
          }
          let state = this.state.get(p);
          if (state === undefined) {
            state = this.initState(p, group);
            this.state.set(p, state);
          }
          const sumSq = this.update(p, grad.data, state, group);
          if (sums !== null && typeof sumSq === 'number') sums[index] = sumSq;
        }
      }
    });
  }

  /** The learning rate of the first group. */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }

  /** Sets the learning rate of every group. */
  set lr(value: number) {
    checkNonNegative(this.#name, 'lr', value);
    for (const g of this.paramGroups) g.lr = value;
  }

  private checkKeys(obj: object, known: string[], what: string): void {
    if (obj === null || typeof obj !== 'object') throw new OpError(this.#name, `${what}s must be an object`);
    for (const k of Object.keys(obj)) {
      if (known.includes(k)) continue;
      const camel = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const hint = camel !== k && known.includes(camel) ? ` (did you mean ${camel}?)` : '';
      throw new OpError(this.#name, `unknown ${what} '${k}'${hint}; known: ${known.join(', ')}`);
    }
  }
}

function definedOnly<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** A zero-filled tensor shaped like p (for moment buffers). */
export function zerosLikeParam(p: Tensor): Tensor {
  return Tensor._make(new Float32Array(p.data.length), p.shape);
}

// ---- option validation, shared by the optimizers -------------------------------------------------

export function checkNumber(opt: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new OpError(opt, `${name} must be a number, got ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
}

export function checkNonNegative(opt: string, name: string, v: unknown): void {
  checkNumber(opt, name, v);
  if (v < 0) throw new OpError(opt, `invalid ${name} ${v}: it must be >= 0`);
}

export function checkBool(opt: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new OpError(opt, `${name} must be true or false, got ${JSON.stringify(v)}`);
}

/** Adam-style betas: two numbers in [0, 1). */
export function checkBetas(opt: string, betas: unknown): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new OpError(opt, `betas must be a pair [beta1, beta2], got ${JSON.stringify(betas)}`);
  betas.forEach((b, i) => {
    checkNumber(opt, `betas[${i}]`, b);
    if (!(b >= 0 && b < 1)) throw new OpError(opt, `invalid betas[${i}] ${b}: it must be in [0, 1)`);
  });
}
