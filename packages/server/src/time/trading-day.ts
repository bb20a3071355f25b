/**
 * Trading-day arithmetic in a configured IANA time zone. A trading day is the calendar date of
 * an instant in that zone; daily summaries and "day P&L" use it.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(ts: number, timeZone: string): LocalParts {
  const parts = formatter(timeZone).formatToParts(new Date(ts));
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? '0');
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

const dayCache = new Map<string, { start: number; end: number; day: string }>();

/** The trading day (YYYY-MM-DD) that contains `ts` in `timeZone`. */
export function tradingDay(ts: number, timeZone: string): string {
  const key = timeZone;
  const cached = dayCache.get(key);
  if (cached && ts >= cached.start && ts < cached.end) return cached.day;
  const p = localParts(ts, timeZone);
  const day = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  const start = startOfDay(day, timeZone);
  const end = startOfDay(addDays(day, 1), timeZone);
  dayCache.set(key, { start, end, day });
  return day;
}

/** Offset of `timeZone` from UTC at instant `ts`, in ms (local = utc + offset). */
function offsetAt(ts: number, timeZone: string): number {
  const p = localParts(ts, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ts / 1000) * 1000;
}

/** The instant a trading day starts (local midnight) in `timeZone`. */
export function startOfDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // Two passes settle DST transitions around midnight.
  let ts = guess - offsetAt(guess, timeZone);
  ts = guess - offsetAt(ts, timeZone);
  return ts;
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d + n));
  return date.toISOString().slice(0, 10);
}

export const MINUTE_MS = 60_000;

/** The minute bucket an instant falls in. */
export function minuteOf(ts: number): number {
  return Math.floor(ts / MINUTE_MS) * MINUTE_MS;
}
