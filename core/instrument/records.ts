// What the recorder measures each step, as plain data: the input of the detectors, the rows of
// the event stream and of the reports. Everything here is serialisable (no Tensors).

import type { TensorStats, Histogram } from './stats';
import type { SourceLocation } from './callsite';

export type Level = 'off' | 'default' | 'full';

export interface ParamStep {
  /** PyTorch-style parameter name, e.g. 'encoder.fc1.weight'. */
  name: string;
  /** Path of the module that owns it, e.g. 'encoder.fc1' ('' for the root). */
  module: string;
  /** Gradient statistics; null when the parameter got no gradient in this backward. */
  grad: TensorStats | null;
  /** Weight statistics. */
  weight: TensorStats;
  /** ‖Δw‖/‖w‖ of the optimizer step that followed this backward; null before any step. */
  updateRatio: number | null;
  /** Number of dims; the detectors take params with ≥ 2 dims as the network's layers (first/last). */
  ndim?: number;
  /** False for a frozen parameter: no-gradient does not flag it. */
  requiresGrad?: boolean;
}

export type ActivationOp = 'Relu' | 'LeakyRelu' | 'Gelu' | 'Sigmoid' | 'Tanh';

export interface ActivationStep {
  /** Stable key: module path, op, and the op's ordinal within that module's forward. */
  key: string;
  module: string;
  op: ActivationOp;
  /** Fraction of units (all dims but the batch dim) that were ≤ 0 for every sample of the batch. */
  deadFrac: number;
  /** Fraction of pre-activations beyond the saturation threshold (sigmoid/tanh); null for others. */
  saturatedFrac: number | null;
  /** Number of units. */
  units: number;
}

export interface BpttStep {
  /** Module path of the recurrent layer. */
  module: string;
  layer: number;
  /** Norm of the gradient reaching the hidden state at each time step (index 0 = first step). */
  norms: number[];
}

export interface StepRecord {
  /** 1-based: the n-th backward() of the run. */
  step: number;
  /** The value backward() was called on (null if it was not a single number). */
  loss: number | null;
  /** Global L2 norm of all parameter gradients, before any clipping. */
  gradNorm: number;
  /** Learning rate of the optimizer step that followed (first group); null if none ran. */
  lr: number | null;
  params: ParamStep[];
  activations: ActivationStep[];
  bptt: BpttStep[];
  /**
   * False on the steps between detailed ones (a schedule that holds the overhead budget): then
   * each gradient's stats carry only norm and NaN/Inf counts (other fields NaN), and there are no
   * activations or update ratios. Absent or true: everything was measured.
   */
  detail?: boolean;
}

export interface HistogramEntry {
  name: string;
  kind: 'grad' | 'weight' | 'activation';
  hist: Histogram;
}

/** Where a non-finite value first appeared. */
export interface NonFiniteOrigin {
  phase: 'forward' | 'backward';
  op: string;
  module: string | null;
  step: number;
  /** What was produced: 'NaN', '+Inf', '-Inf' (the first non-finite value found). */
  value: string;
  location: SourceLocation | null;
  /** User frames further out (callers), for related information. */
  callers: SourceLocation[];
  /** Forward only: set when an input of the op was already non-finite (it came in through data or parameters). */
  inputIndex?: number;
}

export interface ModuleInfo {
  path: string;
  type: string;
  location: SourceLocation | null;
}

export interface ParamInfo {
  name: string;
  module: string;
  shape: number[];
}

export interface ModelSummary {
  modules: ModuleInfo[];
  params: ParamInfo[];
}
