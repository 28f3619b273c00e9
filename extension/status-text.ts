// What the status-bar item says, folded from the event stream (pure: tested in vitest). The
// wording is the CLI's progress line's, so both read the same.

import type { RunEvent, RunStatus } from '../core/instrument/events';
import type { JsonReport } from '../core/report/model';
import { FindingSet } from '../core/cli/findings';
import { formatFindingsSoFar, formatLoss } from '../core/cli/progress';

export interface StatusView {
  text: string;
  tooltip: string;
}

export class StatusModel {
  private step = 0;
  private loss: number | null = null;
  private status: RunStatus | 'running' = 'running';
  private findings = new FindingSet();

  reset(): void {
    this.step = 0;
    this.loss = null;
    this.status = 'running';
    this.findings = new FindingSet();
  }

  add(e: RunEvent): void {
    switch (e.type) {
      case 'step':
        this.step = e.record.step;
        this.loss = e.record.loss;
        return;
      case 'diagnostic':
        this.findings.add(e.diagnostic);
        return;
      case 'runEnded':
        this.status = e.status;
        this.step = Math.max(this.step, e.steps);
        return;
      default:
        return;
    }
  }

  /** The state a run's report ends in (the last run, restored after a window reload). */
  restore(r: JsonReport): void {
    this.reset();
    this.step = r.steps;
    this.loss = r.loss.at(-1)?.value ?? null;
    this.status = r.status;
    for (const d of r.diagnostics) this.findings.add(d);
  }

  get running(): boolean {
    return this.status === 'running';
  }

  view(): StatusView {
    const counts = this.findings.counts();
    const icon = this.running ? '$(sync~spin)' : counts.error > 0 ? '$(error)' : counts.warning > 0 ? '$(warning)' : '$(check)';
    const head = this.running ? `step ${this.step}` : `${this.status}, ${this.step} step${this.step === 1 ? '' : 's'}`;
    return {
      text: `${icon} GradScope: ${head} · loss ${formatLoss(this.loss)} · ${formatFindingsSoFar(counts)}`,
      tooltip: this.running ? 'GradScope is running a training script — click to show the gradient panel' : 'Last GradScope run — click to show the gradient panel',
    };
  }
}
