import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dfOne,
  dfTwo,
  emptyReturns,
  expectClose,
  flatLine1,
  flatLine1Long,
  mixedReturns,
  monthlyReturns,
  nearlyEqual,
  negativeReturns,
  oneReturn,
  positiveReturns,
  returnArb,
  returnsArb,
  simpleBenchmark,
  weeklyReturns,
} from './empyrical.fixtures.js';
import {
  calmarRatio,
  omegaRatio,
  sharpeRatio,
  sortinoRatio,
  stabilityOfTimeseries,
} from './ratios.js';

// Expected values are quoted from empyrical's tests/test_stats.py unless a comment says otherwise.

const noisy = returnsArb({ minLength: 3, maxLength: 100, min: -0.05, max: 0.05 });

describe('sharpeRatio', () => {
  it.each([
    ['empty_returns', emptyReturns, 0.0, NaN],
    ['one_return', oneReturn, 0.0, NaN],
    ['mixed_returns', mixedReturns, mixedReturns, NaN],
    ['mixed_returns', mixedReturns, 0.0, 1.7238613961706866],
    ['mixed_returns', mixedReturns, simpleBenchmark, 0.34111411441060574],
    ['positive_returns', positiveReturns, 0.0, 52.915026221291804],
    ['negative_returns', negativeReturns, 0.0, -24.406808633910085],
    ['flat_line_1', flatLine1, 0.0, Infinity],
  ])('matches empyrical on %s with risk-free %s', (_n, returns, riskFree, expected) => {
    expectClose(sharpeRatio(returns, { riskFree }), expected);
  });

  it('is unchanged when returns and risk-free move together (empyrical test_sharpe_translation_same)', () => {
    fc.assert(
      fc.property(noisy, returnArb(-0.01, 0.01), (r, t) => {
        const base = sharpeRatio(r, { riskFree: 0.001 });
        const moved = sharpeRatio(
          r.map((x) => x + t),
          { riskFree: 0.001 + t },
        );
        if (Number.isFinite(base)) expect(nearlyEqual(moved, base, 1e-6)).toBe(true);
      }),
    );
  });

  it('is invariant to scaling the returns by a positive factor (property)', () => {
    fc.assert(
      fc.property(noisy, fc.double({ min: 0.01, max: 100, noNaN: true }), (r, k) => {
        const base = sharpeRatio(r);
        if (!Number.isFinite(base)) return;
        const scaled = sharpeRatio(r.map((x) => x * k));
        expect(Math.abs(scaled - base)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(base)));
      }),
    );
  });

  it('annualises by sqrt(periodsPerYear)', () => {
    const perPeriod = sharpeRatio(mixedReturns, { periodsPerYear: 1 });
    expectClose(sharpeRatio(mixedReturns, { period: 'monthly' }), perPeriod * Math.sqrt(12), 12);
  });
});

describe('sortinoRatio', () => {
  it.each([
    ['empty_returns', emptyReturns, 0.0, 'daily', NaN],
    ['one_return', oneReturn, 0.0, 'daily', NaN],
    ['mixed_returns', mixedReturns, mixedReturns, 'daily', NaN],
    ['mixed_returns', mixedReturns, 0.0, 'daily', 2.605531251673693],
    ['mixed_returns', mixedReturns, flatLine1, 'daily', -1.3934779588919977],
    ['positive_returns', positiveReturns, 0.0, 'daily', Infinity],
    ['negative_returns', negativeReturns, 0.0, 'daily', -13.532743075043401],
    ['simple_benchmark', simpleBenchmark, 0.0, 'daily', Infinity],
    ['weekly_returns', weeklyReturns, 0.0, 'weekly', 1.1158901056866439],
    ['monthly_returns', monthlyReturns, 0.0, 'monthly', 0.53605626741889756],
    ["df_simple 'one'", dfOne, 0.0, 'daily', 3.0639640966566306],
    ["df_simple 'two'", dfTwo, 0.0, 'daily', 38.090963117002495],
    ["df_week 'one'", dfOne, 0.0, 'weekly', 1.3918264112070571],
    ["df_week 'two'", dfTwo, 0.0, 'weekly', 17.303077589064618],
    ["df_month 'one'", dfOne, 0.0, 'monthly', 0.6686117809312383],
    ["df_month 'two'", dfTwo, 0.0, 'monthly', 8.3121296084492844],
  ] as const)(
    'matches empyrical on %s with required return %s (%s)',
    (_n, returns, requiredReturn, period, expected) => {
      expectClose(sortinoRatio(returns, { requiredReturn, period }), expected);
    },
  );

  it('falls when a gain is replaced by a loss (empyrical test_sortino_add_noise)', () => {
    fc.assert(
      fc.property(noisy, fc.nat(), (r, at) => {
        const gains = r.flatMap((x, i) => (x > 0 ? [i] : []));
        if (gains.length === 0 || r.every((x) => x >= 0)) return;
        const worse = [...r];
        worse[gains[at % gains.length]!] = -0.01;
        expect(sortinoRatio(worse)).toBeLessThan(sortinoRatio(r));
      }),
    );
  });
});

