import type { AnnualizationOptions, Period } from './types.js';

/**
 * Periods per year for each named frequency, as in empyrical
 * (`APPROX_BDAYS_PER_YEAR = 252`, 52 weeks, 12 months, 4 quarters, 1 year).
 */
export const ANNUALIZATION_FACTORS: Readonly<Record<Period, number>> = Object.freeze({
  daily: 252,
  weekly: 52,
  monthly: 12,
  quarterly: 4,
  yearly: 1,
});

/**
 * The annualisation factor for the given options: `periodsPerYear` when set, else the factor of
 * `period` (default `'daily'` → 252).
 *
 * @example
 * annualizationFactor({ period: 'weekly' }); // 52
 * annualizationFactor({ periodsPerYear: 365 }); // 365
 */
export function annualizationFactor(options: AnnualizationOptions = {}): number {
  const { periodsPerYear, period = 'daily' } = options;
  if (periodsPerYear !== undefined) {
    if (!(periodsPerYear > 0) || !Number.isFinite(periodsPerYear)) {
      throw new RangeError(
        `periodsPerYear must be a positive finite number, got ${periodsPerYear}`,
      );
    }
    return periodsPerYear;
  }
  const factor = (ANNUALIZATION_FACTORS as Record<string, number | undefined>)[period];
  if (factor === undefined) {
    throw new RangeError(
      `period must be one of ${Object.keys(ANNUALIZATION_FACTORS).join(', ')}, got ${String(period)}`,
    );
  }
  return factor;
}
