// Reverse-mode differentiation: the one choke point where every node's backward runs, its
// gradients are checked (count and shapes), accumulated, and shown to observers.

import { Tensor } from '../tensor';
import { OpError, sameShape, shapeStr } from '../shape';
import type { Node } from './node';
import { noGrad } from './grad-mode';
import { observers, runInBackward } from './hooks';
import { add } from '../ops/elementwise';

export interface BackwardOptions {
  /** Keep the graph's saved values so backward can run through it again (PyTorch's retain_graph). */
  retainGraph?: boolean;
}

/** Nodes reachable from `root`, ordered so each comes after every node that consumes its output. */
function reverseTopo(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>([root]);
  // Iterative post-order DFS: RNN graphs are deep enough to overflow a recursive one.
  const stack: [Node, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const child = node.inputs[i]!.gradFn;
      if (child !== null && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

function where(node: Node): string {
  return node.modulePath ? ` (in module ${node.modulePath})` : '';
}

/** Adds g into t.grad, in place after the first time (so optimizers and clipping see one tensor). */
function accumulateGrad(t: Tensor, g: Tensor): void {
  if (t.isLeaf) for (const o of observers) o.onLeafGrad?.(t, g);
  if (t.grad === null) {
    t.grad = new Tensor(g.data.slice(), t.shape);
    return;
  }
  if (!sameShape(t.grad.shape, t.shape)) {
    throw new OpError('backward', `the existing .grad has shape ${shapeStr(t.grad.shape)} but its tensor has shape ${shapeStr(t.shape)}`);
  }
  const G = t.grad.data;
  const D = g.data;
  for (let i = 0; i < G.length; i++) G[i]! += D[i]!;
}

export function runBackward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions): void {
  if (!root.requiresGrad) {
    throw new OpError('backward', 'this tensor does not require grad: nothing to differentiate (was it built under noGrad, from detach(), or from tensors without requiresGrad?)');
  }
  let seed: Tensor;
  if (gradient === undefined || gradient === null) {
    if (root.numel() !== 1) {
      throw new OpError('backward', `a gradient must be given for a non-scalar output of shape ${shapeStr(root.shape)}: call backward(gradient), or reduce it first with sum() or mean()`);
    }
    seed = new Tensor(new Float32Array([1]), root.shape);
  } else {
    if (!(gradient instanceof Tensor)) throw new OpError('backward', 'gradient must be a Tensor');
    if (!sameShape(gradient.shape, root.shape)) {
      throw new OpError('backward', `gradient has shape ${shapeStr(gradient.shape)} but the output has shape ${shapeStr(root.shape)}`);
    }
    seed = gradient;
  }

  for (const o of observers) o.onBackwardStart?.(root);
  noGrad(() => runInBackward(() => {
    const rootNode = root.gradFn;
    if (rootNode === null) {
      accumulateGrad(root, seed);
      return;
    }
    const grads = new Map<Node, Tensor>([[rootNode, seed]]);
    for (const node of reverseTopo(rootNode)) {
      const g = grads.get(node);
      grads.delete(node);
      if (g === undefined) continue;
      if (node.freed) {
        throw new OpError('backward', `trying to backward through the graph a second time (at op ${node.name}${where(node)}); its saved values were freed by the first backward. Pass { retainGraph: true } to the first backward() to keep them`);
      }
      const output = node.output!;
      if (output.retainsGrad) accumulateGrad(output, g);
      const gradInputs = node.op.backward!(g, { inputs: node.inputs, output, attrs: node.attrs, saved: node.saved });
      if (gradInputs.length !== node.inputs.length) {
        throw new Error(`backward: op ${node.name}${where(node)} returned ${gradInputs.length} gradients for ${node.inputs.length} inputs (engine bug)`);
      }
      for (let i = 0; i < gradInputs.length; i++) {
        const input = node.inputs[i]!;
        const gi = gradInputs[i];
        if (!input.requiresGrad || gi === null || gi === undefined) continue;
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(`backward: op ${node.name}${where(node)} returned a gradient of shape ${shapeStr(gi.shape)} for input ${i} of shape ${shapeStr(input.shape)} (engine bug)`);
        }
        const producer = input.gradFn;
        if (producer === null) accumulateGrad(input, gi);
        else {
          const prev = grads.get(producer);
          grads.set(producer, prev === undefined ? gi : add(prev, gi));
        }
      }
      if (observers.length > 0) {
        const e = { node, gradOutput: g, gradInputs };
        for (const o of observers) o.onBackwardNode?.(e);
      }
      if (!options.retainGraph) node.free();
    }
  }));
  for (const o of observers) o.onBackwardEnd?.(root);
}
