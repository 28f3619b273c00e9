// The bundler's module resolution against real folders: the script's own files as TypeScript
// resolves them, packages as Node loads them (ESM conditions for imports, require for requires).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePackage, resolveSourceFile } from '../../../core/runner/resolve';

let dir: string;
const at = (p: string): string => join(dir, p);
function file(p: string, text = ''): string {
  mkdirSync(join(at(p), '..'), { recursive: true });
  writeFileSync(at(p), text);
  return at(p);
}
const pkg = (name: string, json: object): void => { file(`proj/node_modules/${name}/package.json`, JSON.stringify({ name, ...json })); };

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'gradscope-resolve-')));
  for (const f of ['src/main.ts', 'src/data.ts', 'src/view.tsx', 'src/esm.mts', 'src/old.cjs', 'src/util/index.ts', 'src/table.json', 'src/both.ts', 'src/both.js', 'src/plain.js']) file(`proj/${f}`);
  // An ESM-only package: require.resolve cannot find it (no require/default condition).
  pkg('esm-only', { type: 'module', exports: { '.': { import: './dist/index.js' }, './sub/*': { node: { import: './dist/sub/*.js' } }, './package.json': './package.json' } });
  for (const f of ['dist/index.js', 'dist/sub/deep.js']) file(`proj/node_modules/esm-only/${f}`);
  // A dual package: imports get its ESM build, requires its CJS one.
  pkg('dual', { exports: { import: './esm.mjs', require: './cjs.cjs' } });
  file('proj/node_modules/dual/esm.mjs');
  file('proj/node_modules/dual/cjs.cjs');
  pkg('old', { main: 'lib/main', module: 'es/index.js' });
  file('proj/node_modules/old/lib/main.js');
  file('proj/node_modules/old/es/index.js');
  file('proj/node_modules/old/extra.js');
  pkg('@scope/thing', { exports: { '.': { default: './t.js' }, './feature': [{ browser: './b.js' }, 'not-relative', { import: './f.js' }] } });
  file('proj/node_modules/@scope/thing/t.js');
  file('proj/node_modules/@scope/thing/f.js');
  file('proj/package.json', JSON.stringify({ name: 'proj', exports: { './helpers': './src/data.ts' }, imports: { '#util': './src/util/index.ts', '#cfg/*': './src/*.json' } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveSourceFile: the script’s own files', () => {
  const main = (): string => at('proj/src/main.ts');
  it('extensionless, .tsx, .mts, .cjs, folder index, json', () => {
    expect(resolveSourceFile(at('proj/src/data'), main())).toBe(at('proj/src/data.ts'));
    expect(resolveSourceFile(at('proj/src/view'), main())).toBe(at('proj/src/view.tsx'));
    expect(resolveSourceFile(at('proj/src/esm'), main())).toBe(at('proj/src/esm.mts'));
    expect(resolveSourceFile(at('proj/src/old'), main())).toBe(at('proj/src/old.cjs'));
    expect(resolveSourceFile(at('proj/src/util'), main())).toBe(at('proj/src/util/index.ts'));
    expect(resolveSourceFile(at('proj/src/table.json'), main())).toBe(at('proj/src/table.json'));
  });

  it('./x.js written in TypeScript means ./x.ts (.mjs → .mts, .jsx → .tsx)', () => {
    expect(resolveSourceFile(at('proj/src/data.js'), main())).toBe(at('proj/src/data.ts'));
    expect(resolveSourceFile(at('proj/src/esm.mjs'), main())).toBe(at('proj/src/esm.mts'));
    expect(resolveSourceFile(at('proj/src/view.jsx'), main())).toBe(at('proj/src/view.tsx'));
    // With a stale compiled twin beside it, TypeScript still gets its source; JavaScript the .js.
    expect(resolveSourceFile(at('proj/src/both.js'), main())).toBe(at('proj/src/both.ts'));
    expect(resolveSourceFile(at('proj/src/both.js'), at('proj/src/plain.js'))).toBe(at('proj/src/both.js'));
    expect(resolveSourceFile(at('proj/src/plain.js'), main())).toBe(at('proj/src/plain.js'));
  });

  it('nothing there: null', () => {
    expect(resolveSourceFile(at('proj/src/nope'), main())).toBeNull();
    expect(resolveSourceFile(at('proj/src/nope.js'), main())).toBeNull();
  });
});

describe('resolvePackage: the file Node loads', () => {
  const from = (): string => at('proj/src/main.ts');
  it('an ESM-only package, its root and a pattern subpath under nested conditions', () => {
    expect(resolvePackage('esm-only', from(), 'import')).toBe(at('proj/node_modules/esm-only/dist/index.js'));
    expect(resolvePackage('esm-only/sub/deep', from(), 'import')).toBe(at('proj/node_modules/esm-only/dist/sub/deep.js'));
    expect(resolvePackage('esm-only/package.json', from(), 'import')).toBe(at('proj/node_modules/esm-only/package.json'));
    // Not exported, or only for import: unresolvable, as in Node.
    expect(resolvePackage('esm-only/dist/index.js', from(), 'import')).toBeNull();
    expect(resolvePackage('esm-only', from(), 'require')).toBeNull();
  });

  it('a dual package: the import condition for imports, require for requires', () => {
    expect(resolvePackage('dual', from(), 'import')).toBe(at('proj/node_modules/dual/esm.mjs'));
    expect(resolvePackage('dual', from(), 'require')).toBe(at('proj/node_modules/dual/cjs.cjs'));
  });

  it('no exports: main (extension added; `module` ignored, as Node does) and plain subpaths', () => {
    expect(resolvePackage('old', from(), 'import')).toBe(at('proj/node_modules/old/lib/main.js'));
    expect(resolvePackage('old/extra.js', from(), 'import')).toBe(at('proj/node_modules/old/extra.js'));
    // Extensionless subpaths are CommonJS resolution, which imports fall back to.
    expect(resolvePackage('old/extra', from(), 'import')).toBe(at('proj/node_modules/old/extra.js'));
  });

  it('scoped packages, default condition, arrays of targets', () => {
    expect(resolvePackage('@scope/thing', from(), 'import')).toBe(at('proj/node_modules/@scope/thing/t.js'));
    expect(resolvePackage('@scope/thing/feature', from(), 'import')).toBe(at('proj/node_modules/@scope/thing/f.js'));
  });

  it("the project's own #imports and self-reference by name", () => {
    expect(resolvePackage('#util', from(), 'import')).toBe(at('proj/src/util/index.ts'));
    expect(resolvePackage('#cfg/table', from(), 'import')).toBe(at('proj/src/table.json'));
    expect(resolvePackage('proj/helpers', from(), 'import')).toBe(at('proj/src/data.ts'));
  });

  it('missing: null', () => {
    expect(resolvePackage('no-such-package', from(), 'import')).toBeNull();
    expect(resolvePackage('no-such-package', from(), 'require')).toBeNull();
  });
});
