import { resolveRate, toFloat64 } from './internal/series.js';
import {
  centralMoments,
  kurtosisFromMoments,
  skewFromMoments,
  spreadOf,
  stdFromSpread,
} from './internal/stats.js';
import { normalCdf, normalQuantile } from './normal.js';
import type { Rate, Series } from './types.js';

/**
 * Summary statistics of a track record, as Bailey & López de Prado use them. Sharpe ratios are
 * PER PERIOD (not annualised): divide an annual Sharpe by sqrt(periodsPerYear) first.
 */
export interface SharpeRatioStats {
  /** Observed Sharpe ratio per period, mean(r − rf) / std(r − rf). */
  observedSr: number;
  /** Benchmark (threshold) Sharpe ratio per period; default 0. */
  benchmarkSr?: number;
  /** Number of observations (periods). */
  n: number;
  /** Skewness γ3 of the returns. */
  skewness: number;
  /** RAW (Pearson) kurtosis γ4 of the returns: 3 for a normal distribution, NOT excess. */
  kurtosis: number;
}

/** Options of {@link sharpeRatioStats} and of the series form of the PSR family. */
export interface SharpeStatsOptions {
  /** Risk-free return per period subtracted before the statistics; default 0. */
  riskFree?: Rate;
}

/**
 * The {@link SharpeRatioStats} of a return series: per-period Sharpe ratio with the sample
 * standard deviation (ddof 1), biased skewness and biased RAW kurtosis (scipy's defaults with
 * `fisher=False`) of the excess returns, over the non-NaN periods.
 *
 * @example
 * sharpeRatioStats([0.01, 0.02, -0.01, 0.015]);
 * // { observedSr: ≈ 0.665, n: 4, skewness: ≈ -0.833, kurtosis: ≈ 2.098 }
 */
export function sharpeRatioStats(
  returns: Series,
  options: SharpeStatsOptions = {},
): SharpeRatioStats {
  const r = toFloat64(returns);
  const rf = resolveRate(options.riskFree, r.length, 'riskFree');
  let excess = r;
  if (rf.series !== null || rf.scalar !== 0) {
    excess = new Float64Array(r.length);
    const rfs = rf.series;
    for (let i = 0; i < r.length; i++) excess[i] = r[i]! - (rfs === null ? rf.scalar : rfs[i]!);
  }
  const s = spreadOf(excess, { scalar: 0, series: null });
  const m = centralMoments(excess);
  return {
    observedSr: s.mean / stdFromSpread(s, 1),
    n: s.count,
    skewness: skewFromMoments(m, true),
    kurtosis: kurtosisFromMoments(m, false, true),
  };
}

function statsOf(input: Series | SharpeRatioStats, options: SharpeStatsOptions): SharpeRatioStats {
  if (isStats(input)) return input;
  return sharpeRatioStats(input, options);
}

function isStats(input: Series | SharpeRatioStats): input is SharpeRatioStats {
  return typeof (input as Partial<SharpeRatioStats>).observedSr === 'number';
}

/** Variance factor 1 − γ3·SR + (γ4 − 1)/4 · SR² of the Sharpe ratio estimator. */
function srVarianceFactor(sr: number, skewness: number, kurtosis: number): number {
  return 1 - skewness * sr + ((kurtosis - 1) / 4) * sr * sr;
}

/** Options of {@link probabilisticSharpeRatio}. */
export interface ProbabilisticSharpeRatioOptions extends SharpeStatsOptions {
  /** Benchmark Sharpe ratio per period, when the input does not carry one; default 0. */
  benchmarkSr?: number;
}

/**
 * Probabilistic Sharpe ratio (Bailey & López de Prado, "The Sharpe Ratio Efficient Frontier",
 * 2012): the probability that the true Sharpe ratio exceeds the benchmark SR*, given the
 * track-record length and the skewness and kurtosis of the returns:
 *
 * `PSR(SR*) = Φ( (SR − SR*)·sqrt(n − 1) / sqrt(1 − γ3·SR + (γ4 − 1)/4·SR²) )`
 *
 * The input is a return series or {@link SharpeRatioStats} (per-period Sharpe ratios, RAW
 * kurtosis). NaN for n < 2 or a non-positive variance factor.
 *
 * @example
 * // The paper's example: SR = 1.5/√12 monthly, SR* = 1/√12, γ3 = −0.72, γ4 = 5.78, n = 59.895
 * probabilisticSharpeRatio({ observedSr: 1.5 / Math.sqrt(12), benchmarkSr: 1 / Math.sqrt(12), n: 59.895, skewness: -0.72, kurtosis: 5.78 });
 * // ≈ 0.8143
 */
export function probabilisticSharpeRatio(
  input: Series | SharpeRatioStats,
  options: ProbabilisticSharpeRatioOptions = {},
): number {
  const s = statsOf(input, options);
  const benchmark = s.benchmarkSr ?? options.benchmarkSr ?? 0;
  return psr(s.observedSr, benchmark, s.n, s.skewness, s.kurtosis);
}

