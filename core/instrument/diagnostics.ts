// Diagnostic codes and the finding shape, shared by the detectors, the CLI, the JSON report and
// the Problems view. Codes are stable and kebab-case: never rename one.

import type { SourceLocation } from './callsite';

export const DIAGNOSTIC_CODES = [
  'nan-inf',
  'exploding-gradient',
  'vanishing-gradient',
  'dead-relu',
  'saturated-activation',
  'no-gradient',
  'loss-divergence',
  'loss-plateau',
  'lr-too-high',
  'lr-too-low',
  'fp16-underflow',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];
export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInfo {
  message: string;
  location: SourceLocation;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  /** What, where, since which step. */
  message: string;
  /** A suggested fix. */
  fix: string;
  /** Module path of the layer concerned ('' = root module); absent for run-wide findings. */
  module?: string;
  /** Step the problem was first seen, and the latest step it was seen at. */
  step: number;
  lastStep: number;
  /** Where to show it: the layer's construction for layer findings, the op's call for nan-inf. */
  location: SourceLocation | null;
  related: RelatedInfo[];
  /** The measured figures behind the finding (e.g. { deadFrac: 0.93 }). */
  evidence: Record<string, number>;
}
