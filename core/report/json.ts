// Writes the JSON report (format: docs/report-format.md).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { JsonReport } from './model';
import { encodeReport } from './codec';

/** Writes the report to `file` (creating its folder), non-finite numbers encoded as strings. Compact (one line): long runs hold tens of thousands of numbers; `jq .` pretty-prints it. */
export function writeJsonReport(report: JsonReport, file: string): void {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeReport(report) + '\n', 'utf8');
}
