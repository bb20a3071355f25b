import { decToNumber, SCALE, type Dec } from '../ledger/index.js';

const POW10 = Array.from({ length: 19 }, (_, i) => 10n ** BigInt(i));

/**
 * Money for output: `d` rounded half away from zero to `places` decimals, as the nearest double
 * — the same number as `decToNumber(d, places)` (MoneyFormat) without going through a string.
 * When the rounded value in units of 10^−places is below 2^53 it is an exact double, and one
 * division by 10^places is correctly rounded, so it gives the double nearest the decimal, which
 * is what parsing its text gives too. Larger values take the string path.
 *
 * @example
 * roundedMoney(dec(12.345), 2); // 12.35
 */
export function roundedMoney(d: Dec, places: number): number {
  if (!Number.isInteger(places) || places < 0 || places > 15) return decToNumber(d, places);
  const unit = SCALE / POW10[places]!;
  const negative = d < 0n;
  const a = negative ? -d : d;
  let q = a / unit;
  if ((a % unit) * 2n >= unit) q += 1n;
  if (q > 9_007_199_254_740_991n) return decToNumber(d, places);
  const v = Number(q) / Number(POW10[places]!);
  return negative && v !== 0 ? -v : v;
}
