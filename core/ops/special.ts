// Special functions in double precision.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

/**
 * The error function, accurate to ~1e-15. Small |x|: the series
 * erf x = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (all terms positive, no cancellation);
 * large |x|: Laplace's continued fraction for erfc, evaluated bottom-up.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  let r: number;
  if (ax < 2.5) {
    const x2 = ax * ax;
    let term = ax;
    let sum = ax;
    for (let n = 1; term > sum * 1e-17; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  } else if (ax < 6) {
    // erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
    let t = ax;
    for (let k = 60; k >= 1; k--) t = ax + k / 2 / t;
    r = 1 - (Math.exp(-ax * ax) * INV_SQRT_PI) / t;
  } else {
    r = 1;
  }
  return x < 0 ? -r : r;
}
