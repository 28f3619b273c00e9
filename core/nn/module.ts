// nn.Module: layers find their parameters, buffers and submodules in their own properties,
// lazily on each call, so plain TypeScript class fields work with no registration. Names follow
// PyTorch's state_dict keys exactly ('0.weight', 'encoder.fc1.bias', 'bn.running_mean').
//
// What counts as what:
//  - a Module property (or an array of Modules, named like nn.ModuleList: 'layers.0') is a child;
//  - a Tensor registered with registerBuffer() is a buffer;
//  - a Tensor marked with nn.Parameter(), or any leaf Tensor with requiresGrad found in a property,
//    is a parameter (it stays one if later frozen with requiresGrad = false).

import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';
import { noGrad } from '../autograd/grad-mode';
import { currentScope, observers, popScope, pushScope } from '../autograd/hooks';
import { captureSite } from '../instrument/callsite';

const parameterSet = new WeakSet<Tensor>();

/** Marks a tensor as a trainable parameter (sets requiresGrad) and returns it. */
export function Parameter(t: Tensor, requiresGrad = true): Tensor {
  if (!(t instanceof Tensor)) throw new OpError('Parameter', 'expected a Tensor');
  if (!t.isLeaf) throw new OpError('Parameter', 'a parameter must be a leaf tensor; use detach() first');
  t.requiresGrad = requiresGrad;
  parameterSet.add(t);
  return t;
}

function isParameter(t: Tensor): boolean {
  if (parameterSet.has(t)) return true;
  if (t.requiresGrad && t.isLeaf) {
    parameterSet.add(t);
    return true;
  }
  return false;
}

/** Last path each module was seen under, so ops get a path even when a submodule is called from outside its parent. */
const knownPaths = new WeakMap<Module, string>();
/** Per parent: descendant → relative path, rebuilt when a descendant is not found. */
const descendantNames = new WeakMap<Module, Map<Module, string>>();

function relativePath(parent: Module, child: Module): string | undefined {
  let names = descendantNames.get(parent);
  if (names === undefined || !names.has(child)) {
    names = new Map(parent.namedModules().map(([n, m]) => [m, n] as [Module, string]));
    descendantNames.set(parent, names);
  }
  return names.get(child);
}

const join = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);

export type StateDictValue = Tensor | Float32Array | readonly number[];

export interface LoadStateDictOptions {
  /** Require exactly the module's keys (default true). */
  strict?: boolean;
}

/**
 * Base class of every layer and model: subclass it, create layers and `Parameter`s as properties
 * (found by name, like PyTorch's attributes) and implement `forward`. Gives parameters(),
 * namedParameters(), train()/eval(), zeroGrad(), stateDict()/loadStateDict(). PyTorch: `torch.nn.Module`.
 */
export class Module {
  /** Training mode (dropout active, batch norm uses batch statistics); set with train()/eval(). */
  training = true;
  readonly #buffers = new Set<string>();

