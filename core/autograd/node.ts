// One recorded op application in the graph: what the op was, which tensors it read, and what
// its backward needs. The graph is freed after backward (inputs and saved values dropped) unless
// the caller asked to retain it.

import type { Tensor } from '../tensor';
import type { OpDef } from '../ops/op';

let nextId = 1;

/** The id the next node will get: ids are sequential, so a node's id minus this value taken at
 *  the start of a step is its position in that step's graph. */
export function peekNextNodeId(): number {
  return nextId;
}

export class Node {
  readonly id = nextId++;
  /** Set once backward has run through this node and dropped its saved values. */
  freed = false;

  constructor(
    readonly op: OpDef<any, any>,
    public inputs: readonly Tensor[],
    public output: Tensor | null,
    public attrs: unknown,
    public saved: unknown,
    /** Dotted module path the op ran under ('' = root module, null = outside any module). */
    readonly modulePath: string | null,
    readonly module: object | null,
  ) {}

  get name(): string {
    return this.op.name;
  }

  free(): void {
    this.inputs = [];
    this.output = null;
    this.saved = undefined;
    this.freed = true;
  }
}
