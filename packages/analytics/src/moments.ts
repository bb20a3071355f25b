import { toFloat64 } from './internal/series.js';
import { centralMoments, kurtosisFromMoments, skewFromMoments } from './internal/stats.js';
import type { Series } from './types.js';

/** Options of {@link skew}. */
export interface SkewOptions {
  /** true (default, scipy's default): the biased estimator g1; false: adjusted G1. */
  bias?: boolean;
}

/**
 * Sample skewness, scipy.stats.skew's defaults (which empyrical uses):
 * `g1 = m3 / m2^1.5` with biased central moments `m_k = mean((r − mean)^k)`. With
 * `bias: false`, `G1 = g1 · sqrt(n(n − 1)) / (n − 2)`. NaN values are ignored (scipy would
 * return NaN); NaN when the variance is zero.
 *
 * @example
 * skew([0.01, 0.1, -0.04, 0.02, 0.03, 0.02, 0.01, -0.1]); // ≈ -0.3651
 */
export function skew(returns: Series, options: SkewOptions = {}): number {
  return skewFromMoments(centralMoments(toFloat64(returns)), options.bias ?? true);
}

/** Options of {@link kurtosis}. */
export interface KurtosisOptions {
  /** true (default, scipy's default): EXCESS kurtosis (normal = 0); false: raw (normal = 3). */
  fisher?: boolean;
  /** true (default, scipy's default): biased estimator; false: bias-corrected G2. */
  bias?: boolean;
}

/**
 * Sample kurtosis, scipy.stats.kurtosis's defaults (which empyrical uses): biased Fisher
 * EXCESS kurtosis `m4 / m2² − 3` (normal = 0). `fisher: false` gives raw Pearson kurtosis
 * (normal = 3), the input PSR/DSR/MinTRL expect. NaN values are ignored; NaN when the variance
 * is zero.
 *
 * @example
 * kurtosis([0.01, 0.1, -0.04, 0.02, 0.03, 0.02, 0.01, -0.1]); // ≈ 0.1195 (excess)
 * kurtosis([0.01, 0.1, -0.04, 0.02, 0.03, 0.02, 0.01, -0.1], { fisher: false }); // ≈ 3.1195
 */
export function kurtosis(returns: Series, options: KurtosisOptions = {}): number {
  return kurtosisFromMoments(
    centralMoments(toFloat64(returns)),
    options.fisher ?? true,
    options.bias ?? true,
  );
}
