import type { ResolvedRate } from './series.js';

/** Count, mean and sum of squared deviations of `x[i] - rate[i]` over the non-NaN differences. */
export interface SpreadSummary {
  count: number;
  mean: number;
  /** Σ (a − mean)², exactly 0 when every observation is equal. */
  sumSquares: number;
}

/**
 * Kernels below run over chunks of this many values, keeping running state in a small
 * Float64Array: each chunk sums from zero (more accurate than one long running sum), and V8
 * optimises many short calls reliably, where one long loop can be left in baseline code after
 * on-stack replacement (see all-metrics.ts).
 */
export const CHUNK = 16_384;

/** state: count, Σa, min a, max a over a = x − rate, NaN skipped. */
function sumKernel(
  x: Float64Array,
  start: number,
  end: number,
  rs: Float64Array | null,
  r0: number,
  st: Float64Array,
): void {
  let count = 0;
  let sum = 0;
  let min = st[2]!;
  let max = st[3]!;
  for (let i = start; i < end; i++) {
    const a = x[i]! - (rs === null ? r0 : rs[i]!);
    if (a !== a) continue;
    count++;
    sum += a;
    if (a < min) min = a;
    if (a > max) max = a;
  }
  st[0]! += count;
  st[1]! += sum;
  st[2] = min;
  st[3] = max;
}

/** state: Σd², Σd³, Σd⁴ of d = x − rate − mean, NaN skipped; `order` 2 stops at Σd². */
function powerKernel(
  x: Float64Array,
  start: number,
  end: number,
  rs: Float64Array | null,
  r0: number,
  mean: number,
  order: number,
  st: Float64Array,
): void {
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  if (order === 2) {
    for (let i = start; i < end; i++) {
      const d = x[i]! - (rs === null ? r0 : rs[i]!) - mean;
      if (d === d) s2 += d * d;
    }
  } else {
    for (let i = start; i < end; i++) {
      const d = x[i]! - (rs === null ? r0 : rs[i]!) - mean;
      if (d !== d) continue;
      const d2 = d * d;
      s2 += d2;
      s3 += d2 * d;
      s4 += d2 * d2;
    }
  }
  st[0]! += s2;
  st[1]! += s3;
  st[2]! += s4;
}

/** Count, Σ, min and max of x − rate. */
function sums(x: Float64Array, rate: ResolvedRate): Float64Array {
  const st = Float64Array.of(0, 0, Infinity, -Infinity);
  for (let s = 0; s < x.length; s += CHUNK) {
    sumKernel(x, s, Math.min(x.length, s + CHUNK), rate.series, rate.scalar, st);
  }
  return st;
}

/** Σd², Σd³, Σd⁴ of x − rate − mean (Σd³ and Σd⁴ only when `order` is 4). */
function powers(x: Float64Array, rate: ResolvedRate, mean: number, order: 2 | 4): Float64Array {
  const st = new Float64Array(3);
  for (let s = 0; s < x.length; s += CHUNK) {
    powerKernel(x, s, Math.min(x.length, s + CHUNK), rate.series, rate.scalar, mean, order, st);
  }
  return st;
}

/**
 * Two-pass mean and spread of `x − rate`, skipping NaN (numpy's nanmean/nanvar). A constant
 * series gets a spread of exactly 0, so ratios over it are ±Infinity as in empyrical, whatever
 * the rounding of its mean.
 */
export function spreadOf(x: Float64Array, rate: ResolvedRate): SpreadSummary {
  const st = sums(x, rate);
  const count = st[0]!;
  if (count === 0) return { count, mean: NaN, sumSquares: NaN };
  const mean = st[1]! / count;
  if (st[2] === st[3]) return { count, mean, sumSquares: 0 };
  return { count, mean, sumSquares: powers(x, rate, mean, 2)[0]! };
}

/** Standard deviation with `ddof` delta degrees of freedom; NaN when `count − ddof ≤ 0`. */
export function stdFromSpread(s: SpreadSummary, ddof: number): number {
  const dof = s.count - ddof;
  return dof > 0 ? Math.sqrt(s.sumSquares / dof) : NaN;
}

/** Biased central moments of the non-NaN values (scipy.stats `_moment`). */
export interface CentralMoments {
  count: number;
  mean: number;
  m2: number;
  m3: number;
  m4: number;
}

export function centralMoments(x: Float64Array): CentralMoments {
  const st = sums(x, NO_RATE);
  const count = st[0]!;
  if (count === 0) return { count, mean: NaN, m2: NaN, m3: NaN, m4: NaN };
  const mean = st[1]! / count;
  if (st[2] === st[3]) return { count, mean, m2: 0, m3: 0, m4: 0 };
  const p = powers(x, NO_RATE, mean, 4);
  return { count, mean, m2: p[0]! / count, m3: p[1]! / count, m4: p[2]! / count };
}

const NO_RATE: ResolvedRate = { scalar: 0, series: null };

const EPS = 2 ** -52;

/**
 * Skewness from central moments with scipy.stats.skew's rules: NaN when the variance is
 * numerically zero; the adjusted Fisher–Pearson estimator when `bias` is false and n > 2.
 */
export function skewFromMoments(m: CentralMoments, bias: boolean): number {
  const { count: n, mean, m2, m3 } = m;
  if (n === 0 || !(m2 > (EPS * mean) ** 2)) return NaN;
  const g1 = m3 / m2 ** 1.5;
  if (bias || n <= 2) return g1;
  return (Math.sqrt((n - 1) * n) / (n - 2)) * g1;
}

/**
 * Kurtosis from central moments with scipy.stats.kurtosis's rules: raw (Pearson, normal = 3)
 * when `fisher` is false, excess otherwise; bias-corrected when `bias` is false and n > 3.
 */
export function kurtosisFromMoments(m: CentralMoments, fisher: boolean, bias: boolean): number {
  const { count: n, mean, m2, m4 } = m;
  if (n === 0 || !(m2 > (EPS * mean) ** 2)) return NaN;
  let raw = m4 / m2 ** 2;
  if (!bias && n > 3) {
    raw = (1 / (n - 2) / (n - 3)) * ((n * n - 1) * raw - 3 * (n - 1) ** 2) + 3;
  }
  return fisher ? raw - 3 : raw;
}
