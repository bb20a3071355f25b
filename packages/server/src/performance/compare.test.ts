import { describe, expect, it } from 'vitest';
import { beta, cumReturnsFinal } from '@tradewatch/analytics';
import { compareWithBenchmark, correlation, psrMeaning } from './compare.js';

describe('benchmark comparison', () => {
  it('correlates over the periods where both series have a return', () => {
    expect(correlation([0.01, 0.02, 0.03], [0.02, 0.04, 0.06])).toBeCloseTo(1, 15);
    expect(correlation([0.01, NaN, 0.03, 0.02], [-0.01, 0.5, -0.03, -0.02])).toBeCloseTo(-1, 15);
    expect(correlation([0.01, 0.01], [0.02, 0.03])).toBeNaN();
    expect(correlation([0.01], [0.02])).toBeNaN();
  });

  it('reports excess return, beta, correlation and both drawdowns', () => {
    const s = [0.02, -0.01, 0.03, -0.02];
    const b = [0.01, -0.01, 0.02, -0.015];
    const c = compareWithBenchmark(s, b, 252);
    expect(c.observations).toBe(4);
    expect(c.excessReturn).toBeCloseTo(cumReturnsFinal(s) - cumReturnsFinal(b), 15);
    expect(c.beta).toBeCloseTo(beta(s, b), 15);
    expect(c.maxDrawdown).toBeCloseTo(-0.015, 15);
    expect(c.strategyMaxDrawdown).toBeCloseTo(-0.02, 15);
    expect(c.correlation).toBeGreaterThan(0.9);
  });
});

describe('what a PSR means', () => {
  it('says the probability and whether it is significant', () => {
    expect(psrMeaning(0.97, 1.4, 0, 500, 'daily')).toBe(
      'With 500 daily returns and an annualised Sharpe ratio of 1.40, there is a 97.0% probability that the true Sharpe ratio is above 0 (significant at the 95% level).',
    );
    expect(psrMeaning(0.6, 0.3, 1, 40, 'daily')).toContain('not significant at the 90% level');
    expect(psrMeaning(NaN, NaN, 0, 1, 'daily')).toMatch(/^Not enough data/);
  });
});
