// Where in the user's script something happened. A site is captured cheaply (V8 records the
// frames; nothing is formatted) and resolved later, only when a finding needs it, to the first
// frame outside the engine. Source maps are applied by the runner through `setLocationMapper`.

import { fileURLToPath } from 'node:url';
import { dirname, sep } from 'node:path';

export interface SourceLocation {
  /** Absolute path (or URL for non-file scripts) of the user's file. */
  file: string;
  /** 1-based line and column. */
  line: number;
  column: number;
}

/** An unresolved capture: holds V8's structured frames until resolved. */
export interface Site {
  readonly holder: { stack?: unknown };
}

const STACK_LIMIT = 24;

/** Captures the current call stack (cheap: frames are formatted only if resolved). */
export function captureSite(): Site {
  const holder: { stack?: unknown } = {};
  const prevLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_LIMIT;
  Error.captureStackTrace(holder, captureSite);
  Error.stackTraceLimit = prevLimit;
  return { holder };
}

// Frames inside the engine are skipped. By default: files under the directory holding core/ (this
// module lives in core/instrument/); a bundle sets its own test with `setEngineFileTest`.
const thisDir = dirname(fileURLToPath(import.meta.url));
const coreDir = thisDir.endsWith(`${sep}instrument`) ? dirname(thisDir) : thisDir;
let isEngineFile = (file: string): boolean => file.startsWith(coreDir + sep) || file === coreDir || file.startsWith('node:') || file.startsWith('internal/');

export function setEngineFileTest(test: (file: string) => boolean): void {
  isEngineFile = test;
}

/** Maps a generated location to the original source (identity unless the runner installs source maps). */
let mapLocation = (loc: SourceLocation): SourceLocation => loc;

export function setLocationMapper(mapper: (loc: SourceLocation) => SourceLocation): void {
  mapLocation = mapper;
}

interface CallSiteLike {
  getFileName(): string | null | undefined;
  getScriptNameOrSourceURL?(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

function framesOf(site: Site): CallSiteLike[] {
  const prev = Error.prepareStackTrace;
  Error.prepareStackTrace = (_err, frames) => frames;
  try {
    const s = site.holder.stack;
    return Array.isArray(s) ? (s as CallSiteLike[]) : [];
  } finally {
    Error.prepareStackTrace = prev;
  }
}

function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** All user frames of a site, innermost first, mapped to original sources. */
export function userFrames(site: Site): SourceLocation[] {
  const out: SourceLocation[] = [];
  for (const f of framesOf(site)) {
    const raw = f.getFileName() ?? f.getScriptNameOrSourceURL?.();
    const line = f.getLineNumber();
    const column = f.getColumnNumber();
    if (!raw || line === null || column === null) continue;
    const file = toPath(raw);
    if (isEngineFile(file)) continue;
    out.push(mapLocation({ file, line, column }));
  }
  return out;
}

/** The innermost frame in the user's code, or null when the stack has none (e.g. all engine). */
export function resolveSite(site: Site): SourceLocation | null {
  return userFrames(site)[0] ?? null;
}
