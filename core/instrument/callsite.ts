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

/** An unresolved capture: V8 formats its stack only when first read. */
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

/**
 * Parses the formatted stack (so whatever source-map support is installed — Node's
 * --enable-source-maps, vitest's — has already mapped it) into file/line/column frames.
 */
function framesOf(site: Site): SourceLocation[] {
  const stack = site.holder.stack;
  if (typeof stack !== 'string') return [];
  const out: SourceLocation[] = [];
  for (const raw of stack.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    // "at fn (file:line:col)" or "at file:line:col"; the file may contain colons (Windows, URLs).
    const m = /\(?([^()]+):(\d+):(\d+)\)?$/.exec(line);
    if (m === null) continue;
    let file = m[1]!.replace(/^at /, '').replace(/^async /, '');
    if (file.startsWith('file://')) file = fileURLToPath(file);
    out.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  return out;
}

const isDependency = (file: string): boolean => file.includes(`${sep}node_modules${sep}`);

/** All user frames of a site, innermost first, mapped to original sources (engine and node_modules frames skipped). */
export function userFrames(site: Site): SourceLocation[] {
  return framesOf(site).filter((f) => !isEngineFile(f.file) && !isDependency(f.file)).map((f) => mapLocation(f));
}

/** The innermost frame in the user's code, or null when the stack has none (e.g. all engine). */
export function resolveSite(site: Site): SourceLocation | null {
  return userFrames(site)[0] ?? null;
}
