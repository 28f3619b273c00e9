// Thresholds of the detectors. Every one is configurable; defaults come from the literature cited
// next to each. A user config is merged over the defaults (`resolveConfig`).
//
// Sources:
//  [AUTOTRAINER] X. Zhang et al., "AUTOTRAINER: An Automatic DNN Training Problem Detection and
//    Repair System", ICSE 2021.
//  [DEEPDIAGNOSIS] M. Wardat et al., "DeepDiagnosis: Automatically Diagnosing Faults and
//    Recommending Actionable Fixes in Deep Learning Programs", ICSE 2022.
//  [CS231N] A. Karpathy, CS231n notes "Neural Networks Part 3: Learning and Evaluation"
//    (ratio of weight updates to weight magnitudes ≈ 1e-3).
//  [MIXED] P. Micikevicius et al., "Mixed Precision Training", ICLR 2018 (loss scaling).
//  [PASCANU] R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
//    networks", ICML 2013.

import type { DiagnosticCode } from '../diagnostics';

export interface DetectorConfig {
  /** Consecutive steps a trend must hold before it is reported (AUTOTRAINER judges over a window). */
  windowSteps: number;
  /** Any parameter's gradient norm, or the global one, above this is exploding at once [PASCANU; AUTOTRAINER]. */
  explodingAbsNorm: number;
  /** First/last layer gradient-norm ratio above this is exploding [AUTOTRAINER: 70]. */
  explodingRatio: number;
  /** First/last layer gradient-norm ratio below this ... [AUTOTRAINER: 1e-3] */
  vanishingRatio: number;
  /** ... with the first layer's gradient norm below this is vanishing [AUTOTRAINER: 1e-4]. */
  vanishingFirstNorm: number;
  /** Fraction of ReLU units at 0 for the whole batch from which the layer is dead [AUTOTRAINER, DEEPDIAGNOSIS: 0.7]. */
  deadReluFrac: number;
  /** Fraction of sigmoid/tanh pre-activations beyond ±5 above which the layer is saturated [DEEPDIAGNOSIS: 0.5]. */
  saturatedFrac: number;
  /** Consecutive steps without a gradient before a parameter is reported. */
  noGradientSteps: number;
  /** Loss above this multiple of the first finite loss (and rising) is diverging. */
  divergenceFactor: number;
  /** Steps of the window over which a plateau is judged (two halves compared). */
  plateauWindow: number;
  /** Relative change between the means of the two halves below which the loss is flat. */
  plateauRelChange: number;
  /** Losses at or below this count as converged: no plateau, no lr-too-low. */
  plateauMinLoss: number;
  /** Median ‖Δw‖/‖w‖ over the layers above this: lr too high [DEEPDIAGNOSIS upper bound 1e-1; CS231N ≈ 1e-3 healthy]. */
  lrHighRatio: number;
  /** ... for this many consecutive steps while the loss made less than 1% progress: lr too high. Early steps of a
   *  healthy run often move small weights by more than 10%, so the ratio alone is not evidence. */
  lrHighWindow: number;
  /** Median ‖Δw‖/‖w‖ below this ... [CS231N: far below 1e-3] */
  lrLowRatio: number;
  /** ... for this many consecutive steps: lr too low. */
  lrLowWindow: number;
  /** Fraction of nonzero gradient values below float16's smallest normal above which fp16 would underflow [MIXED]. */
  fp16UnderflowFrac: number;
  /** Codes never reported. */
  disabled?: DiagnosticCode[];
}

export const DEFAULT_DETECTOR_CONFIG: Readonly<Required<DetectorConfig>> = Object.freeze({
  windowSteps: 3,
  explodingAbsNorm: 1e3,
  explodingRatio: 70,
  vanishingRatio: 1e-3,
  vanishingFirstNorm: 1e-4,
  deadReluFrac: 0.7,
  saturatedFrac: 0.5,
  noGradientSteps: 3,
  divergenceFactor: 10,
  plateauWindow: 50,
  plateauRelChange: 1e-3,
  plateauMinLoss: 1e-4,
  lrHighRatio: 1e-1,
  lrHighWindow: 10,
  lrLowRatio: 1e-5,
  lrLowWindow: 10,
  fp16UnderflowFrac: 0.05,
  disabled: [],
});

/** Merges a user config over the defaults; undefined entries keep the default, windows are at least 1 step (plateau: 2). */
export function resolveConfig(config: Partial<DetectorConfig> = {}): Required<DetectorConfig> {
  const out: Required<DetectorConfig> = { ...DEFAULT_DETECTOR_CONFIG, disabled: [...(config.disabled ?? [])] };
  for (const k of Object.keys(config) as (keyof DetectorConfig)[]) {
    if (k === 'disabled') continue;
    const v = config[k];
    if (typeof v === 'number' && !Number.isNaN(v)) (out as unknown as Record<string, number>)[k] = v;
  }
  out.windowSteps = Math.max(1, Math.floor(out.windowSteps));
  out.noGradientSteps = Math.max(1, Math.floor(out.noGradientSteps));
  out.lrLowWindow = Math.max(1, Math.floor(out.lrLowWindow));
  out.lrHighWindow = Math.max(1, Math.floor(out.lrHighWindow));
  out.plateauWindow = Math.max(2, Math.floor(out.plateauWindow));
  return out;
}
