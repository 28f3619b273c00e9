import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { captureSite, resolveSite, userFrames, setLocationMapper } from '../../../core/instrument/callsite';
import { addObserver } from '../../../core/autograd/hooks';
import { nn, tensor } from '../../../core';

const here = fileURLToPath(import.meta.url);

function lineOf(marker: string): number {
  const src = require('node:fs').readFileSync(here, 'utf8') as string;
  return src.split('\n').findIndex((l) => l.includes(marker) && !l.includes('lineOf(')) + 1;
}

describe('call sites', () => {
  it('resolve to the innermost frame outside the engine', () => {
    const site = captureSite(); // MARK-capture
    const loc = resolveSite(site)!;
    expect(loc.file).toBe(here);
    expect(loc.line).toBe(lineOf('MARK-capture'));
    expect(loc.column).toBeGreaterThan(0);
  });

  it('skip engine frames: a layer built in a test is located at the `new` line', () => {
    let site: ReturnType<typeof captureSite> | undefined;
    const off = addObserver({ onModuleCreated: (_m, s) => { site = s; } });
    try {
      new nn.Linear(2, 3); // MARK-new-linear
    } finally {
      off();
    }
    const frames = userFrames(site!);
    expect(frames[0]!.file).toBe(here);
    expect(frames[0]!.line).toBe(lineOf('MARK-new-linear'));
  });

  it('apply the runner’s location mapper', () => {
    setLocationMapper((l) => ({ ...l, line: l.line + 1000 }));
    try {
      const loc = resolveSite(captureSite())!;
      expect(loc.line).toBeGreaterThan(1000);
    } finally {
      setLocationMapper((l) => l);
    }
  });

  it('are cheap to capture before any resolution (engine ops still work)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(2).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 2]);
  });
});
