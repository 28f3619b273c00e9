// Which modules and parameters the user's script built, under what names, and where. Modules
// report their construction while a recorder listens; the index finds the roots (modules that are
// no other module's child) and names everything as PyTorch would from each root. With several
// parameterised roots (a GAN's generator and discriminator), names get the root's class name as
// prefix so they stay unique.

import { Module } from '../nn/module';
import type { Tensor } from '../tensor';
import { resolveSite, type Site, type SourceLocation } from './callsite';
import type { ModelSummary } from './records';

const REFRESH_EVERY = 50;

export interface TrackedParam {
  name: string;
  module: string;
  tensor: Tensor;
}

export class ModelIndex {
  private readonly refs: WeakRef<Module>[] = [];
  private readonly sites = new WeakMap<Module, Site>();
  private readonly resolved = new Map<string, SourceLocation | null>();
  private paths = new Map<Module, string>();
  private byPath = new Map<string, Module>();
  params: TrackedParam[] = [];
  private byTensor = new Map<Tensor, TrackedParam>();
  /** Parameters seen only through an optimizer (no module owns them). */
  private loose: Tensor[] = [];
  private signature = '';

  private stale = true;
  private refreshedAt = 0;

  add(module: Module, site: Site): void {
    this.refs.push(new WeakRef(module));
    this.sites.set(module, site);
    this.stale = true;
  }

  /**
   * Refreshes when modules were built since the last refresh, and every REFRESH_EVERY steps in
   * case a model was rewired without building anything; returns true when the parameters changed.
   */
  refreshIfStale(step: number): boolean {
    if (!this.stale && step - this.refreshedAt < REFRESH_EVERY) return false;
    this.refreshedAt = step;
    return this.refresh();
  }

  /** Adds parameters an optimizer updates that no module owns (named 'params.0', …). */
  addLoose(tensors: readonly Tensor[]): boolean {
    let added = false;
    for (const t of tensors) {
      if (!this.byTensor.has(t) && !this.loose.includes(t)) {
        this.loose.push(t);
        added = true;
      }
    }
    if (added) this.refresh();
    return added;
  }

  /** Recomputes roots and names; returns true when the set of parameters or their names changed. */
  refresh(): boolean {
    this.stale = false;
    const live: Module[] = [];
    for (let i = this.refs.length - 1; i >= 0; i--) {
      const m = this.refs[i]!.deref();
      if (m === undefined) this.refs.splice(i, 1);
      else live.push(m);
    }
    live.reverse();
    const isChild = new Set<Module>();
    for (const m of live) for (const c of m.children()) isChild.add(c);
    const roots = live.filter((m) => !isChild.has(m));
    const withParams = roots.filter((r) => r.parameters().length > 0);
    const used = new Map<string, number>();
    const uniqueName = (base: string): string => {
      const n = used.get(base) ?? 0;
      used.set(base, n + 1);
      return n === 0 ? base : `${base}${n}`;
    };
    const paths = new Map<Module, string>();
    const params: TrackedParam[] = [];
    const seen = new Set<Tensor>();
    for (const root of roots) {
      const prefix = withParams.length === 1 && root === withParams[0] ? '' : uniqueName(root.constructor.name);
      const join = (p: string) => (prefix && p ? `${prefix}.${p}` : prefix || p);
      for (const [p, m] of root.namedModules()) if (!paths.has(m)) paths.set(m, join(p));
      for (const [n, t] of root.namedParameters()) {
        if (seen.has(t)) continue;
        seen.add(t);
        const name = join(n);
        const dot = name.lastIndexOf('.');
        params.push({ name, module: dot >= 0 ? name.slice(0, dot) : '', tensor: t });
      }
    }
    this.loose = this.loose.filter((t) => !seen.has(t));
    this.loose.forEach((t, i) => params.push({ name: `params.${i}`, module: '', tensor: t }));
    this.paths = paths;
    this.byPath = new Map([...paths].map(([m, p]) => [p, m]));
    this.params = params;
    this.byTensor = new Map(params.map((p) => [p.tensor, p]));
    const signature = params.map((p) => `${p.name}:${p.tensor.shape.join('x')}`).join(',');
    const changed = signature !== this.signature;
    this.signature = signature;
    if (changed) this.resolved.clear();
    return changed;
  }

  param(t: Tensor): TrackedParam | undefined {
    return this.byTensor.get(t);
  }

  /** Display path of a module object (null if the index does not know it). */
  pathOf(module: object | null): string | null {
    return module instanceof Module ? (this.paths.get(module) ?? null) : null;
  }

  /** Where the module at `path` was constructed in the user's script. */
  locate(path: string): SourceLocation | null {
    if (this.resolved.has(path)) return this.resolved.get(path)!;
    const m = this.byPath.get(path);
    const site = m && this.sites.get(m);
    const loc = site ? resolveSite(site) : null;
    this.resolved.set(path, loc);
    return loc;
  }

  summary(): ModelSummary {
    return {
      modules: [...this.paths].map(([m, path]) => ({ path, type: m.constructor.name, location: this.locate(path) })),
      params: this.params.map((p) => ({ name: p.name, module: p.module, shape: [...p.tensor.shape] })),
    };
  }
}
