import { Tensor } from '../tensor';
import { OpError } from '../shape';
import { empty } from './params';
import { Module, Parameter } from './module';
import { defaultLayerInit } from './init';
import { conv2d, conv2dAttrs, type Conv2dOptions } from '../ops/conv';
import { pair, type Pair } from '../ops/window';

export interface Conv2dLayerOptions extends Conv2dOptions {
  bias?: boolean;
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) over [N, C, H, W] (or unbatched [C, H, W]) →
 * [N, out, H', W'], H' = ⌊(H + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1. weight
 * [out, in/groups, kH, kW], bias [out]. Options: stride, padding, dilation, groups, bias.
 * PyTorch: `torch.nn.Conv2d`.
 */
export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'valid' | 'same';
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: Conv2dLayerOptions = {}) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true } = options;
    for (const [n, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new OpError('Conv2d', `${n} must be a positive integer, got ${v}`);
    }
    this.kernelSize = pair(kernelSize, 'kernelSize', 'Conv2d', 1);
    // Validates stride, padding, dilation and groups now, as PyTorch's constructor does.
    const attrs = conv2dAttrs(this.kernelSize, { stride, padding, dilation, groups }, 'Conv2d');
    for (const [n, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (v % groups !== 0) throw new OpError('Conv2d', `${n}=${v} must be divisible by groups=${groups}`);
    }
    this.stride = attrs.stride;
    this.padding = typeof padding === 'string' ? padding : [attrs.pad[0], attrs.pad[2]];
    this.dilation = attrs.dilation;
    this.groups = groups;
    this.weight = Parameter(empty([outChannels, inChannels / groups, ...this.kernelSize]));
    this.bias = bias ? Parameter(empty([outChannels])) : null;
    defaultLayerInit(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this;
    return conv2d(x, this.weight, this.bias, { stride, padding, dilation, groups }, 'Conv2d');
  }

  override extraRepr(): string {
    const pairStr = (p: readonly number[]) => `[${p.join(', ')}]`;
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${pairStr(this.kernelSize)}, stride=${pairStr(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding='${this.padding}'`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pairStr(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pairStr(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    return s;
  }
}
