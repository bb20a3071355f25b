import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { excessSharpe } from './benchmark.js';
import { expectClose, mixedReturns, returnsArb } from './empyrical.fixtures.js';
import { kurtosis, skew } from './moments.js';
import {
  deflatedSharpeRatio,
  expectedMaxSharpeRatio,
  minimumTrackRecordLength,
  probabilisticSharpeRatio,
  sharpeRatioStats,
} from './sharpe-inference.js';

/**
 * The worked example of Bailey & López de Prado, "The Sharpe Ratio Efficient Frontier" (Journal
 * of Risk, 2012), as coded in the paper's appendix (class PSR, "On 20120502 by MLdP"): excess
 * returns with mean 1.5 and standard deviation √12 (SR = 1.5/√12 per period), skewness −0.72,
 * kurtosis 5.78, benchmark SR* = 1/√12, 59.895 observations, 95% confidence. The appendix prints
 * PSR and MinTRL using 2, 3 and 4 moments (skewness 0 and kurtosis 3 when a moment is left out);
 * the expected values are that code's formulas evaluated with scipy 1.17
 * (bench/analytics/reference_values.py).
 */
const paper2012 = {
  observedSr: 1.5 / Math.sqrt(12),
  benchmarkSr: 1 / Math.sqrt(12),
  n: 59.895,
  skewness: -0.72,
  kurtosis: 5.78,
};

/**
 * The numerical example of Bailey & López de Prado, "The Deflated Sharpe Ratio" (Journal of
 * Portfolio Management, 2014): the best of N = 100 independent trials has an annualised SR of
 * 2.5 over 5 years of daily returns (T = 1250, 250 days a year), the trials' annualised Sharpe
 * ratios have variance 1/2, skewness −3, kurtosis 10. The paper reports E[max SR] ≈ 0.1132 per
 * day and DSR ≈ 0.9004; the full-precision values are from reference_values.py.
 */
const paper2014 = { observedSr: 2.5 / Math.sqrt(250), n: 1250, skewness: -3, kurtosis: 10 };

describe('probabilisticSharpeRatio', () => {
  it.each([
    ['2 moments (normal)', 0, 3, 0.8552354249591576],
    ['3 moments', -0.72, 3, 0.8249331075046179],
    ['4 moments', -0.72, 5.78, 0.8142890906895792],
  ])("matches the 2012 paper's appendix example with %s", (_n, skewness, kurtosisRaw, expected) => {
    expectClose(
      probabilisticSharpeRatio({ ...paper2012, skewness, kurtosis: kurtosisRaw }),
      expected,
      14,
    );
  });

  it('computes from a return series with per-period SR, biased skew and raw kurtosis', () => {
    // scipy: norm.cdf(sr·√(n−1)/√(1 − γ3·sr + (γ4−1)/4·sr²)) on mixed_returns without its NaN.
    expectClose(probabilisticSharpeRatio(mixedReturns), 0.6106203604025079, 14);
  });

  it('takes the benchmark from the options when the input has none', () => {
    const { benchmarkSr, ...stats } = paper2012;
    expect(probabilisticSharpeRatio(stats, { benchmarkSr })).toBe(
      probabilisticSharpeRatio(paper2012),
    );
    expect(probabilisticSharpeRatio(stats)).toBeGreaterThan(probabilisticSharpeRatio(paper2012));
  });

  it('grows with the track record when SR > SR* (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5000 }), fc.integer({ min: 1, max: 500 }), (n, dn) => {
        const a = probabilisticSharpeRatio({ ...paper2012, n });
        const b = probabilisticSharpeRatio({ ...paper2012, n: n + dn });
        expect(b).toBeGreaterThanOrEqual(a);
      }),
    );
  });

  it('is NaN with fewer than 2 observations', () => {
    expect(probabilisticSharpeRatio({ ...paper2012, n: 1 })).toBeNaN();
    expect(probabilisticSharpeRatio([0.01])).toBeNaN();
  });
});

