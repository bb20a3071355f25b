import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from './normal.js';

// Expected values: scipy 1.17 stats.norm.cdf / stats.norm.ppf (bench/analytics/reference_values.py).

describe('normalCdf', () => {
  it.each([
    [-40, 0.0],
    [-10, 7.61985302416047e-24],
    [-5, 2.866515718791933e-7],
    [-3, 0.0013498980316300933],
    [-2.5, 0.006209665325776132],
    [-1, 0.15865525393145707],
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1.6448536269514722, 0.95],
    [3, 0.9986501019683699],
    [8, 0.9999999999999993],
  ])('Φ(%s) matches scipy to 1e-15 absolute and 1e-13 relative', (x, expected) => {
    const got = normalCdf(x);
    expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-15);
    if (expected > 0) expect(Math.abs(got - expected) / expected).toBeLessThanOrEqual(1e-13);
  });

  it('handles infinities and NaN', () => {
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(NaN)).toBeNaN();
  });
});

describe('normalQuantile', () => {
  it.each([
    [1e-300, -37.0470962993612],
    [1e-10, -6.361340902404056],
    [0.001, -3.090232306167813],
    [0.025, -1.9599639845400545],
    [0.05, -1.6448536269514729],
    [0.3, -0.5244005127080409],
    [0.5, 0.0],
    [0.95, 1.6448536269514722],
    [0.975, 1.959963984540054],
    [0.999999, 4.753424308817087],
  ])('Φ⁻¹(%s) matches scipy to 1e-14 relative', (p, expected) => {
    const got = normalQuantile(p);
    expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(expected)));
  });

  it('is ±Infinity at 0 and 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});
