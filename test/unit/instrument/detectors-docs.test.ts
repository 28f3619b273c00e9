import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_CODES } from '../../../core/instrument/diagnostics';
import { DEFAULT_DETECTOR_CONFIG, SEVERITY } from '../../../core/instrument/detectors';

const DOCS = join(__dirname, '../../../docs/diagnostics');

describe('diagnostic docs', () => {
  it('every code has a page that names it and its severity', () => {
    for (const code of DIAGNOSTIC_CODES) {
      const file = join(DOCS, `${code}.md`);
      expect(existsSync(file), file).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith(`# \`${code}\``)).toBe(true);
      expect(text).toContain(`(${SEVERITY[code]})`);
      expect(text).toContain('## The rule');
      expect(text).toContain('## Literature');
    }
  });

  it('every threshold is documented on some page', () => {
    const all = DIAGNOSTIC_CODES.map((c) => readFileSync(join(DOCS, `${c}.md`), 'utf8')).join('\n');
    for (const key of Object.keys(DEFAULT_DETECTOR_CONFIG)) {
      if (key !== 'disabled') expect(all, key).toContain(`\`${key}\``);
    }
  });
});
