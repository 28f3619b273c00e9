// Weight initialisers with PyTorch's formulas (torch.nn.init). All work in place under noGrad
// and return the tensor.

import { Tensor } from '../tensor';
import { OpError, shapeStr } from '../shape';
import { defaultGenerator } from '../random';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

/** PyTorch's calculate_gain: the recommended scale for a nonlinearity. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leakyRelu': { const s = param ?? 0.01; return Math.sqrt(2 / (1 + s * s)); }
    case 'selu': return 3 / 4;
    default: throw new OpError('calculateGain', `unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/** [fanIn, fanOut] of a weight: dims 1 and 0 times the receptive field (product of dims 2+). */
export function fans(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new OpError('init', `fan in and fan out need at least 2 dimensions, got shape ${shapeStr(t.shape)}`);
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i]!;
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

function fill(t: Tensor, draw: () => number): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = draw();
  return t;
}

/** Uniform in [a, b). */
export function uniform(t: Tensor, a = 0, b = 1): Tensor {
  return fill(t, () => a + (b - a) * defaultGenerator.uniform());
}

export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  return fill(t, () => mean + std * defaultGenerator.normal());
}

export function constant(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

export const zeros = (t: Tensor): Tensor => constant(t, 0);
export const ones = (t: Tensor): Tensor => constant(t, 1);

export interface XavierOptions { gain?: number }

export function xavierUniform(t: Tensor, { gain = 1 }: XavierOptions = {}): Tensor {
  const [fi, fo] = fans(t);
  const bound = gain * Math.sqrt(6 / (fi + fo));
  return uniform(t, -bound, bound);
}

export function xavierNormal(t: Tensor, { gain = 1 }: XavierOptions = {}): Tensor {
  const [fi, fo] = fans(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fi + fo)));
}

export interface KaimingOptions {
  /** Negative slope of the following leaky ReLU (0 for ReLU). */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' }: KaimingOptions): number {
  const [fi, fo] = fans(t);
  return calculateGain(nonlinearity, a) / Math.sqrt(mode === 'fanIn' ? fi : fo);
}

/** He uniform: bound = gain·√(3/fan). PyTorch's defaults: a = 0, fanIn, leaky ReLU. */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, -bound, bound);
}

export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, options));
}

/**
 * The default init of Linear and Conv layers: kaiming-uniform with a = √5 for the weight
 * (bound 1/√fanIn) and uniform(±1/√fanIn) for the bias.
 */
export function defaultLayerInit(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const [fi] = fans(weight);
    const bound = fi > 0 ? 1 / Math.sqrt(fi) : 0;
    uniform(bias, -bound, bound);
  }
}
