import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dailyFrom20000130,
  emptyReturns,
  expectAllClose,
  expectClose,
  flatLine1Long,
  mixedReturns,
  monthlyReturns,
  negativeReturns,
  oneReturn,
  simpleBenchmark,
  weeklyReturns,
} from './empyrical.fixtures.js';
import {
  aggregateReturns,
  annualReturn,
  cumReturns,
  cumReturnsFinal,
  isoWeek,
  simpleReturns,
} from './returns.js';

// Expected values are quoted from empyrical's tests/test_stats.py unless a comment says otherwise.

describe('simpleReturns', () => {
  it('gives zero returns for a constant price and 1/n for a linear one (empyrical test_simple_returns)', () => {
    expectAllClose(simpleReturns(new Array<number>(9).fill(0.01)), new Array<number>(8).fill(0), 4);
    const line = Array.from({ length: 1000 }, (_, i) => i / 999);
    const r = simpleReturns(line);
    expect(r[0]).toBe(Infinity);
    for (let n = 1; n < 999; n++) expectClose(r[n]!, 1 / n, 4);
  });

  it('is one shorter than the prices and empty for fewer than two prices', () => {
    expect(simpleReturns([100, 110, 99])).toEqual(new Float64Array([0.1, -0.1]));
    expect(simpleReturns([100]).length).toBe(0);
  });
});

describe('cumReturns', () => {
  it('matches empyrical on mixed_returns, counting the missing first return as 0', () => {
    expectAllClose(
      cumReturns(mixedReturns),
      [0.0, 0.01, 0.111, 0.066559, 0.08789, 0.12052, 0.14293, 0.15436, 0.03893],
      4,
    );
  });

  it('matches empyrical on mixed_returns with a starting value of 100', () => {
    expectAllClose(
      cumReturns(mixedReturns, { startingValue: 100 }),
      [100.0, 101.0, 111.1, 106.65599, 108.78912, 112.05279, 114.29384, 115.43678, 103.8931],
      4,
    );
  });

  it('matches empyrical on negative_returns and returns an empty array for no returns', () => {
    expectAllClose(
      cumReturns(negativeReturns),
      [0.0, -0.06, -0.1258, -0.13454, -0.21243, -0.22818, -0.27449, -0.33253, -0.3659],
      4,
    );
    expect(cumReturns(emptyReturns).length).toBe(0);
  });
});

describe('cumReturnsFinal', () => {
  it.each([
    ['empty_returns', emptyReturns, 0, NaN],
    ['one_return', oneReturn, 0, 0.01],
    ['mixed_returns', mixedReturns, 0, 0.03893],
    ['mixed_returns', mixedReturns, 100, 103.8931],
    ['negative_returns', negativeReturns, 0, -0.3659],
  ])('matches empyrical on %s with starting value %d', (_name, returns, start, expected) => {
    expectClose(cumReturnsFinal(returns, { startingValue: start }), expected, 4);
  });

  it('is the product of (1 + r) minus 1 over the present returns (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.constant(NaN)), {
          minLength: 1,
          maxLength: 200,
        }),
        (returns) => {
          const product = returns.reduce((p, r) => (Number.isNaN(r) ? p : p * (1 + r)), 1);
          expect(cumReturnsFinal(returns)).toBeCloseTo(product - 1, 12);
          const path = cumReturns(returns);
          expect(path[path.length - 1]).toBeCloseTo(cumReturnsFinal(returns), 12);
        },
      ),
    );
  });
});

