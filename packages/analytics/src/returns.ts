import { annualizationFactor } from './annualization.js';
import { requireSameLength, toFloat64 } from './internal/series.js';
import type { AnnualizationOptions, Series } from './types.js';

/**
 * Simple returns from a price series: `r[i] = (p[i+1] − p[i]) / p[i]`. The result is one shorter
 * than the prices (empyrical drops pandas' leading NaN). A zero price yields ±Infinity or NaN,
 * as numpy does.
 *
 * @example
 * simpleReturns([100, 110, 99]); // Float64Array [0.1, -0.1]
 */
export function simpleReturns(prices: Series): Float64Array {
  const p = toFloat64(prices, 'prices');
  const n = p.length;
  if (n < 2) return new Float64Array(0);
  const out = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) {
    const prev = p[i - 1]!;
    out[i - 1] = (p[i]! - prev) / prev;
  }
  return out;
}

/** Options of {@link cumReturns} and {@link cumReturnsFinal}. */
export interface CumReturnsOptions {
  /**
   * 0 (default) gives cumulative returns (`Π(1 + r) − 1`); any other value gives the value of
   * an account that started with it (`startingValue · Π(1 + r)`).
   */
  startingValue?: number;
}

/**
 * Cumulative returns, compounding: `c[t] = Π_{i≤t} (1 + r[i]) − 1`. Missing returns (NaN) count
 * as 0, as in empyrical.
 *
 * @example
 * cumReturns([0.1, -0.1]); // ≈ [0.1, -0.01]
 * cumReturns([0.1, -0.1], { startingValue: 100 }); // ≈ [110, 99]
 */
export function cumReturns(returns: Series, options: CumReturnsOptions = {}): Float64Array {
  const r = toFloat64(returns);
  const start = options.startingValue ?? 0;
  const n = r.length;
  const out = new Float64Array(n);
  let growth = 1;
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    if (x === x) growth *= 1 + x;
    out[i] = start === 0 ? growth - 1 : growth * start;
  }
  return out;
}

/**
 * Total compounded return `Π(1 + r) − 1` (or `startingValue · Π(1 + r)`), skipping NaN
 * (empyrical `cum_returns_final`, numpy `nanprod`). NaN for an empty series.
 *
 * @example
 * cumReturnsFinal([0.1, -0.1]); // ≈ -0.01
 */
export function cumReturnsFinal(returns: Series, options: CumReturnsOptions = {}): number {
  const r = toFloat64(returns);
  if (r.length === 0) return NaN;
  const growth = totalGrowth(r);
  const start = options.startingValue ?? 0;
  return start === 0 ? growth - 1 : growth * start;
}

/** Π(1 + r) over the non-NaN returns. */
export function totalGrowth(r: Float64Array): number {
  let growth = 1;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    if (x === x) growth *= 1 + x;
  }
  return growth;
}

/**
 * Compound annual growth rate (empyrical `annual_return`, alias `cagr`):
 * `(Π(1 + r))^(periodsPerYear / n) − 1`, where n counts every period, missing ones included.
 * NaN for an empty series.
 *
 * @example
 * annualReturn([0.01, 0.02, -0.005], { period: 'monthly' }); // ≈ 0.1040
 */
export function annualReturn(returns: Series, options: AnnualizationOptions = {}): number {
  const r = toFloat64(returns);
  const n = r.length;
  if (n < 1) return NaN;
  const ann = annualizationFactor(options);
  return cagrFromGrowth(totalGrowth(r), n, ann);
}

/** CAGR from the total growth factor over `n` periods. */
export function cagrFromGrowth(growth: number, n: number, periodsPerYear: number): number {
  const years = n / periodsPerYear;
  return growth ** (1 / years) - 1;
}

/** Calendar buckets for {@link aggregateReturns}. */
export type AggregationPeriod = 'weekly' | 'monthly' | 'quarterly' | 'yearly';

