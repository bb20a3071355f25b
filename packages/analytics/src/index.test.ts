import { describe, expect, it } from 'vitest';
import * as analytics from './index.js';

describe('@tradewatch/analytics public API', () => {
  it.each([
    'simpleReturns',
    'cumReturns',
    'cumReturnsFinal',
    'aggregateReturns',
    'annualReturn',
    'annualVolatility',
    'sharpeRatio',
    'sortinoRatio',
    'downsideRisk',
    'maxDrawdown',
    'drawdownSeries',
    'calmarRatio',
    'omegaRatio',
    'valueAtRisk',
    'conditionalValueAtRisk',
    'tailRatio',
    'stabilityOfTimeseries',
    'skew',
    'kurtosis',
    'alphaBeta',
    'alpha',
    'beta',
    'upAlphaBeta',
    'downAlphaBeta',
    'excessSharpe',
    'informationRatio',
    'ulcerIndex',
    'rollSharpeRatio',
    'rollMaxDrawdown',
    'rollAnnualVolatility',
    'sharpeRatioStats',
    'probabilisticSharpeRatio',
    'deflatedSharpeRatio',
    'minimumTrackRecordLength',
    'expectedMaxSharpeRatio',
    'tradeStats',
    'allReturnMetrics',
    'annualizationFactor',
    'normalCdf',
    'normalPdf',
    'normalQuantile',
  ])('exports %s', (name) => {
    expect(typeof (analytics as Record<string, unknown>)[name]).toBe('function');
  });

  it("exports empyrical's annualisation factors", () => {
    expect(analytics.ANNUALIZATION_FACTORS).toEqual({
      daily: 252,
      weekly: 52,
      monthly: 12,
      quarterly: 4,
      yearly: 1,
    });
  });

  it('accepts number[] and Float64Array alike', () => {
    const returns = [0.01, 0.02, -0.01, 0.015];
    expect(analytics.sharpeRatio(Float64Array.from(returns))).toBe(analytics.sharpeRatio(returns));
    expect(() => analytics.sharpeRatio('0.01' as unknown as number[])).toThrow(TypeError);
  });
});
