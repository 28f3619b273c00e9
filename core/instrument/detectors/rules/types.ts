// The contract between the engine and its rules. A rule keeps its own state across steps and
// reports findings; the engine turns them into Diagnostics, once per (code, identity).

import type { SourceLocation } from '../../callsite';
import type { DiagnosticCode, RelatedInfo } from '../../diagnostics';
import type { NonFiniteOrigin, StepRecord } from '../../records';
import type { DetectorConfig } from '../config';

export interface Finding {
  code: DiagnosticCode;
  /** Module concerned; absent for a run-wide finding. */
  module?: string;
  /** Identity when it is not the module (default: the module, or the run). */
  key?: string;
  /** First step of the evidence (kept when the finding is seen again). */
  step: number;
  /** Latest step of the evidence (default `step`). */
  lastStep?: number;
  /** The message, given the step the finding was first reported at. */
  message: (since: number) => string;
  fix: string;
  evidence: Record<string, number>;
  /** Default: where the module was constructed (run-wide: none). */
  location?: SourceLocation | null;
  related?: RelatedInfo[];
}

export interface RuleContext {
  readonly config: Readonly<Required<DetectorConfig>>;
  emit(finding: Finding): void;
}

export interface Rule {
  observe(record: StepRecord, ctx: RuleContext): void;
  nonFinite?(origin: NonFiniteOrigin, ctx: RuleContext): void;
  finish?(ctx: RuleContext): void;
}