/** One calendar bucket of {@link aggregateReturns}. */
export interface AggregatedReturn {
  /** `'2024'`, `'2024-Q1'`, `'2024-03'` or ISO week `'2024-W09'`. */
  period: string;
  /** Calendar year (ISO week-year for weekly buckets). */
  year: number;
  /** Week (1–53), month (1–12) or quarter (1–4) within `year`; 1 for yearly buckets. */
  index: number;
  /** Epoch milliseconds of the earliest and latest return in the bucket. */
  start: number;
  end: number;
  /** Number of returns in the bucket (missing ones included). */
  count: number;
  /** Compounded return of the bucket, `Π(1 + r) − 1`, NaN counting as 0. */
  return: number;
}

/**
 * Compounds returns into calendar weeks, months, quarters or years (empyrical
 * `aggregate_returns`). `timestamps[i]` (epoch ms) is the time of `returns[i]`; buckets are UTC
 * calendar periods, returned in chronological order. Weeks are ISO weeks keyed by ISO
 * week-year; empyrical keys them by calendar year, which merges the last days of December into
 * week 1 of the same year.
 *
 * @example
 * const day = 86_400_000;
 * aggregateReturns([0.01, 0.02, 0.03], [Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 1), Date.UTC(2024, 1, 2)], 'monthly');
 * // [{ period: '2024-01', return: 0.01, … }, { period: '2024-02', return: 0.0506, … }]
 */
export function aggregateReturns(
  returns: Series,
  timestamps: Series,
  convertTo: AggregationPeriod,
): AggregatedReturn[] {
  const r = toFloat64(returns);
  const t = toFloat64(timestamps, 'timestamps');
  requireSameLength(r, t, 'returns', 'timestamps');
  const keyOf = bucketKey(convertTo);
  const buckets = new Map<number, AggregatedReturn & { growth: number }>();
  for (let i = 0; i < r.length; i++) {
    const ts = t[i]!;
    if (!Number.isFinite(ts)) {
      throw new RangeError(`timestamps[${i}] must be a finite epoch-millisecond time, got ${ts}`);
    }
    const { year, index } = keyOf(new Date(ts));
    const key = year * 100 + index;
    let b = buckets.get(key);
    if (b === undefined) {
      b = {
        period: label(convertTo, year, index),
        year,
        index,
        start: ts,
        end: ts,
        count: 0,
        return: 0,
        growth: 1,
      };
      buckets.set(key, b);
    }
    const x = r[i]!;
    if (x === x) b.growth *= 1 + x;
    b.count++;
    if (ts < b.start) b.start = ts;
    if (ts > b.end) b.end = ts;
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, b]) => ({
      period: b.period,
      year: b.year,
      index: b.index,
      start: b.start,
      end: b.end,
      count: b.count,
      return: b.growth - 1,
    }));
}

function bucketKey(convertTo: AggregationPeriod): (d: Date) => { year: number; index: number } {
  switch (convertTo) {
    case 'yearly':
      return (d) => ({ year: d.getUTCFullYear(), index: 1 });
    case 'quarterly':
      return (d) => ({ year: d.getUTCFullYear(), index: Math.floor(d.getUTCMonth() / 3) + 1 });
    case 'monthly':
      return (d) => ({ year: d.getUTCFullYear(), index: d.getUTCMonth() + 1 });
    case 'weekly':
      return isoWeek;
    default:
      throw new RangeError(
        `convertTo must be 'weekly', 'monthly', 'quarterly' or 'yearly', got ${String(convertTo)}`,
      );
  }
}

/** ISO-8601 week-year and week number of a UTC date. */
export function isoWeek(d: Date): { year: number; index: number } {
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return { year, index: week };
}

function label(convertTo: AggregationPeriod, year: number, index: number): string {
  const two = String(index).padStart(2, '0');
  switch (convertTo) {
    case 'yearly':
      return String(year);
    case 'quarterly':
      return `${year}-Q${index}`;
    case 'monthly':
      return `${year}-${two}`;
    case 'weekly':
      return `${year}-W${two}`;
  }
}
