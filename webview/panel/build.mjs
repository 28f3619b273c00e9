// The panel's bundle: out/panel.js (a browser IIFE holding chart.js and only the @vscode-elements
// components the panel imports, minified) and out/panel.css. One definition for extension/build.mjs
// and for the test that loads the panel in Chromium, so both serve the same bundle.
import * as esbuild from 'esbuild';

/** Builds the panel without writing; returns esbuild's output files (panel.js, panel.css in outDir). */
export async function buildPanel(root, outDir) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [{ in: 'webview/panel/main.ts', out: 'panel' }, { in: 'webview/panel/panel.css', out: 'panel' }],
    outdir: outDir,
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return result.outputFiles;
}
