// The lines of source around a finding's location, for the report's code excerpts.

export interface ExcerptLine {
  /** 1-based line number. */
  line: number;
  text: string;
  /** The finding's own line. */
  hit: boolean;
}

export interface Excerpt {
  lines: ExcerptLine[];
  /** 0-based position of the column on the hit line once tabs are expanded (for a caret). */
  caret: number;
}

/** ±`context` lines around 1-based `line` of `source`; null when the line is not in the file. */
export function sourceExcerpt(source: string, line: number, column: number, context = 3): Excerpt | null {
  const all = source.split(/\r\n|\r|\n/);
  if (!(line >= 1 && line <= all.length)) return null;
  const from = Math.max(1, line - context);
  const to = Math.min(all.length, line + context);
  const lines: ExcerptLine[] = [];
  for (let n = from; n <= to; n++) lines.push({ line: n, text: all[n - 1]!.replace(/\t/g, '    '), hit: n === line });
  const caret = all[line - 1]!.slice(0, Math.max(0, column - 1)).replace(/\t/g, '    ').length;
  return { lines, caret };
}
