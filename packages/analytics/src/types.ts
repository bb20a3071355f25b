/**
 * A series of per-period values: a plain array or a `Float64Array`.
 * `NaN` marks a missing observation (empyrical's convention).
 */
export type Series = ArrayLike<number>;

/** A per-period rate: one number for every period, or a series aligned with the returns. */
export type Rate = number | Series;

/** Named return frequencies and their annualisation factors (see {@link ANNUALIZATION_FACTORS}). */
export type Period = 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

/** How returns are annualised: a named `period` or an explicit `periodsPerYear` (which wins). */
export interface AnnualizationOptions {
  /** Frequency of the returns; default `'daily'` (252 periods a year). */
  period?: Period;
  /** Periods per year, e.g. 365 for crypto daily bars; overrides `period`. */
  periodsPerYear?: number;
}
