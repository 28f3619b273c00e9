import type { Tensor } from '../tensor';
import { Module } from './module';
import { avgPool2d, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions } from '../ops/pool';
import { pair, type Pair } from '../ops/window';

/** Fails at construction, as a bad window argument is a model-definition bug. */
function checkWindow(layer: string, kernelSize: Pair, stride: Pair, padding: Pair, dilation: Pair): void {
  pair(kernelSize, 'kernelSize', layer, 1);
  pair(stride, 'stride', layer, 1);
  pair(padding, 'padding', layer, 0);
  pair(dilation, 'dilation', layer, 1);
}

const show = (p: Pair): string => (typeof p === 'number' ? String(p) : `[${p.join(', ')}]`);

/**
 * Max over sliding windows of each [H, W] plane of [N, C, H, W]; stride defaults to the kernel size.
 * PyTorch: `torch.nn.MaxPool2d`.
 */
export class MaxPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;

  constructor(readonly kernelSize: Pair, { stride = null, padding = 0, dilation = 1, ceilMode = false }: MaxPool2dOptions = {}) {
    super();
    this.stride = stride ?? kernelSize;
    checkWindow('MaxPool2d', kernelSize, this.stride, padding, dilation);
    this.padding = padding;
    this.dilation = dilation;
    this.ceilMode = ceilMode;
  }

  override forward(x: Tensor): Tensor {
    const { stride, padding, dilation, ceilMode } = this;
    return maxPool2d(x, this.kernelSize, { stride, padding, dilation, ceilMode }, 'MaxPool2d');
  }

  override extraRepr(): string {
    return `kernelSize=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

/**
 * Mean over sliding windows of each [H, W] plane of [N, C, H, W]; stride defaults to the kernel size.
 * PyTorch: `torch.nn.AvgPool2d`.
 */
export class AvgPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(readonly kernelSize: Pair, { stride = null, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null }: AvgPool2dOptions = {}) {
    super();
    this.stride = stride ?? kernelSize;
    checkWindow('AvgPool2d', kernelSize, this.stride, padding, 1);
    this.padding = padding;
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
    this.divisorOverride = divisorOverride;
  }

  override forward(x: Tensor): Tensor {
    const { stride, padding, ceilMode, countIncludePad, divisorOverride } = this;
    return avgPool2d(x, this.kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride }, 'AvgPool2d');
  }

  override extraRepr(): string {
    let s = `kernelSize=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
    if (this.ceilMode) s += ', ceilMode=true';
    if (!this.countIncludePad) s += ', countIncludePad=false';
    if (this.divisorOverride !== null) s += `, divisorOverride=${this.divisorOverride}`;
    return s;
  }
}
