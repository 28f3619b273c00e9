// nn.Embedding: lookup values and accumulated gradients from PyTorch 1.13, the padding row
// (zeroed at init, looked up as is, never gets a gradient), N(0,1) init, and index errors.

import { describe, expect, it } from 'vitest';
import { embedding, gradcheck, manualSeed, nn, Tensor, tensor } from '../../../core';

const rowsOf = (t: Tensor | null) => Array.from(t!.data, (v) => Math.round(v * 1e6) / 1e6);

describe('Embedding against PyTorch', () => {
  function layer(paddingIdx?: number) {
    const emb = new nn.Embedding(5, 3, paddingIdx === undefined ? {} : { paddingIdx });
    emb.weight.data.set(Array.from({ length: 15 }, (_, i) => i * 0.1 - 0.5));
    return emb;
  }

  it('looks up rows for indices of any shape: output [...indices.shape, embeddingDim]', () => {
    const emb = layer();
    expect(Object.keys(emb.stateDict())).toEqual(['weight']);
    expect(emb.weight.shape).toEqual([5, 3]);
    const y = emb.forward(tensor([[0, 1, 4], [4, 4, 2]]));
    expect(y.shape).toEqual([2, 3, 3]);
    expect(rowsOf(y)).toEqual([-0.5, -0.4, -0.3, -0.2, -0.1, 0, 0.7, 0.8, 0.9, 0.7, 0.8, 0.9, 0.7, 0.8, 0.9, 0.1, 0.2, 0.3]);
    expect(emb.forward(tensor(3)).shape).toEqual([3]);
    expect(rowsOf(emb.forward(tensor([3])))).toEqual([0.4, 0.5, 0.6]);
  });

  it('gradient accumulates over repeated indices; paddingIdx row is looked up but gets zero gradient', () => {
    const emb = layer(1);
    // layer() overwrote the zeroed row 1, so the forward shows the padding row is really looked up.
    const y = emb.forward(tensor([[0, 1, 4], [4, 4, 2]]));
    expect(rowsOf(y).slice(3, 6)).toEqual([-0.2, -0.1, 0]);
    y.backward(tensor(Array.from({ length: 18 }, (_, i) => i * 0.5 - 2), { shape: [2, 3, 3] }));
    expect(rowsOf(emb.weight.grad)).toEqual([-2, -1.5, -1, 0, 0, 0, 5.5, 6, 6.5, 0, 0, 0, 7.5, 9, 10.5]);
  });

  it('without paddingIdx every looked-up row gets its gradient', () => {
    const emb = layer();
    emb.forward(tensor([1, 1, 3])).backward(tensor([[1, 2, 3], [10, 20, 30], [0.5, 0.5, 0.5]]));
    expect(rowsOf(emb.weight.grad)).toEqual([0, 0, 0, 11, 22, 33, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0, 0]);
  });

  it('init: N(0,1) weights, the padding row (negative index counts from the end) zeroed', () => {
    manualSeed(3);
    const emb = new nn.Embedding(200, 50, { paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(199);
    expect(emb.toString()).toBe('Embedding(200, 50, paddingIdx=199)');
    const w = emb.weight.data;
    expect(Array.from(w.subarray(199 * 50))).toEqual(new Array(50).fill(0));
    const n = 199 * 50;
    let s = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) { s += w[i]!; ss += w[i]! * w[i]!; }
    const mean = s / n;
    const std = Math.sqrt(ss / n - mean * mean);
    // n ≈ 10⁴: the sample mean has sd 0.01 and the sample std sd ≈ 0.007.
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.035);
    expect(emb.weight.requiresGrad).toBe(true);
  });

  // The padding row's zero gradient is deliberate (not the true derivative), so only the plain lookup is finite-differenced.
  it('gradcheck of the lookup (IndexSelect)', () => {
    const w = tensor(Array.from({ length: 12 }, (_, i) => Math.sin(i)), { shape: [4, 3], requiresGrad: true });
    expect(gradcheck((t) => embedding(tensor([[3, 0], [3, 2]]), t), [w])).toEqual({ ok: true });
  });
});

describe('Embedding errors', () => {
  const emb = new nn.Embedding(10, 4);
  it('out-of-range and negative indices name the layer, the index, its position and the table size', () => {
    expect(() => emb.forward(tensor([1, 10]))).toThrow('Embedding: index 10 at position 1 of indices [2] is out of range for 10 embeddings (expected 0 to 9)');
    expect(() => emb.forward(tensor([[0, -1]]))).toThrow('Embedding: index -1 at position 1 of indices [1,2] is out of range for 10 embeddings (expected 0 to 9)');
  });

  it('non-integer indices', () => {
    expect(() => emb.forward(tensor([2.5]))).toThrow('Embedding: index 2.5 at position 0 of indices [1] is not an integer');
    expect(() => emb.forward(tensor([NaN]))).toThrow(/Embedding: index NaN .* is not an integer/);
  });

  it('bad constructor arguments', () => {
    expect(() => new nn.Embedding(0, 3)).toThrow('Embedding: numEmbeddings must be a positive integer, got 0');
    expect(() => new nn.Embedding(5, 2.5)).toThrow('Embedding: embeddingDim must be a positive integer, got 2.5');
    expect(() => new nn.Embedding(5, 3, { paddingIdx: 5 })).toThrow('Embedding: paddingIdx must be an integer in [-5, 4], got 5');
  });

  it('functional embedding wants a 2-D weight', () => {
    expect(() => embedding(tensor([0]), tensor([1, 2, 3]))).toThrow('embedding: weight must be a 2-D Tensor [numEmbeddings, embeddingDim], got [3]');
  });
});
