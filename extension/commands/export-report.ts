import type { Services } from '../services';
import { exportReport } from '../export-report';

/** Saves the current or last run as an HTML or JSON report (save dialog); resolves to the file, if any. */
export function exportReportCommand(s: Services, target?: unknown): Promise<string | null> {
  return exportReport(s.session, s.extensionUri, typeof target === 'string' ? target : undefined);
}
