import { annualizationFactor } from './annualization.js';
import { type ResolvedRate, requireSameLength, resolveRate, toFloat64 } from './internal/series.js';
import { spreadOf, stdFromSpread } from './internal/stats.js';
import type { AnnualizationOptions, Rate, Series } from './types.js';

/** Options of {@link alphaBeta} and friends. */
export interface AlphaBetaOptions extends AnnualizationOptions {
  /** Risk-free return per period (a number or an aligned series); default 0. */
  riskFree?: Rate;
}

/** Jensen's alpha (annualised, compounded) and beta against a benchmark. */
export interface AlphaBeta {
  alpha: number;
  beta: number;
}

/** Which periods a regression uses: all, benchmark up (> 0) or benchmark down (< 0). */
type Subset = 'all' | 'up' | 'down';

function inSubset(f: number, subset: Subset): boolean {
  return subset === 'all' ? true : subset === 'up' ? f > 0 : f < 0;
}

/**
 * Regression of returns on benchmark returns over one subset of periods, with empyrical's
 * `alpha_beta_aligned` semantics: beta = cov(r, f) / var(f) over the periods where both are
 * present (NaN when var(f) < 1e-30); alpha = (1 + mean((r − rf) − β(f − rf)))^ann − 1.
 * NaN for fewer than 2 periods in the subset.
 */
function regress(
  r: Float64Array,
  f: Float64Array,
  rf: ResolvedRate,
  subset: Subset,
  ann: number,
): AlphaBeta {
  const n = r.length;
  let m = 0;
  let pairs = 0;
  let sumF = 0;
  for (let i = 0; i < n; i++) {
    const fi = f[i]!;
    if (!inSubset(fi, subset)) continue;
    m++;
    const ri = r[i]!;
    if (ri !== ri || fi !== fi) continue;
    pairs++;
    sumF += fi;
  }
  if (m < 2) return { alpha: NaN, beta: NaN };
  const meanF = sumF / pairs;
  let cov = 0;
  let varF = 0;
  for (let i = 0; i < n; i++) {
    const fi = f[i]!;
    const ri = r[i]!;
    if (!inSubset(fi, subset) || ri !== ri || fi !== fi) continue;
    const res = fi - meanF;
    // empyrical centres only the benchmark: mean(res · r) equals the covariance.
    cov += res * ri;
    varF += res * res;
  }
  cov /= pairs;
  varF /= pairs;
  const beta = varF < 1e-30 || varF !== varF ? NaN : cov / varF;
  const rfs = rf.series;
  let count = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const fi = f[i]!;
    if (!inSubset(fi, subset)) continue;
    const rfi = rfs === null ? rf.scalar : rfs[i]!;
    const a = r[i]! - rfi - beta * (fi - rfi);
    if (a !== a) continue;
    count++;
    sum += a;
  }
  const alpha = count === 0 ? NaN : (1 + sum / count) ** ann - 1;
  return { alpha, beta };
}

function prepare(
  returns: Series,
  factorReturns: Series,
  options: AlphaBetaOptions,
): [Float64Array, Float64Array, ResolvedRate, number] {
  const r = toFloat64(returns);
  const f = toFloat64(factorReturns, 'factorReturns');
  requireSameLength(r, f, 'returns', 'factorReturns');
  return [r, f, resolveRate(options.riskFree, r.length, 'riskFree'), annualizationFactor(options)];
}

/**
 * Alpha and beta of the returns against benchmark (factor) returns aligned by position
 * (empyrical `alpha_beta`). Beta is the OLS slope `cov(r, f) / var(f)` over periods where both
 * are present; alpha is annualised by compounding, `(1 + mean(r − rf − β(f − rf)))^ann − 1`
 * (empyrical ≥ 0.5; older versions multiplied by ann).
 *
 * @example
 * alphaBeta([0.01, 0.02, -0.01, 0.03], [0.005, 0.01, -0.01, 0.02]);
 * // { alpha: ≈ 1.73, beta: 1.36 }
 */
