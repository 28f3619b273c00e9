// The scripts the HTML report inlines, for the bundled CLI and demo (out/), where core/report/'s
// default paths no longer hold: the client `npm run build` prebuilt beside them
// (out/report-client.js), else one bundled from the source tree beside out/.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildReportClient, reportAssets, type ReportAssets } from '../report/assets';

let cached: ReportAssets | null = null;

export function htmlAssets(): ReportAssets {
  if (cached !== null) return cached;
  const prebuilt = fileURLToPath(new URL('./report-client.js', import.meta.url));
  const entry = fileURLToPath(new URL('../webview/report/main.ts', import.meta.url));
  if (!existsSync(prebuilt) && !existsSync(entry)) return (cached = reportAssets());
  const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'));
  const client = existsSync(prebuilt) ? readFileSync(prebuilt, 'utf8') : buildReportClient(entry);
  return (cached = { chartJs: readFileSync(join(chartDir, 'chart.umd.min.js'), 'utf8'), client });
}