  constructor() {
    if (observers.length > 0) {
      // Where the layer was built in the user's script: the location of layer findings.
      const site = captureSite();
      for (const o of observers) o.onModuleCreated?.(this, site);
    }
    // Wrap the subclass's forward so every op it runs knows the module path it ran under.
    const impl = this.forward as (...args: unknown[]) => unknown;
    Object.defineProperty(this, 'forward', {
      value: (...args: unknown[]) => {
        const parent = currentScope();
        let path: string;
        if (parent === undefined) path = knownPaths.get(this) ?? '';
        else if (parent.module === this) path = parent.path;
        else {
          const rel = parent.module instanceof Module ? relativePath(parent.module, this) : undefined;
          path = rel !== undefined ? join(parent.path, rel) : join(parent.path, this.constructor.name);
        }
        pushScope(this, path);
        try {
          return impl.apply(this, args);
        } finally {
          popScope();
        }
      },
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }

  forward(..._args: any[]): any {
    throw new Error(`${this.constructor.name}: forward() is not implemented`);
  }

  /** Registers a non-trainable tensor saved in the state dict (e.g. batch norm's running mean). */
  registerBuffer(name: string, value: Tensor | null): void {
    (this as Record<string, unknown>)[name] = value;
    this.#buffers.add(name);
  }

  // ---- discovery ------------------------------------------------------------------------------

  /** Own members in property order: [name, value, kind]. */
  #members(): [string, Tensor | Module, 'parameter' | 'buffer' | 'module'][] {
    const out: [string, Tensor | Module, 'parameter' | 'buffer' | 'module'][] = [];
    for (const key of Object.keys(this)) {
      const v = (this as Record<string, unknown>)[key];
      if (v instanceof Module) out.push([key, v, 'module']);
      else if (v instanceof Tensor) {
        if (this.#buffers.has(key)) out.push([key, v, 'buffer']);
        else if (isParameter(v)) out.push([key, v, 'parameter']);
      } else if (Array.isArray(v)) {
        v.forEach((item, i) => {
          if (item instanceof Module) out.push([`${key}.${i}`, item, 'module']);
          else if (item instanceof Tensor && isParameter(item)) out.push([`${key}.${i}`, item, 'parameter']);
        });
      }
    }
    return out;
  }

  namedChildren(): [string, Module][] {
    return this.#members().flatMap(([n, v, k]) => (k === 'module' ? [[n, v as Module] as [string, Module]] : []));
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module ('') and every descendant, pre-order, each once. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (m: Module, path: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([path, m]);
      for (const [name, child] of m.namedChildren()) visit(child, join(path, name));
    };
    visit(this, prefix);
    // A root's walk tells every descendant its path, for calls made from outside the parent.
    if (prefix === '' && !knownPaths.has(this)) for (const [p, m] of out) if (m !== this) knownPaths.set(m, p);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  #namedTensors(kind: 'parameter' | 'buffer'): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules()) {
      for (const [name, v, k] of m.#members()) {
        if (k === kind && !seen.has(v as Tensor)) {
          seen.add(v as Tensor);
          out.push([join(path, name), v as Tensor]);
        }
      }
    }
    return out;
  }

  /** [name, parameter] pairs named as PyTorch's state_dict keys; a shared parameter appears once. */
  namedParameters(): [string, Tensor][] {
    return this.#namedTensors('parameter');
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    return this.#namedTensors('buffer');
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  // ---- state ----------------------------------------------------------------------------------

  /** Parameters and buffers by key, in PyTorch's order (per module: parameters, buffers; then children). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    // A module reachable under two names is saved under both, as PyTorch does; only a cycle
    // (a module among its own ancestors) is skipped.
    const ancestors = new Set<Module>();
    const visit = (m: Module, path: string) => {
      if (ancestors.has(m)) return;
      ancestors.add(m);
      const own = m.#members();
      for (const kind of ['parameter', 'buffer'] as const) {
        for (const [name, v, k] of own) if (k === kind) out[join(path, name)] = (v as Tensor).detach();
      }
      for (const [name, v, k] of own) if (k === 'module') visit(v as Module, join(path, name));
      ancestors.delete(m);
    };
    visit(this, '');
    return out;
  }

  /**
   * Copies values into this module's parameters and buffers, in place (optimizers keep their
   * references). Values may be Tensors, Float32Arrays or number arrays of the right size.
   */
  loadStateDict(state: Record<string, StateDictValue>, options: LoadStateDictOptions = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    if (state === null || typeof state !== 'object') throw new OpError('loadStateDict', 'expected an object mapping keys to values');
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !(k in own));
    if ((options.strict ?? true) && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing key${missingKeys.length > 1 ? 's' : ''}: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected key${unexpectedKeys.length > 1 ? 's' : ''}: ${unexpectedKeys.join(', ')}`);
      throw new OpError('loadStateDict', `${parts.join('; ')} (in ${this.constructor.name})`);
    }
    const checked: [Tensor, ArrayLike<number>][] = [];
    for (const [key, target] of Object.entries(own)) {
      if (!(key in state)) continue;
      const v = state[key];
      let values: ArrayLike<number>;
      if (v instanceof Tensor) {
        if (v.shape.length !== target.shape.length || v.shape.some((d, i) => d !== target.shape[i])) {
          throw new OpError('loadStateDict', `size mismatch for ${key}: got shape ${shapeStr(v.shape)}, the module has ${shapeStr(target.shape)}`);
        }
        values = v.data;
      } else if (v instanceof Float32Array || Array.isArray(v)) {
        values = v as ArrayLike<number>;
      } else {
        throw new OpError('loadStateDict', `value for ${key} must be a Tensor, Float32Array or number[], got ${v === null ? 'null' : typeof v}`);
      }
      if (values.length !== target.data.length) {
        throw new OpError('loadStateDict', `size mismatch for ${key}: got ${values.length} values, the module's ${shapeStr(target.shape)} needs ${target.data.length}`);
      }
      checked.push([target, values]);
    }
    // Copy only after every key checked, so a bad state dict leaves the module untouched.
    noGrad(() => {
      for (const [target, values] of checked) target.data.set(values);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- modes and utilities ----------------------------------------------------------------------

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of all parameters (PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Calls fn on every submodule and then this one (PyTorch's `apply`, e.g. for custom init). */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** One-line description of the layer's configuration, shown by toString(). */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([n, m]) => `  (${n}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
}