describe('annualReturn', () => {
  it.each([
    ['mixed_returns', mixedReturns, 'daily', 1.9135925373194231],
    ['weekly_returns', weeklyReturns, 'weekly', 0.24690830513998208],
    ['monthly_returns', monthlyReturns, 'monthly', 0.052242061386048144],
    ['one_return', oneReturn, 'daily', 11.274002099240244],
    ['flat_line_1_tz', flatLine1Long, 'daily', 11.274002099240256],
    ['flat_line_yearly', [0.03, 0.03, 0.03], 'yearly', 0.03],
  ] as const)(
    'matches empyrical annual_return / cagr on %s (%s)',
    (_n, returns, period, expected) => {
      expectClose(annualReturn(returns, { period }), expected);
    },
  );

  it('is NaN for no returns, and periodsPerYear overrides period', () => {
    expect(annualReturn([])).toBeNaN();
    expect(annualReturn(weeklyReturns, { period: 'daily', periodsPerYear: 52 })).toBeCloseTo(
      0.24690830513998208,
      12,
    );
  });

  it('rejects an unknown period or a non-positive periodsPerYear', () => {
    expect(() => annualReturn([0.01], { periodsPerYear: 0 })).toThrow(RangeError);
    expect(() => annualReturn([0.01], { period: 'hourly' as 'daily' })).toThrow(/period/);
  });
});

describe('aggregateReturns', () => {
  const days = dailyFrom20000130(9);
  // pandas.date_range('2000-1-30', periods=9, freq='W') / freq='M' (week and month ends)
  const weeks = Array.from({ length: 9 }, (_, i) => Date.UTC(2000, 0, 30 + 7 * i));
  const monthEnds = Array.from({ length: 9 }, (_, i) => Date.UTC(2000, 1 + i, 0));

  it.each([
    ['simple_benchmark', simpleBenchmark, days, 'weekly', [0.0, 0.040604010000000024, 0.0]],
    ['simple_benchmark', simpleBenchmark, days, 'monthly', [0.01, 0.03030099999999991]],
    ['simple_benchmark', simpleBenchmark, days, 'quarterly', [0.04060401]],
    ['simple_benchmark', simpleBenchmark, days, 'yearly', [0.040604010000000024]],
    [
      'weekly_returns',
      weeklyReturns,
      weeks,
      'monthly',
      [0.0, 0.087891200000000058, -0.04500459999999995],
    ],
    ['weekly_returns', weeklyReturns, weeks, 'yearly', [0.038931091700480147]],
    ['monthly_returns', monthlyReturns, monthEnds, 'yearly', [0.038931091700480147]],
    [
      'monthly_returns',
      monthlyReturns,
      monthEnds,
      'quarterly',
      [0.11100000000000021, 0.008575999999999917, -0.072819999999999996],
    ],
  ] as const)('matches empyrical on %s aggregated %s', (_n, returns, times, to, expected) => {
    expectAllClose(
      aggregateReturns(returns, times, to).map((b) => b.return),
      [...expected],
    );
  });

  it('labels buckets and reports their bounds and sizes', () => {
    const buckets = aggregateReturns(simpleBenchmark, days, 'weekly');
    expect(buckets.map((b) => b.period)).toEqual(['2000-W04', '2000-W05', '2000-W06']);
    expect(buckets.map((b) => b.count)).toEqual([1, 7, 1]);
    expect(buckets[1]).toMatchObject({ start: Date.UTC(2000, 0, 31), end: Date.UTC(2000, 1, 6) });
    expect(aggregateReturns([0.01], [Date.UTC(2024, 4, 1)], 'quarterly')[0]?.period).toBe(
      '2024-Q2',
    );
  });

  it('keys weeks by ISO week-year, so 2018-12-31 belongs to 2019-W01', () => {
    expect(isoWeek(new Date(Date.UTC(2018, 11, 31)))).toEqual({ year: 2019, index: 1 });
    expect(isoWeek(new Date(Date.UTC(2021, 0, 3)))).toEqual({ year: 2020, index: 53 });
    const b = aggregateReturns(
      [0.01, 0.02],
      [Date.UTC(2018, 11, 31), Date.UTC(2019, 0, 1)],
      'weekly',
    );
    expect(b).toHaveLength(1);
    expect(b[0]?.period).toBe('2019-W01');
  });

  it('rejects misaligned or non-finite timestamps', () => {
    expect(() => aggregateReturns([0.01, 0.02], [0], 'monthly')).toThrow(/same length/);
    expect(() => aggregateReturns([0.01], [NaN], 'monthly')).toThrow(/timestamps\[0\]/);
  });
});