function psr(sr: number, benchmark: number, n: number, skewness: number, kurt: number): number {
  if (!(n >= 2)) return NaN;
  const factor = srVarianceFactor(sr, skewness, kurt);
  if (!(factor > 0)) return NaN;
  return normalCdf(((sr - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(factor));
}

/** Options of {@link minimumTrackRecordLength}. */
export interface MinimumTrackRecordLengthOptions extends ProbabilisticSharpeRatioOptions {
  /** Required confidence that the true Sharpe ratio exceeds the benchmark; default 0.95. */
  confidence?: number;
}

/**
 * Minimum track record length (Bailey & López de Prado 2012): the number of observations
 * needed for PSR(SR*) to reach the confidence level,
 *
 * `MinTRL = 1 + (1 − γ3·SR + (γ4 − 1)/4·SR²) · (Φ⁻¹(confidence) / (SR − SR*))²`
 *
 * in periods of the returns (divide by periodsPerYear for years). Infinity when the observed
 * Sharpe ratio does not exceed the benchmark: no track record is long enough.
 *
 * @example
 * minimumTrackRecordLength({ observedSr: 1.5 / Math.sqrt(12), benchmarkSr: 1 / Math.sqrt(12), n: 60, skewness: -0.72, kurtosis: 5.78 });
 * // ≈ 200.5 months
 */
export function minimumTrackRecordLength(
  input: Series | SharpeRatioStats,
  options: MinimumTrackRecordLengthOptions = {},
): number {
  const s = statsOf(input, options);
  const benchmark = s.benchmarkSr ?? options.benchmarkSr ?? 0;
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be strictly between 0 and 1, got ${confidence}`);
  }
  const sr = s.observedSr;
  if (sr !== sr || benchmark !== benchmark) return NaN;
  if (!(sr > benchmark)) return Infinity;
  const factor = srVarianceFactor(sr, s.skewness, s.kurtosis);
  if (!(factor > 0)) return NaN;
  const z = normalQuantile(confidence) / (sr - benchmark);
  return 1 + factor * z * z;
}

/** Euler–Mascheroni constant γ. */
const EULER_GAMMA = 0.5772156649015329;

/**
 * Expected maximum Sharpe ratio among `trials` independent trials whose Sharpe ratios have the
 * given variance (and mean, default 0), the "False Strategy" benchmark of Bailey & López de
 * Prado (2014):
 *
 * `E[max SR] ≈ mean + sqrt(V) · ((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)))`
 *
 * With a single trial it is the mean itself.
 *
 * @example
 * expectedMaxSharpeRatio(100, 0.5 / 250); // ≈ 0.1132 per period (1.79 annualised)
 */
export function expectedMaxSharpeRatio(trials: number, variance: number, mean = 0): number {
  if (!(trials >= 1)) throw new RangeError(`trials must be at least 1, got ${trials}`);
  if (!(variance >= 0)) throw new RangeError(`variance must be non-negative, got ${variance}`);
  if (trials === 1) return mean;
  const z =
    (1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) +
    EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E));
  return mean + Math.sqrt(variance) * z;
}

/** Options of {@link deflatedSharpeRatio}: how many strategies were tried, and how they varied. */
export type DeflatedSharpeRatioOptions = SharpeStatsOptions &
  (
    | {
        /** Number of independent trials (backtests, parameter sets) behind the selection. */
        trials: number;
        /** Variance of the per-period Sharpe ratios across the trials. */
        trialsSrVariance: number;
      }
    | {
        /**
         * Per-period Sharpe ratios of every trial; gives the number of trials and their sample
         * variance (ddof 1).
         */
        trialSharpeRatios: Series;
      }
  );

/**
 * Deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio", 2014): the
 * PSR against the Sharpe ratio the best of N unskilled trials would be expected to reach,
 * correcting for selection bias under multiple testing:
 *
 * `DSR = PSR(SR₀)`, `SR₀ = sqrt(V[SRₙ]) · ((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)))`
 *
 * The input is a return series or {@link SharpeRatioStats}; a `benchmarkSr` in the stats is
 * replaced by SR₀.
 *
 * @example
 * // The 2014 paper's example: SR 2.5 annualised on 1250 daily returns, 100 trials with an
 * // annualised variance of 0.5, γ3 = −3, γ4 = 10.
 * deflatedSharpeRatio(
 *   { observedSr: 2.5 / Math.sqrt(250), n: 1250, skewness: -3, kurtosis: 10 },
 *   { trials: 100, trialsSrVariance: 0.5 / 250 },
 * ); // ≈ 0.90
 */
export function deflatedSharpeRatio(
  input: Series | SharpeRatioStats,
  options: DeflatedSharpeRatioOptions,
): number {
  const s = statsOf(input, options);
  let trials: number;
  let variance: number;
  if ('trialSharpeRatios' in options) {
    const srs = toFloat64(options.trialSharpeRatios, 'trialSharpeRatios');
    const spread = spreadOf(srs, { scalar: 0, series: null });
    trials = spread.count;
    variance = spread.count > 1 ? spread.sumSquares / (spread.count - 1) : 0;
  } else {
    trials = options.trials;
    variance = options.trialsSrVariance;
  }
  const benchmark = expectedMaxSharpeRatio(trials, variance);
  return psr(s.observedSr, benchmark, s.n, s.skewness, s.kurtosis);
}
