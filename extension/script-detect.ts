// Whether a file is a GradScope training script, for the editor-title run button: it imports or
// requires the 'gradscope' module (pure: tested in vitest).

const IMPORTS_GRADSCOPE = /\bfrom\s*['"]gradscope['"]|\bimport\s*\(?\s*['"]gradscope['"]|\brequire\s*\(\s*['"]gradscope['"]\s*\)/;

export function importsGradscope(source: string): boolean {
  return IMPORTS_GRADSCOPE.test(source);
}

/** Files the runner bundles (esbuild loaders by extension). */
export const SCRIPT_EXTENSIONS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'] as const;

export function isScriptPath(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot >= 0 && (SCRIPT_EXTENSIONS as readonly string[]).includes(path.slice(dot + 1).toLowerCase());
}
