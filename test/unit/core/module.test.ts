// nn.Module: names exactly as PyTorch's state_dict keys (checked against torch 1.13), lazy
// discovery of class fields, buffers, loading state, modes, and the module path each op records.

import { describe, expect, it } from 'vitest';
import { manualSeed, nn, ones, Tensor, tensor, zeros } from '../../../core';
import { addObserver } from '../../../core/autograd/hooks';

const keys = (entries: [string, unknown][]): string[] => entries.map(([k]) => k);

class Encoder extends nn.Module {
  fc1 = new nn.Linear(4, 3);
  act = new nn.ReLU();
  fc2 = new nn.Linear(3, 2);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

class AutoEncoder extends nn.Module {
  encoder = new Encoder();
  decoder = new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh(), new nn.Linear(3, 4));
  override forward(x: Tensor): Tensor {
    return this.decoder.forward(this.encoder.forward(x));
  }
}

/** A layer with a buffer, like batch norm's running statistics. */
class WithBuffer extends nn.Module {
  weight = nn.Parameter(ones([2]));
  constructor() {
    super();
    this.registerBuffer('runningMean', zeros([2]));
  }
  override forward(x: Tensor): Tensor {
    return x.mul(this.weight);
  }
}

/** Records [op, modulePath] for every op run inside fn. */
function opPaths(fn: () => void): [string, string | null][] {
  const seen: [string, string | null][] = [];
  const remove = addObserver({ onForward: (e) => seen.push([e.op, e.modulePath]) });
  try {
    fn();
  } finally {
    remove();
  }
  return seen;
}

describe('parameter and state_dict names', () => {
  it('nested modules: encoder.fc1.weight …, Sequential children by index', () => {
    const m = new AutoEncoder();
    const expected = [
      'encoder.fc1.weight', 'encoder.fc1.bias', 'encoder.fc2.weight', 'encoder.fc2.bias',
      'decoder.0.weight', 'decoder.0.bias', 'decoder.2.weight', 'decoder.2.bias',
    ];
    expect(keys(m.namedParameters())).toEqual(expected);
    expect(Object.keys(m.stateDict())).toEqual(expected);
    expect(keys(m.namedModules())).toEqual(['', 'encoder', 'encoder.fc1', 'encoder.act', 'encoder.fc2', 'decoder', 'decoder.0', 'decoder.1', 'decoder.2']);
    expect(keys(m.namedChildren())).toEqual(['encoder', 'decoder']);
    expect(m.parameters()).toHaveLength(8);
  });

  it('Sequential at the root: 0.weight, 2.bias', () => {
    const s = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU(), new nn.Linear(2, 1, { bias: false }));
    expect(keys(s.namedParameters())).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(s.length).toBe(3);
    expect(s.at(-1)).toBeInstanceOf(nn.Linear);
  });

  it('more than ten Sequential children keep numeric order', () => {
    const s = new nn.Sequential(...Array.from({ length: 12 }, () => new nn.Linear(1, 1, { bias: false })));
    expect(keys(s.namedParameters())).toEqual(Array.from({ length: 12 }, (_, i) => `${i}.weight`));
  });

  it('arrays of modules and ModuleList are named like nn.ModuleList: layers.0.weight', () => {
    class Stack extends nn.Module {
      layers = [new nn.Linear(2, 2), new nn.Linear(2, 2)];
      heads = new nn.ModuleList([new nn.Linear(2, 1)]);
    }
    const m = new Stack();
    expect(keys(m.namedParameters())).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'heads.0.weight', 'heads.0.bias']);
  });

  it('a shared module or parameter is listed once by namedParameters, under its first name', () => {
    class Tied extends nn.Module {
      a = new nn.Linear(2, 2);
      b = this.a;
      c = new nn.Linear(2, 2, { bias: false });
      d = new nn.Linear(2, 2, { bias: false });
      constructor() {
        super();
        this.d.weight = this.c.weight;
      }
    }
    const m = new Tied();
    expect(keys(m.namedParameters())).toEqual(['a.weight', 'a.bias', 'c.weight']);
    expect(keys(m.namedModules())).toEqual(['', 'a', 'c', 'd']);
    // …while state_dict keeps every alias, as PyTorch's does.
    expect(Object.keys(m.stateDict())).toEqual(['a.weight', 'a.bias', 'b.weight', 'b.bias', 'c.weight', 'd.weight']);
  });

  it('a module that refers back to its parent does not loop', () => {
    const m = new AutoEncoder();
    (m.encoder as unknown as { owner: nn.Module }).owner = m;
    expect(keys(m.namedModules())).toHaveLength(9);
    expect(Object.keys(m.stateDict())).toHaveLength(8);
  });

  it('buffers are in the state dict (after the module\'s parameters) but are not parameters', () => {
    class Net extends nn.Module {
      norm = new WithBuffer();
      fc = new nn.Linear(2, 2);
    }
    const m = new Net();
    expect(keys(m.namedParameters())).toEqual(['norm.weight', 'fc.weight', 'fc.bias']);
    expect(keys(m.namedBuffers())).toEqual(['norm.runningMean']);
    expect(Object.keys(m.stateDict())).toEqual(['norm.weight', 'norm.runningMean', 'fc.weight', 'fc.bias']);
    expect(m.buffers()[0]!.requiresGrad).toBe(false);
  });

  it('a parameter frozen after construction stays in namedParameters and the state dict', () => {
    const lin = new nn.Linear(3, 2);
    lin.weight.requiresGrad = false;
    expect(keys(lin.namedParameters())).toEqual(['weight', 'bias']);
    expect(Object.keys(lin.stateDict())).toEqual(['weight', 'bias']);
    const fresh = nn.Parameter(ones([2]), false);
    expect(fresh.requiresGrad).toBe(false);
  });

  it('plain tensors without requiresGrad are neither parameters nor buffers', () => {
    class M extends nn.Module {
      scale = tensor([2]);
      w = tensor([1, 2], { requiresGrad: true }); // a leaf with requiresGrad counts as a parameter
    }
    const m = new M();
    expect(keys(m.namedParameters())).toEqual(['w']);
    expect(Object.keys(m.stateDict())).toEqual(['w']);
  });

  it('members are discovered lazily: subclass fields, and properties added after construction', () => {
    class Base extends nn.Module {
      first = new nn.Linear(1, 1);
    }
    class Derived extends Base {
      second = new nn.Linear(1, 1, { bias: false });
    }
    const m = new Derived() as Derived & { late?: nn.Linear };
    expect(keys(m.namedParameters())).toEqual(['first.weight', 'first.bias', 'second.weight']);
    m.late = new nn.Linear(1, 1, { bias: false });
    expect(keys(m.namedParameters())).toEqual(['first.weight', 'first.bias', 'second.weight', 'late.weight']);
  });

  it('stateDict values are detached and share storage with the parameters', () => {
    const lin = new nn.Linear(2, 1);
    const sd = lin.stateDict();
    expect(sd.weight!.requiresGrad).toBe(false);
    expect(sd.weight!.data).toBe(lin.weight.data);
  });
});

