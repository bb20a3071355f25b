import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec, decToNumber } from '../ledger/index.js';
import { roundedMoney } from './money.js';

describe('money for output', () => {
  it('rounds half away from zero at the currency precision', () => {
    expect(roundedMoney(dec(12.345), 2)).toBe(12.35);
    expect(roundedMoney(dec(-12.345), 2)).toBe(-12.35);
    expect(roundedMoney(dec(0.125), 2)).toBe(0.13);
    expect(roundedMoney(dec(1234.5), 0)).toBe(1235);
    expect(roundedMoney(dec(0.123456789), 8)).toBe(0.12345679);
    expect(Object.is(roundedMoney(dec(-0.001), 2), 0)).toBe(true);
  });

  it('equals decToNumber(d, places) for any value (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 36n), max: 10n ** 36n }),
        fc.integer({ min: 0, max: 12 }),
        (d, places) => {
          const a = roundedMoney(d, places);
          const b = decToNumber(d, places);
          expect(Object.is(a, b)).toBe(true);
        },
      ),
    );
  });
});
