// The first NaN/Inf, through the WebAssembly block scan and the JS loop, against the plain
// element-by-element definition: every kind of non-finite value at block edges, in the tail,
// first and last, with several in one array, and none.
import { afterEach, describe, expect, it } from 'vitest';
import { firstNonFinite } from '../../../core/instrument/nonfinite';
import { firstNonFiniteBlock, NONFINITE_MIN_ELEMENTS } from '../../../core/kernels/nonfinite';
import { setKernelMode } from '../../../core/kernels/wasm';

function reference(x: Float32Array): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}

function data(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i * 1.3) * 10 ** ((i % 11) - 5);
  x[3] = 3.4e38; // huge but finite: its v - v is still 0
  x[5] = -1e-45; // subnormal
  return x;
}

afterEach(() => setKernelMode('auto'));

describe('firstNonFinite', () => {
  for (const mode of ['auto', 'js'] as const) {
    it(`matches the definition at every kind of position (kernels: ${mode})`, () => {
      setKernelMode(mode);
      for (const n of [0, 1, 7, 63, 64, 65, NONFINITE_MIN_ELEMENTS - 1, NONFINITE_MIN_ELEMENTS, 10_007]) {
        expect(firstNonFinite(data(n))).toBe(-1);
        const spots = [0, 1, 8, 63, 64, 127, n - 65, n - 64, n - 9, n - 1].filter((i) => i >= 0 && i < n);
        for (const at of spots) {
          for (const bad of [NaN, Infinity, -Infinity]) {
            const x = data(n);
            x[at] = bad;
            expect(firstNonFinite(x), `n=${n} at=${at} ${bad}`).toBe(reference(x));
            // A second one later does not change the answer.
            if (at + 70 < n) {
              x[at + 70] = NaN;
              expect(firstNonFinite(x)).toBe(at);
            }
          }
        }
      }
    });
  }

  it('the wasm block scan names the block, or leaves short arrays and the js mode to JS', () => {
    const x = data(10_000);
    x[5000] = NaN;
    expect(firstNonFiniteBlock(x)).toBe(4992);
    x[5000] = 1;
    x[9999] = -Infinity; // in the tail after the last whole block
    expect(firstNonFiniteBlock(x)).toBe(9984);
    expect(firstNonFiniteBlock(data(NONFINITE_MIN_ELEMENTS - 1))).toBeNull();
    setKernelMode('js');
    expect(firstNonFiniteBlock(x)).toBeNull();
  });
});