export function alphaBeta(
  returns: Series,
  factorReturns: Series,
  options: AlphaBetaOptions = {},
): AlphaBeta {
  const [r, f, rf, ann] = prepare(returns, factorReturns, options);
  return regress(r, f, rf, 'all', ann);
}

/**
 * Annualised alpha; see {@link alphaBeta}.
 *
 * @example
 * alpha([0.01, 0.02, -0.01, 0.03], [0.005, 0.01, -0.01, 0.02]); // ≈ 1.73
 */
export function alpha(
  returns: Series,
  factorReturns: Series,
  options: AlphaBetaOptions = {},
): number {
  return alphaBeta(returns, factorReturns, options).alpha;
}

/**
 * Beta, the OLS slope of the returns on the benchmark returns; see {@link alphaBeta}. Like
 * empyrical, a risk-free rate does not enter beta.
 *
 * @example
 * beta([0.02, 0.04, -0.02], [0.01, 0.02, -0.01]); // 2
 */
export function beta(returns: Series, factorReturns: Series): number {
  return alphaBeta(returns, factorReturns).beta;
}

/**
 * Alpha and beta over the periods where the benchmark rose (`factor > 0`), empyrical
 * `up_alpha_beta`. A risk-free series is filtered with the returns.
 *
 * @example
 * upAlphaBeta([0.02, -0.01, 0.03], [0.01, -0.02, 0.02]); // { alpha: ≈ 11.27, beta: ≈ 1 }
 */
export function upAlphaBeta(
  returns: Series,
  factorReturns: Series,
  options: AlphaBetaOptions = {},
): AlphaBeta {
  const [r, f, rf, ann] = prepare(returns, factorReturns, options);
  return regress(r, f, rf, 'up', ann);
}

/**
 * Alpha and beta over the periods where the benchmark fell (`factor < 0`), empyrical
 * `down_alpha_beta`.
 *
 * @example
 * downAlphaBeta([-0.02, 0.01, -0.03], [-0.01, 0.02, -0.02]); // { alpha: ≈ -0.92, beta: ≈ 1 }
 */
export function downAlphaBeta(
  returns: Series,
  factorReturns: Series,
  options: AlphaBetaOptions = {},
): AlphaBeta {
  const [r, f, rf, ann] = prepare(returns, factorReturns, options);
  return regress(r, f, rf, 'down', ann);
}

/**
 * Excess Sharpe (empyrical `excess_sharpe`, formerly `information_ratio`): the mean active
 * return over the tracking error, per period and not annualised:
 * `mean(r − f) / std(r − f, ddof = 1)`. `factorReturns` may be a number. NaN for fewer than 2
 * returns.
 *
 * @example
 * excessSharpe([0.01, 0.02, -0.01, 0.03], [0.005, 0.01, -0.01, 0.02]); // ≈ 1.31
 */
export function excessSharpe(returns: Series, factorReturns: Rate): number {
  const r = toFloat64(returns);
  if (r.length < 2) return NaN;
  const s = spreadOf(r, resolveRate(factorReturns, r.length, 'factorReturns'));
  const te = stdFromSpread(s, 1);
  // empyrical applies nan_to_num to the tracking error.
  return s.mean / (te === te ? te : 0);
}

/**
 * Annualised information ratio: {@link excessSharpe} × sqrt(periodsPerYear). With
 * `periodsPerYear: 1` it equals empyrical's `excess_sharpe` and QuantStats'
 * `information_ratio`, which do not annualise.
 *
 * @example
 * informationRatio([0.01, 0.02, -0.01, 0.03], [0.005, 0.01, -0.01, 0.02], { period: 'monthly' }); // ≈ 4.52
 */
export function informationRatio(
  returns: Series,
  factorReturns: Rate,
  options: AnnualizationOptions = {},
): number {
  return excessSharpe(returns, factorReturns) * Math.sqrt(annualizationFactor(options));
}
