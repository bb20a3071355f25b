import {
  alphaBeta,
  annualReturn,
  cumReturnsFinal,
  maxDrawdown,
  type Series,
} from '@tradewatch/analytics';

/**
 * Pearson correlation of two aligned series over the periods where both are present (NaN =
 * missing); NaN with fewer than two such periods or a constant series.
 *
 * @example
 * correlation([0.01, 0.02, 0.03], [0.02, 0.04, 0.06]); // 1
 */
export function correlation(a: Series, b: Series): number {
  if (a.length !== b.length) throw new RangeError('series must have the same length');
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== x || y !== y) continue;
    n++;
    sa += x;
    sb += y;
  }
  if (n < 2) return NaN;
  const ma = sa / n;
  const mb = sb / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== x || y !== y) continue;
    sxy += (x - ma) * (y - mb);
    sxx += (x - ma) * (x - ma);
    syy += (y - mb) * (y - mb);
  }
  const d = Math.sqrt(sxx * syy);
  return d === 0 ? NaN : sxy / d;
}

/** The strategy against buy-and-hold of a benchmark over the same periods. */
export interface BenchmarkComparison {
  /** Periods where both have a return. */
  observations: number;
  totalReturn: number;
  strategyTotalReturn: number;
  /** strategyTotalReturn − totalReturn. */
  excessReturn: number;
  annualReturn: number;
  strategyAnnualReturn: number;
  /** strategyAnnualReturn − annualReturn. */
  annualExcessReturn: number;
  beta: number;
  /** Jensen's alpha, annualised by compounding (the library's convention). */
  alpha: number;
  correlation: number;
  maxDrawdown: number;
  strategyMaxDrawdown: number;
}

/**
 * Compares strategy returns with benchmark returns aligned by period. Both use the library's
 * conventions (a missing return compounds as 0; regressions use the periods where both are
 * present).
 *
 * @example
 * compareWithBenchmark([0.02, -0.01, 0.03], [0.01, -0.01, 0.02], 252).excessReturn; // ≈ 0.0195
 */
export function compareWithBenchmark(
  strategy: Series,
  benchmark: Series,
  periodsPerYear: number,
  riskFree = 0,
): BenchmarkComparison {
  let observations = 0;
  for (let i = 0; i < strategy.length; i++) {
    if (strategy[i] === strategy[i] && benchmark[i] === benchmark[i]) observations++;
  }
  const totalReturn = cumReturnsFinal(benchmark);
  const strategyTotalReturn = cumReturnsFinal(strategy);
  const bAnnual = annualReturn(benchmark, { periodsPerYear });
  const sAnnual = annualReturn(strategy, { periodsPerYear });
  const ab = alphaBeta(strategy, benchmark, { periodsPerYear, riskFree });
  return {
    observations,
    totalReturn,
    strategyTotalReturn,
    excessReturn: strategyTotalReturn - totalReturn,
    annualReturn: bAnnual,
    strategyAnnualReturn: sAnnual,
    annualExcessReturn: sAnnual - bAnnual,
    beta: ab.beta,
    alpha: ab.alpha,
    correlation: correlation(strategy, benchmark),
    maxDrawdown: maxDrawdown(benchmark),
    strategyMaxDrawdown: maxDrawdown(strategy),
  };
}

/**
 * One sentence saying what a probabilistic Sharpe ratio means for these figures.
 *
 * @example
 * psrMeaning(0.97, 1.4, 0, 500, 'daily');
 * // 'With 500 daily returns and an annualised Sharpe ratio of 1.40, there is a 97.0% probability
 * //  that the true Sharpe ratio is above 0 (significant at the 95% level).'
 */
export function psrMeaning(
  psr: number,
  observedAnnualSr: number,
  benchmarkAnnualSr: number,
  observations: number,
  frequency: string,
): string {
  if (!Number.isFinite(psr)) {
    return `Not enough data: the probabilistic Sharpe ratio needs at least two ${frequency} returns that are not all equal.`;
  }
  const level = psr >= 0.99 ? 99 : psr >= 0.95 ? 95 : psr >= 0.9 ? 90 : null;
  const verdict =
    level === null
      ? 'not significant at the 90% level: the track record does not yet show skill beyond luck'
      : `significant at the ${level}% level`;
  const sr = Number.isFinite(observedAnnualSr) ? observedAnnualSr.toFixed(2) : 'n/a';
  return (
    `With ${observations} ${frequency} returns and an annualised Sharpe ratio of ${sr}, there is a ` +
    `${(psr * 100).toFixed(1)}% probability that the true Sharpe ratio is above ` +
    `${benchmarkAnnualSr} (${verdict}).`
  );
}