describe('minimumTrackRecordLength', () => {
  it.each([
    ['2 moments (normal)', 0, 3, 143.04103134000923],
    ['3 moments', -0.72, 3, 183.52926992036876],
    ['4 moments', -0.72, 5.78, 200.45244422573558],
  ])("matches the 2012 paper's appendix example with %s", (_n, skewness, kurtosisRaw, expected) => {
    expectClose(
      minimumTrackRecordLength({ ...paper2012, skewness, kurtosis: kurtosisRaw }),
      expected,
      10,
    );
  });

  it('computes from a return series (scipy on mixed_returns)', () => {
    expectClose(minimumTrackRecordLength(mixedReturns), 240.95893309098037, 9);
  });

  it('is the track record at which PSR reaches the confidence (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }).map((v) => v / 1000),
        fc.integer({ min: -100, max: 100 }).map((v) => v / 100),
        fc.integer({ min: 300, max: 1200 }).map((v) => v / 100),
        fc.constantFrom(0.9, 0.95, 0.99),
        (sr, skewness, kurtosisRaw, confidence) => {
          const stats = { observedSr: sr, benchmarkSr: 0, n: 10, skewness, kurtosis: kurtosisRaw };
          const n = minimumTrackRecordLength(stats, { confidence });
          if (!Number.isFinite(n)) return;
          expect(probabilisticSharpeRatio({ ...stats, n })).toBeCloseTo(confidence, 9);
        },
      ),
    );
  });

  it('is Infinity when the observed SR does not beat the benchmark', () => {
    expect(minimumTrackRecordLength({ ...paper2012, observedSr: 0.1 })).toBe(Infinity);
    expect(() => minimumTrackRecordLength(paper2012, { confidence: 1 })).toThrow(/confidence/);
  });
});

describe('expectedMaxSharpeRatio', () => {
  it("matches the 2014 paper's E[max SR] ≈ 0.1132 per day (1.79 annualised)", () => {
    const sr0 = expectedMaxSharpeRatio(100, 0.5 / 250);
    expectClose(sr0, 0.11317200186513214, 13);
    expectClose(sr0, 0.1132, 4);
  });

  it('is the mean for a single trial and rises with the number of trials', () => {
    expect(expectedMaxSharpeRatio(1, 0.01, 0.05)).toBe(0.05);
    expect(expectedMaxSharpeRatio(1000, 0.01)).toBeGreaterThan(expectedMaxSharpeRatio(10, 0.01));
    expect(() => expectedMaxSharpeRatio(0, 0.01)).toThrow(RangeError);
  });
});

describe('deflatedSharpeRatio', () => {
  it("matches the 2014 paper's numerical example, DSR ≈ 0.9004", () => {
    const dsr = deflatedSharpeRatio(paper2014, { trials: 100, trialsSrVariance: 0.5 / 250 });
    expectClose(dsr, 0.9003968344493903, 13);
    expectClose(dsr, 0.9004, 4);
  });

  it('takes N and V[SR] from the trial Sharpe ratios when given them', () => {
    const trialSharpeRatios = [0.02, -0.01, 0.05, 0.03, 0.0, 0.04];
    const mean = trialSharpeRatios.reduce((s, v) => s + v, 0) / 6;
    const variance = trialSharpeRatios.reduce((s, v) => s + (v - mean) ** 2, 0) / 5;
    expect(deflatedSharpeRatio(paper2014, { trialSharpeRatios })).toBeCloseTo(
      deflatedSharpeRatio(paper2014, { trials: 6, trialsSrVariance: variance }),
      14,
    );
  });

  it('is the PSR against 0 with a single trial, and falls as trials grow (property)', () => {
    expect(deflatedSharpeRatio(paper2014, { trials: 1, trialsSrVariance: 0.002 })).toBe(
      probabilisticSharpeRatio(paper2014),
    );
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (a, d) => {
        const opts = { trialsSrVariance: 0.002 };
        expect(deflatedSharpeRatio(paper2014, { ...opts, trials: a + d })).toBeLessThanOrEqual(
          deflatedSharpeRatio(paper2014, { ...opts, trials: a }),
        );
      }),
    );
  });
});

describe('sharpeRatioStats', () => {
  it('gives the per-period Sharpe ratio, biased skewness and RAW kurtosis of the excess returns', () => {
    const s = sharpeRatioStats(mixedReturns);
    expect(s.n).toBe(8);
    expectClose(s.observedSr, excessSharpe(mixedReturns, 0), 14);
    expectClose(s.skewness, skew(mixedReturns), 14);
    expectClose(s.kurtosis, kurtosis(mixedReturns, { fisher: false }), 14);
  });

  it('subtracts the risk-free rate first (property)', () => {
    fc.assert(
      fc.property(returnsArb({ minLength: 3 }), (r) => {
        const rf = 0.0001;
        const a = sharpeRatioStats(r, { riskFree: rf });
        const b = sharpeRatioStats(r.map((x) => x - rf));
        expect(a.n).toBe(b.n);
        expect(a.observedSr).toBe(b.observedSr);
      }),
    );
  });
});
