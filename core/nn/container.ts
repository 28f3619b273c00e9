import { Module } from './module';
import { OpError } from '../shape';

/**
 * Runs its children in order, each one's output the next one's input; they are named "0", "1", …
 * as in PyTorch. PyTorch: `torch.nn.Sequential`.
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new OpError('Sequential', `argument ${i} is not a Module`);
      (this as unknown as Record<string, Module>)[String(i)] = m;
    });
  }

  get length(): number {
    return this.children().length;
  }

  at(i: number): Module {
    const c = this.children();
    const m = c[i < 0 ? i + c.length : i];
    if (m === undefined) throw new OpError('Sequential', `index ${i} is out of range for ${c.length} modules`);
    return m;
  }

  override forward(x: unknown): any {
    let y = x;
    for (const m of this.children()) y = m.forward(y);
    return y;
  }
}

/** A list of modules, named "0", "1", … under its own name (PyTorch's nn.ModuleList). */
export class ModuleList extends Module {
  constructor(modules: Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }

  append(m: Module): this {
    if (!(m instanceof Module)) throw new OpError('ModuleList', 'append expects a Module');
    (this as unknown as Record<string, Module>)[String(this.children().length)] = m;
    return this;
  }

  at(i: number): Module {
    const c = this.children();
    const m = c[i < 0 ? i + c.length : i];
    if (m === undefined) throw new OpError('ModuleList', `index ${i} is out of range for ${c.length} modules`);
    return m;
  }

  get length(): number {
    return this.children().length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}
