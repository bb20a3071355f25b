import { describe, expect, it } from 'vitest';
import { decToString } from '../ledger/index.js';
import { attribute, NO_STRATEGY } from './attribution.js';
import { ClosedTrades, sameTrades } from './closed-trades.js';
import { LocalTime } from './local-time.js';
import type { ClosedTradeRow } from './repository.js';

let n = 0;
function trade(over: Partial<ClosedTradeRow>): ClosedTradeRow {
  const net = over.net ?? '1';
  return {
    id: `t${n++}`,
    account: 'main',
    bot: 'grid',
    strategy: 'mean-rev',
    symbol: 'BTCUSDT',
    direction: 'long',
    exit_ts: Date.UTC(2026, 0, 5, 10),
    net,
    net_f: Number(net),
    return_pct: 1,
    duration_ms: 60_000,
    fill_count: 2,
    ...over,
  };
}

const all = (t: ClosedTrades) => Int32Array.from({ length: t.size }, (_, i) => i);

describe('attribution of net P&L', () => {
  it('sums net P&L exactly by bot, strategy, symbol and direction, largest first', () => {
    const t = new ClosedTrades('UTC');
    t.append([
      trade({ net: '0.1' }),
      trade({ net: '0.2', bot: 'trend', symbol: 'ETHUSDT', direction: 'short' }),
      trade({ net: '-0.35', strategy: null }),
      trade({ net: '100.000000000000000001', bot: 'trend', strategy: 'breakout' }),
    ]);
    const a = attribute(t, all(t));
    expect(decToString(a.total.net)).toBe('99.950000000000000001');
    expect(a.byBot.map((g) => [g.key, decToString(g.net), g.trades])).toEqual([
      ['trend', '100.200000000000000001', 2],
      ['grid', '-0.25', 2],
    ]);
    expect(a.byStrategy.map((g) => [g.key, decToString(g.net)])).toEqual([
      ['breakout', '100.000000000000000001'],
      ['mean-rev', '0.3'],
      [NO_STRATEGY, '-0.35'],
    ]);
    expect(a.byDirection.map((g) => [g.key, g.wins, g.losses])).toEqual([
      ['long', 2, 1],
      ['short', 1, 0],
    ]);
    expect(a.bySymbol.map((g) => g.key)).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('buckets by local hour and weekday of the close', () => {
    const t = new ClosedTrades('America/New_York');
    // Monday 2026-01-05 09:30 in New York is 14:30 UTC; Sunday 23:00 local is Monday 04:00 UTC.
    t.append([
      trade({ exit_ts: Date.UTC(2026, 0, 5, 4, 0), net: '-2' }),
      trade({ exit_ts: Date.UTC(2026, 0, 5, 14, 30), net: '5' }),
      trade({ exit_ts: Date.UTC(2026, 0, 5, 14, 59), net: '1.5' }),
    ]);
    const a = attribute(t, all(t));
    const hour9 = a.byHour[9]!;
    expect([hour9.trades, decToString(hour9.net)]).toEqual([2, '6.5']);
    expect(decToString(a.byHour[23]!.net)).toBe('-2');
    expect(a.byWeekday.map((g) => [g.weekday, g.trades])).toEqual([
      ['Mon', 2],
      ['Tue', 0],
      ['Wed', 0],
      ['Thu', 0],
      ['Fri', 0],
      ['Sat', 0],
      ['Sun', 1],
    ]);
    expect(a.byWeekdayHour.map((g) => g.key)).toEqual(['Mon 9', 'Sun 23']);
  });

  it('finds local hours on a DST day', () => {
    const t = new ClosedTrades('America/New_York');
    // 2026-03-08: 01:59 EST is 06:59 UTC; 03:00 EDT is 07:00 UTC; 12:00 EDT is 16:00 UTC.
    t.append([
      trade({ exit_ts: Date.UTC(2026, 2, 8, 6, 59) }),
      trade({ exit_ts: Date.UTC(2026, 2, 8, 7, 0) }),
      trade({ exit_ts: Date.UTC(2026, 2, 8, 16, 0) }),
    ]);
    const a = attribute(t, all(t));
    expect(a.byWeekdayHour.map((g) => g.key)).toEqual(['Sun 1', 'Sun 3', 'Sun 12']);
  });

  it('attributes only the selected trades', () => {
    const t = new ClosedTrades('UTC');
    t.append([trade({ net: '1' }), trade({ net: '2' }), trade({ net: '4' })]);
    expect(decToString(attribute(t, Int32Array.of(0, 2)).total.net)).toBe('5');
  });
});

describe('the in-memory closed trades', () => {
  it('keep a fingerprint that follows truncation and appends', () => {
    const t = new ClosedTrades('UTC');
    const rows = [1, 2, 3, 4].map((d) =>
      trade({ exit_ts: Date.UTC(2026, 0, d), net: String(d), fill_count: d }),
    );
    t.append(rows);
    const full = t.fingerprint();
    expect(full.count).toBe(4);
    expect(full.exitSum).toBe(rows.reduce((s, r) => s + BigInt(r.exit_ts), 0n));
    expect(full.fillSum).toBe(10);
    const k = t.lowerBound(Date.UTC(2026, 0, 3));
    expect(k).toBe(2);
    expect(t.fingerprintFrom(k).count).toBe(2);
    t.truncate(k);
    expect(t.size).toBe(2);
    t.append(rows.slice(2));
    expect(sameTrades(t.fingerprint(), full, t.netScale)).toBe(true);
    t.truncate(3);
    expect(sameTrades(t.fingerprint(), full, t.netScale)).toBe(false);
  });

  it('hold trade returns as fractions and unknown values as NaN', () => {
    const t = new ClosedTrades('UTC');
    t.append([trade({ return_pct: 2.5, duration_ms: null }), trade({ return_pct: null })]);
    expect(t.returnFraction[0]).toBe(0.025);
    expect(t.durationMs[0]).toBeNaN();
    expect(t.returnFraction[1]).toBeNaN();
  });
});

describe('attribution with huge values', () => {
  it('falls back to bigint sums and stays exact', () => {
    const t = new ClosedTrades('UTC');
    const big = '999999999999999.999999999999999999';
    t.append(Array.from({ length: 12 }, (_, i) => trade({ net: big, bot: `b${i % 2}` })));
    const a = attribute(t, all(t));
    expect(decToString(a.total.net)).toBe('11999999999999999.999999999999999988');
    expect(a.byBot.map((g) => decToString(g.net))).toEqual([
      '5999999999999999.999999999999999994',
      '5999999999999999.999999999999999994',
    ]);
    expect(decToString(a.byHour[10]!.net)).toBe('11999999999999999.999999999999999988');
  });
});

describe('local time of closes', () => {
  it('agrees with Intl in UTC and in a zone with DST, before 1970 too', () => {
    const utc = new LocalTime('UTC');
    const ny = new LocalTime('America/New_York');
    const hourOf = (zone: string, ts: number) =>
      Number(
        new Intl.DateTimeFormat('en-US', {
          timeZone: zone,
          hour: 'numeric',
          hourCycle: 'h23',
        }).format(ts),
      ) % 24;
    const weekdayOf = (zone: string, ts: number) =>
      ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(
        new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' }).format(ts),
      );
    for (let ts = Date.UTC(1969, 11, 25); ts < Date.UTC(1970, 0, 5); ts += 5 * 3_600_000 + 17_000) {
      expect(utc.at(ts)).toEqual({ weekday: weekdayOf('UTC', ts), hour: hourOf('UTC', ts) });
    }
    for (let ts = Date.UTC(2026, 2, 1); ts < Date.UTC(2026, 2, 15); ts += 3 * 3_600_000 + 1_000) {
      expect(ny.at(ts)).toEqual({
        weekday: weekdayOf('America/New_York', ts),
        hour: hourOf('America/New_York', ts),
      });
    }
  });
});
