import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawdownSeries, maxDrawdown, ulcerIndex } from './drawdown.js';
import {
  allNegativeReturns,
  emptyReturns,
  expectAllClose,
  expectClose,
  mixedReturns,
  negativeReturns,
  oneReturn,
  positiveReturns,
  returnsArb,
  simpleBenchmark,
  uduReturns,
} from './empyrical.fixtures.js';

const series = returnsArb({ missing: 0.1, min: -0.5, max: 0.5 });

describe('maxDrawdown', () => {
  it.each([
    ['empty_returns', emptyReturns, NaN],
    ['one_return', oneReturn, 0.0],
    ['simple_benchmark', simpleBenchmark, 0.0],
    ['mixed_returns', mixedReturns, -0.1],
    ['positive_returns', positiveReturns, -0.0],
    ['negative_returns', negativeReturns, -0.3659073],
    ['all_negative_returns', allNegativeReturns, -0.378589157],
    ['udu_returns', uduReturns, -0.1],
  ])('matches empyrical on %s', (_n, returns, expected) => {
    expectClose(maxDrawdown(returns), expected);
  });

  it('counts a loss in the very first period (measured from the starting capital)', () => {
    expectClose(maxDrawdown([-0.05, 0.01]), -0.05, 14);
  });

  it('is never positive (property)', () => {
    fc.assert(
      fc.property(series, (r) => {
        expect(maxDrawdown(r)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('rises when every return is raised by a constant (empyrical test_max_drawdown_translation)', () => {
    fc.assert(
      fc.property(series, fc.double({ min: 0, max: 0.1, noNaN: true }), (r, c) => {
        const raised = r.map((x) => x + c);
        expect(maxDrawdown(raised)).toBeGreaterThanOrEqual(maxDrawdown(r) - 1e-12);
      }),
    );
  });
});

describe('drawdownSeries', () => {
  it("gives empyrical's underwater curve on mixed_returns", () => {
    // numpy: (cum − fmax.accumulate(cum)) / fmax.accumulate(cum) with a start value of 100
    // (reference_values.py); empyrical-reloaded's drawdown_series.
    expectAllClose(
      drawdownSeries(mixedReturns).underwater,
      [0, 0, 0, -0.04, -0.0208, 0, 0, 0, -0.1],
      14,
    );
  });

  it('lists episodes deepest first with peak, valley, recovery and durations', () => {
    const { drawdowns } = drawdownSeries(mixedReturns);
    expect(drawdowns).toHaveLength(2);
    expect(drawdowns[0]).toMatchObject({
      peakIndex: 7,
      valleyIndex: 8,
      recoveryIndex: null,
      declinePeriods: 1,
      recoveryPeriods: null,
      duration: null,
      underwaterPeriods: 1,
    });
    expectClose(drawdowns[0]!.depth, -0.1, 14);
    expect(drawdowns[1]).toMatchObject({
      peakIndex: 2,
      valleyIndex: 3,
      recoveryIndex: 5,
      declinePeriods: 1,
      recoveryPeriods: 2,
      duration: 3,
      underwaterPeriods: 2,
    });
    expectClose(drawdowns[1]!.depth, -0.04, 14);
  });

  it('marks a peak at the starting capital with index −1', () => {
    const { drawdowns } = drawdownSeries([-0.1, 0.05, 0.1]);
    expect(drawdowns).toEqual([
      expect.objectContaining({ peakIndex: -1, valleyIndex: 0, recoveryIndex: 2, duration: 3 }),
    ]);
  });

  it('has no episodes without a loss, and an empty curve for no returns', () => {
    expect(drawdownSeries(positiveReturns).drawdowns).toEqual([]);
    expect(drawdownSeries([]).underwater.length).toBe(0);
  });

  it('deepest episode equals maxDrawdown, and episodes tile the underwater periods (property)', () => {
    fc.assert(
      fc.property(series, (r) => {
        const { underwater, drawdowns } = drawdownSeries(r);
        const deepest = drawdowns[0]?.depth ?? 0;
        expect(deepest).toBe(maxDrawdown(r));
        const below = underwater.reduce((c, u) => c + (u < 0 ? 1 : 0), 0);
        expect(drawdowns.reduce((c, d) => c + d.underwaterPeriods, 0)).toBe(below);
        for (const d of drawdowns) {
          expect(underwater[d.valleyIndex]).toBe(d.depth);
          if (d.recoveryIndex !== null) expect(underwater[d.recoveryIndex]).toBe(0);
          if (d.peakIndex >= 0) expect(underwater[d.peakIndex]).toBe(0);
        }
      }),
    );
  });
});

describe('ulcerIndex', () => {
  it('is the RMS of the underwater curve (numpy on mixed_returns, reference_values.py)', () => {
    expectClose(ulcerIndex(mixedReturns), 0.03656446362248459, 15);
  });

  it('is 0 without drawdowns and NaN without returns', () => {
    expect(ulcerIndex(positiveReturns)).toBe(0);
    expect(ulcerIndex([])).toBeNaN();
  });

  it('lies between |maxDrawdown|/sqrt(n) and |maxDrawdown| (property)', () => {
    fc.assert(
      fc.property(series, (r) => {
        const ui = ulcerIndex(r);
        const mdd = Math.abs(maxDrawdown(r));
        expect(ui).toBeLessThanOrEqual(mdd + 1e-15);
        expect(ui).toBeGreaterThanOrEqual(mdd / Math.sqrt(r.length) - 1e-15);
      }),
    );
  });
});
