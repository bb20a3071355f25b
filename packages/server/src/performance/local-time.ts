import { addDays, startOfDay, tradingDay } from '../time/index.js';
import { weekdayOf } from './periods.js';

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Local weekday and hour of instants in a time zone, fast for instants in time order: the
 * current day's bounds are cached, and on a day of normal length (no DST change) the hour is
 * arithmetic; only on the two DST days a year does it ask Intl for each instant.
 */
export class LocalTime {
  private start = 0;
  private end = -1;
  private weekday = 0;
  private uniform = true;
  private hourFormat: Intl.DateTimeFormat | null = null;

  constructor(private readonly timeZone: string) {}

  /** weekday: 0 = Monday … 6 = Sunday; hour 0–23, both in the time zone. */
  at(ts: number): { weekday: number; hour: number } {
    if (ts < this.start || ts >= this.end) this.load(ts);
    const hour = this.uniform ? Math.floor((ts - this.start) / HOUR) : this.intlHour(ts);
    return { weekday: this.weekday, hour };
  }

  private load(ts: number): void {
    if (this.timeZone === 'UTC' || this.timeZone === 'Etc/UTC') {
      this.start = Math.floor(ts / DAY) * DAY;
      this.end = this.start + DAY;
      this.uniform = true;
      // 1970-01-01 was a Thursday (3 with Monday = 0).
      this.weekday = (((Math.floor(ts / DAY) + 3) % 7) + 7) % 7;
      return;
    }
    const day = tradingDay(ts, this.timeZone);
    this.start = startOfDay(day, this.timeZone);
    this.end = startOfDay(addDays(day, 1), this.timeZone);
    this.uniform = this.end - this.start === DAY;
    this.weekday = (weekdayOf(day) + 6) % 7;
  }

  private intlHour(ts: number): number {
    this.hourFormat ??= new Intl.DateTimeFormat('en-US', {
      timeZone: this.timeZone,
      hour: 'numeric',
      hourCycle: 'h23',
    });
    return Number(this.hourFormat.format(ts)) % 24;
  }
}
