// no-gradient: parameters that backward never reached (grad null) or that only ever got exact
// zeros, for several steps in a row, or for the whole of a shorter run. One finding per module.

import type { ParamStep, StepRecord } from '../../records';
import { moduleName, nameList, when } from './format';
import { Streaks } from './streaks';
import type { Rule, RuleContext } from './types';

function starved(p: ParamStep): boolean {
  return p.grad === null || (p.grad.count > 0 && p.grad.zeroFrac === 1);
}

export class NoGradientRule implements Rule {
  private readonly streaks = new Streaks();
  /** Per module, the parameters reported so far (the message lists them all). */
  private readonly reported = new Map<string, Set<string>>();
  /** Per module, whether the gradients were null (not reached) rather than zeros, for the message. */
  private readonly missing = new Map<string, boolean>();
  private records = 0;
  private firstStep = 0;
  private lastStep = 0;
  private lastParams: readonly ParamStep[] = [];

  observe(record: StepRecord, ctx: RuleContext): void {
    if (this.records++ === 0) this.firstStep = record.step;
    this.lastStep = record.step;
    this.lastParams = record.params;
    const hits = new Map<string, { names: string[]; start: number; count: number; missing: boolean }>();
    for (const p of record.params) {
      if (p.requiresGrad === false || !starved(p)) {
        this.streaks.miss(p.name);
        continue;
      }
      const s = this.streaks.hit(p.name, record.step);
      const done = this.reported.get(p.module);
      if (s.count < ctx.config.noGradientSteps && !done?.has(p.name)) continue;
      let h = hits.get(p.module);
      if (h === undefined) hits.set(p.module, (h = { names: [], start: s.start, count: s.count, missing: false }));
      h.names.push(p.name);
      h.start = Math.min(h.start, s.start);
      h.count = Math.max(h.count, s.count);
      h.missing ||= p.grad === null;
    }
    for (const [module, h] of hits) this.report(ctx, module, h.names, h.start, record.step, h.count, h.missing);
  }

  /** A run shorter than the window: report parameters that got no gradient at any of its steps. */
  finish(ctx: RuleContext): void {
    if (this.records === 0 || this.records >= ctx.config.noGradientSteps) return;
    const byModule = new Map<string, { names: string[]; missing: boolean }>();
    for (const p of this.lastParams) {
      if (p.requiresGrad === false || this.streaks.get(p.name)?.count !== this.records) continue;
      let m = byModule.get(p.module);
      if (m === undefined) byModule.set(p.module, (m = { names: [], missing: false }));
      m.names.push(p.name);
      m.missing ||= p.grad === null;
    }
    for (const [module, m] of byModule) this.report(ctx, module, m.names, this.firstStep, this.lastStep, this.records, m.missing);
  }

  private report(ctx: RuleContext, module: string, names: string[], start: number, now: number, count: number, missing: boolean): void {
    let all = this.reported.get(module);
    if (all === undefined) this.reported.set(module, (all = new Set()));
    for (const n of names) all.add(n);
    const wasMissing = this.missing.get(module) ?? false;
    this.missing.set(module, wasMissing || missing);
    const list = [...all];
    const how = wasMissing || missing ? 'no gradient (backward did not reach them) or only zeros' : 'only exact-zero gradients';
    ctx.emit({
      code: 'no-gradient',
      module,
      step: start,
      lastStep: now,
      message: (since) =>
        `${list.length === 1 ? 'Parameter' : 'Parameters'} ${nameList(list)} of ${moduleName(module)} got ${how} for ${count === 1 ? '1 step' : `${count} steps in a row`}, ${when(since, now)}: ${list.length === 1 ? 'it is' : 'they are'} not being trained`,
      fix: 'check that the layer is used in forward(), that nothing on the path is detach()ed or run under noGrad(), that no non-differentiable op (argmax, comparisons, round) cuts the graph, and that requiresGrad is true',
      evidence: { params: list.length, steps: count },
    });
  }
}
