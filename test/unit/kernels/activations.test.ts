// Activation health through the WebAssembly kernels and the JS loops: the same dead-unit and
// saturation counts, with NaN units (never dead), -0, exact-threshold values, thresholds that
// float32 cannot represent, and shapes whose unit count is not a multiple of 4.
import { afterEach, describe, expect, it } from 'vitest';
import { activationHealth } from '../../../core/instrument/activations';
import { columnMax, countAbsAbove, ACTIVATION_MIN_ELEMENTS } from '../../../core/kernels/activations';
import { setKernelMode } from '../../../core/kernels/wasm';

afterEach(() => setKernelMode('auto'));

function sample(batch: number, units: number): { out: Float32Array; inp: Float32Array } {
  const n = batch * units;
  const inp = new Float32Array(n);
  for (let i = 0; i < n; i++) inp[i] = Math.sin(i * 0.77) * 8;
  const out = inp.map((v) => (v > 0 ? v : 0));
  // Dead units: every sample ≤ 0 (one of them with -0), and a unit whose only live value is NaN.
  for (let b = 0; b < batch; b++) {
    out[b * units + 1] = 0;
    out[b * units + units - 1] = b === 0 ? -0 : -1;
    out[b * units + 2] = b === batch - 1 ? NaN : 0;
  }
  inp[5] = 5; // exactly at the threshold: not saturated
  inp[6] = Math.fround(5.1); // above a threshold float32 cannot represent exactly
  inp[7] = NaN;
  inp[8] = Math.fround(0.1); // float32(0.1) > 0.1: saturated at t = 0.1, as JS compares
  inp[9] = -Math.fround(0.1);
  return { out, inp };
}

describe('activation health kernels', () => {
  for (const [batch, units] of [[64, 256], [32, 129], [3, 1001], [2, 5]] as const) {
    it(`give the JS loops' counts for ${batch}×${units}`, () => {
      const { out, inp } = sample(batch, units);
      for (const op of ['Relu', 'Tanh', 'Sigmoid']) {
        for (const t of [5, 5.1, 0.1]) {
          setKernelMode('js');
          const ref = activationHealth(op, inp, out, [batch, units], t);
          setKernelMode('auto');
          expect(activationHealth(op, inp, out, [batch, units], t), `${op} t=${t}`).toEqual(ref);
        }
      }
      setKernelMode('js');
      const h = activationHealth('Relu', inp, out, [batch, units], 5);
      expect(h.deadFrac * units).toBeGreaterThanOrEqual(2); // units 1 and units-1; not the NaN one
    });
  }

  it('column maxima propagate NaN, and short arrays are left to JS', () => {
    const x = new Float32Array(4 * 1024).fill(-1);
    x[3 * 1024 + 7] = NaN;
    x[2 * 1024 + 9] = 3;
    const m = columnMax(x, 4, 1024)!;
    expect(Number.isNaN(m[7]!)).toBe(true);
    expect(m[9]).toBe(3);
    expect(m[0]).toBe(-1);
    expect(columnMax(new Float32Array(ACTIVATION_MIN_ELEMENTS - 1), 1, ACTIVATION_MIN_ELEMENTS - 1)).toBeNull();
    expect(countAbsAbove(new Float32Array(ACTIVATION_MIN_ELEMENTS - 1), 1)).toBeNull();
  });
});
