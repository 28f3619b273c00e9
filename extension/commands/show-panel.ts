import type { Services } from '../services';

/** Opens (or reveals) the gradient panel; it shows the current or last run. */
export function showPanelCommand(s: Services): void {
  s.panel.show();
}
