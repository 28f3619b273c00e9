// The TypeScript server plugin with the real TypeScript language service: a file importing
// 'gradscope' from a folder with nothing installed gets no ts2307, completions and hovers from the
// declarations emitted from core/ (packaging/types.mjs), under the module resolutions users have;
// a gradscope the user installed wins; the built package is a tsserver plugin factory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { patchHost } from '../../../extension/ts-plugin/plugin';
// @ts-expect-error plain ESM build scripts without declarations
import { emitTypes } from '../../../packaging/types.mjs';
// @ts-expect-error plain ESM build scripts without declarations
import { buildTsPlugin, TS_PLUGIN_NAME } from '../../../packaging/ts-plugin.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;
let typesEntry: string;

const TRAIN = `import { nn, optim, tensor } from 'gradscope';
const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
const loss = model.forward(tensor([[0, 1]])).pow(2).mean();
loss.backward();
opt.step();
const n: number = loss.item();
console.log(n);
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradscope-ts-plugin-'));
  typesEntry = join(emitTypes(root, join(dir, 'ext', 'types')), 'index.d.ts');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A language service over the files on disk in `folder`, as tsserver's inferred project would be. */
function service(folder: string, files: string[], options: ts.CompilerOptions, plugin: boolean): ts.LanguageService {
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => files.map((f) => join(folder, f)),
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => (existsSync(f) ? ts.ScriptSnapshot.fromString(readFileSync(f, 'utf8')) : undefined),
    getCurrentDirectory: () => folder,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath!,
  };
  if (plugin) patchHost(ts, host, typesEntry);
  return ts.createLanguageService(host);
}

function workspace(name: string, files: Record<string, string>): string {
  const ws = join(dir, name);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(ws, f, '..'), { recursive: true });
    writeFileSync(join(ws, f), text);
  }
  return ws;
}

const diagnostics = (ls: ts.LanguageService, file: string): string[] =>
  [...ls.getSyntacticDiagnostics(file), ...ls.getSemanticDiagnostics(file)].map((d) => `ts${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);

// VS Code's options for a loose file (TypeScript ≥ 5.4), and what users' tsconfigs often say.
const RESOLUTIONS: [string, ts.CompilerOptions][] = [
  ['preserve/bundler (VS Code, no tsconfig)', { module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, strict: true }],
  ['nodenext', { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true }],
  ['commonjs/node10', { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, target: ts.ScriptTarget.ES2022, strict: true }],
];

describe('gradscope TypeScript server plugin', () => {
  it('without the plugin, TypeScript reports ts2307 for gradscope (the issue)', () => {
    const ws = workspace('bare', { 'train.ts': TRAIN });
    const ls = service(ws, ['train.ts'], RESOLUTIONS[0]![1], false);
    expect(diagnostics(ls, join(ws, 'train.ts'))).toContainEqual(expect.stringMatching(/^ts2307: Cannot find module 'gradscope'/));
  });

  for (const [label, options] of RESOLUTIONS) {
    it(`with it, train.ts type-checks against the declarations: ${label}`, () => {
      const ws = workspace(`ws-${label.replace(/\W+/g, '-')}`, { 'train.ts': TRAIN });
      const ls = service(ws, ['train.ts'], options, true);
      expect(diagnostics(ls, join(ws, 'train.ts'))).toEqual([]);
    });
  }

  it('real mistakes are still reported, with the API\'s types', () => {
    const ws = workspace('mistake', { 'train.ts': `import { nn } from 'gradscope';\nconst l = new nn.Linear('2', 4);\nl.frobnicate();\n` });
    const ls = service(ws, ['train.ts'], RESOLUTIONS[0]![1], true);
    const d = diagnostics(ls, join(ws, 'train.ts'));
    expect(d).toContainEqual(expect.stringMatching(/^ts2345: Argument of type 'string' is not assignable to parameter of type 'number'/));
    expect(d).toContainEqual(expect.stringMatching(/^ts2339: Property 'frobnicate' does not exist on type 'Linear'/));
  });

  it('completes `nn.` with the layers and hovers teach (doc comment with PyTorch\'s name)', () => {
    const ws = workspace('complete', { 'train.ts': TRAIN });
    const file = join(ws, 'train.ts');
    const ls = service(ws, ['train.ts'], RESOLUTIONS[0]![1], true);
    const pos = TRAIN.indexOf('new nn.Linear') + 'new nn.'.length;
    const names = ls.getCompletionsAtPosition(file, pos, {})!.entries.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['Linear', 'Sequential', 'Conv2d', 'ReLU', 'MSELoss', 'LSTM']));
    const hover = ls.getQuickInfoAtPosition(file, pos + 1)!;
    expect(ts.displayPartsToString(hover.displayParts)).toMatch(/Linear/);
    expect(ts.displayPartsToString(hover.documentation)).toMatch(/torch\.nn\.Linear/);
    const optimPos = TRAIN.indexOf('optim.SGD') + 'optim.'.length + 1;
    expect(ts.displayPartsToString(ls.getQuickInfoAtPosition(file, optimPos)!.documentation)).toMatch(/torch\.optim\.SGD/);
  });

  it('a gradscope the user installed wins over the bundled declarations', () => {
    const ws = workspace('installed', {
      'train.ts': `import { mine } from 'gradscope';\nconst n: number = mine;\nconsole.log(n);\n`,
      'node_modules/gradscope/package.json': JSON.stringify({ name: 'gradscope', version: '9.9.9', types: 'index.d.ts' }),
      'node_modules/gradscope/index.d.ts': 'export declare const mine: number;\n',
    });
    const ls = service(ws, ['train.ts'], RESOLUTIONS[0]![1], true);
    expect(diagnostics(ls, join(ws, 'train.ts'))).toEqual([]);
  });

  it('builds as a tsserver plugin package: module.exports is the factory, types beside it', async () => {
    const out = await buildTsPlugin(root, join(dir, 'plugin'), join(dir, 'ext', 'types'));
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: TS_PLUGIN_NAME, main: 'index.js' });
    expect(TS_PLUGIN_NAME).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).contributes.typescriptServerPlugins[0].name);
    const factory = createRequire(import.meta.url)(join(out, 'index.js'));
    expect(typeof factory).toBe('function');
    expect(existsSync(join(out, 'types', 'index.d.ts'))).toBe(true);
    // create() patches the project and hands back the language service unchanged.
    const host = { getCompilationSettings: () => ({}) } as unknown as ts.LanguageServiceHost;
    const languageService = {} as ts.LanguageService;
    const logged: string[] = [];
    const info = { languageServiceHost: host, languageService, project: { projectService: { logger: { info: (s: string) => logged.push(s) } } } };
    expect(factory({ typescript: ts }).create(info)).toBe(languageService);
    expect(typeof host.resolveModuleNameLiterals).toBe('function');
    expect(logged.join('\n')).toContain(join(out, 'types', 'index.d.ts'));
  });
});
