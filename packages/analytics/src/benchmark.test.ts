import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alpha,
  alphaBeta,
  beta,
  downAlphaBeta,
  excessSharpe,
  informationRatio,
  upAlphaBeta,
} from './benchmark.js';
import {
  emptyReturns,
  expectClose,
  flatLine1,
  mixedReturns,
  nearlyEqual,
  negativeReturns,
  oneReturn,
  positiveReturns,
  returnsArb,
  simpleBenchmark,
} from './empyrical.fixtures.js';

// Expected values are quoted from empyrical's tests/test_stats.py. empyrical aligns pandas
// series by date: mixed_returns against negative_returns[1:] means positions 1..8 of both.

const neg = (r: number[]): number[] => r.map((x) => -x);

describe('alphaBeta', () => {
  it.each([
    ['empty_returns', emptyReturns, [], NaN, NaN],
    ['one_return', oneReturn, oneReturn, NaN, NaN],
    [
      'mixed_returns vs negative_returns[1:]',
      mixedReturns.slice(1),
      negativeReturns.slice(1),
      -0.9997853834885004,
      -0.71296296296296313,
    ],
    ['mixed_returns vs itself', mixedReturns, mixedReturns, 0.0, 1.0],
    ['mixed_returns vs its negation', mixedReturns, neg(mixedReturns), 0.0, -1.0],
  ])('matches empyrical on %s', (_n, returns, factor, expectedAlpha, expectedBeta) => {
    const ab = alphaBeta(returns, factor);
    expectClose(ab.alpha, expectedAlpha);
    expectClose(ab.beta, expectedBeta);
  });

  it('agrees with alpha() and beta() (empyrical test_alpha_beta_equality)', () => {
    const ab = alphaBeta(mixedReturns, neg(mixedReturns));
    expect(alpha(mixedReturns, neg(mixedReturns))).toBe(ab.alpha);
    expect(beta(mixedReturns, neg(mixedReturns))).toBe(ab.beta);
  });

  it('is NaN for beta when the benchmark does not move', () => {
    expect(beta(mixedReturns, flatLine1)).toBeNaN();
  });

  it('moves alpha with the returns and leaves beta alone (empyrical test_alpha_beta_translation)', () => {
    fc.assert(
      fc.property(
        returnsArb({ minLength: 5, maxLength: 60 }),
        returnArbPair(),
        (r, [shift, slope]) => {
          const f = r.map((x, i) => slope * x + 0.001 * Math.sin(i));
          const base = alphaBeta(r, f);
          const moved = alphaBeta(
            r.map((x) => x + shift),
            f,
          );
          if (!Number.isFinite(base.beta)) return;
          expect(nearlyEqual(moved.beta, base.beta, 1e-6)).toBe(true);
          const dailyShift = (1 + moved.alpha) ** (1 / 252) - (1 + base.alpha) ** (1 / 252);
          expect(dailyShift).toBeCloseTo(shift, 8);
        },
      ),
    );
  });

  it('uses only periods where both series are present', () => {
    const ab = alphaBeta([NaN, 0.02, 0.04, -0.02, 0.01], [0.5, 0.01, 0.02, -0.01, NaN]);
    expectClose(ab.beta, 2, 12);
  });

  it('rejects series of different lengths', () => {
    expect(() => alphaBeta([0.01, 0.02], [0.01])).toThrow(/same length/);
  });
});

function returnArbPair(): fc.Arbitrary<[number, number]> {
  return fc.tuple(
    fc.integer({ min: -1000, max: 1000 }).map((v) => v / 1e6),
    fc.integer({ min: 1, max: 300 }).map((v) => v / 100),
  );
}

describe('upAlphaBeta', () => {
  it.each([
    ['empty_returns', emptyReturns, [], NaN, NaN],
    ['one_return', oneReturn, oneReturn, NaN, NaN],
    [
      'mixed_returns[1:] vs positive_returns[1:]',
      mixedReturns.slice(1),
      positiveReturns.slice(1),
      0.432961242076658,
      0.4285714285,
    ],
    ['mixed_returns vs itself', mixedReturns, mixedReturns, 0.0, 1.0],
    ['mixed_returns vs its negation', mixedReturns, neg(mixedReturns), 0.0, -1.0],
  ])('matches empyrical on %s', (_n, returns, factor, expectedAlpha, expectedBeta) => {
    const ab = upAlphaBeta(returns, factor);
    expectClose(ab.alpha, expectedAlpha);
    expectClose(ab.beta, expectedBeta);
  });
});

describe('downAlphaBeta', () => {
  it.each([
    ['empty_returns', emptyReturns, [], NaN, NaN],
    ['one_return', oneReturn, oneReturn, NaN, NaN],
    [
      'mixed_returns[1:] vs negative_returns[1:]',
      mixedReturns.slice(1),
      negativeReturns.slice(1),
      -0.9997853834885004,
      -0.71296296296296313,
    ],
    ['mixed_returns vs itself', mixedReturns, mixedReturns, 0.0, 1.0],
    ['mixed_returns vs its negation', mixedReturns, neg(mixedReturns), 0.0, -1.0],
  ])('matches empyrical on %s', (_n, returns, factor, expectedAlpha, expectedBeta) => {
    const ab = downAlphaBeta(returns, factor);
    expectClose(ab.alpha, expectedAlpha);
    expectClose(ab.beta, expectedBeta);
  });
});

describe('excessSharpe', () => {
  const posLine = Array.from({ length: 1000 }, (_, i) => i / 999);
  it.each([
    ['empty_returns', emptyReturns, 0.0, NaN],
    ['one_return', oneReturn, 0.0, NaN],
    ['pos_line vs itself', posLine, posLine, NaN],
    ['mixed_returns vs 0', mixedReturns, 0.0, 0.10859306069076737],
    ['mixed_returns vs flat_line_1', mixedReturns, flatLine1, -0.06515583641446039],
  ])('matches empyrical on %s', (_n, returns, factor, expected) => {
    expectClose(excessSharpe(returns, factor), expected);
  });
});

describe('informationRatio', () => {
  it("equals empyrical's excess_sharpe (the old information_ratio) with periodsPerYear 1", () => {
    expectClose(informationRatio(mixedReturns, 0, { periodsPerYear: 1 }), 0.10859306069076737);
  });

  it('annualises the excess Sharpe by sqrt(periodsPerYear)', () => {
    expectClose(
      informationRatio(mixedReturns, simpleBenchmark),
      excessSharpe(mixedReturns, simpleBenchmark) * Math.sqrt(252),
      12,
    );
  });
});
