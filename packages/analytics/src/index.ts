/**
 * @tradewatch/analytics — dependency-free performance analytics for trading returns, following
 * empyrical's conventions so results can be checked against it. Series are `number[]` or
 * `Float64Array`, NaN marks a missing period, Sharpe-like ratios are annualised by `period`
 * (daily 252, weekly 52, monthly 12, quarterly 4, yearly 1) or `periodsPerYear`.
 * See docs/analytics.md for every formula and how it compares with QuantStats and freqtrade.
 */
export type { AnnualizationOptions, Period, Rate, Series } from './types.js';
export { ANNUALIZATION_FACTORS, annualizationFactor } from './annualization.js';
export {
  aggregateReturns,
  annualReturn,
  cumReturns,
  cumReturnsFinal,
  simpleReturns,
  type AggregatedReturn,
  type AggregationPeriod,
  type CumReturnsOptions,
} from './returns.js';
export {
  annualVolatility,
  conditionalValueAtRisk,
  downsideRisk,
  tailRatio,
  valueAtRisk,
  type AnnualVolatilityOptions,
  type DownsideRiskOptions,
  type TailOptions,
} from './risk.js';
export {
  drawdownSeries,
  maxDrawdown,
  ulcerIndex,
  type DrawdownAnalysis,
  type DrawdownPeriod,
} from './drawdown.js';
export {
  calmarRatio,
  omegaRatio,
  sharpeRatio,
  sortinoRatio,
  stabilityOfTimeseries,
  type OmegaRatioOptions,
  type SharpeRatioOptions,
  type SortinoRatioOptions,
} from './ratios.js';
export { kurtosis, skew, type KurtosisOptions, type SkewOptions } from './moments.js';
export {
  alpha,
  alphaBeta,
  beta,
  downAlphaBeta,
  excessSharpe,
  informationRatio,
  upAlphaBeta,
  type AlphaBeta,
  type AlphaBetaOptions,
} from './benchmark.js';
export {
  rollAnnualVolatility,
  rollMaxDrawdown,
  rollSharpeRatio,
  type RollAnnualVolatilityOptions,
  type RollSharpeRatioOptions,
  type RollingWindow,
} from './rolling.js';
export {
  deflatedSharpeRatio,
  expectedMaxSharpeRatio,
  minimumTrackRecordLength,
  probabilisticSharpeRatio,
  sharpeRatioStats,
  type DeflatedSharpeRatioOptions,
  type MinimumTrackRecordLengthOptions,
  type ProbabilisticSharpeRatioOptions,
  type SharpeRatioStats,
  type SharpeStatsOptions,
} from './sharpe-inference.js';
export { normalCdf, normalPdf, normalQuantile } from './normal.js';
export { tradeStats, type RoundTripTrade, type TradeStats } from './trades.js';
export {
  allReturnMetrics,
  type AllReturnMetricsOptions,
  type BenchmarkMetrics,
  type ReturnMetrics,
} from './all-metrics.js';
