// The run's findings as the CLI shows them. The detectors re-send a diagnostic whenever its
// message, lastStep or evidence changes; it is the same finding, so the latest snapshot replaces
// the earlier one. Its identity: code, layer, first step and location (none of which change).

import type { Diagnostic } from '../instrument/diagnostics';
import { countBySeverity, type SeverityCounts } from './format';

function identity(d: Diagnostic): string {
  const at = d.location === null ? '' : `${d.location.file}:${d.location.line}:${d.location.column}`;
  return `${d.code}\u0000${d.module ?? '\u0001'}\u0000${d.step}\u0000${at}`;
}

export class FindingSet {
  private readonly byId = new Map<string, Diagnostic>();

  add(d: Diagnostic): void {
    this.byId.set(identity(d), d);
  }

  /** In order of first report. */
  list(): Diagnostic[] {
    return [...this.byId.values()];
  }

  counts(): SeverityCounts {
    return countBySeverity(this.list());
  }
}
