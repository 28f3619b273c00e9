// What the commands work with, built once in activate().

import type * as vscode from 'vscode';
import type { RunSession } from './session';
import type { GradientPanel } from './panel';
import type { GradScopeDiagnostics } from './diagnostics';

export interface Services {
  extensionUri: vscode.Uri;
  session: RunSession;
  panel: GradientPanel;
  diagnostics: GradScopeDiagnostics;
  output: vscode.OutputChannel;
}
