import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { importsGradscope, isScriptPath } from '../../../extension/script-detect';

describe('importsGradscope', () => {
  it('finds static, dynamic and require imports of the module', () => {
    expect(importsGradscope(`import { nn } from 'gradscope';`)).toBe(true);
    expect(importsGradscope(`import * as g from "gradscope"`)).toBe(true);
    expect(importsGradscope(`import 'gradscope';`)).toBe(true);
    expect(importsGradscope(`const g = await import('gradscope');`)).toBe(true);
    expect(importsGradscope(`const g = require( "gradscope" );`)).toBe(true);
    expect(importsGradscope(readFileSync(new URL('../../../examples/dead-relu.ts', import.meta.url), 'utf8'))).toBe(true);
  });

  it('ignores other modules with similar names', () => {
    expect(importsGradscope(`import x from 'gradscope-utils';`)).toBe(false);
    expect(importsGradscope(`import x from './gradscope';`)).toBe(false);
    expect(importsGradscope(`const gradscope = 1;`)).toBe(false);
  });
});

describe('isScriptPath', () => {
  it('accepts the extensions the runner bundles', () => {
    for (const f of ['a.ts', 'b.MTS', 'c.js', 'd.mjs', 'e.cjs', 'f.cts']) expect(isScriptPath(`/w/${f}`)).toBe(true);
    for (const f of ['a.py', 'b.json', 'Makefile', 'c.d']) expect(isScriptPath(`/w/${f}`)).toBe(false);
  });
});
