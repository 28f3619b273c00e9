// The "GradScope" output channel: the script's console output, as it comes, and how the run ended
// (with the error's stack when it failed).

import type * as vscode from 'vscode';
import type { RunSession } from './session';
import { formatDuration } from '../core/cli/format';

export function attachOutput(session: RunSession, channel: vscode.OutputChannel): () => void {
  return session.listen((change) => {
    if (change.kind === 'reset') {
      channel.clear();
      channel.appendLine(`[GradScope] running ${change.script}`);
      return;
    }
    for (const e of change.events) {
      if (e.type === 'log') {
        channel.append(e.text);
      } else if (e.type === 'runEnded') {
        channel.appendLine(`[GradScope] ${e.status} after ${e.steps} step${e.steps === 1 ? '' : 's'} in ${formatDuration(e.durationMs)}`);
        if (e.error !== undefined) channel.appendLine(e.error.stack || e.error.message);
      }
    }
  });
}
