import { describe, expect, it } from 'vitest';
import { CLEAR_LINE, ProgressView, formatFindingsSoFar, formatLoss, formatProgress, formatProgressPlain, stepsPerSecond } from '../../../core/cli/progress';

const noFindings = { error: 0, warning: 0, info: 0 };

describe('progress formatting', () => {
  it('one line: step, loss, steps/s, findings so far', () => {
    expect(formatProgress({ step: 120, loss: 0.034213, stepsPerSec: 80, counts: { error: 1, warning: 2, info: 0 } })).toBe(
      'step 120 │ loss 0.03421 │ 80.0 steps/s │ 1 error, 2 warnings',
    );
    expect(formatProgressPlain({ step: 3, loss: null, stepsPerSec: null, counts: noFindings })).toBe(
      'gradscope: step 3, loss –, – steps/s, no findings',
    );
  });

  it('losses: 4 significant digits, exponents at the extremes, non-finite spelt out', () => {
    expect(formatLoss(1.23456)).toBe('1.235');
    expect(formatLoss(1234567)).toBe('1.235e+6');
    expect(formatLoss(0.00001234)).toBe('1.234e-5');
    expect(formatLoss(0)).toBe('0');
    expect(formatLoss(NaN)).toBe('NaN');
    expect(formatLoss(-Infinity)).toBe('-Inf');
  });

  it('rates and findings', () => {
    expect(stepsPerSecond(50, 2000)).toBe(25);
    expect(stepsPerSecond(5, 0)).toBeNull();
    expect(stepsPerSecond(0, 100)).toBeNull();
    expect(formatFindingsSoFar({ error: 0, warning: 1, info: 3 })).toBe('1 warning, 3 infos');
  });

  it('cut to the terminal width, one column spare', () => {
    const line = formatProgress({ step: 1, loss: 1, stepsPerSec: null, counts: noFindings }, 20);
    expect(line.length).toBe(19);
    expect(line.endsWith('…')).toBe(true);
  });
});

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, columns: 200, write: (s: string) => chunks.push(s) } };
}

describe('ProgressView', () => {
  it('on a terminal: redraws in place at most every 100 ms and lifts the line for script output', () => {
    let t = 0;
    const err = sink(true);
    const std = sink(false);
    const view = new ProgressView(err.out, () => t);
    view.update({ step: 1, loss: 1, stepsPerSec: null, counts: noFindings });
    t = 50;
    view.update({ step: 2, loss: 1, stepsPerSec: null, counts: noFindings }); // throttled
    expect(err.chunks).toHaveLength(1);
    expect(err.chunks[0]!.startsWith(`${CLEAR_LINE}step 1 │`)).toBe(true);
    view.print(std.out, 'hello\n');
    expect(std.chunks).toEqual(['hello\n']);
    // cleared before the script's line, redrawn (with the latest state) after it
    expect(err.chunks.slice(1, 3).map((c) => c.slice(0, CLEAR_LINE.length + 6))).toEqual([CLEAR_LINE, `${CLEAR_LINE}step 2`]);
    view.finish();
    expect(err.chunks.at(-1)).toBe(CLEAR_LINE);
  });

  it('does not redraw over a partial line the script wrote', () => {
    let t = 0;
    const err = sink(true);
    const view = new ProgressView(err.out, () => t);
    view.update({ step: 1, loss: 1, stepsPerSec: null, counts: noFindings });
    view.print(err.out, 'epoch 1: ');
    t = 1000;
    view.update({ step: 2, loss: 1, stepsPerSec: null, counts: noFindings });
    expect(err.chunks.at(-1)).toBe('epoch 1: ');
    view.print(err.out, 'done\n');
    expect(err.chunks.at(-1)!.startsWith(`${CLEAR_LINE}step 2`)).toBe(true);
  });

  it('elsewhere: plain lines about once a second, no control characters', () => {
    let t = 0;
    const err = sink(false);
    const view = new ProgressView(err.out, () => t);
    for (let step = 1; step <= 30; step++) {
      t = step * 100;
      view.update({ step, loss: 0.5, stepsPerSec: 10, counts: noFindings });
    }
    view.print(err.out, 'log line\n');
    view.finish();
    const progressLines = err.chunks.filter((c) => c.startsWith('gradscope: step'));
    expect(progressLines.map((l) => l.split(',')[0])).toEqual(['gradscope: step 1', 'gradscope: step 11', 'gradscope: step 21']);
    expect(err.chunks.join('')).not.toContain('\r');
  });
});
