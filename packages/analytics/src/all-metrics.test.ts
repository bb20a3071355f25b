import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allReturnMetrics, type ReturnMetrics } from './all-metrics.js';
import {
  alphaBeta,
  downAlphaBeta,
  excessSharpe,
  informationRatio,
  upAlphaBeta,
} from './benchmark.js';
import { maxDrawdown, ulcerIndex } from './drawdown.js';
import {
  expectClose,
  mixedReturns,
  nearlyEqual,
  returnsArb,
  simpleBenchmark,
} from './empyrical.fixtures.js';
import { kurtosis, skew } from './moments.js';
import {
  calmarRatio,
  omegaRatio,
  sharpeRatio,
  sortinoRatio,
  stabilityOfTimeseries,
} from './ratios.js';
import { annualReturn, cumReturnsFinal } from './returns.js';
import {
  annualVolatility,
  conditionalValueAtRisk,
  downsideRisk,
  tailRatio,
  valueAtRisk,
} from './risk.js';
import { minimumTrackRecordLength, probabilisticSharpeRatio } from './sharpe-inference.js';
import type { AnnualizationOptions } from './types.js';

interface Case {
  returns: number[];
  factor: number[];
  riskFree: number | number[];
  requiredReturn: number | number[];
  omegaRequiredReturn: number;
  cutoff: number;
  period: NonNullable<AnnualizationOptions['period']>;
}

/** The same metrics, one function call each. */
function oneByOne(c: Case): Omit<ReturnMetrics, 'periods' | 'observations'> {
  const { returns: r, factor: f, riskFree, requiredReturn, cutoff, period } = c;
  const ab = alphaBeta(r, f, { riskFree, period });
  const up = upAlphaBeta(r, f, { riskFree, period });
  const down = downAlphaBeta(r, f, { riskFree, period });
  return {
    totalReturn: cumReturnsFinal(r),
    annualReturn: annualReturn(r, { period }),
    annualVolatility: annualVolatility(r, { period }),
    sharpeRatio: sharpeRatio(r, { riskFree, period }),
    sortinoRatio: sortinoRatio(r, { requiredReturn, period }),
    downsideRisk: downsideRisk(r, { requiredReturn, period }),
    maxDrawdown: maxDrawdown(r),
    calmarRatio: calmarRatio(r, { period }),
    omegaRatio: omegaRatio(r, { riskFree, requiredReturn: c.omegaRequiredReturn, period }),
    stabilityOfTimeseries: stabilityOfTimeseries(r),
    tailRatio: tailRatio(r),
    valueAtRisk: valueAtRisk(r, { cutoff }),
    conditionalValueAtRisk: conditionalValueAtRisk(r, { cutoff }),
    skew: skew(r),
    kurtosis: kurtosis(r),
    ulcerIndex: ulcerIndex(r),
    probabilisticSharpeRatio: probabilisticSharpeRatio(r, { riskFree, benchmarkSr: 0.01 }),
    minimumTrackRecordLength: minimumTrackRecordLength(r, { riskFree, benchmarkSr: 0.01 }),
    benchmark: {
      alpha: ab.alpha,
      beta: ab.beta,
      upAlpha: up.alpha,
      upBeta: up.beta,
      downAlpha: down.alpha,
      downBeta: down.beta,
      excessSharpe: excessSharpe(r, f),
      informationRatio: informationRatio(r, f, { period }),
    },
  };
}

function fused(c: Case): ReturnMetrics {
  return allReturnMetrics(c.returns, {
    period: c.period,
    riskFree: c.riskFree,
    requiredReturn: c.requiredReturn,
    omegaRequiredReturn: c.omegaRequiredReturn,
    cutoff: c.cutoff,
    benchmarkSr: 0.01,
    factorReturns: c.factor,
  });
}

function expectSame(actual: ReturnMetrics, expected: ReturnType<typeof oneByOne>): void {
  const flat = (m: object, prefix = ''): [string, number][] =>
    Object.entries(m).flatMap(([k, v]) =>
      typeof v === 'object' && v !== null
        ? flat(v as object, `${k}.`)
        : [[prefix + k, v as number]],
    );
  const got = new Map(flat(actual));
  for (const [key, value] of flat(expected)) {
    const g = got.get(key)!;
    if (!nearlyEqual(g, value, 1e-9)) {
      expect.fail(`${key}: allReturnMetrics gave ${g}, the function gives ${value}`);
    }
  }
}

const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 0, max: 80 }).chain((n) =>
  fc.record({
    returns: returnsArb({ minLength: n, maxLength: n, missing: 0.1 }),
    factor: returnsArb({ minLength: n, maxLength: n, missing: 0.1, min: -0.05, max: 0.05 }),
    riskFree: fc.oneof(
      fc.constantFrom(0, 0.0001),
      returnsArb({ minLength: n, maxLength: n, missing: 0.05, min: 0, max: 0.001 }),
    ),
    requiredReturn: fc.oneof(
      fc.constantFrom(0, 0.001),
      returnsArb({ minLength: n, maxLength: n, min: -0.01, max: 0.01 }),
    ),
    omegaRequiredReturn: fc.constantFrom(0, 0.1, -1),
    cutoff: fc.constantFrom(0, 0.05, 0.1, 0.5, 1),
    period: fc.constantFrom('daily', 'weekly', 'monthly', 'quarterly', 'yearly'),
  }),
);

describe('allReturnMetrics', () => {
  it('equals every individual metric function (property)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expectSame(fused(c), oneByOne(c));
      }),
      { numRuns: 300 },
    );
  });

  it("gives empyrical's values on mixed_returns against simple_benchmark", () => {
    const m = allReturnMetrics(mixedReturns, { factorReturns: simpleBenchmark });
    expect(m.periods).toBe(9);
    expect(m.observations).toBe(8);
    expectClose(m.sharpeRatio, 1.7238613961706866);
    expectClose(m.sortinoRatio, 2.605531251673693);
    expectClose(m.maxDrawdown, -0.1);
    expectClose(m.annualReturn, 1.9135925373194231);
    expectClose(m.calmarRatio, 19.135925373194233);
    expectClose(m.annualVolatility, 0.9136465399704637);
    expectClose(m.stabilityOfTimeseries, 0.1529973665111273);
    expectClose(m.downsideRisk, 0.60448325038829653);
    expectClose(
      m.benchmark!.informationRatio,
      sharpeRatio(mixedReturns, { riskFree: simpleBenchmark }),
    );
  });

  it('leaves out the benchmark block without factor returns and handles an empty series', () => {
    expect(allReturnMetrics(mixedReturns).benchmark).toBeUndefined();
    const empty = allReturnMetrics([]);
    expect(empty.observations).toBe(0);
    expect(empty.sharpeRatio).toBeNaN();
    expect(empty.maxDrawdown).toBeNaN();
    expect(empty.valueAtRisk).toBeNaN();
  });

  it('rejects misaligned benchmark returns', () => {
    expect(() => allReturnMetrics([0.01, 0.02], { factorReturns: [0.01] })).toThrow(/same length/);
  });
});
