import { describe, expect, it } from 'vitest';
import { bot, fill, order, position, trade } from './fixtures.test-util.js';
import {
  coalesce,
  feedItem,
  parseMessage,
  patchBots,
  patchFills,
  patchOrders,
  patchPositions,
  patchTradeNotes,
  patchTrades,
  pushFeed,
  tradeMatches,
  type LiveMessage,
} from './patch.js';

const page = <T>(items: T[]) => ({ items, next_cursor: null });

describe('stream frames', () => {
  it('parses known messages and ignores junk and other modules’ types', () => {
    expect(parseMessage('{"type":"fill","seq":1,"data":{}}')?.type).toBe('fill');
    expect(parseMessage('{"type":"alert.fired","seq":1}')).toBeNull();
    expect(parseMessage('not json')).toBeNull();
    expect(parseMessage('null')).toBeNull();
  });
});

describe('positions', () => {
  it('adds, replaces by key, removes when flat, and keeps the hub’s order', () => {
    const p = page([position({ symbol: 'MSFT' })]);
    const added = patchPositions(p, [position({ symbol: 'AAPL' })], {});
    expect(added.items.map((r) => r.symbol)).toEqual(['AAPL', 'MSFT']);
    const replaced = patchPositions(added, [position({ symbol: 'AAPL', qty: 20 })], {});
    expect(replaced.items[0]!.qty).toBe(20);
    const flat = patchPositions(replaced, [position({ symbol: 'AAPL', qty: 0 })], {});
    expect(flat.items.map((r) => r.symbol)).toEqual(['MSFT']);
  });

  it('handles a removal and an insertion in one burst', () => {
    const p = page([
      position({ symbol: 'A' }),
      position({ symbol: 'B' }),
      position({ symbol: 'C' }),
    ]);
    const next = patchPositions(
      p,
      [
        position({ symbol: 'B', qty: 0 }),
        position({ symbol: 'D' }),
        position({ symbol: 'A', qty: 3 }),
        position({ symbol: 'AA' }),
      ],
      {},
    );
    expect(next.items.map((r) => [r.symbol, r.qty])).toEqual([
      ['A', 3],
      ['AA', 10],
      ['C', 10],
      ['D', 10],
    ]);
  });

  it('leaves a list filtered to another bot untouched (same object)', () => {
    const p = page([position()]);
    expect(patchPositions(p, [position({ bot: 'beta' })], { bot: 'alpha' })).toBe(p);
  });
});

describe('fills', () => {
  it('puts new fills in time order, newest first, once', () => {
    const p = page([fill('f1', { ts: '2026-01-05T14:30:00Z' })]);
    const next = patchFills(
      p,
      [
        fill('f2', { ts: '2026-01-05T14:31:00Z' }),
        fill('f1'),
        fill('f0', { ts: '2026-01-05T14:29:00Z' }),
      ],
      {},
    );
    expect(next.items.map((f) => f.id)).toEqual(['f2', 'f1', 'f0']);
  });

  it('respects the list’s filters and its maximum', () => {
    const p = page([fill('f1')]);
    expect(patchFills(p, [fill('x', { symbol: 'MSFT' })], { symbol: 'AAPL' })).toBe(p);
    expect(patchFills(p, [fill('f2'), fill('f3')], {}, 2).items).toHaveLength(2);
  });
});

describe('orders', () => {
  it('drops an order from the open list when it fills, keeps it in the full list', () => {
    const open = page([order('o1')]);
    const done = order('o1', { open: false, status: 'filled', updated_at: '2026-01-05T14:05:00Z' });
    expect(patchOrders(open, [done], { status: 'open' }).items).toEqual([]);
    expect(patchOrders(page([order('o1')]), [done], {}).items[0]!.status).toBe('filled');
  });

  it('adds new working orders newest first', () => {
    const next = patchOrders(
      page([order('o1')]),
      [order('o2', { updated_at: '2026-01-05T14:10:00Z' })],
      {
        status: 'open',
      },
    );
    expect(next.items.map((o) => o.order_id)).toEqual(['o2', 'o1']);
  });
});

