import { describe, expect, it } from 'vitest';
import { isWebviewToHost } from '../../../webview/protocol';

describe('isWebviewToHost', () => {
  it('accepts the well-formed messages', () => {
    expect(isWebviewToHost({ type: 'ready' })).toBe(true);
    expect(isWebviewToHost({ type: 'openLocation', file: '/w/train.ts', line: 3, column: 1 })).toBe(true);
    expect(isWebviewToHost({ type: 'command', command: 'stop' })).toBe(true);
  });

  it.each([
    null, 'ready', 42, {}, { type: 'nope' },
    { type: 'ready', extra: 1 },
    { type: 'openLocation', file: '', line: 1, column: 1 },
    { type: 'openLocation', file: '/a', line: 0, column: 1 },
    { type: 'openLocation', file: '/a', line: 1.5, column: 1 },
    { type: 'openLocation', file: 3, line: 1, column: 1 },
    { type: 'command', command: 'rm -rf' },
  ])('rejects %j', (msg) => {
    expect(isWebviewToHost(msg)).toBe(false);
  });
});
