// The script's tsconfig.json as TypeScript reads it: comments and trailing commas, the extends
// chain (files and packages), baseUrl and paths relative to the file that sets them, the emit
// options esbuild takes, and errors that name the file and line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mappedCandidates, parseJsonc, readTsconfig, scriptTsconfig, TsconfigError } from '../../../core/runner/tsconfig';

let dir: string;
const write = (rel: string, text: string): string => {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
};

beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'gradscope-tsconfig-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tsconfig', () => {
  it('parses comments and trailing commas, keeping // and /* inside strings', () => {
    const text = '{\n  // a comment\n  "a": "http://x/*y*/", /* block\n comment */ "b": [1, 2,],\n}\n';
    expect(parseJsonc(text, 'f.json')).toEqual({ a: 'http://x/*y*/', b: [1, 2] });
    expect(parseJsonc('{"s": "quote \\" // not a comment"}', 'f.json')).toEqual({ s: 'quote " // not a comment' });
  });

  it('names the file and line of bad JSON', () => {
    try {
      parseJsonc('{\n  "a": 1\n  "b": 2\n}', '/p/tsconfig.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TsconfigError);
      expect((e as TsconfigError).message).toMatch(/^\/p\/tsconfig\.json: not valid JSON at line 3/);
      expect((e as TsconfigError).line).toBe(3);
    }
  });

  it('follows extends (a file, then a package), later options winning; baseUrl and paths relative to their own file', () => {
    write('node_modules/@acme/tsconfig/base.json', JSON.stringify({ compilerOptions: { experimentalDecorators: true, strict: true, jsx: 'react' } }));
    write('node_modules/@acme/tsconfig/package.json', JSON.stringify({ name: '@acme/tsconfig', version: '1.0.0' }));
    write('config/shared.json', '{ "extends": "@acme/tsconfig/base.json", "compilerOptions": { "baseUrl": "..", "strict": false, } }');
    const file = write('proj/tsconfig.json', '{\n  // the project\n  "extends": "../config/shared",\n  "compilerOptions": { "paths": { "@lib/*": ["lib/*", "vendor/*"], "exact": ["one.ts"] }, "noEmit": true }\n}');
    const ts = readTsconfig(file);
    expect(ts.emit).toEqual({ experimentalDecorators: true, strict: false, jsx: 'react' });
    expect(ts.baseUrl).toBe(dir);
    // paths are relative to baseUrl when there is one (set in config/shared.json: its parent).
    expect(mappedCandidates(ts, '@lib/math/add')).toEqual([join(dir, 'lib/math/add'), join(dir, 'vendor/math/add'), join(dir, '@lib/math/add')]);
    expect(mappedCandidates(ts, 'exact')).toEqual([join(dir, 'one.ts'), join(dir, 'exact')]);
    expect(scriptTsconfig(write('proj/src/deep/train.ts', ''))!.file).toBe(file);
  });

  it('without baseUrl, paths are relative to the tsconfig that declares them; the longest prefix first', () => {
    const file = write('solo/tsconfig.json', JSON.stringify({ compilerOptions: { paths: { '@/*': ['src/*'], '@/models/*': ['models/*'] } } }));
    const ts = readTsconfig(file);
    expect(ts.baseUrl).toBeNull();
    expect(mappedCandidates(ts, '@/models/mlp')).toEqual([join(dir, 'solo/models/mlp'), join(dir, 'solo/src/models/mlp')]);
    expect(mappedCandidates(ts, 'lodash')).toEqual([]);
  });

  it('reports an extends cycle, a missing base and bad paths, naming the file', () => {
    write('cycle/a.json', '{ "extends": "./b.json" }');
    write('cycle/b.json', '{ "extends": "./a.json" }');
    expect(() => readTsconfig(join(dir, 'cycle/a.json'))).toThrow(/a\.json: its "extends" chain comes back to .*a\.json/);
    const missing = write('missing/tsconfig.json', '{ "extends": "@nope/tsconfig" }');
    expect(() => readTsconfig(missing)).toThrow(/"extends": "@nope\/tsconfig" is neither a file nor an installed package's tsconfig/);
    const bad = write('bad/tsconfig.json', '{ "compilerOptions": { "paths": { "@/*": "src/*" } } }');
    expect(() => readTsconfig(bad)).toThrow(/compilerOptions\.paths\["@\/\*"\] must be a list of paths/);
  });

  it('finds none above a script with no tsconfig', () => {
    expect(scriptTsconfig('/train.ts')).toBeNull();
  });
});
