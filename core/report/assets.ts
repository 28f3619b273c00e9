// The scripts the HTML report inlines: chart.js's UMD build (it defines the global `Chart`) and the
// report's client (webview/report/main.ts, bundled by esbuild). Loaded once per process. A bundle
// that does not ship these files (e.g. a packaged CLI) builds them at build time and hands them
// over with `setReportAssets`; `buildReportClient` is the same bundling step for such a build.

import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ReportAssets {
  /** chart.js UMD build. */
  chartJs: string;
  /** The report's client script (an IIFE expecting the global `Chart`). */
  client: string;
}

let assets: ReportAssets | null = null;

export function setReportAssets(a: ReportAssets): void {
  assets = a;
}

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** The client entry point in the source tree. */
export const REPORT_CLIENT_ENTRY = join(here, '..', '..', 'webview', 'report', 'main.ts');

/** Bundles the report's client into one IIFE (native esbuild when installed, else esbuild-wasm). */
export function buildReportClient(entry = REPORT_CLIENT_ENTRY): string {
  if (!existsSync(entry)) throw new Error(`HTML report: the client script ${entry} is missing; call setReportAssets with a prebuilt one`);
  type Esbuild = typeof import('esbuild');
  let esbuild: Esbuild;
  try {
    esbuild = require('esbuild') as Esbuild;
  } catch {
    esbuild = require('esbuild-wasm') as Esbuild;
  }
  const out = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

export function reportAssets(): ReportAssets {
  if (assets === null) {
    const chartDir = dirname(require.resolve('chart.js'));
    assets = { chartJs: readFileSync(join(chartDir, 'chart.umd.min.js'), 'utf8'), client: buildReportClient() };
  }
  return assets;
}
