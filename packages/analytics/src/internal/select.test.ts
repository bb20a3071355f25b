import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderStatistics, compactValid, selectInPlace } from './select.js';

/** numpy's linear-interpolation quantile on a sorted copy, written out plainly. */
function numpyQuantile(sorted: number[], q: number): number {
  const n = sorted.length;
  const vi = (n - 1) * q;
  if (vi >= n - 1) return sorted[n - 1]!;
  const lo = Math.floor(vi);
  const g = vi - lo;
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  return g >= 0.5 ? b - (b - a) * (1 - g) : a + (b - a) * g;
}

const values = fc.array(
  fc.integer({ min: -50, max: 50 }).map((v) => v / 10),
  {
    minLength: 1,
    maxLength: 300,
  },
);

describe('OrderStatistics', () => {
  it('finds every k-th smallest value, in any order of requests (property)', () => {
    fc.assert(
      fc.property(values, fc.array(fc.nat(), { maxLength: 8 }), (xs, picks) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const stats = new OrderStatistics(Float64Array.from(xs), xs.length);
        for (const p of picks) expect(stats.kth(p % xs.length)).toBe(sorted[p % xs.length]);
      }),
    );
  });

  it("computes numpy's linear quantile and sums the smallest values (property)", () => {
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const stats = new OrderStatistics(Float64Array.from(xs), xs.length);
        expect(stats.quantile(q)).toBe(numpyQuantile(sorted, q));
        const k = Math.floor((xs.length - 1) * q);
        const expected = sorted.slice(0, k + 1).reduce((s, v) => s + v, 0);
        expect(stats.sumOfSmallest(k)).toBeCloseTo(expected, 9);
      }),
    );
  });

  it('survives adversarial inputs: sorted, reversed, all equal, organ-pipe', () => {
    const n = 5000;
    const shapes = [
      Array.from({ length: n }, (_, i) => i),
      Array.from({ length: n }, (_, i) => n - i),
      new Array<number>(n).fill(7),
      Array.from({ length: n }, (_, i) => Math.min(i, n - i)),
    ];
    for (const xs of shapes) {
      const a = Float64Array.from(xs);
      selectInPlace(a, 0, n - 1, 1234);
      expect(a[1234]).toBe([...xs].sort((p, q) => p - q)[1234]);
    }
  });
});

describe('compactValid', () => {
  it('drops NaN and keeps the order of the rest', () => {
    const { buf, count } = compactValid(Float64Array.from([NaN, 1, NaN, -2, 3]));
    expect(count).toBe(3);
    expect([...buf.subarray(0, count)]).toEqual([1, -2, 3]);
  });
});
