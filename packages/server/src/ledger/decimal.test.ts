import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ONE,
  SCALE,
  ZERO,
  abs,
  add,
  cmp,
  dec,
  decFromString,
  decToNumber,
  decToString,
  div,
  isZero,
  max,
  min,
  mul,
  mul3,
  mulDiv,
  neg,
  sign,
  sub,
} from './decimal.js';

const s = decFromString;

describe('ledger: decimal', () => {
  it('scales by 10^18', () => {
    expect(SCALE).toBe(1_000_000_000_000_000_000n);
    expect(ONE).toBe(SCALE);
    expect(ZERO).toBe(0n);
    expect(dec(1.5)).toBe(1_500_000_000_000_000_000n);
  });

  it.each([
    [0, '0'],
    [-0, '0'],
    [12, '12'],
    [-12.5, '-12.5'],
    [0.1, '0.1'],
    [1e-7, '0.0000001'],
    [-1.5e-7, '-0.00000015'],
    [1.5e21, '1500000000000000000000'],
    [1e21, '1000000000000000000000'],
    [43123.45, '43123.45'],
    [0.00012345, '0.00012345'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    [1e-18, '0.000000000000000001'],
  ])('reads the number %s as its shortest decimal string %s', (n, expected) => {
    expect(decToString(dec(n))).toBe(expected);
  });

  it('rounds a number half-even beyond 18 decimals', () => {
    expect(dec(1e-19)).toBe(0n);
    expect(dec(5e-19)).toBe(0n); // half, even neighbour is 0
    expect(dec(1.5e-18)).toBe(2n); // half, even neighbour is 2
    expect(dec(2.5e-18)).toBe(2n);
    expect(dec(-2.5e-18)).toBe(-2n);
    expect(dec(6e-19)).toBe(1n);
    expect(dec(1.2345678901234568e-5)).toBe(12_345_678_901_235n); // 0.000012345678901234|568
    expect(dec(5e-324)).toBe(0n);
  });

  it('refuses NaN and infinities', () => {
    expect(() => dec(Number.NaN)).toThrow(RangeError);
    expect(() => dec(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => dec(Number.NEGATIVE_INFINITY)).toThrow(RangeError);
  });

  it.each([
    ['12', 12n * SCALE],
    ['-0.5', -SCALE / 2n],
    ['1e-8', 10_000_000_000n],
    ['1.5E+3', 1500n * SCALE],
    ['+3', 3n * SCALE],
    ['-0', 0n],
    ['0.000000000000000001', 1n],
    ['1.0000000000000000000000', SCALE], // extra zeros are exact
    ['123456789012345678901234567890', 123456789012345678901234567890n * SCALE],
  ])('parses the string %s', (text, expected) => {
    expect(s(text)).toBe(expected);
  });

  it('refuses malformed strings and strings that would lose precision', () => {
    for (const bad of ['', ' 1', '1 ', 'abc', '1.', '.5', '1e', '0x10', '1,5', 'NaN', 'Infinity']) {
      expect(() => s(bad), bad).toThrow(RangeError);
    }
    expect(() => s('0.0000000000000000001')).toThrow(/more than 18 decimals/);
    expect(() => s('1e-19')).toThrow(RangeError);
    expect(() => s('1e999999999')).toThrow(/exponent/);
  });

  it('writes canonical strings that read back to the same value', () => {
    expect(decToString(0n)).toBe('0');
    expect(decToString(s('100.500'))).toBe('100.5');
    expect(decToString(s('-0.000000000000000001'))).toBe('-0.000000000000000001');
    expect(decToString(s('1e20'))).toBe('100000000000000000000');
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), (d) => {
        expect(s(decToString(d))).toBe(d);
      }),
    );
  });

  it('turns any finite double into a Dec within half a unit of the 18th decimal', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
        (n) => {
          // A double with ≤ 15 significant digits and ≤ 18 decimals survives the trip exactly.
          const back = decToNumber(dec(n));
          expect(Math.abs(back - n)).toBeLessThanOrEqual(1e-18 + Math.abs(n) * 1e-15);
        },
      ),
    );
  });

  it('converts to a number, rounding half away from zero when places are given', () => {
    expect(decToNumber(s('1.005'), 2)).toBe(1.01);
    expect(decToNumber(s('-1.005'), 2)).toBe(-1.01);
    expect(decToNumber(s('1.004999'), 2)).toBe(1);
    expect(decToNumber(s('2.5'), 0)).toBe(3);
    expect(decToNumber(s('-2.5'), 0)).toBe(-3);
    expect(decToNumber(s('0.3'))).toBe(0.3);
    expect(decToNumber(s('123.456'), 18)).toBe(123.456);
    expect(() => decToNumber(ONE, -1)).toThrow(RangeError);
    expect(() => decToNumber(ONE, 1.5)).toThrow(RangeError);
  });

  it('adds 0.1 and 0.2 to exactly 0.3', () => {
    expect(add(dec(0.1), dec(0.2))).toBe(dec(0.3));
    expect(decToString(add(dec(0.1), dec(0.2)))).toBe('0.3');
  });

  it('multiplies exactly when the decimals fit in 18', () => {
    expect(decToString(mul(dec(0.00012345), dec(43123.45)))).toBe('5.3235899025');
    expect(mul(s('0.000000001'), s('0.000000001'))).toBe(1n);
    expect(decToString(mul(s('-1.5'), s('2')))).toBe('-3');
  });

  it('rounds products beyond 18 decimals half-even', () => {
    expect(mul(s('0.000000000000000001'), s('0.5'))).toBe(0n); // 0.5 ulp → even 0
    expect(mul(s('0.000000000000000003'), s('0.5'))).toBe(2n); // 1.5 ulp → even 2
    expect(mul(s('-0.000000000000000003'), s('0.5'))).toBe(-2n);
    expect(mul(s('0.000000000000000001'), s('0.6'))).toBe(1n);
    expect(mul3(s('0.000000000000000001'), s('0.5'), s('3'))).toBe(2n); // one rounding: 1.5 → 2
  });

  it('divides with half-even rounding at 18 decimals and refuses zero', () => {
    expect(decToString(div(ONE, dec(3)))).toBe('0.333333333333333333');
    expect(decToString(div(dec(2), dec(3)))).toBe('0.666666666666666667');
    expect(decToString(div(dec(-2), dec(3)))).toBe('-0.666666666666666667');
    expect(div(1n, dec(2))).toBe(0n); // 0.5 ulp → 0
    expect(div(3n, dec(2))).toBe(2n); // 1.5 ulp → 2
    expect(decToString(div(dec(10), dec(-4)))).toBe('-2.5');
    expect(() => div(ONE, ZERO)).toThrow(RangeError);
    expect(() => mulDiv(ONE, ONE, ZERO)).toThrow(RangeError);
  });

  it('takes a pro-rata share with one rounding', () => {
    expect(decToString(mulDiv(dec(1), dec(5), dec(10)))).toBe('0.5');
    expect(decToString(mulDiv(dec(1), dec(1), dec(3)))).toBe('0.333333333333333333');
  });

  it('compares and transforms signs', () => {
    const a = dec(-2);
    const b = dec(3);
    expect(sub(a, b)).toBe(dec(-5));
    expect(neg(a)).toBe(dec(2));
    expect(abs(a)).toBe(dec(2));
    expect([sign(a), sign(ZERO), sign(b)]).toEqual([-1, 0, 1]);
    expect(min(a, b)).toBe(a);
    expect(max(a, b)).toBe(b);
    expect([cmp(a, b), cmp(b, b), cmp(b, a)]).toEqual([-1, 0, 1]);
    expect(isZero(ZERO)).toBe(true);
    expect(isZero(1n)).toBe(false);
  });
});
