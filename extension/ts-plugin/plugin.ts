// The TypeScript server plugin the extension contributes (package.json `typescriptServerPlugins`):
// `import … from 'gradscope'` resolves to the declaration files shipped beside this plugin, in any
// folder, with nothing installed and no file written into the user's workspace. A copy of gradscope
// the user installed (node_modules, paths) wins: only an import that resolves to nothing is mapped.
//
// Why a plugin rather than a "Set Up Workspace Types" command writing a tsconfig/jsconfig: the
// plugin works in a folder holding only train.ts, leaves the user's files alone, and follows the
// extension's version on update. tsserver loads an extension's plugins from
// <extension>/node_modules/<name>, so packaging/vsix-ts-plugin.mjs adds this package there.
//
// Built to CommonJS (tsserver `require`s plugins) by packaging/ts-plugin.mjs: module.exports = init.

import type * as ts from 'typescript';
import { join } from 'node:path';

export const MODULE_NAME = 'gradscope';

type Tsm = typeof ts;
type Literals = Parameters<NonNullable<ts.LanguageServiceHost['resolveModuleNameLiterals']>>;

/** What an unresolved `'gradscope'` becomes: the bundled declarations, as an external library. */
export function bundledResolution(tsm: Tsm, typesEntry: string): ts.ResolvedModuleWithFailedLookupLocations {
  return { resolvedModule: { resolvedFileName: typesEntry, extension: tsm.Extension.Dts, isExternalLibraryImport: true, resolvedUsingTsExtension: false } };
}

/**
 * Makes `host` (tsserver's project) resolve an unresolved 'gradscope' to `typesEntry`. Wraps
 * resolveModuleNameLiterals (TypeScript ≥ 5.0), else the older resolveModuleNames; with neither, adds
 * resolveModuleNameLiterals on TypeScript's own resolution.
 */
export function patchHost(tsm: Tsm, host: ts.LanguageServiceHost, typesEntry: string): void {
  const bundled = bundledResolution(tsm, typesEntry);
  if (host.resolveModuleNames !== undefined && host.resolveModuleNameLiterals === undefined) {
    const names = host.resolveModuleNames.bind(host);
    host.resolveModuleNames = (moduleNames, ...rest) =>
      names(moduleNames, ...rest).map((r, i) => (r === undefined && moduleNames[i] === MODULE_NAME ? bundled.resolvedModule : r));
    return;
  }
  const own = host.resolveModuleNameLiterals?.bind(host);
  host.resolveModuleNameLiterals = (...args: Literals) => {
    const [literals, containingFile, redirected, options, containingSourceFile] = args;
    const results = own !== undefined
      ? own(...args)
      : literals.map((l) => tsm.resolveModuleName(l.text, containingFile, options, moduleResolutionHost(tsm, host), undefined, redirected,
        tsm.getModeForUsageLocation(containingSourceFile, l, options)));
    return results.map((r, i) => (r.resolvedModule === undefined && literals[i]!.text === MODULE_NAME ? bundled : r));
  };
}

function moduleResolutionHost(tsm: Tsm, host: ts.LanguageServiceHost): ts.ModuleResolutionHost {
  return {
    fileExists: (f) => host.fileExists?.(f) ?? tsm.sys.fileExists(f),
    readFile: (f) => host.readFile?.(f) ?? tsm.sys.readFile(f),
    ...(host.realpath ? { realpath: host.realpath.bind(host) } : {}),
    directoryExists: (d) => host.directoryExists?.(d) ?? tsm.sys.directoryExists(d),
  };
}

/** The declarations shipped in this plugin's package: types/index.d.ts beside the built index.js. */
export const typesEntryBesidePlugin = (pluginDir: string): string => join(pluginDir, 'types', 'index.d.ts');

export default function init(modules: { typescript: Tsm }): ts.server.PluginModule {
  const tsm = modules.typescript;
  return {
    create(info) {
      const entry = typesEntryBesidePlugin(__dirname);
      patchHost(tsm, info.languageServiceHost, entry);
      info.project.projectService.logger.info(`gradscope-ts-plugin: unresolved 'gradscope' imports map to ${entry}`);
      return info.languageService;
    },
  };
}
