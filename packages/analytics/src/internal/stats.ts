import type { ResolvedRate } from './series.js';

/** Count, mean and sum of squared deviations of `x[i] - rate[i]` over the non-NaN differences. */
export interface SpreadSummary {
  count: number;
  mean: number;
  /** Σ (a − mean)², exactly 0 when every observation is equal. */
  sumSquares: number;
}

/**
 * Two-pass mean and spread of `x − rate`, skipping NaN (numpy's nanmean/nanvar). A constant
 * series gets a spread of exactly 0, so ratios over it are ±Infinity as in empyrical, whatever
 * the rounding of its mean.
 */
export function spreadOf(x: Float64Array, rate: ResolvedRate): SpreadSummary {
  const n = x.length;
  const rs = rate.series;
  const r0 = rate.scalar;
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - (rs === null ? r0 : rs[i]!);
    if (a !== a) continue;
    count++;
    sum += a;
    if (a < min) min = a;
    if (a > max) max = a;
  }
  if (count === 0) return { count, mean: NaN, sumSquares: NaN };
  const mean = sum / count;
  if (min === max) return { count, mean, sumSquares: 0 };
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - (rs === null ? r0 : rs[i]!);
    if (a !== a) continue;
    const d = a - mean;
    ss += d * d;
  }
  return { count, mean, sumSquares: ss };
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
  const n = x.length;
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v !== v) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (count === 0) return { count, mean: NaN, m2: NaN, m3: NaN, m4: NaN };
  const mean = sum / count;
  if (min === max) return { count, mean, m2: 0, m3: 0, m4: 0 };
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v !== v) continue;
    const d = v - mean;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  return { count, mean, m2: s2 / count, m3: s3 / count, m4: s4 / count };
}

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
