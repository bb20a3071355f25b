const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

/**
 * Standard normal cumulative distribution Φ(x), accurate to about 1e-15 absolute, with full
 * relative accuracy in the tails (Marsaglia's Taylor series near the centre, Laplace's
 * continued fraction for |x| ≥ 3).
 *
 * @example
 * normalCdf(0); // 0.5
 * normalCdf(1.6448536269514722); // 0.95
 */
export function normalCdf(x: number): number {
  if (x !== x) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const ax = Math.abs(x);
  if (ax < 3) {
    // Φ(x) = ½ + φ(x)·(x + x³/3 + x⁵/(3·5) + …)
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let k = 3; Math.abs(term) > 1e-17 * Math.abs(sum); k += 2) {
      term *= x2 / k;
      sum += term;
    }
    return 0.5 + normalPdf(x) * sum;
  }
  const tail = upperTail(ax);
  return x > 0 ? 1 - tail : tail;
}

/** Q(x) = 1 − Φ(x) for x ≥ 3 by the continued fraction φ(x)/(x + 1/(x + 2/(x + 3/(x + …)))). */
function upperTail(x: number): number {
  const pdf = normalPdf(x);
  if (pdf === 0) return 0;
  // Modified Lentz evaluation of b0 + a1/(b1 + a2/(b2 + …)) with b = x, a_k = k.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    d = x + k * d;
    d = d === 0 ? tiny : d;
    c = x + k / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return pdf / f;
}

// Acklam's rational approximation of Φ⁻¹ (relative error < 1.2e-9), refined below.
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239,
] as const;
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1,
] as const;
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
] as const;
const D = [
  7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416,
] as const;
const P_LOW = 0.02425;

/**
 * Standard normal quantile Φ⁻¹(p) (scipy.stats.norm.ppf): Acklam's approximation polished with
 * Halley steps against {@link normalCdf}, so Φ(Φ⁻¹(p)) = p to rounding.
 *
 * @example
 * normalQuantile(0.975); // 1.959963984540054
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  // Work in the lower half, where p itself carries full precision.
  if (p > 0.5) return -normalQuantile(1 - p);
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }
  for (let step = 0; step < 3; step++) {
    const e = normalCdf(x) - p;
    const u = e * SQRT_2PI * Math.exp(0.5 * x * x);
    if (!Number.isFinite(u)) break;
    const next = x - u / (1 + 0.5 * x * u);
    if (next === x) break;
    x = next;
  }
  return x;
}
