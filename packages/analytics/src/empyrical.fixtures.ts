/**
 * The return series of empyrical's test suite (quantopian/empyrical
 * empyrical/tests/test_stats.py, and tests/conftest.py of its maintained fork
 * stefan-jansen/empyrical-reloaded), so that the expected values the tests quote can be read
 * against the original. Test support only: excluded from the build.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

const pct = (values: number[]): number[] => values.map((v) => v / 100);

/** Simple benchmark, no drawdown. Daily from 2000-01-30. */
export const simpleBenchmark = pct([0, 1, 0, 1, 0, 1, 0, 1, 0]);
/** All positive returns, small variance. */
export const positiveReturns = pct([1, 2, 1, 1, 1, 1, 1, 1, 1]);
/** Negative returns (the first is 0). */
export const negativeReturns = pct([0, -6, -7, -1, -9, -2, -6, -8, -5]);
/** All negative returns. */
export const allNegativeReturns = pct([-2, -6, -7, -1, -9, -2, -6, -8, -5]);
/** Positive and negative returns with a drawdown; the first is missing. */
export const mixedReturns = pct([NaN, 1, 10, -4, 2, 3, 2, 1, -10]);
/** Flat line at 1% a period. */
export const flatLine1 = pct([1, 1, 1, 1, 1, 1, 1, 1, 1]);
/** mixed_returns' values, read as weekly or monthly returns. */
export const weeklyReturns = pct([0, 1, 10, -4, 2, 3, 2, 1, -10]);
export const monthlyReturns = weeklyReturns;
/** One return. */
export const oneReturn = pct([1]);
/** Up, down, up. */
export const uduReturns = pct([10, -10, 10]);
export const emptyReturns: number[] = [];
/** 1000 periods at 1% (flat_line_1_tz). */
export const flatLine1Long = new Array<number>(1000).fill(0.01);

/** UTC midnight timestamps of pandas.date_range('2000-1-30', periods, freq='D'). */
export function dailyFrom20000130(periods: number): number[] {
  return Array.from({ length: periods }, (_, i) => Date.UTC(2000, 0, 30 + i));
}

/**
 * `expect(actual)` to equal `expected` to `digits` decimal places, treating NaN and ±Infinity
 * as exact values (numpy.testing.assert_almost_equal's behaviour).
 */
export function expectClose(actual: number, expected: number, digits = 8): void {
  if (Number.isNaN(expected)) expect(actual).toBeNaN();
  else if (!Number.isFinite(expected)) expect(actual).toBe(expected);
  else expect(actual).toBeCloseTo(expected, digits);
}

/** Element-wise {@link expectClose}. */
export function expectAllClose(actual: ArrayLike<number>, expected: number[], digits = 8): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expectClose(actual[i]!, e, digits));
}

/** |a − b| ≤ tol · max(1, |a|, |b|), with NaN = NaN and equal infinities equal. */
export function nearlyEqual(a: number, b: number, tol = 1e-10): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/** The columns 'one' and 'two' of empyrical's df_simple / df_week / df_month. */
export const dfOne = [
  -0.00171614, 0.01322056, 0.03063862, -0.01422057, -0.00489779, 0.01268925, -0.03357711,
  0.01797036,
];
export const dfTwo = [
  0.01846232, 0.00793951, -0.01448395, 0.00422537, -0.00339611, 0.03756813, 0.0151531, 0.03549769,
];

/**
 * A return in [min, max] on a 1e-6 grid: realistic magnitudes without the subnormal doubles
 * that make every ratio degenerate.
 */
export function returnArb(min = -0.2, max = 0.2): fc.Arbitrary<number> {
  return fc.integer({ min: Math.round(min * 1e6), max: Math.round(max * 1e6) }).map((v) => v / 1e6);
}

/** A return series; `missing` is the share of NaN (missing) periods. */
export function returnsArb(
  options: {
    minLength?: number;
    maxLength?: number;
    missing?: number;
    min?: number;
    max?: number;
  } = {},
): fc.Arbitrary<number[]> {
  const { minLength = 1, maxLength = 200, missing = 0, min, max } = options;
  const value = returnArb(min, max);
  const item =
    missing > 0
      ? fc.oneof(
          { weight: Math.round((1 - missing) * 100), arbitrary: value },
          { weight: Math.round(missing * 100), arbitrary: fc.constant(NaN) },
        )
      : value;
  return fc.array(item, { minLength, maxLength });
}
