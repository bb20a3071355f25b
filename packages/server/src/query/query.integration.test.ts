import type {
  BotRow,
  DailyRow,
  EquityResponse,
  OrderRow,
  Page,
  PortfolioResponse,
  PositionRow,
  TradeRow,
} from '@tradewatch/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRADE_SORTS } from './query-repository.js';
import { dialects } from '../testing/stores.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';

const MIN = 60_000;
let n = 0;
const fill = (over: Record<string, unknown>) => ({
  type: 'fill',
  id: `q${n++}`,
  bot: 'alpha',
  ts: T0,
  symbol: 'AAPL',
  side: 'buy',
  qty: 10,
  price: 100,
  fee: 0,
  account: 'acc1',
  ...over,
});

describe.each(dialects)('query API on %s', (kind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(
      kind,
      {
        accounts: [
          { id: 'acc1', name: 'Main', opening_balance: 10_000, mode: 'live', currency: 'USD' },
          { id: 'acc2', name: 'Paper', opening_balance: 5_000, mode: 'paper' },
        ],
      },
      undefined,
      { modules: [] },
    );
  });
  afterAll(async () => t.close());

  it('values the portfolio as opening + cash flows + realized net + unrealized at the latest mark', async () => {
    expect(
      (
        await t.ingest([
          fill({ ts: T0, qty: 10, price: 100, fee: 1 }),
          fill({ ts: T0 + MIN, side: 'sell', qty: 4, price: 110, fee: 1 }),
          { type: 'mark', bot: 'alpha', ts: T0 + 2 * MIN, symbol: 'AAPL', price: 120 },
          {
            type: 'cash_flow',
            id: 'dep1',
            bot: 'alpha',
            ts: T0 + 2 * MIN,
            account: 'acc1',
            amount: 1000,
            kind: 'deposit',
          },
        ])
      ).status,
    ).toBe(200);
    const p = (await t.get<PortfolioResponse>('/api/v1/portfolio')).body;
    // Realized: 4 × 10 = 40 gross; fees charged 0.4 (opening share) + 1 (closing) → 38.6 net.
    // Unrealized: 6 × (120 − 100) − 0.6 remaining opening fee = 119.4.
    const acc1 = p.accounts.find((a) => a.account === 'acc1')!;
    expect(acc1).toMatchObject({
      mode: 'live',
      opening_balance: 10_000,
      cash_flows: 1000,
      realized_gross: 40,
      realized_net: 38.6,
      fees: 2,
      unrealized: 119.4,
      equity: 11_158,
      total_pnl: 158,
      gross_exposure: 720,
      open_positions: 1,
    });
    expect(p.equity).toBe(16_158);
    expect(p.accounts.find((a) => a.account === 'acc2')).toMatchObject({
      mode: 'paper',
      equity: 5000,
    });
    expect(p.bots).toEqual([expect.objectContaining({ bot: 'alpha', total_pnl: 158 })]);
  });

  it('lists open positions with mark, value and unrealized P&L', async () => {
    const rows = (await t.get<Page<PositionRow>>('/api/v1/positions')).body.items;
    expect(rows).toEqual([
      expect.objectContaining({
        account: 'acc1',
        symbol: 'AAPL',
        side: 'long',
        qty: 6,
        avg_price: 100,
        last_price: 120,
        market_value: 720,
        unrealized_pnl: 119.4,
        realized_pnl: 38.6,
      }),
    ]);
  });

  it('re-derives a key when a fill arrives late, behind fills already matched', async () => {
    // A buy at T0 − 1 min arrives after the others: FIFO now closes it first.
    expect((await t.ingest([fill({ ts: T0 - MIN, qty: 2, price: 90, bot: 'alpha' })])).status).toBe(
      200,
    );
    const fills = (
      await t.get<Page<{ id: string; realized_pnl_gross: number }>>(
        '/api/v1/fills?bot=alpha&symbol=AAPL',
      )
    ).body.items;
    const sell = fills.find((f) => f.realized_pnl_gross !== 0)!;
    // Sell 4 @110 now closes 2 @90 and 2 @100: 2×20 + 2×10 = 60.
    expect(sell.realized_pnl_gross).toBe(60);
    const pos = (await t.get<Page<PositionRow>>('/api/v1/positions?bot=alpha')).body.items[0]!;
    expect(pos.qty).toBe(8);
  });

  it('folds marks into the MAE and MFE of a round trip', async () => {
    await t.ingest([
      fill({ bot: 'mae', symbol: 'MSFT', ts: T0, qty: 1, price: 50 }),
      { type: 'mark', bot: 'mae', ts: T0 + MIN, symbol: 'MSFT', price: 45 },
      { type: 'mark', bot: 'mae', ts: T0 + 2 * MIN, symbol: 'MSFT', price: 58 },
      fill({ bot: 'mae', symbol: 'MSFT', ts: T0 + 3 * MIN, side: 'sell', qty: 1, price: 55 }),
    ]);
    const trade = (await t.get<Page<TradeRow>>('/api/v1/trades?bot=mae')).body.items[0]!;
    expect(trade).toMatchObject({
      status: 'closed',
      net_pnl: 5,
      mae: -5,
      mfe: 8,
      duration_s: 180,
      fill_count: 2,
    });
  });

  it('sorts trades by every sortable column and pages through them without gaps or repeats', async () => {
    const events = [];
    for (let i = 0; i < 12; i++) {
      const ts = T0 + (10 + i) * MIN;
      events.push(fill({ bot: 'pager', symbol: `S${i % 4}`, ts, qty: 1 + (i % 3), price: 100 }));
      events.push(
        fill({
          bot: 'pager',
          symbol: `S${i % 4}`,
          ts: ts + 1000,
          side: 'sell',
          qty: 1 + (i % 3),
          price: 100 + ((i * 7) % 5) - 2,
        }),
      );
    }
    events.push(fill({ bot: 'pager', symbol: 'OPEN', ts: T0 + 50 * MIN }));
    expect((await t.ingest(events)).status).toBe(200);
    const all = (await t.get<Page<TradeRow>>('/api/v1/trades?bot=pager&limit=1000')).body.items;
    expect(all).toHaveLength(13);
    for (const sort of Object.keys(TRADE_SORTS)) {
      for (const order of ['asc', 'desc']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const url: string = `/api/v1/trades?bot=pager&limit=5&sort=${sort}&order=${order}${cursor ? `&cursor=${cursor}` : ''}`;
          const res: { status: number; body: Page<TradeRow> } = await t.get<Page<TradeRow>>(url);
          expect(res.status, url).toBe(200);
          seen.push(...res.body.items.map((r) => r.id));
          cursor = res.body.next_cursor;
        } while (cursor);
        expect(new Set(seen).size, `${sort} ${order}`).toBe(13);
      }
    }
    const byNet = (
      await t.get<Page<TradeRow>>('/api/v1/trades?bot=pager&status=closed&sort=net_pnl&order=desc')
    ).body.items;
    const nets = byNet.map((r) => r.net_pnl);
    expect(nets).toEqual([...nets].sort((a, b) => b - a));
    const winners = (await t.get<Page<TradeRow>>('/api/v1/trades?bot=pager&outcome=win')).body
      .items;
    expect(winners.every((r) => r.net_pnl > 0)).toBe(true);
  });

  it('rejects a tampered cursor with a 400 naming it', async () => {
    const res = await t.get('/api/v1/trades?cursor=not-a-cursor');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid', details: [{ path: 'cursor' }] });
  });

  it('projects orders from successive events and links their fills', async () => {
    await t.ingest([
      {
        type: 'order',
        id: 'o1a',
        bot: 'ord',
        ts: T0,
        order_id: 'A1',
        symbol: 'X',
        side: 'buy',
        qty: 10,
        order_type: 'limit',
        limit_price: 9.5,
        status: 'submitted',
      },
      {
        type: 'order',
        id: 'o1b',
        bot: 'ord',
        ts: T0 + 1000,
        order_id: 'A1',
        symbol: 'X',
        side: 'buy',
        qty: 10,
        order_type: 'limit',
        status: 'partially_filled',
      },
      fill({ bot: 'ord', symbol: 'X', ts: T0 + 1000, qty: 4, price: 9.5, order_id: 'A1' }),
      {
        type: 'order',
        id: 'o2',
        bot: 'ord',
        ts: T0,
        order_id: 'B2',
        symbol: 'X',
        side: 'sell',
        qty: 1,
        order_type: 'market',
        status: 'rejected',
        reason: 'insufficient margin',
      },
    ]);
    const open = (await t.get<Page<OrderRow>>('/api/v1/orders?bot=ord&status=open')).body.items;
    expect(open).toEqual([
      expect.objectContaining({
        order_id: 'A1',
        status: 'partially_filled',
        open: true,
        filled_qty: 4,
        avg_fill_price: 9.5,
        limit_price: 9.5,
      }),
    ]);
    const closed = (await t.get<Page<OrderRow>>('/api/v1/orders?bot=ord&status=closed')).body.items;
    expect(closed).toEqual([
      expect.objectContaining({
        order_id: 'B2',
        status: 'rejected',
        reason: 'insufficient margin',
      }),
    ]);
  });

  it('records equity points per scope and a daily summary with cash flows apart from P&L', async () => {
    const eq = (await t.get<EquityResponse>('/api/v1/equity?scope=account:acc1')).body;
    expect(eq.points.length).toBeGreaterThan(0);
    const last = eq.points[eq.points.length - 1]!;
    expect(last.cash_flows).toBe(1000);
    const daily = (await t.get<{ items: DailyRow[] }>('/api/v1/daily?scope=account:acc1')).body
      .items;
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ date: '2026-01-05', cash_flows: 1000, start_equity: 10_000 });
    expect((await t.get('/api/v1/equity?scope=nonsense')).status).toBe(400);
  });

  it('registers bots on their first event and lets PUT set their settings', async () => {
    await t.ingest([
      {
        type: 'heartbeat',
        bot: 'hb',
        ts: T0,
        interval_s: 10,
        version: '1.2.3',
        connections: { exchange: 'up' },
      },
    ]);
    const res = await t.hub.app.inject({
      method: 'PUT',
      url: '/api/v1/bots/hb',
      headers: { authorization: `Bearer ${t.admin}` },
      payload: { name: 'Heartbeat bot', framework: 'freqtrade', account: 'acc2' },
    });
    expect(res.statusCode).toBe(200);
    const bot = (await t.get<BotRow>('/api/v1/bots/hb')).body;
    expect(bot).toMatchObject({
      name: 'Heartbeat bot',
      framework: 'freqtrade',
      account: 'acc2',
      version: '1.2.3',
      heartbeat_interval_s: 10,
      status: 'up',
      connections: { exchange: 'up' },
    });
    t.clock.advance(21_000);
    expect((await t.get<BotRow>('/api/v1/bots/hb')).body.status).toBe('down');
    expect((await t.get('/api/v1/bots/nobody')).status).toBe(404);
  });

  it('lists signals and logs newest first with filters', async () => {
    await t.ingest([
      { type: 'signal', bot: 'sig', ts: T0, symbol: 'BTC', direction: 'long', strength: 0.7 },
      { type: 'log', bot: 'sig', ts: T0 + 1, level: 'error', message: 'exchange timeout' },
      { type: 'log', bot: 'sig', ts: T0 + 2, level: 'info', message: 'tick' },
    ]);
    const signals = (await t.get<Page<{ symbol: string }>>('/api/v1/signals?bot=sig')).body.items;
    expect(signals.map((s) => s.symbol)).toEqual(['BTC']);
    const errors = (
      await t.get<Page<{ message: string }>>('/api/v1/logs?bot=sig&level=error,critical')
    ).body.items;
    expect(errors.map((l) => l.message)).toEqual(['exchange timeout']);
    const text = (await t.get<Page<{ message: string }>>('/api/v1/logs?bot=sig&q=TIMEOUT')).body
      .items;
    expect(text).toHaveLength(1);
  });

  it('answers 401 without a token and 403 with the wrong scope on every read route', async () => {
    const { token } = await t.hub.tokens.create({ name: 'ingest-only', scopes: ['ingest'] });
    for (const route of [
      '/api/v1/portfolio',
      '/api/v1/positions',
      '/api/v1/fills',
      '/api/v1/trades',
      '/api/v1/bots',
    ]) {
      expect((await t.hub.app.inject({ method: 'GET', url: route })).statusCode, route).toBe(401);
      expect((await t.get(route, token)).status, route).toBe(403);
    }
  });
});
