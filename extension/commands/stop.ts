import * as vscode from 'vscode';
import type { Services } from '../services';

/** Stops the run in progress (its history stays: panel, Problems, export). */
export function stopCommand(s: Services): boolean {
  const stopped = s.session.stop();
  if (!stopped) void vscode.window.showInformationMessage('GradScope: no training script is running.');
  return stopped;
}
