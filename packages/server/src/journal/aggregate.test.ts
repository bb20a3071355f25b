import { describe, expect, it } from 'vitest';
import { dec, decToNumber } from '../ledger/index.js';
import { TradeAggregator, weekStart, type ClosedTrade } from './aggregate.js';

const trade = (iso: string, net: number, over: Partial<ClosedTrade> = {}): ClosedTrade => ({
  exitTs: Date.parse(iso),
  currency: 'USD',
  gross: dec(net + 1),
  fees: dec(1),
  net: dec(net),
  ...over,
});

function rows(a: TradeAggregator) {
  return a.result().map((r) => ({
    date: r.date,
    end: r.endDate,
    currency: r.currency,
    trades: r.trades,
    wins: r.wins,
    losses: r.losses,
    net: decToNumber(r.net),
    best: decToNumber(r.best),
    worst: decToNumber(r.worst),
    cumulative: decToNumber(r.cumulativeNet),
  }));
}

describe('journal aggregation', () => {
  it('weeks start on Monday (ISO weeks)', () => {
    expect(weekStart('2026-01-05')).toBe('2026-01-05'); // Monday
    expect(weekStart('2026-01-11')).toBe('2026-01-05'); // Sunday
    expect(weekStart('2026-01-01')).toBe('2025-12-29'); // Thursday across a year end
  });

  it('sums closed trades per trading day of their exit, with win/loss counts and extremes', () => {
    const a = new TradeAggregator('day', 'UTC');
    a.add(trade('2026-01-05T10:00:00Z', 10));
    a.add(trade('2026-01-05T23:59:59Z', -4));
    a.add(trade('2026-01-06T00:00:00Z', 0));
    expect(rows(a)).toEqual([
      {
        date: '2026-01-05',
        end: '2026-01-05',
        currency: 'USD',
        trades: 2,
        wins: 1,
        losses: 1,
        net: 6,
        best: 10,
        worst: -4,
        cumulative: 6,
      },
      {
        date: '2026-01-06',
        end: '2026-01-06',
        currency: 'USD',
        trades: 1,
        wins: 0,
        losses: 0,
        net: 0,
        best: 0,
        worst: 0,
        cumulative: 6,
      },
    ]);
  });

  it('uses the configured time zone for the day boundary', () => {
    const a = new TradeAggregator('day', 'America/New_York');
    // 03:00Z on the 6th is still the 5th in New York.
    a.add(trade('2026-01-06T03:00:00Z', 5));
    expect(rows(a)[0]!.date).toBe('2026-01-05');
  });

  it('groups weeks Monday to Sunday', () => {
    const a = new TradeAggregator('week', 'UTC');
    a.add(trade('2026-01-05T10:00:00Z', 1));
    a.add(trade('2026-01-11T10:00:00Z', 2));
    a.add(trade('2026-01-12T10:00:00Z', 4));
    expect(rows(a).map((r) => [r.date, r.end, r.trades, r.net, r.cumulative])).toEqual([
      ['2026-01-05', '2026-01-11', 2, 3, 3],
      ['2026-01-12', '2026-01-18', 1, 4, 7],
    ]);
  });

  it('never adds different currencies together', () => {
    const a = new TradeAggregator('day', 'UTC');
    a.add(trade('2026-01-05T10:00:00Z', 1));
    a.add(trade('2026-01-05T11:00:00Z', 2, { currency: 'EUR' }));
    a.add(trade('2026-01-06T11:00:00Z', 3, { currency: 'EUR' }));
    expect(rows(a).map((r) => [r.date, r.currency, r.net, r.cumulative])).toEqual([
      ['2026-01-05', 'EUR', 2, 2],
      ['2026-01-05', 'USD', 1, 1],
      ['2026-01-06', 'EUR', 3, 5],
    ]);
  });

  it('keeps money exact: a thousand 0.1 profits make exactly 100', () => {
    const a = new TradeAggregator('day', 'UTC');
    for (let i = 0; i < 1000; i++) a.add(trade('2026-01-05T10:00:00Z', 0.1));
    expect(decToNumber(a.result()[0]!.net)).toBe(100);
  });
});
