// Bad input: every op throws an OpError whose message starts with the op's name and says what was
// wrong (shapes, dims, indices), so a user's failing script points at the cause.

import { describe, expect, it } from 'vitest';
import * as gs from '../../../core';
import { nn, OpError, ones, tensor, zeros } from '../../../core';

/** Expects fn to throw an OpError for `op` with exactly this message. */
function expectOpError(fn: () => unknown, op: string, message: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${op} to throw`).toBeInstanceOf(OpError);
  expect((err as OpError).op).toBe(op);
  expect((err as Error).message).toBe(message);
}

const a23 = () => ones([2, 3]);
const any = (v: unknown) => v as never;

describe('matmul', () => {
  it.each([
    [[2, 3], [4, 5], 'matmul: [2,3] @ [4,5]: inner dimensions 3 and 4 differ'],
    [[3], [4], 'matmul: [3] @ [4]: inner dimensions 3 and 4 differ'],
    [[3], [4, 2], 'matmul: [3] @ [4,2]: inner dimensions 3 and 4 differ'],
    [[2, 3], [4], 'matmul: [2,3] @ [4]: inner dimensions 3 and 4 differ'],
    [[2, 3, 4], [3, 4, 5], 'matmul: [2,3,4] @ [3,4,5]: batch dimensions [2] and [3] cannot be broadcast'],
    [[], [2], 'matmul: [] @ [2]: both operands need at least one dimension (use mul for scalars)'],
  ])('%j @ %j', (sa, sb, msg) => {
    expectOpError(() => ones(sa).matmul(ones(sb)), 'matmul', msg);
  });

  it('non-tensor operand', () => {
    expectOpError(() => gs.matmul(ones([2]), any([1, 2])), 'matmul', 'matmul: both operands must be Tensors');
  });
});

describe('broadcasting names the op and both shapes', () => {
  it.each([
    ['add', (x: gs.Tensor, y: gs.Tensor) => x.add(y)],
    ['sub', (x: gs.Tensor, y: gs.Tensor) => x.sub(y)],
    ['mul', (x: gs.Tensor, y: gs.Tensor) => x.mul(y)],
    ['div', (x: gs.Tensor, y: gs.Tensor) => x.div(y)],
    ['pow', (x: gs.Tensor, y: gs.Tensor) => x.pow(y)],
    ['gt', (x: gs.Tensor, y: gs.Tensor) => x.gt(y)],
    ['eq', (x: gs.Tensor, y: gs.Tensor) => x.eq(y)],
  ])('%s', (op, f) => {
    expectOpError(() => f(a23(), ones([4])), op, `${op}: shapes [2,3] and [4] cannot be broadcast: dimension -1 is 3 vs 4`);
  });

  it('where, and a mismatch in a leading dim', () => {
    expectOpError(() => gs.where(ones([2]), ones([3]), ones([2])), 'where', 'where: shapes [2] and [3] cannot be broadcast: dimension -1 is 2 vs 3');
    expectOpError(() => ones([2, 1, 3]).add(ones([4, 5, 3])), 'add', 'add: shapes [2,1,3] and [4,5,3] cannot be broadcast: dimension -3 is 2 vs 4');
  });

  it('operands that are not tensors or numbers', () => {
    expectOpError(() => a23().add(any('x')), 'add', 'add: operand must be a Tensor or a number, got string');
    expectOpError(() => a23().mul(any(null)), 'mul', 'mul: operand must be a Tensor or a number, got null');
    expectOpError(() => gs.where(any([1]), 1, 2), 'where', 'where: condition must be a Tensor or a number, got object');
    expectOpError(() => gs.exp(any(3)), 'exp', 'exp: expected a Tensor, got number');
  });
});

describe('dims out of range', () => {
  const range2 = (d: number) => `dim ${d} is out of range for a tensor with 2 dimensions (expected an integer in [-2, 1])`;
  it.each([
    ['sum', () => a23().sum(5), 5],
    ['mean', () => a23().mean(-3), -3],
    ['max', () => a23().max(2), 2],
    ['min', () => a23().min(-3), -3],
    ['argmax', () => a23().argmax(2), 2],
    ['var', () => a23().var(4), 4],
    ['softmax', () => a23().softmax(2), 2],
    ['logSoftmax', () => a23().logSoftmax(-3), -3],
    ['select', () => a23().select(2, 0), 2],
    ['narrow', () => a23().narrow(2, 0, 1), 2],
    ['transpose', () => a23().transpose(0, 2), 2],
    ['squeeze', () => a23().squeeze(2), 2],
    ['cat', () => gs.cat([a23(), a23()], 2), 2],
    ['flatten', () => a23().flatten(3), 3],
    ['gather', () => a23().gather(2, zeros([2, 3])), 2],
    ['size', () => a23().size(2), 2],
  ] as [string, () => unknown, number][])('%s', (op, f, d) => {
    expectOpError(f, op, `${op}: ${range2(d)}`);
  });

  it('unsqueeze and stack allow one more dim', () => {
    expectOpError(() => a23().unsqueeze(4), 'unsqueeze', 'unsqueeze: dim 4 is out of range for a tensor with 3 dimensions (expected an integer in [-3, 2])');
    expectOpError(() => gs.stack([a23(), a23()], -4), 'stack', 'stack: dim -4 is out of range for a tensor with 3 dimensions (expected an integer in [-3, 2])');
  });

  it('transpose checks dims of a 1-D tensor too (fixed: it used to return silently)', () => {
    expectOpError(() => ones([3]).transpose(0, 5), 'transpose', 'transpose: dim 5 is out of range for a tensor with 1 dimension (expected an integer in [-1, 0])');
    expect(ones([3]).transpose(0, -1).shape).toEqual([3]);
  });

  it('size of a 0-d tensor has no dims (fixed: it used to return undefined)', () => {
    expectOpError(() => tensor(1).size(0), 'size', 'size: a 0-d tensor has no dimensions');
    expect(a23().size(-1)).toBe(3);
    expect(a23().size()).toEqual([2, 3]);
  });

  it('repeated dims, non-integer dims and bad dim arguments', () => {
    expectOpError(() => a23().sum([0, -2]), 'sum', 'sum: dim 0 appears more than once in [0, -2]');
    expectOpError(() => a23().sum(0.5), 'sum', 'sum: dim 0.5 is out of range for a tensor with 2 dimensions (expected an integer in [-2, 1])');
    expectOpError(() => a23().sum(any('a')), 'sum', 'sum: dim must be a number or an array of numbers, got a');
    expectOpError(() => (a23() as unknown as { softmax(): gs.Tensor }).softmax(), 'softmax', 'softmax: dim is required (e.g. softmax(-1) for the last dimension)');
  });

  it('reducing an empty tensor', () => {
    expectOpError(() => zeros([0]).max(), 'max', 'max: cannot reduce an empty tensor');
    expectOpError(() => zeros([0]).argmin(), 'argmin', 'argmin: cannot reduce an empty tensor');
    expectOpError(() => zeros([2, 0]).min(1), 'min', 'min: cannot reduce over dim 1 of size 0');
    expectOpError(() => zeros([2, 0]).argmax(-1), 'argmax', 'argmax: cannot reduce over dim 1 of size 0');
    // An empty dim that is not reduced gives an empty result (fixed: it used to throw), as in PyTorch.
    expect(zeros([0, 2]).max(1).shape).toEqual([0]);
    expect(zeros([0, 2]).argmin(1, true).shape).toEqual([0, 1]);
  });
});

describe('shape ops', () => {
  it('reshape with the wrong size', () => {
    expectOpError(() => a23().reshape([4, 2]), 'reshape', 'reshape: shape [4,2] is invalid for input of size 6 (shape [2,3])');
    expectOpError(() => a23().reshape([4, -1]), 'reshape', 'reshape: shape [4,-1] is invalid for input of size 6 (shape [2,3])');
    expectOpError(() => a23().reshape([-1, -1]), 'reshape', 'reshape: only one dimension can be -1, got [-1,-1]');
    expectOpError(() => a23().view([3, -2]), 'reshape', 'reshape: invalid dimension -2 in shape [3,-2]');
  });

  it('select and narrow out of range', () => {
    expectOpError(() => a23().select(1, 3), 'select', 'select: index 3 is out of range for dim 1 of size 3 (shape [2,3])');
    expectOpError(() => a23().select(0, -3), 'select', 'select: index -3 is out of range for dim 0 of size 2 (shape [2,3])');
    expectOpError(() => tensor(1).select(0, 0), 'select', 'select: cannot select from a 0-d tensor');
    expectOpError(() => a23().narrow(1, 2, 2), 'narrow', 'narrow: start 2 and length 2 are out of range for dim 1 of size 3 (shape [2,3])');
  });

  it('cat and stack with mismatched shapes', () => {
    expectOpError(() => gs.cat([a23(), ones([2, 4])]), 'cat', 'cat: tensor 1 has shape [2,4], which does not match [2,3] outside dim 0');
    expectOpError(() => gs.cat([a23(), ones([3])], 1), 'cat', 'cat: tensor 1 has shape [3], which does not match [2,3] outside dim 1');
    expectOpError(() => gs.cat([]), 'cat', 'cat: expected a non-empty array of tensors');
    expectOpError(() => gs.cat([tensor(1), tensor(2)]), 'cat', 'cat: zero-dimensional tensors cannot be concatenated; use stack');
    expectOpError(() => gs.cat([a23(), any(3)]), 'cat', 'cat: element 1 is not a Tensor');
    expectOpError(() => gs.stack([a23(), ones([3, 2])]), 'stack', 'stack: all tensors must have the same shape: tensor 0 is [2,3], tensor 1 is [3,2]');
  });

  it('permute, flatten, expand, gather', () => {
    expectOpError(() => a23().permute([0]), 'permute', 'permute: expected 2 dims for shape [2,3], got [0]');
    expectOpError(() => a23().permute([0, -2]), 'permute', 'permute: dims [0, -2] repeat a dimension');
    expectOpError(() => ones([2, 3, 4]).flatten(2, 1), 'flatten', 'flatten: startDim 2 comes after endDim 1 for shape [2,3,4]');
    expectOpError(() => a23().expand([4, 3, 2]), 'expand', 'expand: cannot expand shape [2,3] to [4,3,2]: dim 1 is 2, wanted 3');
    expectOpError(() => a23().expand([3]), 'expand', 'expand: target shape [3] has fewer dims than [2,3]');
    expectOpError(() => a23().gather(1, tensor([[0, 3]])), 'gather', 'gather: index 3 at position 1 is out of range for dim 1 of size 3');
    expectOpError(() => a23().gather(1, tensor([0])), 'gather', 'gather: index must have as many dims as input: input [2,3], index [1]');
    expectOpError(() => a23().gather(1, zeros([3, 1])), 'gather', 'gather: index shape [3,1] is larger than input shape [2,3] at dim 0');
  });
});

describe('elementwise arguments', () => {
  it('clamp and leakyRelu', () => {
    expectOpError(() => a23().clamp(), 'clamp', 'clamp: at least one of min and max must be given');
    expectOpError(() => a23().leakyRelu(any('a')), 'leakyRelu', 'leakyRelu: negativeSlope must be a number, got a');
  });
});

describe('tensors and numbers', () => {
  it('item() on a non-scalar', () => {
    expectOpError(() => a23().item(), 'item', 'item: only a tensor with one element can be converted to a number; this one has shape [2,3]');
    expect(ones([1, 1]).item()).toBe(1); // one element of any shape is fine, as in PyTorch
  });

  it('Tensor and tensor() size checks', () => {
    expectOpError(() => new gs.Tensor(new Float32Array(3), [2, 2]), 'Tensor', 'Tensor: data has 3 elements but shape [2,2] needs 4');
    expectOpError(() => tensor([[1, 2], [3]]), 'tensor', 'tensor: ragged nested array: element [1] has shape [1], but element [0] has [2]');
  });
});

describe('backward', () => {
  const x = () => ones([2], { requiresGrad: true });
  it('on a tensor that does not require grad', () => {
    expectOpError(() => ones([1]).backward(), 'backward',
      'backward: this tensor does not require grad: nothing to differentiate (was it built under noGrad, from detach(), or from tensors without requiresGrad?)');
  });

  it('on a non-scalar without a gradient, and with a gradient of the wrong shape', () => {
    expectOpError(() => x().mul(2).backward(), 'backward',
      'backward: a gradient must be given for a non-scalar output of shape [2]: call backward(gradient), or reduce it first with sum() or mean()');
    expectOpError(() => x().mul(2).backward(ones([3])), 'backward', 'backward: gradient has shape [3] but the output has shape [2]');
    expectOpError(() => x().mul(2).backward(any([1, 1])), 'backward', 'backward: gradient must be a Tensor');
  });

  it('a second time through a freed graph names the op and the fix', () => {
    const y = x().exp().sum();
    y.backward();
    expectOpError(() => y.backward(), 'backward',
      "backward: trying to backward through the graph a second time (at op Sum); its saved values were freed by the first backward. Pass { retainGraph: true } to the first backward() to keep them");
  });

  it('the freed-graph error names the module the op ran in', () => {
    const net = new nn.Sequential(new nn.Linear(2, 2));
    const y = net.forward(ones([1, 2]));
    y.backward(ones([1, 2]));
    expect(() => y.backward(ones([1, 2]))).toThrow('(at op Linear (in module 0))');
  });

  it('requiresGrad = false on a non-leaf', () => {
    expectOpError(() => { x().mul(2).requiresGrad = false; }, 'requiresGrad', 'requiresGrad: cannot turn off requiresGrad on a non-leaf tensor; use detach() to cut it from the graph');
  });
});

describe('layers', () => {
  it('Linear names the layer, the input shape and the weight', () => {
    expectOpError(() => new nn.Linear(3, 2).forward(ones([4, 5])), 'Linear', 'Linear: input of shape [4,5] does not match weight [2,3]: the last dim must be 3 (in features)');
    expectOpError(() => new nn.Linear(0, 2), 'Linear', 'Linear: inFeatures must be a positive integer, got 0');
    expectOpError(() => new nn.Linear(2, 1.5), 'Linear', 'Linear: outFeatures must be a positive integer, got 1.5');
  });

  it('containers and dropout', () => {
    expectOpError(() => new nn.Sequential(any(3)), 'Sequential', 'Sequential: argument 0 is not a Module');
    expectOpError(() => new nn.Dropout(2), 'Dropout', 'Dropout: p must be a probability in [0, 1], got 2');
    expectOpError(() => nn.Parameter(ones([1], { requiresGrad: true }).mul(2)), 'Parameter', 'Parameter: a parameter must be a leaf tensor; use detach() first');
  });
});
