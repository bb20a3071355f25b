import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decFromString, decToString } from '../ledger/index.js';
import { ExactSum } from './exact-sum.js';

describe('ExactSum', () => {
  it('adds decimal strings exactly', () => {
    const s = new ExactSum();
    for (const v of [
      '0.1',
      '0.2',
      '-1.05',
      '123456789012345.123456789012345678',
      '-0.000000000000000001',
    ])
      s.add(v);
    expect(decToString(s.value())).toBe('123456789012344.373456789012345677');
    expect(s.count).toBe(5);
  });

  it('reads forms that are not plain decimals through decFromString', () => {
    const s = new ExactSum();
    s.add('1e3');
    s.add('+2.5');
    s.add('1234567890123456789');
    expect(decToString(s.value())).toBe('1234567890123457791.5');
  });

  it('equals the sum of Dec values for any canonical decimals (property)', () => {
    const decimal = fc
      .tuple(fc.bigInt({ min: -(10n ** 33n), max: 10n ** 33n }))
      .map(([n]) => decToString(n));
    fc.assert(
      fc.property(fc.array(decimal, { maxLength: 200 }), (values) => {
        const s = new ExactSum();
        let expected = 0n;
        for (const v of values) {
          s.add(v);
          expected += decFromString(v);
        }
        expect(s.value()).toBe(expected);
      }),
    );
  });

  it('stays exact past 2^53 of accumulated parts', () => {
    const s = new ExactSum();
    let expected = 0n;
    for (let i = 0; i < 20; i++) {
      const v = '999999999999999.999999999999999999';
      s.add(v);
      expected += decFromString(v);
    }
    expect(s.value()).toBe(expected);
  });
});
