import { decFromString, type Dec } from '../ledger/index.js';

const E9N = 1_000_000_000n;
/** Partial sums are folded into a bigint before they could reach 2^53 (where doubles stop being exact). */
const FLUSH_AT = 2 ** 52;
const PLAIN = /^(-?)(\d{1,15})(?:\.(\d{1,18}))?$/;
const ZEROS = '000000000000000000';

/**
 * A decimal string split for exact summing: integer part and the two 9-digit halves of the
 * 18-digit fraction, each an integer-valued double with the value's sign; `big` holds values
 * that are not plain decimals (exponents, more than 15 integer digits) as a `Dec`.
 */
export interface DecimalParts {
  int: number;
  hi: number;
  lo: number;
  big: Dec;
}

/** Splits a decimal string (what `decToString` writes, or any form `decFromString` reads). */
export function decimalParts(text: string, into: DecimalParts = emptyParts()): DecimalParts {
  const m = PLAIN.exec(text);
  if (m === null) {
    into.int = 0;
    into.hi = 0;
    into.lo = 0;
    into.big = decFromString(text);
    return into;
  }
  const sign = m[1] === '-' ? -1 : 1;
  const f = m[3];
  let hi = 0;
  let lo = 0;
  if (f !== undefined) {
    const padded = f.length === 18 ? f : (f + ZEROS).slice(0, 18);
    hi = +padded.slice(0, 9);
    lo = +padded.slice(9);
  }
  into.int = sign * +m[2]!;
  into.hi = sign * hi;
  into.lo = sign * lo;
  into.big = 0n;
  return into;
}

export function emptyParts(): DecimalParts {
  return { int: 0, hi: 0, lo: 0, big: 0n };
}

/**
 * An exact sum of decimal strings (the money columns) without a bigint per value: the parts of
 * {@link decimalParts} are summed as integer-valued doubles, exact while every partial sum
 * stays below 2^53 — checked, a partial sum that grows that large is folded into a bigint.
 * `value()` is the exact `Dec`, the same to the last digit as adding `decFromString` of each
 * value; aggregating the P&L of hundreds of thousands of trades costs a fraction of that.
 *
 * @example
 * const s = new ExactSum();
 * s.add('0.1'); s.add('0.2'); s.add('-1.05');
 * decToString(s.value()); // '-0.75'
 */
export class ExactSum {
  private int = 0;
  private hi = 0;
  private lo = 0;
  private big: Dec = 0n;
  count = 0;

  add(text: string): void {
    this.addParts(decimalParts(text, scratch));
  }

  addParts(p: DecimalParts): void {
    this.count++;
    this.int += p.int;
    this.hi += p.hi;
    this.lo += p.lo;
    if (p.big !== 0n) this.big += p.big;
    // Each part is below 10^15 in magnitude, so after one addition a sum that was ≤ 2^52 is
    // still below 2^53 and exact.
    if (
      this.int > FLUSH_AT ||
      this.int < -FLUSH_AT ||
      this.hi > FLUSH_AT ||
      this.hi < -FLUSH_AT ||
      this.lo > FLUSH_AT ||
      this.lo < -FLUSH_AT
    ) {
      this.big = this.value();
      this.int = 0;
      this.hi = 0;
      this.lo = 0;
    }
  }

  /** The exact total as a `Dec` (value × 10^18). */
  value(): Dec {
    return this.big + BigInt(this.int) * E9N * E9N + BigInt(this.hi) * E9N + BigInt(this.lo);
  }
}

const scratch = emptyParts();
