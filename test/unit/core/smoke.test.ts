import { describe, expect, it } from 'vitest';
import { tensor, nn, manualSeed } from '../../../core';

describe('seed example', () => {
  it('y = x0*x1 + x1^2 at [1,2] gives grad [2,5]', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.select(0, 0).mul(x.select(0, 1)).add(x.select(0, 1).pow(2));
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 5]);
  });
  it('MLP trains', () => {
    manualSeed(0);
    const m = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
    expect(m.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const t = tensor([[0], [1], [1], [0]]);
    let first = 0, last = 0;
    for (let i = 0; i < 200; i++) {
      m.zeroGrad();
      const d = m.forward(x).sub(t);
      const loss = d.mul(d).mean();
      loss.backward();
      for (const p of m.parameters()) for (let k = 0; k < p.data.length; k++) p.data[k]! -= 0.5 * p.grad!.data[k]!;
      if (i === 0) first = loss.item();
      last = loss.item();
    }
    expect(last).toBeLessThan(first);
  });
});
