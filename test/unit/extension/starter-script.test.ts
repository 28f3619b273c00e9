// "New Training Script": the default name and the name check (the script itself trains in
// test/unit/packaging/npm-package.test.ts and in the real VS Code, test/e2e/specs/types.spec.mjs).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STARTER_SCRIPT, defaultScriptName, scriptNameProblem } from '../../../extension/starter-script';

describe('starter script', () => {
  it('is the seed\'s 2-4-1 MLP (examples/mlp-2-4-1.ts), importing gradscope', () => {
    const seed = readFileSync(fileURLToPath(new URL('../../../examples/mlp-2-4-1.ts', import.meta.url)), 'utf8');
    const body = (s: string): string => s.slice(s.indexOf("import {"), s.lastIndexOf('}') + 1);
    expect(body(STARTER_SCRIPT)).toBe(body(seed));
  });

  it('offers train.ts, else the first free train-N.ts', () => {
    expect(defaultScriptName(() => false)).toBe('train.ts');
    const taken = new Set(['train.ts', 'train-2.ts', 'train-4.ts']);
    expect(defaultScriptName((n) => taken.has(n))).toBe('train-3.ts');
  });

  it('accepts script names inside the folder only', () => {
    expect(scriptNameProblem('train.ts')).toBeNull();
    expect(scriptNameProblem('models/xor.mjs')).toBeNull();
    expect(scriptNameProblem('  ')).toMatch(/file name/);
    expect(scriptNameProblem('notes.txt')).toMatch(/\.ts, \.mts, \.js or \.mjs/);
    expect(scriptNameProblem('../outside.ts')).toMatch(/inside the workspace/);
    expect(scriptNameProblem('/abs/train.ts')).toMatch(/inside the workspace/);
  });
});
