import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxDrawdown } from './drawdown.js';
import {
  emptyReturns,
  expectAllClose,
  mixedReturns,
  nearlyEqual,
  negativeReturns,
  returnsArb,
} from './empyrical.fixtures.js';
import { sharpeRatio } from './ratios.js';
import { annualVolatility } from './risk.js';
import { rollAnnualVolatility, rollMaxDrawdown, rollSharpeRatio } from './rolling.js';

// Expected values are quoted from empyrical's tests/test_stats.py.

const windowed = fc
  .tuple(
    returnsArb({ minLength: 1, maxLength: 120, missing: 0.1 }),
    fc.integer({ min: 1, max: 40 }),
  )
  .map(([r, window]) => ({ r, window }));

function slices(r: number[], window: number): number[][] {
  const w = Math.min(window, r.length);
  return Array.from({ length: r.length - w + 1 }, (_, j) => r.slice(j, j + w));
}

describe('rollMaxDrawdown', () => {
  it('matches empyrical on negative_returns with a window of 6', () => {
    expectAllClose(
      rollMaxDrawdown(negativeReturns, { window: 6 }),
      [-0.2282, -0.2745, -0.2899, -0.2747],
      4,
    );
  });

  it('is empty for no returns and rejects a window that is not a positive integer', () => {
    expect(rollMaxDrawdown(emptyReturns, { window: 6 }).length).toBe(0);
    expect(() => rollMaxDrawdown([0.01], { window: 0 })).toThrow(/window/);
    expect(() => rollMaxDrawdown([0.01], { window: 2.5 })).toThrow(/window/);
  });

  it('equals maxDrawdown of each window (property)', () => {
    fc.assert(
      fc.property(windowed, ({ r, window }) => {
        const rolled = rollMaxDrawdown(r, { window });
        slices(r, window).forEach((s, j) => expect(rolled[j]).toBe(maxDrawdown(s)));
      }),
    );
  });
});

describe('rollSharpeRatio', () => {
  it('matches empyrical on negative_returns with a window of 6', () => {
    expectAllClose(
      rollSharpeRatio(negativeReturns, { window: 6 }),
      [-18.09162052, -26.79897486, -26.69138263, -25.72298838],
    );
  });

  it('matches empyrical on mixed_returns with a window of 6', () => {
    expectAllClose(
      rollSharpeRatio(mixedReturns, { window: 6 }),
      [7.57445259, 8.22784105, 8.22784105, -3.1374751],
    );
  });

  it('gives one value over the whole series when the window is longer (empyrical)', () => {
    const rolled = rollSharpeRatio(mixedReturns, { window: 100 });
    expect(rolled.length).toBe(1);
    expect(rolled[0]).toBeCloseTo(sharpeRatio(mixedReturns), 12);
    expect(rollSharpeRatio([], { window: 3 }).length).toBe(0);
  });

  it('equals sharpeRatio of each window, constant windows included (property)', () => {
    const withPlateaus = windowed.map(({ r, window }) => ({
      r: r.map((x, i) => (i % 17 < 6 ? 0.001 : x)),
      window,
    }));
    fc.assert(
      fc.property(withPlateaus, fc.constantFrom(0, 0.0001), ({ r, window }, riskFree) => {
        const rolled = rollSharpeRatio(r, { window, riskFree });
        slices(r, window).forEach((s, j) =>
          expect(nearlyEqual(rolled[j]!, sharpeRatio(s, { riskFree }), 1e-9)).toBe(true),
        );
      }),
    );
  });
});

describe('rollAnnualVolatility', () => {
  it('equals annualVolatility of each window (property)', () => {
    fc.assert(
      fc.property(windowed, ({ r, window }) => {
        const rolled = rollAnnualVolatility(r, { window, period: 'weekly' });
        slices(r, window).forEach((s, j) =>
          expect(nearlyEqual(rolled[j]!, annualVolatility(s, { period: 'weekly' }), 1e-9)).toBe(
            true,
          ),
        );
      }),
    );
  });
});
