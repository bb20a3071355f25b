import { describe, expect, it } from 'vitest';
import { addDays, minuteOf, startOfDay, tradingDay } from './trading-day.js';

describe('trading day', () => {
  it('is the UTC date by default', () => {
    expect(tradingDay(Date.UTC(2026, 2, 3, 23, 59, 59), 'UTC')).toBe('2026-03-03');
    expect(tradingDay(Date.UTC(2026, 2, 4, 0, 0, 0), 'UTC')).toBe('2026-03-04');
  });

  it('follows the configured zone, including across a DST change', () => {
    // 2026-03-08 is the US spring-forward day; New York midnight is 05:00Z before, 04:00Z after.
    expect(startOfDay('2026-03-08', 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 5));
    expect(startOfDay('2026-03-09', 'America/New_York')).toBe(Date.UTC(2026, 2, 9, 4));
    expect(tradingDay(Date.UTC(2026, 2, 9, 3, 59), 'America/New_York')).toBe('2026-03-08');
    expect(tradingDay(Date.UTC(2026, 2, 9, 4, 0), 'America/New_York')).toBe('2026-03-09');
  });

  it('adds days across month ends and buckets minutes', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(minuteOf(Date.UTC(2026, 0, 1, 10, 5, 59, 999))).toBe(Date.UTC(2026, 0, 1, 10, 5));
  });
});
