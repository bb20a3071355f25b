import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.js';

describe('retry backoff', () => {
  it('doubles per attempt up to the cap, with jitter between half and all of the step', () => {
    const low = (n: number) => backoffMs(n, 1_000, 300_000, () => 0);
    const high = (n: number) => backoffMs(n, 1_000, 300_000, () => 1);
    expect([1, 2, 3, 4].map(low)).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map(high)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(high(20)).toBe(300_000);
    expect(low(1_000)).toBe(150_000);
  });
});