describe('trades', () => {
  const q = 'sort=entry_at&order=desc&limit=50';

  it('updates a known trade in place but keeps its journal notes (the stream has none)', () => {
    const p = page([trade('t1', { notes: 'my note', tags: ['a'] })]);
    const r = patchTrades(p, [trade('t1', { status: 'closed', net_pnl: 5 })], q);
    expect(r.page.items[0]).toMatchObject({
      status: 'closed',
      net_pnl: 5,
      notes: 'my note',
      tags: ['a'],
    });
    expect(r.stale).toBe(false);
  });

  it('inserts a new matching trade on the first page of the default order', () => {
    const p = page([trade('t1')]);
    const r = patchTrades(p, [trade('t2', { entry_at: '2026-01-05T15:00:00Z' })], q);
    expect(r.page.items.map((t) => t.id)).toEqual(['t2', 't1']);
  });

  it('says the list is stale when a match cannot be placed (other sort, later page)', () => {
    const p = page([trade('t1')]);
    expect(patchTrades(p, [trade('t2')], 'sort=net_pnl&order=desc').stale).toBe(true);
    expect(patchTrades(p, [trade('t2')], `${q}&cursor=abc`).stale).toBe(true);
    expect(patchTrades(p, [trade('t2', { bot: 'beta' })], `${q}&bot=alpha`)).toEqual({
      page: p,
      stale: false,
    });
  });

  it('matches every journal filter', () => {
    const t = trade('t', {
      status: 'closed',
      net_pnl: -3,
      direction: 'short',
      tags: ['late'],
      notes: 'Chased the OPEN',
      entry_at: '2026-01-05T10:00:00Z',
    });
    const m = (s: string) => tradeMatches(new URLSearchParams(s), t);
    expect(m('outcome=loss&direction=short&tag=late&q=the%20open')).toBe(true);
    expect(m('outcome=win')).toBe(false);
    expect(m('from=2026-01-05T10:00:00Z&to=2026-01-05T10:00:01Z')).toBe(true);
    expect(m('to=2026-01-05T10:00:00Z')).toBe(false);
    expect(m('status=open')).toBe(false);
  });

  it('applies notes edited elsewhere', () => {
    const p = page([trade('t1')]);
    expect(patchTradeNotes(p, { id: 't1', notes: 'x', tags: ['y'] }).items[0]).toMatchObject({
      notes: 'x',
      tags: ['y'],
    });
    expect(patchTradeNotes(p, { id: 'nope', notes: 'x', tags: [] })).toBe(p);
  });
});

describe('bots and the live feed', () => {
  it('upserts bots by id', () => {
    const next = patchBots({ items: [bot('b')] }, [bot('a'), bot('b', { status: 'down' })]);
    expect(next.items.map((b) => [b.id, b.status])).toEqual([
      ['a', 'up'],
      ['b', 'down'],
    ]);
  });

  it('turns fills and events into feed rows, newest first, without repeats', () => {
    const f = feedItem({
      type: 'fill',
      seq: 1,
      data: fill('f1', { side: 'sell', qty: 2, price: 9.5 }),
    })!;
    expect(f.summary).toBe('Sold 2 AAPL @ 9.5');
    const e = feedItem({
      type: 'event',
      seq: 2,
      data: { kind: 'log.error', bot: 'alpha', ts: '2026-01-05T15:00:00Z', summary: 'boom' },
    })!;
    expect(e.level).toBe('error');
    const feed = pushFeed(pushFeed([], [f]), [e, f]);
    expect(feed.map((i) => i.kind)).toEqual(['log.error', 'fill']);
    expect(pushFeed(feed, [f])).toBe(feed);
  });
});

describe('coalescing a burst', () => {
  it('keeps the last state of each thing and every fill', () => {
    const burst: LiveMessage[] = [
      { type: 'position', seq: 1, data: position({ qty: 1 }) },
      { type: 'fill', seq: 1, data: fill('f1') },
      { type: 'position', seq: 2, data: position({ qty: 2 }) },
      { type: 'fill', seq: 2, data: fill('f2') },
      { type: 'bot', seq: 2, data: bot('a') },
      { type: 'bot', seq: 3, data: bot('a', { status: 'down' }) },
    ];
    const out = coalesce(burst);
    expect(out.map((m) => m.type)).toEqual(['fill', 'position', 'fill', 'bot']);
    expect(out.find((m) => m.type === 'position')!.data).toMatchObject({ qty: 2 });
  });
});
