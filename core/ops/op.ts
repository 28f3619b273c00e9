// Named ops with their gradients side by side (tfjs's names, micrograd's locality). Every
// primitive is a `defineOp` whose forward computes a fresh contiguous tensor and whose backward
// returns one gradient per input (null = none). `apply` is the single place where forward
// outputs are observed and graph nodes are recorded.

import { Tensor } from '../tensor';
import { Node } from '../autograd/node';
import { isGradEnabled } from '../autograd/grad-mode';
import { currentScope, inBackward, observers } from '../autograd/hooks';

export interface BackwardContext<A, S> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: A;
  readonly saved: S;
}

/** A forward result that keeps extra values for backward (e.g. the argmax of a max pool). */
export class Saving<S> {
  constructor(readonly output: Tensor, readonly saved: S) {}
}

export function withSaved<S>(output: Tensor, saved: S): Saving<S> {
  return new Saving(output, saved);
}

export interface OpDef<A = void, S = undefined> {
  /** PascalCase name, unique; shown by the instrumentation on every graph node. */
  readonly name: string;
  forward(inputs: readonly Tensor[], attrs: A): Tensor | Saving<S>;
  /** Absent for ops that have no gradient (comparisons, argmax): their outputs never require grad. */
  backward?(grad: Tensor, ctx: BackwardContext<A, S>): (Tensor | null)[];
}

export const opRegistry = new Map<string, OpDef<any, any>>();

export function defineOp<A = void, S = undefined>(def: OpDef<A, S>): OpDef<A, S> {
  if (opRegistry.has(def.name)) throw new Error(`defineOp: an op named ${def.name} is already registered`);
  opRegistry.set(def.name, def);
  return def;
}

function anyRequiresGrad(inputs: readonly Tensor[]): boolean {
  for (let i = 0; i < inputs.length; i++) if (inputs[i]!.requiresGrad) return true;
  return false;
}

/** Runs an op's forward, records a graph node when a gradient is needed, and notifies observers. */
export function apply<A, S>(op: OpDef<A, S>, inputs: readonly Tensor[], attrs: A): Tensor {
  const r = op.forward(inputs, attrs);
  const out = r instanceof Saving ? r.output : r;
  const scope = currentScope();
  if (op.backward !== undefined && isGradEnabled() && anyRequiresGrad(inputs)) {
    const saved = r instanceof Saving ? r.saved : undefined;
    out._setGradFn(new Node(op, inputs, out, attrs, saved, scope?.path ?? null, scope?.module ?? null));
  }
  if (observers.length > 0 && !inBackward()) {
    const e = { op: op.name, inputs, output: out, modulePath: scope?.path ?? null, module: scope?.module ?? null };
    for (const o of observers) o.onForward?.(e);
  }
  return out;
}
