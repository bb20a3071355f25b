import { annualizationFactor } from './annualization.js';
import { maxDrawdown } from './drawdown.js';
import { resolveRate, toFloat64 } from './internal/series.js';
import { spreadOf, stdFromSpread } from './internal/stats.js';
import { annualReturn } from './returns.js';
import { meanSquaredShortfall } from './risk.js';
import type { AnnualizationOptions, Rate, Series } from './types.js';

/** Options of {@link sharpeRatio}. */
export interface SharpeRatioOptions extends AnnualizationOptions {
  /** Risk-free return per period (a number or an aligned series); default 0. */
  riskFree?: Rate;
}

/**
 * Annualised Sharpe ratio (empyrical `sharpe_ratio`):
 * `mean(r − rf) / std(r − rf, ddof = 1) · sqrt(periodsPerYear)`, NaN skipped. NaN for fewer than
 * 2 returns; ±Infinity for a constant non-zero excess return.
 *
 * @example
 * sharpeRatio([0.01, 0.02, -0.01, 0.015], { period: 'daily' }); // ≈ 10.56
 */
export function sharpeRatio(returns: Series, options: SharpeRatioOptions = {}): number {
  const r = toFloat64(returns);
  if (r.length < 2) return NaN;
  const ann = annualizationFactor(options);
  const s = spreadOf(r, resolveRate(options.riskFree, r.length, 'riskFree'));
  return (s.mean / stdFromSpread(s, 1)) * Math.sqrt(ann);
}

/** Options of {@link sortinoRatio}. */
export interface SortinoRatioOptions extends AnnualizationOptions {
  /** Minimum acceptable return per period (a number or an aligned series); default 0. */
  requiredReturn?: Rate;
}

/**
 * Annualised Sortino ratio (empyrical ≥ 0.5 `sortino_ratio`):
 * `mean(r − required) · periodsPerYear / downsideRisk(r, required)`. NaN for fewer than 2
 * returns; +Infinity when no period falls below the threshold and the mean excess is positive.
 *
 * @example
 * sortinoRatio([0.01, 0.02, -0.01, 0.015]); // ≈ 27.78
 */
export function sortinoRatio(returns: Series, options: SortinoRatioOptions = {}): number {
  const r = toFloat64(returns);
  const n = r.length;
  if (n < 2) return NaN;
  const ann = annualizationFactor(options);
  const req = resolveRate(options.requiredReturn, n, 'requiredReturn');
  const mean = spreadOf(r, req).mean;
  const downside = Math.sqrt(meanSquaredShortfall(r, req.scalar, req.series)) * Math.sqrt(ann);
  return (mean * ann) / downside;
}

/**
 * Calmar ratio: annual return (CAGR) divided by the absolute maximum drawdown. NaN when there
 * is no drawdown or the ratio is infinite, as in empyrical.
 *
 * @example
 * calmarRatio([0.01, 0.1, -0.04, 0.02, 0.03, 0.02, 0.01, -0.1]); // ≈ 23.3 (daily)
 */
export function calmarRatio(returns: Series, options: AnnualizationOptions = {}): number {
  const r = toFloat64(returns);
  const mdd = maxDrawdown(r);
  if (!(mdd < 0)) return NaN;
  const ratio = annualReturn(r, options) / Math.abs(mdd);
  return Number.isFinite(ratio) ? ratio : NaN;
}

/** Options of {@link omegaRatio}. */
export interface OmegaRatioOptions extends AnnualizationOptions {
  /** Risk-free return per period (a number or an aligned series); default 0. */
  riskFree?: Rate;
  /**
   * Minimum acceptable return, ANNUAL (as in empyrical), converted to a per-period threshold
   * `(1 + requiredReturn)^(1/periodsPerYear) − 1`; with `periodsPerYear: 1` it is used as is.
   * Default 0.
   */
  requiredReturn?: number;
}

/**
 * Omega ratio (empyrical `omega_ratio`): with `x = r − rf − threshold`, the sum of the positive
 * x over the absolute sum of the negative x. NaN for fewer than 2 returns, when nothing falls
 * below the threshold, or when `requiredReturn ≤ −1`.
 *
 * Unlike the other ratios, `requiredReturn` here is annual (empyrical's convention).
 *
 * @example
 * omegaRatio([0.01, 0.02, -0.01, 0.015]); // 4.5
 */
export function omegaRatio(returns: Series, options: OmegaRatioOptions = {}): number {
  const r = toFloat64(returns);
  const n = r.length;
  if (n < 2) return NaN;
  const threshold = omegaThreshold(options);
  if (threshold !== threshold) return NaN;
  const rf = resolveRate(options.riskFree, n, 'riskFree');
  const rfs = rf.series;
  let gains = 0;
  let losses = 0;
  for (let i = 0; i < n; i++) {
    const x = r[i]! - (rfs === null ? rf.scalar : rfs[i]!) - threshold;
    if (x > 0) gains += x;
    else if (x < 0) losses -= x;
  }
  return losses > 0 ? gains / losses : NaN;
}

/** Per-period omega threshold from an annual required return; NaN when it is ≤ −1. */
export function omegaThreshold(options: OmegaRatioOptions): number {
  const ann = annualizationFactor(options);
  const required = options.requiredReturn ?? 0;
  if (ann === 1) return required;
  if (required <= -1) return NaN;
  return (1 + required) ** (1 / ann) - 1;
}

/**
 * Stability of returns (empyrical `stability_of_timeseries`): R² of an ordinary least-squares
 * line through the cumulative log returns `Σ log1p(r)` against time, NaN dropped. 1 is a
 * perfectly steady equity curve. NaN for fewer than 2 returns; 0 when the curve is flat.
 *
 * @example
 * stabilityOfTimeseries([0.01, 0.01, 0.01]); // 1
 */
export function stabilityOfTimeseries(returns: Series): number {
  const r = toFloat64(returns);
  const n = r.length;
  if (n < 2) return NaN;
  const y = new Float64Array(n);
  let m = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    if (x !== x) continue;
    acc += Math.log1p(x);
    y[m++] = acc;
  }
  if (m < 2) return NaN;
  let ySum = 0;
  for (let k = 0; k < m; k++) ySum += y[k]!;
  const xMean = (m - 1) / 2;
  const yMean = ySum / m;
  let sxy = 0;
  let syy = 0;
  for (let k = 0; k < m; k++) {
    const dy = y[k]! - yMean;
    sxy += (k - xMean) * dy;
    syy += dy * dy;
  }
  const sxx = ((m - 1) * m * (m + 1)) / 12;
  return rSquared(sxx, sxy, syy);
}

/** scipy.stats.linregress's r (clipped to ±1, 0 for a degenerate fit), squared. */
export function rSquared(sxx: number, sxy: number, syy: number): number {
  const den = Math.sqrt(sxx * syy);
  if (den === 0) return 0;
  let rho = sxy / den;
  if (rho > 1) rho = 1;
  else if (rho < -1) rho = -1;
  return rho * rho;
}
