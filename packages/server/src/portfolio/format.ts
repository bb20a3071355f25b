import { decToNumber, type Dec } from '../ledger/index.js';

/** Rounds money for output at the currency's precision (the figure of record stays exact). */
export class MoneyFormat {
  constructor(private readonly decimals: Record<string, number> = {}) {}

  places(currency: string): number {
    return this.decimals[currency] ?? DEFAULT_DECIMALS[currency] ?? 2;
  }

  money(value: Dec, currency: string): number {
    return decToNumber(value, this.places(currency));
  }
}

/** Common crypto quote currencies carry more precision than cents. */
const DEFAULT_DECIMALS: Record<string, number> = {
  BTC: 8,
  ETH: 8,
  JPY: 0,
};

/** Quantities and prices go out at full precision. */
export function num(value: Dec): number {
  return decToNumber(value);
}
