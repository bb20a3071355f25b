import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OrderStatistics,
  compactValid,
  orderStatisticsFor,
  quantileOf,
  quantileRanks,
  selectInPlace,
} from './select.js';

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

describe('orderStatisticsFor (tail extraction on large samples)', () => {
  /** Deterministic pseudo-random values; `shape` bends them into awkward distributions. */
  function sample(n: number, seed: number, shape: (u: number, i: number) => number): Float64Array {
    let s = seed;
    return Float64Array.from({ length: n }, (_, i) => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return shape(s / 2 ** 31, i);
    });
  }

  const shapes: [string, (u: number, i: number) => number][] = [
    ['uniform', (u) => u - 0.5],
    ['heavy left tail', (u) => (u < 0.01 ? -50 * u : u)],
    ['many ties', (u) => Math.round(u * 20) / 20],
    ['sorted', (_u, i) => i],
    ['stride-aligned spikes', (u, i) => (i % 244 === 0 ? 1000 + u : u)],
    ['with NaN', (u, i) => (i % 7 === 0 ? NaN : u)],
  ];

  it.each(shapes)('answers tail ranks, quantiles and CVaR sums exactly (%s)', (_name, shape) => {
    for (const n of [20_000, 54_321]) {
      const x = sample(n, 42 + n, shape);
      const sorted = [...x].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      const count = sorted.length;
      const k = Math.floor((count - 1) * 0.05);
      const ranks = [...quantileRanks(count, 0.05), ...quantileRanks(count, 0.95)];
      const stats = orderStatisticsFor(x, count, ranks, k);
      for (const q of [0.05, 0.95]) {
        expect(quantileOf(stats, q)).toBe(
          quantileOf(new OrderStatistics(Float64Array.from(sorted), count), q),
        );
      }
      const expected = sorted.slice(0, k + 1).reduce((a, v) => a + v, 0);
      expect(stats.sumOfSmallest(k) / (k + 1)).toBeCloseTo(expected / (k + 1), 9);
      expect(stats.kth(count - 1)).toBe(sorted[count - 1]);
    }
  });

  it('keeps only the tails of a well-behaved sample', () => {
    const x = sample(100_000, 7, (u) => u);
    expect(orderStatisticsFor(x, x.length, [4999, 95_000])).not.toBeInstanceOf(OrderStatistics);
  });

  it('falls back to a full selection when the stride sample misjudges the tails', () => {
    // Every value the stride sample reads is huge, so its thresholds are useless.
    const n = 40_000;
    const sampled = new Set(Array.from({ length: 4096 }, (_, j) => Math.floor((j * n) / 4096)));
    const x = sample(n, 9, (u, i) => (sampled.has(i) ? 1e6 + u : u));
    const sorted = [...x].sort((a, b) => a - b);
    const stats = orderStatisticsFor(x, n, [1999, 38_000]);
    expect(stats.kth(1999)).toBe(sorted[1999]);
    expect(stats.kth(38_000)).toBe(sorted[38_000]);
  });
});
