import { describe, expect, it } from 'vitest';
import { dec, decToString } from '../ledger/index.js';
import { startOfDay } from '../time/index.js';
import { datesBetween, dayStarts, periodsBetween } from './periods.js';
import {
  EMPTY_SNAPSHOT,
  priceReturns,
  timeWeightedReturns,
  type EquitySnapshot,
} from './returns.js';

const snap = (capital: number, profit: number): EquitySnapshot => ({
  capital: dec(capital),
  profit: dec(profit),
});
const days = (...dates: string[]) => dates.map((date, i) => ({ date, end: i + 1 }));

describe('time-weighted daily returns', () => {
  it('measure each day’s profit on the start-of-day equity', () => {
    // 10,000 of capital: +100, then −202, then +49.49.
    const rows = timeWeightedReturns(
      days('2026-01-05', '2026-01-06', '2026-01-07'),
      snap(10_000, 0),
      [snap(10_000, 100), snap(10_000, -102), snap(10_000, -52.51)],
    );
    expect(rows.map((r) => r.ret)).toEqual([0.01, -0.02, 0.005]);
    expect(rows.map((r) => decToString(r.endEquity))).toEqual(['10100', '9898', '9947.49']);
  });

  it('do not count a deposit as a gain: flows arrive at the start of their day', () => {
    // Day 1: +100 on 10,000. Day 2: 5,000 deposited, +151 on 10,100 + 5,000 = 15,100.
    // Day 3: 3,000 withdrawn, nothing earned: a 0 return although equity fell by 3,000.
    const rows = timeWeightedReturns(
      days('2026-01-05', '2026-01-06', '2026-01-07'),
      snap(10_000, 0),
      [snap(10_000, 100), snap(15_000, 251), snap(12_000, 251)],
    );
    expect(rows.map((r) => r.ret)).toEqual([0.01, 0.01, 0]);
    expect(rows.map((r) => decToString(r.flows))).toEqual(['0', '5000', '-3000']);
    expect(rows.map((r) => decToString(r.pnl))).toEqual(['100', '151', '0']);
    expect(decToString(rows[1]!.base)).toBe('15100');
    // The time-weighted total is the product of the daily returns whatever the flows were.
    const total = rows.reduce((g, r) => g * (1 + r.ret), 1) - 1;
    expect(total).toBeCloseTo(0.0201, 12);
  });

  it('start on the first day with capital, counting the funding deposit as money put in', () => {
    // Nothing before the account is funded; 10,000 arrives on day 2 and earns 50 that day.
    const rows = timeWeightedReturns(
      days('2026-01-05', '2026-01-06', '2026-01-07'),
      EMPTY_SNAPSHOT,
      [EMPTY_SNAPSHOT, snap(10_000, 50), snap(10_000, 50)],
    );
    expect(rows.map((r) => r.date)).toEqual(['2026-01-06', '2026-01-07']);
    expect(rows.map((r) => r.ret)).toEqual([0.005, 0]);
    expect(decToString(rows[0]!.startEquity)).toBe('0');
    expect(decToString(rows[0]!.flows)).toBe('10000');
  });

  it('treat an opening balance that appears later (a new account) as capital, not profit', () => {
    // The portfolio's capital jumps by a second account's 5,000 opening balance on day 2.
    const rows = timeWeightedReturns(days('2026-01-05', '2026-01-06'), snap(10_000, 0), [
      snap(10_000, 0),
      snap(15_000, 0),
    ]);
    expect(rows.map((r) => r.ret)).toEqual([0, 0]);
  });

  it('give a missing return when everything has been withdrawn', () => {
    const rows = timeWeightedReturns(
      days('2026-01-05', '2026-01-06', '2026-01-07'),
      snap(1_000, 0),
      [snap(1_000, 10), snap(-10, 10), snap(-10, 10)],
    );
    expect(rows[0]!.ret).toBe(0.01);
    expect(rows[1]!.ret).toBeNaN();
    expect(rows[2]!.ret).toBeNaN();
  });

  it('measure a bot on a fixed allocation plus its accumulated profit', () => {
    // A bot's equity is its P&L (no capital of its own): +100, then +101 on 10,000 + 100.
    const rows = timeWeightedReturns(
      days('2026-01-05', '2026-01-06'),
      EMPTY_SNAPSHOT,
      [snap(0, 100), snap(0, 201)],
      { kind: 'capital', capital: dec(10_000) },
    );
    expect(rows.map((r) => r.ret)).toEqual([0.01, 0.01]);
    expect(decToString(rows[1]!.endEquity)).toBe('10201');
  });

  it('measure a bot’s contribution on its account’s capital; contributions add up', () => {
    // Account: 10,000 opening, 1,000 deposited on day 2. Bots a and b share its P&L.
    // Day 2: the 1,000 deposit works that day, so the base is 10,150 + 1,000 = 11,150.
    const account = [snap(10_000, 150), snap(11_000, 484.5)];
    const basis = {
      kind: 'scope' as const,
      scope: 'account:main',
      start: snap(10_000, 0),
      ends: account,
    };
    const a = timeWeightedReturns(
      days('2026-01-05', '2026-01-06'),
      EMPTY_SNAPSHOT,
      [snap(0, 100), snap(0, 323)],
      basis,
    );
    const b = timeWeightedReturns(
      days('2026-01-05', '2026-01-06'),
      EMPTY_SNAPSHOT,
      [snap(0, 50), snap(0, 161.5)],
      basis,
    );
    const whole = timeWeightedReturns(days('2026-01-05', '2026-01-06'), snap(10_000, 0), account);
    expect(a.map((r) => r.ret)).toEqual([0.01, 0.02]);
    expect(b.map((r) => r.ret)).toEqual([0.005, 0.01]);
    expect(whole.map((r) => r.ret)).toEqual([0.015, 0.03]);
    whole.forEach((w, i) => expect(a[i]!.ret + b[i]!.ret).toBeCloseTo(w.ret, 15));
  });

  it('reject snapshots that do not match the periods', () => {
    expect(() => timeWeightedReturns(days('2026-01-05'), EMPTY_SNAPSHOT, [])).toThrow(RangeError);
  });
});

