// The engine's two observation points, used by the instrumentation layer:
//  - every op's forward output (whether or not a graph is recorded), with the module it ran under;
//  - every graph node's input gradients during backward, and the end of each backward pass.
// Observers are global and cheap to check: with none registered the engine pays one length test.

import type { Tensor } from '../tensor';
import type { Node } from './node';

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

export interface EngineObserver {
  onForward?(e: ForwardEvent): void;
  onBackwardNode?(e: BackwardEvent): void;
  /** Called once per backward() after all gradients are accumulated; `root` is the tensor backward() ran on. */
  onBackwardEnd?(root: Tensor): void;
}

export const observers: EngineObserver[] = [];

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
