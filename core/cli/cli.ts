#!/usr/bin/env node
// The `gradscope` executable (bundled to out/cli.mjs, package.json `bin`; esbuild keeps the hashbang).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReportClient, reportAssets, type ReportAssets } from '../report/assets';
import { main } from './main';

// Bundled, this file sits in out/, where core/report/'s default paths no longer hold: the HTML
// report's client is the one `npm run build` prebuilt beside it (out/report-client.js), else it is
// bundled from the source tree beside out/ (only when an HTML report is asked for).
function htmlAssets(): ReportAssets {
  const prebuilt = fileURLToPath(new URL('./report-client.js', import.meta.url));
  const entry = fileURLToPath(new URL('../webview/report/main.ts', import.meta.url));
  if (!existsSync(prebuilt) && !existsSync(entry)) return reportAssets();
  const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'));
  const client = existsSync(prebuilt) ? readFileSync(prebuilt, 'utf8') : buildReportClient(entry);
  return { chartJs: readFileSync(join(chartDir, 'chart.umd.min.js'), 'utf8'), client };
}

const onInterrupt = (handler: () => void): (() => void) => {
  let count = 0;
  const listener = (): void => {
    // First Ctrl-C: stop the run and still write the reports; a second one leaves at once.
    if (++count > 1) process.exit(130);
    process.stderr.write('\ngradscope: stopping (Ctrl-C again to quit at once)\n');
    handler();
  };
  process.on('SIGINT', listener);
  return () => process.off('SIGINT', listener);
};

// `gradscope run x.ts | head`: a reader that leaves early is not an error of the run.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), onInterrupt, htmlAssets }).then(
  (code) => {
    process.exitCode = code;
    // Exits as soon as nothing is pending; the unref'd timer only forces it if something lingers.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`gradscope: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
