// The status-bar item: step, loss and findings while a script runs, how the last run ended after;
// a click shows the panel. Redrawn at most ~8 times a second however fast the script steps.

import * as vscode from 'vscode';
import type { RunSession } from './session';
import { StatusModel } from './status-text';
import { CommandId } from './commands/ids';

const REDRAW_MS = 125;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gradscope.status', vscode.StatusBarAlignment.Left, 10);
  private readonly model = new StatusModel();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly unlisten: () => void;

  constructor(session: RunSession) {
    this.item.name = 'GradScope';
    this.item.command = CommandId.showPanel;
    this.unlisten = session.listen((change) => {
      if (change.kind === 'reset') {
        this.model.reset();
        this.redraw();
        this.item.show();
        return;
      }
      for (const e of change.events) this.model.add(e);
      if (!this.model.running) this.redraw();
      else this.timer ??= setTimeout(() => this.redraw(), REDRAW_MS);
    });
    // After a window reload the session holds the last run (restored at activation): shown as it ended.
    const last = session.running ? null : session.report();
    if (last !== null) {
      this.model.restore(last);
      this.redraw();
      this.item.show();
    }
  }

  private redraw(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const v = this.model.view();
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
  }

  dispose(): void {
    this.unlisten();
    if (this.timer !== null) clearTimeout(this.timer);
    this.item.dispose();
  }
}