describe('loadStateDict', () => {
  it('round trip: another model\'s state dict copies the values in place', () => {
    manualSeed(1);
    const a = new AutoEncoder();
    manualSeed(2);
    const b = new AutoEncoder();
    const before = b.encoder.fc1.weight;
    expect(Array.from(b.encoder.fc1.weight.data)).not.toEqual(Array.from(a.encoder.fc1.weight.data));
    expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [k, v] of Object.entries(a.stateDict())) expect(Array.from(b.stateDict()[k]!.data)).toEqual(Array.from(v.data));
    expect(b.encoder.fc1.weight).toBe(before); // same tensor object: optimizers keep working
    const x = tensor([[1, 2, 3, 4]]);
    expect(Array.from(b.forward(x).data)).toEqual(Array.from(a.forward(x).data));
  });

  it('accepts Float32Arrays and number arrays of the right size, and loads buffers', () => {
    const m = new WithBuffer();
    m.loadStateDict({ weight: [3, 4], runningMean: new Float32Array([0.5, 0.25]) });
    expect(Array.from(m.weight.data)).toEqual([3, 4]);
    expect(Array.from(m.buffers()[0]!.data)).toEqual([0.5, 0.25]);
  });

  it('a missing key throws, naming it', () => {
    const lin = new nn.Linear(2, 2);
    expect(() => lin.loadStateDict({ weight: zeros([2, 2]) })).toThrow('loadStateDict: missing key: bias (in Linear)');
  });

  it('an unexpected key throws, naming it', () => {
    const lin = new nn.Linear(2, 2);
    const sd = { ...lin.stateDict(), extra: zeros([1]) };
    expect(() => lin.loadStateDict(sd)).toThrow('loadStateDict: unexpected key: extra (in Linear)');
  });

  it('a value of the wrong size throws', () => {
    const lin = new nn.Linear(2, 2);
    expect(() => lin.loadStateDict({ weight: [1, 2, 3], bias: [0, 0] })).toThrow("loadStateDict: size mismatch for weight: got 3 values, the module's [2,2] needs 4");
  });

  it('a Tensor of the wrong shape (even with the right size) throws', () => {
    const lin = new nn.Linear(2, 2);
    expect(() => lin.loadStateDict({ weight: zeros([4]), bias: zeros([2]) })).toThrow('loadStateDict: size mismatch for weight: got shape [4], the module has [2,2]');
  });

  it('non-strict loading skips absent keys and returns both lists', () => {
    const lin = new nn.Linear(2, 2);
    const r = lin.loadStateDict({ bias: [7, 8], other: [1] }, { strict: false });
    expect(r).toEqual({ missingKeys: ['weight'], unexpectedKeys: ['other'] });
    expect(Array.from(lin.bias!.data)).toEqual([7, 8]);
  });

  it('a failed load leaves the module unchanged', () => {
    const m = new AutoEncoder();
    const snapshot = Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v.data)]));
    const bad: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(m.stateDict())) bad[k] = tensor(Array.from(v.data).map((x) => x + 1), { shape: v.shape as number[] });
    bad['decoder.2.bias'] = zeros([5]); // the last key is bad: nothing may have been written before it
    expect(() => m.loadStateDict(bad)).toThrow(/size mismatch for decoder\.2\.bias/);
    for (const [k, v] of Object.entries(m.stateDict())) expect(Array.from(v.data)).toEqual(snapshot[k]);
  });
});

