// JSON has no NaN or ±Infinity, and a NaN loss or an infinite gradient norm is exactly what a
// report must show. So non-finite numbers are written as the strings "NaN", "Infinity" and
// "-Infinity", and the reader turns them back into numbers. Only numeric fields are decoded (by
// field name), so a user string that happens to read "NaN" (a message, a parameter name) stays a
// string. Pure: shared by the writers, the HTML client and the panel.

import type { JsonReport } from './model';

export type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export function encodeNumber(v: number): EncodedNumber {
  if (Number.isFinite(v)) return v;
  return v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

export function decodeNumber(v: unknown): unknown {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}

/** Fields holding a number (or null). No string field of the report may share one of these names. */
const NUMBER_FIELDS = new Set([
  'value', 'step', 'lastStep', 'steps', 'durationMs', 'startedAt', 'lo', 'hi', 'zero', 'nan', 'posInf', 'negInf',
  'units', 'layer', 'line', 'column', 'numel', 'maxPoints', 'stride', 'maxHistogramSteps', 'histogramStride', 'version',
]);
/** Fields holding an array of numbers (or nulls). */
const NUMBER_ARRAY_FIELDS = new Set([
  'steps', 'gradNorm', 'gradMeanAbs', 'gradMaxAbs', 'gradZeroFrac', 'gradNanCount', 'gradInfCount', 'weightNorm',
  'updateRatio', 'deadFrac', 'saturatedFrac', 'norms', 'counts', 'shape',
]);
/** Fields holding a record of numbers. */
const NUMBER_RECORD_FIELDS = new Set(['evidence']);

const replacer = (_key: string, v: unknown): unknown => (typeof v === 'number' ? encodeNumber(v) : v);

/** The report as JSON text, non-finite numbers as strings. */
export function encodeReport(report: JsonReport, indent?: number): string {
  return JSON.stringify(report, replacer, indent);
}

function reviver(key: string, v: unknown): unknown {
  if (typeof v === 'string') return NUMBER_FIELDS.has(key) ? decodeNumber(v) : v;
  if (Array.isArray(v)) {
    if (NUMBER_ARRAY_FIELDS.has(key)) for (let i = 0; i < v.length; i++) v[i] = decodeNumber(v[i]);
    return v;
  }
  if (v !== null && typeof v === 'object' && NUMBER_RECORD_FIELDS.has(key)) {
    const rec = v as Record<string, unknown>;
    for (const k of Object.keys(rec)) rec[k] = decodeNumber(rec[k]);
  }
  return v;
}

/** Parses a report written by `encodeReport` (or any version-1 report), restoring NaN and ±Infinity. */
export function decodeReport(text: string): JsonReport {
  const r = JSON.parse(text, reviver) as JsonReport;
  if (r === null || typeof r !== 'object' || typeof r.version !== 'number') throw new Error('not a GradScope report: no version field');
  if (r.version > 1) throw new Error(`GradScope report version ${r.version} is newer than this reader (1)`);
  return r;
}
