import { describe, expect, it } from 'vitest';
import type { BatchChanges } from '../../ingest/batch.js';
import { dec } from '../../ledger/index.js';
import type { Trip } from '../../ledger/index.js';
import type { FillsTable, OrdersTable } from '../../store/index.js';
import { deriveEvents } from './derive.js';

const T = Date.UTC(2026, 0, 5, 14, 30);

function trip(over: Partial<Trip>): Trip {
  return {
    id: 't1',
    account: 'acc',
    bot: 'alpha',
    symbol: 'AAPL',
    strategy: 'momo',
    direction: 'long',
    status: 'open',
    qty: dec(10),
    openQty: dec(10),
    entryTs: T,
    exitTs: null,
    lastTs: T,
    entryValue: dec(1000),
    exitQty: dec(0),
    exitValue: dec(0),
    gross: dec(0),
    fees: dec(1),
    net: dec(0),
    minPrice: dec(100),
    maxPrice: dec(100),
    fillCount: 1,
    ...over,
  };
}

function changes(over: Partial<BatchChanges>): BatchChanges {
  return {
    seq: 1,
    fills: [],
    keys: [],
    trades: [],
    orders: [],
    bots: [],
    eventCounts: {},
    logs: [],
    signals: [],
    cashFlows: [],
    valuationChanged: false,
    ...over,
  };
}

describe('events derived from a committed batch', () => {
  it('a trade opened, a trade closed (with its net), a scale-in says nothing', () => {
    const fill = (trade_id: string, ts: number, next_trade_id: string | null = null) =>
      ({ trade_id, ts, next_trade_id }) as FillsTable;
    const events = deriveEvents(
      changes({
        fills: [fill('t1', T), fill('t2', T + 60_000), fill('t3', T + 5000)],
        trades: [
          trip({}),
          trip({
            id: 't2',
            entryTs: T - 60_000,
            status: 'closed',
            exitTs: T + 60_000,
            net: dec(41.5),
            fillCount: 2,
          }),
          trip({ id: 't3', fillCount: 3 }),
        ],
      }),
      { logMinLevel: 'warning' },
    );
    expect(events.map((e) => [e.type, e.tradeId, e.message, e.ts])).toEqual([
      ['TRADE', 't1', 'opened long 10 AAPL', T],
      ['TRADE', 't2', 'closed long 10 AAPL: net 41.50', T + 60_000],
    ]);
    expect(events[1]).toMatchObject({ bot: 'alpha', strategy: 'momo', severity: 'info' });
    expect(events[1]!.context).toMatchObject({ net: '41.5', action: 'closed' });
  });

  it('a trip opened and closed in the same batch says both; a flip opens the next trip', () => {
    const events = deriveEvents(
      changes({
        fills: [
          { trade_id: 'a', ts: T, next_trade_id: null } as FillsTable,
          { trade_id: 'a', ts: T + 1000, next_trade_id: 'b' } as FillsTable,
        ],
        trades: [
          trip({ id: 'a', status: 'closed', exitTs: T + 1000 }),
          trip({ id: 'b', direction: 'short', entryTs: T + 1000 }),
        ],
      }),
      { logMinLevel: 'warning' },
    );
    expect(events.map((e) => `${e.tradeId} ${e.context!.action as string}`)).toEqual([
      'a opened',
      'a closed',
      'b opened',
    ]);
  });

  it('orders (rejections warn), signals, and log lines at or above the configured level', () => {
    const order = {
      bot: 'alpha',
      order_id: 'o1',
      side: 'buy',
      qty: '5',
      symbol: 'AAPL',
      status: 'rejected',
      reason: 'insufficient margin',
      strategy: null,
      updated_at: T,
      account: 'acc',
      filled_qty: '0',
    } as OrdersTable;
    const events = deriveEvents(
      changes({
        orders: [order],
        signals: [{ bot: 'alpha', ts: T, symbol: 'AAPL', direction: 'long' }],
        logs: [
          { bot: 'alpha', ts: T, level: 'info', message: 'tick' },
          { bot: 'alpha', ts: T, level: 'error', message: 'broker disconnected' },
        ],
      }),
      { logMinLevel: 'warning' },
    );
    expect(events.map((e) => [e.type, e.severity, e.message])).toEqual([
      ['ORDER', 'warning', 'order o1 buy 5 AAPL rejected: insufficient margin'],
      ['SIGNAL', 'info', 'signal long AAPL'],
      ['LOG', 'error', 'broker disconnected'],
    ]);
  });
});
