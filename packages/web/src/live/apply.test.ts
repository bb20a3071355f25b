import type { Page, PortfolioResponse, PositionRow, TradeRow } from '@tradewatch/protocol';
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { keys } from '../api/keys.js';
import type { FeedItem } from '../api/types.js';
import { CacheUpdater } from './apply.js';
import { fill, position, trade } from './fixtures.test-util.js';

function setup() {
  const qc = new QueryClient();
  let now = 0;
  const scheduled: { fn: () => void; ms: number }[] = [];
  const spy = vi.spyOn(qc, 'invalidateQueries');
  const u = new CacheUpdater(
    qc,
    () => now,
    (fn, ms) => scheduled.push({ fn, ms }),
  );
  return {
    qc,
    u,
    get invalidated() {
      return spy.mock.calls.map((c) => String(c[0]?.queryKey?.[0]));
    },
    scheduled,
    at: (ms: number) => {
      now = ms;
    },
  };
}

describe('applying stream bursts to the cache', () => {
  it('patches every positions query with its own filters', () => {
    const { qc, u } = setup();
    qc.setQueryData(keys.positions(), { items: [], next_cursor: null });
    qc.setQueryData(keys.positions({ bot: 'beta' }), { items: [], next_cursor: null });
    u.apply([{ type: 'position', seq: 1, data: position() }]);
    expect(qc.getQueryData<Page<PositionRow>>(keys.positions())!.items).toHaveLength(1);
    expect(qc.getQueryData<Page<PositionRow>>(keys.positions({ bot: 'beta' }))!.items).toHaveLength(
      0,
    );
  });

  it('replaces the portfolio and refreshes the equity series at most every 30 s', () => {
    const t = setup();
    const { qc, u, scheduled, at } = t;
    const p = { equity: 1 } as unknown as PortfolioResponse;
    at(30_000); // the page loaded its series at 0: the first refresh is due now
    u.apply([{ type: 'portfolio', seq: 1, data: p }]);
    expect(qc.getQueryData(keys.portfolio)).toBe(p);
    expect(t.invalidated.filter((k) => k === 'equity')).toHaveLength(1);
    at(40_000);
    u.apply([{ type: 'portfolio', seq: 2, data: p }]);
    u.apply([{ type: 'portfolio', seq: 3, data: p }]);
    expect(t.invalidated.filter((k) => k === 'equity')).toHaveLength(1);
    // One trailing refresh at the end of the interval picks up the skipped changes.
    expect(scheduled.filter((s) => s.ms === 20_000)).toHaveLength(2); // equity and daily
    scheduled[0]!.fn();
    expect(t.invalidated.filter((k) => k === 'equity')).toHaveLength(2);
  });

  it('inserts fills in unpaged lists only, and feeds the live feed', () => {
    const { qc, u } = setup();
    qc.setQueryData(keys.fills({ limit: 50 }), { items: [], next_cursor: null });
    qc.setQueryData(keys.fills({ limit: 50, cursor: 'abc' }), { items: [], next_cursor: null });
    qc.setQueryData<FeedItem[]>(keys.feed, []);
    u.apply([{ type: 'fill', seq: 1, data: fill('f1') }]);
    expect(qc.getQueryData<Page<unknown>>(keys.fills({ limit: 50 }))!.items).toHaveLength(1);
    expect(
      qc.getQueryData<Page<unknown>>(keys.fills({ limit: 50, cursor: 'abc' }))!.items,
    ).toHaveLength(0);
    expect(qc.getQueryData<FeedItem[]>(keys.feed)!.map((i) => i.kind)).toEqual(['fill']);
  });

  it('refetches a trade list it cannot patch', () => {
    const t = setup();
    const { qc, u, at } = t;
    at(60_000);
    qc.setQueryData(keys.trades('sort=net_pnl&order=desc'), { items: [], next_cursor: null });
    u.apply([{ type: 'trade', seq: 1, data: trade('t1') }]);
    expect(t.invalidated).toContain('trades');
    expect(t.invalidated).toContain('aggregate');
  });

  it('updates an open trade detail with its new fills and figures, keeping notes', () => {
    const { qc, u } = setup();
    qc.setQueryData(keys.trade('t1'), { ...trade('t1', { notes: 'n' }), fills: [fill('f1')] });
    u.apply([
      { type: 'fill', seq: 2, data: fill('f2', { ts: '2026-01-05T15:00:00Z', side: 'sell' }) },
      { type: 'trade', seq: 2, data: trade('t1', { status: 'closed' }) },
    ]);
    const d = qc.getQueryData<TradeRow & { fills: unknown[] }>(keys.trade('t1'))!;
    expect(d).toMatchObject({ status: 'closed', notes: 'n' });
    expect(d.fills).toHaveLength(2);
  });

  it('leaves queries nobody asked for alone', () => {
    const { qc, u } = setup();
    u.apply([{ type: 'position', seq: 1, data: position() }]);
    expect(qc.getQueryCache().getAll()).toHaveLength(0);
  });
});