describe('benchmark price returns', () => {
  it('are close-to-close, missing until the first price', () => {
    const r = priceReturns(null, [null, dec(100), dec(110), dec(99)]);
    expect(Array.from(r)).toEqual([NaN, NaN, 0.1, -0.1]);
    expect(Array.from(priceReturns(dec(50), [dec(55)]))).toEqual([0.1]);
  });
});

describe('periods', () => {
  it('are weekdays by default: a weekend belongs to Monday', () => {
    // 2026-01-09 is a Friday.
    const { start, periods } = periodsBetween('2026-01-08', '2026-01-13', 'weekdays', 'UTC');
    expect(start).toBe(Date.UTC(2026, 0, 8));
    expect(periods.map((p) => p.date)).toEqual([
      '2026-01-08',
      '2026-01-09',
      '2026-01-12',
      '2026-01-13',
    ]);
    // Friday's period ends at Saturday 00:00; Monday's covers Saturday, Sunday and Monday.
    expect(periods[1]!.end).toBe(Date.UTC(2026, 0, 10));
    expect(periods[2]!.end).toBe(Date.UTC(2026, 0, 13));
  });

  it('are every day with the all-days calendar, in the hub’s time zone', () => {
    const { start, periods } = periodsBetween(
      '2026-03-07',
      '2026-03-09',
      'all',
      'America/New_York',
    );
    expect(periods.map((p) => p.date)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(start).toBe(Date.UTC(2026, 2, 7, 5));
    // Spring forward on 2026-03-08: that day has 23 hours.
    expect(periods[1]!.end - periods[0]!.end).toBe(23 * 3_600_000);
  });
});

describe('day starts', () => {
  it.each(['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata'])(
    'equal local midnight of every day over two years in %s',
    (zone) => {
      const dates = datesBetween('2025-01-01', '2026-12-31');
      const starts = dayStarts(dates, zone);
      expect(starts).toEqual(dates.map((d) => startOfDay(d, zone)));
    },
  );

  it('list dates across month and year ends', () => {
    expect(datesBetween('2024-02-27', '2024-03-01')).toEqual([
      '2024-02-27',
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(datesBetween('2025-12-31', '2026-01-01')).toEqual(['2025-12-31', '2026-01-01']);
  });
});
