// Non-finite numbers survive the JSON that VS Code's postMessage is, tagged by the host and restored by the panel.
import { describe, expect, it } from 'vitest';
import { tagNonFinite, untagNonFinite } from '../../../webview/wire';
import type { HostToWebview } from '../../../webview/protocol';
import { stepRecord } from '../report/events';

const overJson = <T>(v: T): T => untagNonFinite(JSON.parse(JSON.stringify(tagNonFinite(v))) as T);

describe('wire encoding of non-finite numbers', () => {
  it('NaN and ±Infinity come back as themselves, everything else unchanged', () => {
    const msg: HostToWebview = { type: 'events', events: [{ type: 'step', record: { ...stepRecord(3, NaN), gradNorm: Infinity, lr: -Infinity } }] };
    const back = overJson(msg);
    const r = (back as Extract<HostToWebview, { type: 'events' }>).events[0]! as { record: { loss: number; gradNorm: number; lr: number; step: number } };
    expect([r.record.loss, r.record.gradNorm, r.record.lr, r.record.step]).toEqual([NaN, Infinity, -Infinity, 3]);
    expect(overJson({ a: [1, NaN, null, 'NaN', { b: -Infinity }], s: 'Infinity' })).toEqual({ a: [1, NaN, null, 'NaN', { b: -Infinity }], s: 'Infinity' });
  });

  it('copies only what it tags; typed arrays and finite data are shared', () => {
    const counts = new Uint32Array([1, 2]);
    const finite = { xs: [1, 2, 3], counts };
    expect(tagNonFinite(finite)).toBe(finite);
    const mixed = { keep: finite, bad: [0, NaN] };
    const out = tagNonFinite(mixed);
    expect(out).not.toBe(mixed);
    expect(out.keep).toBe(finite);
    expect(out.bad).toEqual([0, { $nf: 'NaN' }]);
    expect(mixed.bad[1]).toBeNaN();
  });

  it('an object that merely has a $nf field among others is not a tag', () => {
    expect(untagNonFinite({ v: { $nf: 'NaN', other: 1 } })).toEqual({ v: { $nf: 'NaN', other: 1 } });
  });
});
