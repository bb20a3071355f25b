import { addDays, startOfDay } from '../time/index.js';

/**
 * Which days are return periods. `weekdays`: Monday to Friday (252 a year, the convention of
 * the analytics library's `'daily'` period); activity on a Saturday or Sunday belongs to the
 * following Monday's period, the way a weekend gap belongs to Monday's return on a stock
 * exchange. `all`: every calendar day (365 a year, for markets that trade around the clock).
 */
export type Calendar = 'weekdays' | 'all';

export const PERIODS_PER_YEAR: Record<Calendar, number> = { weekdays: 252, all: 365 };

/** One return period: it ends at the close of trading day `date` (local midnight after it). */
export interface Period {
  /** Trading day YYYY-MM-DD whose close ends the period. */
  date: string;
  /** The instant the period ends (exclusive): the start of the next calendar day. */
  end: number;
}

/** Day of week of a YYYY-MM-DD date: 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function isPeriodDay(date: string, calendar: Calendar): boolean {
  if (calendar === 'all') return true;
  const w = weekdayOf(date);
  return w !== 0 && w !== 6;
}

/**
 * The periods of the trading days `from` … `to` (inclusive) in `timeZone`, and the instant the
 * first one starts (`start`, local midnight of `from`). Periods partition [start, end of the
 * last period); under `weekdays` a range ending on a weekend stops at Friday's close.
 */
export function periodsBetween(
  from: string,
  to: string,
  calendar: Calendar,
  timeZone: string,
): { start: number; periods: Period[] } {
  const periods: Period[] = [];
  const start = startOfDay(from, timeZone);
  for (let day = from; day <= to; day = addDays(day, 1)) {
    if (!isPeriodDay(day, calendar)) continue;
    periods.push({ date: day, end: startOfDay(addDays(day, 1), timeZone) });
  }
  return { start, periods };
}

/** `YYYY-MM-DD` as epoch ms at UTC midnight: a time stamp for calendar bucketing by date. */
export function dateStamp(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}
