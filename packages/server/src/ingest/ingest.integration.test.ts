import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../testing/stores.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';

const fill = (id: string, over: Record<string, unknown> = {}) => ({
  type: 'fill',
  id,
  bot: 'alpha',
  ts: T0,
  symbol: 'AAPL',
  side: 'buy',
  qty: 10,
  price: 100,
  fee: 1,
  account: 'acc1',
  ...over,
});

/** Row counts of every fact and projection table: "nothing changed" means these are equal. */
async function snapshot(t: TestHub): Promise<Record<string, number>> {
  const tables = [
    'fills',
    'order_events',
    'orders',
    'logs',
    'signals',
    'heartbeats',
    'cash_flows',
    'balances',
    'position_snapshots',
    'bot_metrics',
    'marks',
    'trades',
    'ledger_positions',
    'bots',
    'accounts',
    'equity_points',
  ] as const;
  const out: Record<string, number> = {};
  for (const table of tables) {
    const row = await t.hub.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

describe.each(dialects)('ingest on %s', (kind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(
      kind,
      {
        accounts: [{ id: 'acc1', name: 'Main', opening_balance: 10_000, mode: 'paper' }],
        instruments: [{ symbol: 'ES', multiplier: 50 }],
      },
      undefined,
      { modules: [] },
    );
  });
  afterAll(async () => t.close());

  it('accepts a batch, answers after commit, and the ledger shows the position', async () => {
    const res = await t.ingest([fill('f1'), fill('f2', { price: 110, ts: T0 + 1000 })]);
    expect(res).toEqual({ status: 200, body: { accepted: 2, duplicates: 0 } });
    const positions = await t.get<{
      items: { symbol: string; qty: number; avg_price: number; cost_basis: number }[];
    }>('/api/v1/positions?bot=alpha');
    expect(positions.body.items).toEqual([
      expect.objectContaining({ symbol: 'AAPL', qty: 20, avg_price: 105, cost_basis: 2102 }),
    ]);
  });

  it('realizes P&L net of the pro-rata opening fees and the closing fee', async () => {
    // Sell 15 @ 120, fee 1.5: closes 10 @100 (fee 1) and 5 of 10 @110 (fee 0.5 of 1).
    const res = await t.ingest([
      fill('f3', { side: 'sell', qty: 15, price: 120, fee: 1.5, ts: T0 + 2000 }),
    ]);
    expect(res.status).toBe(200);
    const fills = await t.get<{
      items: { id: string; realized_pnl_gross: number; realized_pnl: number }[];
    }>('/api/v1/fills?bot=alpha&limit=1');
    // gross = 10×20 + 5×10 = 250; fees charged = 1 + 0.5 + 1.5 = 3
    expect(fills.body.items[0]).toMatchObject({
      id: 'f3',
      realized_pnl_gross: 250,
      realized_pnl: 247,
    });
  });

  it('counts a replayed batch as duplicates and changes nothing', async () => {
    const before = await snapshot(t);
    const res = await t.ingest([fill('f1'), fill('f2', { price: 110, ts: T0 + 1000 })]);
    expect(res).toEqual({ status: 200, body: { accepted: 0, duplicates: 2 } });
    const after = await snapshot(t);
    expect({ ...after, bots: 0, equity_points: 0 }).toEqual({
      ...before,
      bots: 0,
      equity_points: 0,
    });
    const positions = await t.get<{ items: { qty: number }[] }>('/api/v1/positions?bot=alpha');
    expect(positions.body.items[0]!.qty).toBe(5);
  });

  it('refuses an id reused with different content (409, naming it) and stores nothing of the batch', async () => {
    const before = await snapshot(t);
    const res = await t.ingest([fill('f9'), fill('f1', { price: 999 })]);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      error: 'conflict',
      details: [{ index: 1, path: 'id', message: expect.stringContaining('"f1"') }],
    });
    expect(await snapshot(t)).toEqual(before);
  });

  describe('bad input gets a 4xx naming the event and field, and changes nothing', () => {
    const cases: [string, unknown, number, { index?: number; path: string }][] = [
      [
        'an unknown type',
        [{ type: 'teleport', bot: 'alpha', ts: T0 }],
        400,
        { index: 0, path: 'type' },
      ],
      [
        'a missing field',
        [{ ...fill('x1'), symbol: undefined }],
        400,
        { index: 0, path: 'symbol' },
      ],
      ['a mistyped field', [fill('x2', { side: 'long' })], 400, { index: 0, path: 'side' }],
      ['a zero quantity', [fill('x3', { qty: 0 })], 400, { index: 0, path: 'qty' }],
      [
        'a negative price',
        [fill('ok'), fill('x4', { price: -5 })],
        400,
        { index: 1, path: 'price' },
      ],
      [
        'a string where a number belongs',
        [fill('x5', { qty: '10' })],
        400,
        { index: 0, path: 'qty' },
      ],
      [
        'a time that does not parse',
        [fill('x6', { ts: 'yesterday at noon' })],
        400,
        { index: 0, path: 'ts' },
      ],
      [
        'a time without an offset',
        [fill('x7', { ts: '2026-01-05T10:00:00' })],
        400,
        { index: 0, path: 'ts' },
      ],
      ['a negative fee', [fill('x8', { fee: -1 })], 400, { index: 0, path: 'fee' }],
      ['a non-object event', [42], 400, { index: 0, path: '' }],
      ['a body without events', { fills: [] }, 400, { path: 'events' }],
    ];
    it.each(cases)('%s', async (_name, payload, status, detail) => {
      const before = await snapshot(t);
      const res = await t.ingest(payload);
      expect(res.status).toBe(status);
      expect(res.body.error).toBe('invalid');
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining(detail)]));
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
      expect(await snapshot(t)).toEqual(before);
    });

    it('malformed JSON', async () => {
      const before = await snapshot(t);
      const res = await t.hub.app.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        headers: { authorization: `Bearer ${t.admin}`, 'content-type': 'application/json' },
        payload: '{"events": [ {"type": "fill", ',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: 'invalid',
        message: 'the request body is not valid JSON',
      });
      expect(await snapshot(t)).toEqual(before);
    });

    it('NaN and Infinity are not JSON numbers', async () => {
      for (const literal of ['NaN', 'Infinity', '1e400']) {
        const res = await t.hub.app.inject({
          method: 'POST',
          url: '/api/v1/ingest',
          headers: { authorization: `Bearer ${t.admin}`, 'content-type': 'application/json' },
          payload: `{"events":[{"type":"fill","id":"n","bot":"alpha","ts":${T0},"symbol":"X","side":"buy","qty":${literal},"price":1}]}`,
        });
        expect(res.statusCode).toBe(400);
      }
    });

    it('10,001 events is a 413', async () => {
      const events = Array.from({ length: 10_001 }, (_, i) => ({
        type: 'heartbeat',
        bot: 'alpha',
        ts: T0 + i,
      }));
      const res = await t.ingest(events);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: 'too_large', details: [{ path: 'events' }] });
    });

    it('a 6 MB body is a 413', async () => {
      const big = 'x'.repeat(6 * 1024 * 1024);
      const res = await t.hub.app.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        headers: { authorization: `Bearer ${t.admin}`, 'content-type': 'application/json' },
        payload: JSON.stringify({
          events: [{ type: 'log', bot: 'alpha', ts: T0, level: 'info', message: big }],
        }),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ error: 'too_large' });
    });
  });

  it('ignores unknown fields and does not store them', async () => {
    const res = await t.ingest([fill('u1', { symbol: 'MSFT', hedge_fund_secret: 'do not keep' })]);
    expect(res.status).toBe(200);
    const row = await t.hub.store.db
      .selectFrom('fills')
      .selectAll()
      .where('id', '=', 'u1')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('do not keep');
  });

  it('stores symbols with unicode, quotes and markup verbatim', async () => {
    const symbol = `<script>alert('x')</script>"; DROP TABLE fills; --Ω`;
    const res = await t.ingest([fill('s1', { symbol, bot: 'weird' })]);
    expect(res.status).toBe(200);
    const positions = await t.get<{ items: { symbol: string }[] }>('/api/v1/positions?bot=weird');
    expect(positions.body.items.map((p) => p.symbol)).toEqual([symbol]);
  });

  it('lets a bot-bound token write only as its bot', async () => {
    const { token } = await t.hub.tokens.create({
      name: 'alpha-only',
      scopes: ['ingest'],
      bot: 'alpha',
    });
    expect((await t.ingest([fill('b1', { symbol: 'B' })], token)).status).toBe(200);
    const before = await snapshot(t);
    const res = await t.ingest([fill('b2', { symbol: 'B' }), fill('b3', { bot: 'beta' })], token);
    expect(res.status).toBe(403);
    expect(res.body.details).toEqual([expect.objectContaining({ index: 1, path: 'bot' })]);
    expect(await snapshot(t)).toEqual(before);
  });

  it('needs a token with the ingest scope', async () => {
    const { token } = await t.hub.tokens.create({ name: 'viewer', scopes: ['read'] });
    expect((await t.ingest([fill('z1')], token)).status).toBe(403);
    expect((await t.ingest([fill('z1')], 'tw_not_a_token')).status).toBe(401);
    const res = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/ingest',
      payload: { events: [] },
    });
    expect(res.statusCode).toBe(401);
  });

  it('applies the instrument multiplier to futures P&L', async () => {
    await t.ingest([
      fill('es1', { symbol: 'ES', bot: 'fut', qty: 2, price: 5000, fee: 2.5 }),
      fill('es2', {
        symbol: 'ES',
        bot: 'fut',
        side: 'sell',
        qty: 2,
        price: 5010.25,
        fee: 2.5,
        ts: T0 + 60_000,
      }),
    ]);
    const trades = await t.get<{
      items: { gross_pnl: number; fees: number; net_pnl: number; status: string }[];
    }>('/api/v1/trades?bot=fut');
    // 2 × 10.25 × 50 = 1025 gross, 5 fees
    expect(trades.body.items).toEqual([
      expect.objectContaining({ status: 'closed', gross_pnl: 1025, fees: 5, net_pnl: 1020 }),
    ]);
  });
});
