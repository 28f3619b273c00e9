// The engine's two observation points, used by the instrumentation layer:
//  - every op's forward output (whether or not a graph is recorded), with the module it ran under;
//  - every graph node's input gradients during backward, and the end of each backward pass.
// Observers are global and cheap to check: with none registered the engine pays one length test.

import type { Tensor } from '../tensor';
import type { Node } from './node';
import type { Site } from '../instrument/callsite';

export interface ForwardEvent {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  /** Dotted path of the innermost module whose forward was running ('' for the root, null outside any module). */
  readonly modulePath: string | null;
  readonly module: object | null;
}

export interface BackwardEvent {
  readonly node: Node;
  /** Gradient flowing into the node's output. */
  readonly gradOutput: Tensor;
  /** Gradients the node produced for its inputs (null where an input needs none). */
  readonly gradInputs: readonly (Tensor | null)[];
}

export interface OptimizerStepEvent {
  readonly optimizer: object;
  /** The parameters the optimizer updates (with their gradients in place). */
  readonly params: readonly Tensor[];
  /** Learning rate of each parameter's group, in the order of `params`. */
  readonly lrs: readonly number[];
  /**
   * Filled during the step: Σg² of each parameter's gradient as the update read it, where the
   * update computes it in the same pass (the built-in optimizers do; SGD's WebAssembly step in
   * its SIMD loop); -1 where it does not (no gradient, or a custom optimizer's update). Read it in
   * the 'after' phase: it gives the instrumentation gradient norms without another pass.
   */
  readonly gradSumSq: Float64Array;
}

export interface EngineObserver {
  onForward?(e: ForwardEvent): void;
  /** Called when backward() starts, before any gradient is accumulated; `root` is the tensor it runs on. */
  onBackwardStart?(root: Tensor): void;
  onBackwardNode?(e: BackwardEvent): void;
  /** Called once per backward() after all gradients are accumulated; `root` is the tensor backward() ran on. */
  onBackwardEnd?(root: Tensor): void;
  /** A leaf (e.g. a parameter) received gradient `grad` in the running backward. */
  onLeafGrad?(leaf: Tensor, grad: Tensor): void;
  /** A Module was constructed (only reported while an observer is registered). */
  onModuleCreated?(module: object, site: Site): void;
  /** Gradients are about to be changed in place (clipping): the last moment to read them as backward left them. */
  onGradsChanging?(): void;
  /** Around every optimizer step: before it changes the parameters, and after. */
  onOptimizerStep?(phase: 'before' | 'after', e: OptimizerStepEvent): void;
}

export const observers: EngineObserver[] = [];

// Ops that a backward runs internally are not the user's forward ops: observers must not see them.
let backwardDepth = 0;

export function inBackward(): boolean {
  return backwardDepth > 0;
}

export function runInBackward<T>(fn: () => T): T {
  backwardDepth++;
  try {
    return fn();
  } finally {
    backwardDepth--;
  }
}

/** Registers an observer; returns a function that removes it. */
export function addObserver(o: EngineObserver): () => void {
  observers.push(o);
  return () => {
    const i = observers.indexOf(o);
    if (i >= 0) observers.splice(i, 1);
  };
}

// Module scope: Module.forward pushes itself so each op knows which layer created it.
interface Scope {
  readonly module: object;
  readonly path: string;
}
const scopes: Scope[] = [];

export function currentScope(): Scope | undefined {
  return scopes[scopes.length - 1];
}

export function pushScope(module: object, path: string): void {
  scopes.push({ module, path });
}

export function popScope(): void {
  scopes.pop();
}

// Tags: metadata the layers attach to tensors the instrumentation should follow (e.g. an RNN's
// hidden state at each time step, to measure the gradient reaching it in BPTT).
export interface TensorTag {
  readonly kind: 'rnn-step';
  /** Module path of the recurrent layer. */
  readonly modulePath: string | null;
  readonly layer: number;
  readonly step: number;
  readonly steps: number;
}

export const tensorTags = new WeakMap<object, TensorTag>();