describe('modes and gradients', () => {
  it('train() and eval() set training recursively and return the module', () => {
    const m = new AutoEncoder();
    expect(m.eval()).toBe(m);
    expect(m.modules().every((x) => x.training === false)).toBe(true);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
    m.train(false);
    expect(m.encoder.fc1.training).toBe(false);
  });

  it('zeroGrad clears every parameter\'s gradient (to null, PyTorch\'s set_to_none)', () => {
    const m = new AutoEncoder();
    m.forward(ones([2, 4])).sum().backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('a frozen parameter receives no gradient', () => {
    const lin = new nn.Linear(2, 1);
    lin.weight.requiresGrad = false;
    lin.forward(ones([1, 2])).sum().backward();
    expect(lin.weight.grad).toBeNull();
    expect(lin.bias!.grad).not.toBeNull();
  });

  it('apply visits children first, then the module', () => {
    const names: string[] = [];
    new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU()).apply((m) => names.push(m.constructor.name));
    expect(names).toEqual(['Linear', 'ReLU', 'Sequential']);
  });
});

describe('module paths recorded by ops', () => {
  it('Sequential: each op under its child index', () => {
    const s = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    expect(opPaths(() => s.forward(ones([1, 2])))).toEqual([['Linear', '0'], ['Relu', '1'], ['Linear', '2']]);
  });

  it('nested modules: encoder.fc1, decoder.0; the root\'s own ops get the empty path', () => {
    class Net extends AutoEncoder {
      override forward(x: Tensor): Tensor {
        return super.forward(x).mul(2);
      }
    }
    const m = new Net();
    expect(opPaths(() => m.forward(ones([1, 4])))).toEqual([
      ['Linear', 'encoder.fc1'], ['Relu', 'encoder.act'], ['Linear', 'encoder.fc2'],
      ['Linear', 'decoder.0'], ['Tanh', 'decoder.1'], ['Linear', 'decoder.2'],
      ['Mul', ''],
    ]);
  });

  it('modules in arrays get their list path', () => {
    class Stack extends nn.Module {
      layers = [new nn.Linear(2, 2), new nn.Linear(2, 2)];
      override forward(x: Tensor): Tensor {
        return this.layers.reduce((h, l) => l.forward(h), x);
      }
    }
    expect(opPaths(() => new Stack().forward(ones([1, 2]))).map(([, p]) => p)).toEqual(['layers.0', 'layers.1']);
  });

  it('ops outside any module have a null path', () => {
    expect(opPaths(() => ones([2]).mul(2))).toEqual([['Mul', null]]);
  });

  it('a child called directly from the training loop, after namedModules() on the root, gets its full path', () => {
    const m = new AutoEncoder();
    m.namedModules();
    expect(opPaths(() => m.encoder.forward(ones([1, 4]))).map(([, p]) => p)).toEqual(['encoder.fc1', 'encoder.act', 'encoder.fc2']);
    expect(opPaths(() => m.decoder.at(0).forward(ones([1, 2])))).toEqual([['Linear', 'decoder.0']]);
  });

  it('a child walked on its own first still gets its full path once the root is walked', () => {
    const m = new AutoEncoder();
    m.encoder.parameters(); // e.g. an optimizer over the encoder only
    m.parameters();
    expect(opPaths(() => m.encoder.fc2.forward(ones([1, 3])))).toEqual([['Linear', 'encoder.fc2']]);
  });

  it('the path is also on the graph node, for the backward pass', () => {
    const s = new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh());
    const y = s.forward(ones([1, 2]));
    expect(y.gradFn!.modulePath).toBe('1');
    expect(y.gradFn!.inputs[0]!.gradFn!.modulePath).toBe('0');
  });
});
