import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectClose, flatLine1, mixedReturns, returnsArb } from './empyrical.fixtures.js';
import { kurtosis, skew } from './moments.js';

// empyrical calls scipy.stats.skew and scipy.stats.kurtosis with their defaults. Expected values:
// scipy 1.17 on mixed_returns without its NaN (bench/analytics/reference_values.py).

describe('skew', () => {
  it("matches scipy.stats.skew's default (biased g1) on mixed_returns", () => {
    expectClose(skew(mixedReturns), -0.3650572690177865, 14);
  });

  it('matches scipy.stats.skew(bias=False) (adjusted G1)', () => {
    expectClose(skew(mixedReturns, { bias: false }), -0.4553064090719742, 14);
  });

  it('is NaN for a constant series and changes sign with the returns (property)', () => {
    expect(skew(flatLine1)).toBeNaN();
    fc.assert(
      fc.property(returnsArb({ minLength: 3 }), (r) => {
        const s = skew(r);
        if (Number.isFinite(s)) expect(skew(r.map((x) => -x))).toBeCloseTo(-s, 9);
      }),
    );
  });
});

describe('kurtosis', () => {
  it("matches scipy.stats.kurtosis's default: biased EXCESS (Fisher) kurtosis", () => {
    expectClose(kurtosis(mixedReturns), 0.11953473165699213, 14);
  });

  it('gives RAW (Pearson) kurtosis with fisher: false, the PSR input', () => {
    expectClose(kurtosis(mixedReturns, { fisher: false }), 3.119534731656992, 14);
  });

  it('matches scipy.stats.kurtosis(bias=False)', () => {
    expectClose(kurtosis(mixedReturns, { bias: false }), 1.6510229364796842, 13);
  });

  it('is at least 1 when raw (property) and NaN for a constant series', () => {
    expect(kurtosis(flatLine1)).toBeNaN();
    fc.assert(
      fc.property(returnsArb({ minLength: 2 }), (r) => {
        const k = kurtosis(r, { fisher: false });
        if (Number.isFinite(k)) expect(k).toBeGreaterThanOrEqual(1 - 1e-9);
      }),
    );
  });
});
