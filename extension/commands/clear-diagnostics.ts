import type { Services } from '../services';

/** Empties GradScope's entries in the Problems view (the run's history and panel stay). */
export function clearDiagnosticsCommand(s: Services): void {
  s.diagnostics.clear();
}
