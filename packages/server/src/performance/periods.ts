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
  const days = datesBetween(from, addDays(to, 1));
  const starts = dayStarts(days, timeZone);
  const periods: Period[] = [];
  for (let i = 0; i < days.length - 1; i++) {
    const day = days[i]!;
    if (isPeriodDay(day, calendar)) periods.push({ date: day, end: starts[i + 1]! });
  }
  return { start: starts[0]!, periods };
}

/** Every date from `from` to `to` inclusive, without a Date object per day. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m, d] = from.split('-').map(Number) as [number, number, number];
  const pad = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  for (let date = from; date <= to;) {
    out.push(date);
    d++;
    if (d > daysInMonth(y, m)) {
      d = 1;
      m++;
      if (m > 12) {
        m = 1;
        y++;
      }
    }
    date = `${y}-${pad(m)}-${pad(d)}`;
  }
  return out;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const DAY = 86_400_000;
const CHUNK = 7;

/**
 * The instant each date starts (local midnight) in `timeZone`. Asking Intl for every day of a
 * five-year range is slow, and offsets change only at DST transitions: starts are computed
 * exactly every 7 days, and a week that is exactly 7 × 24 hours long has its days at 24-hour
 * steps; only a week that contains a transition is computed day by day.
 */
export function dayStarts(dates: readonly string[], timeZone: string): number[] {
  const out = new Array<number>(dates.length);
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    for (let i = 0; i < dates.length; i++) out[i] = dateStamp(dates[i]!);
    return out;
  }
  let i = 0;
  let start = startOfDay(dates[0]!, timeZone);
  while (i < dates.length) {
    const j = Math.min(i + CHUNK, dates.length - 1);
    const end = j === i ? start : startOfDay(dates[j]!, timeZone);
    if (end - start === (j - i) * DAY) {
      for (let k = i; k < j; k++) out[k] = start + (k - i) * DAY;
    } else {
      for (let k = i; k < j; k++) out[k] = k === i ? start : startOfDay(dates[k]!, timeZone);
    }
    out[j] = end;
    if (j === i) break;
    i = j;
    start = end;
  }
  return out;
}

/** `YYYY-MM-DD` as epoch ms at UTC midnight: a time stamp for calendar bucketing by date. */
export function dateStamp(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}
