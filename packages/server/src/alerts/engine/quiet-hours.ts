import { severityRank, type Severity } from '../model.js';

/** A compiled quiet-hours window (see `quiet_hours` in the configuration). */
export interface QuietWindow {
  startMin: number;
  endMin: number;
  timezone: string;
  /** Weekdays (0 = Monday) the window starts on; null = every day. */
  days: Set<number> | null;
  pass: Severity;
}

const DAY_INDEX: Record<string, number> = {
  mon: 0,
  tue: 1,
  wed: 2,
  thu: 3,
  fri: 4,
  sat: 5,
  sun: 6,
};

export function compileQuietWindows(
  spec: {
    start: string;
    end: string;
    timezone?: string | undefined;
    days?: string[] | undefined;
    pass: Severity;
  }[],
  defaultTz: string,
): QuietWindow[] {
  return spec.map((w) => ({
    startMin: minutesOf(w.start),
    endMin: minutesOf(w.end),
    timezone: w.timezone ?? defaultTz,
    days: w.days ? new Set(w.days.map((d) => DAY_INDEX[d]!)) : null,
    pass: w.pass,
  }));
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

interface LocalParts {
  y: number;
  m: number;
  d: number;
  minutes: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAY: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

function localParts(
  ts: number,
  tz: string,
): LocalParts & { second: number; hour: number; minute: number } {
  const parts = formatter(tz).formatToParts(new Date(ts));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  const hour = Number(get('hour'));
  const minute = Number(get('minute'));
  return {
    y: Number(get('year')),
    m: Number(get('month')),
    d: Number(get('day')),
    hour,
    minute,
    second: Number(get('second')),
    minutes: hour * 60 + minute,
    weekday: WEEKDAY[get('weekday')] ?? 0,
  };
}

function offsetAt(ts: number, tz: string): number {
  const p = localParts(ts, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.hour, p.minute, p.second) - Math.floor(ts / 1000) * 1000;
}

/** The instant a local wall-clock time occurs in `tz` (DST gaps resolve forward). */
export function wallTimeToUtc(
  y: number,
  m: number,
  d: number,
  minutes: number,
  tz: string,
): number {
  const guess = Date.UTC(y, m - 1, d, Math.floor(minutes / 60), minutes % 60);
  let ts = guess - offsetAt(guess, tz);
  ts = guess - offsetAt(ts, tz);
  return ts;
}

function shiftDay(p: { y: number; m: number; d: number }, n: number) {
  const date = new Date(Date.UTC(p.y, p.m - 1, p.d + n));
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

/**
 * Whether `now` falls in a quiet window: the instant the window ends and the lowest severity
 * that still passes, or null outside every window.
 */
export function quietAt(
  now: number,
  windows: readonly QuietWindow[],
): { until: number; pass: Severity } | null {
  for (const w of windows) {
    const p = localParts(now, w.timezone);
    const startsOn = (weekday: number) => w.days === null || w.days.has(weekday);
    let endDay: { y: number; m: number; d: number } | null = null;
    if (w.startMin === w.endMin) {
      if (startsOn(p.weekday)) endDay = shiftDay(p, 1);
    } else if (w.startMin < w.endMin) {
      if (p.minutes >= w.startMin && p.minutes < w.endMin && startsOn(p.weekday)) endDay = p;
    } else if (p.minutes >= w.startMin && startsOn(p.weekday)) {
      endDay = shiftDay(p, 1);
    } else if (p.minutes < w.endMin && startsOn((p.weekday + 6) % 7)) {
      endDay = p;
    }
    if (endDay) {
      return {
        until: wallTimeToUtc(endDay.y, endDay.m, endDay.d, w.endMin, w.timezone),
        pass: w.pass,
      };
    }
  }
  return null;
}

/** True when a notification with this highest severity may go out now. */
export function passesQuiet(q: { pass: Severity } | null, highest: Severity | null): boolean {
  if (q === null) return true;
  return highest !== null && severityRank(highest) >= severityRank(q.pass);
}
