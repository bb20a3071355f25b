import { describe, expect, it } from 'vitest';
import {
  ageSeconds,
  formatAge,
  formatDate,
  formatDuration,
  formatMoney,
  formatPct,
  formatPnl,
  formatQty,
  formatTime,
  formatUtc,
} from './format.js';

const en = { locale: 'en-US', timeZone: 'UTC' };

describe('money', () => {
  it('uses the currency symbol and its decimals', () => {
    expect(formatMoney(1234.5, 'USD', en)).toBe('$1,234.50');
    expect(formatMoney(1234.5, 'EUR', en)).toBe('€1,234.50');
    expect(formatMoney(1234, 'JPY', en)).toBe('¥1,234');
    expect(formatMoney(-3, 'USD', en)).toBe('−$3.00');
  });

  it('shows codes Intl does not know as currencies (and crypto) after the amount', () => {
    expect(formatMoney(0.00012345, 'BTC', en)).toBe('0.00012345 BTC');
    expect(formatMoney(12.5, 'USDT', en)).toBe('12.50 USDT');
  });

  it('shows a dash for a missing figure', () => {
    expect(formatMoney(null, 'USD', en)).toBe('—');
    expect(formatMoney(Number.NaN, 'USD', en)).toBe('—');
  });
});

describe('profit and loss', () => {
  it('is always signed, with an arrow, so colour is never the only cue', () => {
    expect(formatPnl(12, 'USD', en)).toEqual({ text: '+$12.00', sign: 'pos', arrow: '▲' });
    expect(formatPnl(-3.5, 'USD', en)).toEqual({ text: '−$3.50', sign: 'neg', arrow: '▼' });
    expect(formatPnl(0, 'USD', en)).toEqual({ text: '$0.00', sign: 'zero', arrow: '' });
  });

  it('treats what rounds to zero as zero', () => {
    expect(formatPnl(-0.001, 'USD', en)).toEqual({ text: '$0.00', sign: 'zero', arrow: '' });
    expect(formatMoney(-0.001, 'USD', en)).toBe('$0.00');
  });

  it('formats percentages the same way', () => {
    expect(formatPct(1.254, en).text).toBe('+1.25%');
    expect(formatPct(-0.4, en)).toEqual({ text: '−0.40%', sign: 'neg', arrow: '▼' });
    expect(formatPct(null, en).text).toBe('—');
  });
});

describe('quantities', () => {
  it('keeps the precision given, up to 8 decimals, grouped', () => {
    expect(formatQty(1500, en)).toBe('1,500');
    expect(formatQty(0.12345678912, en)).toBe('0.12345679');
    expect(formatQty(-2.5, en)).toBe('−2.5');
  });
});

describe('times', () => {
  const now = Date.parse('2026-01-05T18:00:00Z');

  it('shows the time alone for today, the date too for other days, the year for other years', () => {
    expect(formatTime('2026-01-05T14:30:05Z', now, en)).toBe('14:30:05');
    expect(formatTime('2026-01-02T09:05:00Z', now, en)).toBe('Jan 2, 09:05');
    expect(formatTime('2025-12-31T09:05:00Z', now, en)).toBe('Dec 31, 2025, 09:05');
  });

  it("uses the viewer's time zone", () => {
    const ny = { locale: 'en-US', timeZone: 'America/New_York' };
    expect(formatTime('2026-01-05T14:30:05Z', now, ny)).toBe('09:30:05');
    // 02:00Z on the 6th is still the 5th in New York, so it is "today" there at 18:00Z.
    expect(formatTime('2026-01-06T02:00:00Z', now, ny)).toBe('21:00:00');
  });

  it('gives the UTC time for the hover text', () => {
    expect(formatUtc('2026-01-05T14:30:05.123Z')).toBe('2026-01-05 14:30:05 UTC');
    expect(formatUtc(null)).toBe('');
  });

  it('shows a hub date as that calendar date whatever the zone', () => {
    expect(formatDate('2026-01-05', { locale: 'en-US', timeZone: 'Pacific/Auckland' })).toBe(
      'Mon, Jan 5, 2026',
    );
  });
});

describe('durations and ages', () => {
  it.each([
    [45, '45s'],
    [185, '3m 05s'],
    [7440, '2h 04m'],
    [273600, '3d 4h'],
    [null, '—'],
  ])('%s s is %s', (s, text) => expect(formatDuration(s)).toBe(text));

  it.each([
    [0.2, 'just now'],
    [5, '5 s ago'],
    [200, '3 min ago'],
    [7300, '2 h ago'],
    [200000, '2 d ago'],
    [null, 'never'],
  ])('an age of %s s reads %s', (s, text) => expect(formatAge(s)).toBe(text));

  it('never reports a negative age when a clock runs ahead', () => {
    expect(ageSeconds('2026-01-05T18:00:10Z', Date.parse('2026-01-05T18:00:00Z'))).toBe(0);
    expect(ageSeconds(null, 0)).toBeNull();
  });
});