describe('calmarRatio', () => {
  it.each([
    ['empty_returns', emptyReturns, 'daily', NaN],
    ['one_return', oneReturn, 'daily', NaN],
    ['mixed_returns', mixedReturns, 'daily', 19.135925373194233],
    ['weekly_returns', weeklyReturns, 'weekly', 2.4690830513998208],
    ['monthly_returns', monthlyReturns, 'monthly', 0.52242061386048144],
  ] as const)('matches empyrical on %s (%s)', (_n, returns, period, expected) => {
    expectClose(calmarRatio(returns, { period }), expected);
  });
});

describe('omegaRatio', () => {
  it.each([
    ['empty_returns', emptyReturns, 0.0, 0.0, NaN],
    ['one_return', oneReturn, 0.0, 0.0, NaN],
    ['mixed_returns', mixedReturns, 0.0, 10.0, 0.83354263497557934],
    ['mixed_returns', mixedReturns, 0.0, -10.0, NaN],
    ['mixed_returns', mixedReturns, flatLine1, 0.0, 0.8125],
    ['positive_returns', positiveReturns, 0.01, 0.0, NaN],
    ['positive_returns', positiveReturns, 0.011, 0.0, 1.125],
    ['positive_returns', positiveReturns, 0.02, 0.0, 0.0],
    ['negative_returns', negativeReturns, 0.01, 0.0, 0.0],
  ])(
    'matches empyrical on %s with risk-free %s and annual required return %s',
    (_n, returns, riskFree, requiredReturn, expected) => {
      expectClose(omegaRatio(returns, { riskFree, requiredReturn }), expected);
    },
  );

  it('uses the required return as is with periodsPerYear 1', () => {
    expectClose(
      omegaRatio([0.02, -0.01, 0.005], { requiredReturn: 0.005, periodsPerYear: 1 }),
      0.015 / 0.015,
      14,
    );
  });

  it('falls as the required return rises (empyrical test_omega_returns)', () => {
    fc.assert(
      fc.property(noisy, (r) => {
        const low = omegaRatio(r, { requiredReturn: 0 });
        const high = omegaRatio(r, { requiredReturn: 0.5 });
        if (Number.isFinite(low) && Number.isFinite(high)) expect(high).toBeLessThanOrEqual(low);
      }),
    );
  });
});

describe('stabilityOfTimeseries', () => {
  it.each([
    ['empty_returns', emptyReturns, NaN],
    ['one_return', oneReturn, NaN],
    ['mixed_returns', mixedReturns, 0.1529973665111273],
    ['flat_line_1_tz', flatLine1Long, 1.0],
  ])('matches empyrical on %s', (_n, returns, expected) => {
    expectClose(stabilityOfTimeseries(returns), expected);
  });

  it('is 0 for a flat equity curve and stays in [0, 1] (property)', () => {
    expect(stabilityOfTimeseries([0, 0, 0])).toBe(0);
    fc.assert(
      fc.property(noisy, (r) => {
        const s = stabilityOfTimeseries(r);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
    );
  });
});
