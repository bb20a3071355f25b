import { annualizationFactor } from './annualization.js';
import {
  type RankSource,
  countValid,
  orderStatisticsFor,
  quantileOf,
  quantileRanks,
} from './internal/select.js';
import { requireFraction, resolveRate, toFloat64 } from './internal/series.js';
import { spreadOf, stdFromSpread } from './internal/stats.js';
import type { AnnualizationOptions, Rate, Series } from './types.js';

/** Options of {@link annualVolatility}. */
export interface AnnualVolatilityOptions extends AnnualizationOptions {
  /** Scaling exponent (Lévy stability exponent); default 2, i.e. the square-root-of-time rule. */
  alpha?: number;
}

/**
 * Annualised volatility: sample standard deviation (ddof 1, NaN skipped) times
 * `periodsPerYear^(1/alpha)`. NaN for fewer than 2 returns.
 *
 * @example
 * annualVolatility([0.01, -0.02, 0.015, 0.003]); // ≈ 0.2456
 */
export function annualVolatility(returns: Series, options: AnnualVolatilityOptions = {}): number {
  const r = toFloat64(returns);
  if (r.length < 2) return NaN;
  const ann = annualizationFactor(options);
  const alpha = options.alpha ?? 2;
  return stdFromSpread(spreadOf(r, NO_RATE), 1) * ann ** (1 / alpha);
}

const NO_RATE = { scalar: 0, series: null };

/** Options of {@link downsideRisk}. */
export interface DownsideRiskOptions extends AnnualizationOptions {
  /** Minimum acceptable return per period (a number or an aligned series); default 0. */
  requiredReturn?: Rate;
}

/**
 * Annualised downside deviation below a threshold (empyrical `downside_risk`):
 * `sqrt(mean(min(r − required, 0)²)) · sqrt(periodsPerYear)`, the mean taken over every non-NaN
 * period (periods above the threshold count as 0). NaN for an empty series.
 *
 * @example
 * downsideRisk([0.01, -0.02, 0.015, -0.01]); // ≈ 0.1775
 */
export function downsideRisk(returns: Series, options: DownsideRiskOptions = {}): number {
  const r = toFloat64(returns);
  const n = r.length;
  if (n < 1) return NaN;
  const ann = annualizationFactor(options);
  const req = resolveRate(options.requiredReturn, n, 'requiredReturn');
  return Math.sqrt(meanSquaredShortfall(r, req.scalar, req.series)) * Math.sqrt(ann);
}

/** mean(min(r − required, 0)²) over the non-NaN differences. */
export function meanSquaredShortfall(
  r: Float64Array,
  req0: number,
  reqs: Float64Array | null,
): number {
  let count = 0;
  let sum = 0;
  for (let i = 0; i < r.length; i++) {
    const d = r[i]! - (reqs === null ? req0 : reqs[i]!);
    if (d !== d) continue;
    count++;
    if (d < 0) sum += d * d;
  }
  return count === 0 ? NaN : sum / count;
}

/** Options of {@link valueAtRisk} and {@link conditionalValueAtRisk}. */
export interface TailOptions {
  /** Tail probability; default 0.05 (the worst 5% of periods). */
  cutoff?: number;
}

/**
 * Historical value at risk: the `cutoff` quantile of the returns with numpy's default linear
 * interpolation (empyrical `value_at_risk`, `np.percentile(returns, 100·cutoff)`). A negative
 * number is a loss. Missing returns are ignored (numpy would return NaN). NaN when empty.
 *
 * @example
 * valueAtRisk([1, 81, 82, 83, 84, 85], { cutoff: 0.1 }); // 41
 */
export function valueAtRisk(returns: Series, options: TailOptions = {}): number {
  const cutoff = options.cutoff ?? 0.05;
  requireFraction(cutoff, 'cutoff');
  const r = toFloat64(returns);
  const count = countValid(r);
  if (count === 0) return NaN;
  const q = percentileFraction(cutoff);
  return quantileOf(orderStatisticsFor(r, count, quantileRanks(count, q)), q);
}

/** np.percentile(x, 100·c) divides the percentage back by 100; keep the same rounding. */
export function percentileFraction(cutoff: number): number {
  return (100 * cutoff) / 100;
}

/**
 * Conditional value at risk (expected shortfall), empyrical's `conditional_value_at_risk`: the
 * mean of the `⌊(n − 1)·cutoff⌋ + 1` smallest returns. Missing returns are ignored. NaN when
 * empty.
 *
 * @example
 * conditionalValueAtRisk([-0.05, -0.02, 0.01, 0.02, 0.03], { cutoff: 0.5 }); // ≈ -0.02 (mean of 3 worst)
 */
export function conditionalValueAtRisk(returns: Series, options: TailOptions = {}): number {
  const cutoff = options.cutoff ?? 0.05;
  requireFraction(cutoff, 'cutoff');
  const r = toFloat64(returns);
  const count = countValid(r);
  if (count === 0) return NaN;
  const k = Math.floor((count - 1) * cutoff);
  return cvarFrom(orderStatisticsFor(r, count, [], k), k);
}

/** Mean of the k + 1 smallest values (empyrical's CVaR), NaN when the sample is empty. */
export function cvarFrom(stats: RankSource, k: number): number {
  if (stats.count === 0) return NaN;
  return stats.sumOfSmallest(k) / (k + 1);
}

/**
 * Tail ratio: `|95th percentile| / |5th percentile|` of the non-NaN returns (empyrical
 * `tail_ratio`). 0.25 means the losses in the left tail are four times the gains in the right.
 * NaN when empty.
 *
 * @example
 * tailRatio([0.01, 0.1, -0.04, 0.02, 0.03, 0.02, 0.01, -0.1]); // ≈ 0.9557
 */
export function tailRatio(returns: Series): number {
  const r = toFloat64(returns);
  const count = countValid(r);
  if (count === 0) return NaN;
  const stats = orderStatisticsFor(r, count, [
    ...quantileRanks(count, 0.05),
    ...quantileRanks(count, 0.95),
  ]);
  return tailRatioFrom(stats);
}

/** |95th percentile| / |5th percentile| (empyrical's tail ratio). */
export function tailRatioFrom(stats: RankSource): number {
  return Math.abs(quantileOf(stats, 0.95)) / Math.abs(quantileOf(stats, 0.05));
}
