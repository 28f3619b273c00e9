// The benchmark models (issue 6) in gradscope, and the data + initial weights both engines share.
import { nn, optim, manualSeed, randn, randint, tensor, type Tensor } from 'gradscope';

export interface MlpData { batch: number; x: Float32Array; labels: Int32Array; w: Float32Array[]; b: Float32Array[] }
export interface CnnData {
  batch: number; x: Float32Array; labels: Int32Array;
  conv1: Float32Array; convB1: Float32Array; conv2: Float32Array; convB2: Float32Array; fc: Float32Array; fcB: Float32Array;
}
export interface TinyData { x: Float32Array; y: Float32Array; w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array }

/** One training step (zeroGrad, forward, loss, backward, optimizer step); returns the loss. */
export interface Model { step(): number }

const copy = (t: Tensor): Float32Array => t.data.slice();
const labelsOf = (t: Tensor): Int32Array => Int32Array.from(t.data);

function trainer(opt: optim.Optimizer, loss: () => Tensor): Model {
  return {
    step() {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      opt.step();
      return l.item();
    },
  };
}

// ---- MLP 784-256-128-10, ReLU, softmax cross-entropy, batch 64, SGD --------------------------

export function mlp(batch = 64): { model: Model; data: MlpData } {
  manualSeed(0);
  const lin = [new nn.Linear(784, 256), new nn.Linear(256, 128), new nn.Linear(128, 10)] as const;
  const net = new nn.Sequential(lin[0], new nn.ReLU(), lin[1], new nn.ReLU(), lin[2]);
  const x = randn([batch, 784]);
  const y = randint(0, 10, [batch]);
  const data: MlpData = { batch, x: copy(x), labels: labelsOf(y), w: lin.map((l) => copy(l.weight)), b: lin.map((l) => copy(l.bias!)) };
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new optim.SGD(net.parameters(), { lr: 0.01 });
  return { model: trainer(opt, () => lossFn.forward(net.forward(x), y)), data };
}

// ---- CNN 28×28×1, batch 32: conv3×3×16 same → ReLU → pool 2 → conv3×3×32 same → ReLU → pool 2 → Linear 1568→10

export function cnn(batch = 32): { model: Model; data: CnnData } {
  manualSeed(0);
  const conv1 = new nn.Conv2d(1, 16, 3, { padding: 'same' });
  const conv2 = new nn.Conv2d(16, 32, 3, { padding: 'same' });
  const fc = new nn.Linear(1568, 10);
  const net = new nn.Sequential(conv1, new nn.ReLU(), new nn.MaxPool2d(2), conv2, new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), fc);
  const x = randn([batch, 1, 28, 28]);
  const y = randint(0, 10, [batch]);
  const data: CnnData = {
    batch, x: copy(x), labels: labelsOf(y),
    conv1: copy(conv1.weight), convB1: copy(conv1.bias!), conv2: copy(conv2.weight), convB2: copy(conv2.bias!), fc: copy(fc.weight), fcB: copy(fc.bias!),
  };
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new optim.SGD(net.parameters(), { lr: 0.01 });
  return { model: trainer(opt, () => lossFn.forward(net.forward(x), y)), data };
}

// ---- the seed's 2-4-1 MLP on XOR (MSE, SGD with momentum): per-op overhead -------------------

export function tiny(): { model: Model; data: TinyData } {
  manualSeed(1);
  const l1 = new nn.Linear(2, 4);
  const l2 = new nn.Linear(4, 1);
  const net = new nn.Sequential(l1, new nn.Tanh(), l2);
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tensor([[0], [1], [1], [0]]);
  const data: TinyData = { x: copy(x), y: copy(y), w1: copy(l1.weight), b1: copy(l1.bias!), w2: copy(l2.weight), b2: copy(l2.bias!) };
  const lossFn = new nn.MSELoss();
  const opt = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
  return { model: trainer(opt, () => lossFn.forward(net.forward(x), y)), data };
}
