import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertSignal } from '../alert-sink.js';
import { dialects } from '../testing/stores.js';
import { startTestHub, type TestHub } from '../testing/test-hub.js';
import { integrationsModule } from './index.js';

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../test/fixtures',
);
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

const FACT_TABLES = [
  'fills',
  'order_events',
  'logs',
  'signals',
  'heartbeats',
  'position_snapshots',
] as const;

describe.each(dialects)('adapters on %s', (kind) => {
  let t: TestHub;
  let botToken: string;
  let otherToken: string;
  let unboundToken: string;
  const alerts: {
    kind: 'fire' | 'resolve';
    name: string;
    labels?: Record<string, string>;
    signal?: AlertSignal;
  }[] = [];

  beforeAll(async () => {
    t = await startTestHub(kind, {}, undefined, { modules: [integrationsModule] });
    t.hub.alertSink = {
      async fire(signal) {
        alerts.push({ kind: 'fire', name: signal.name, labels: signal.labels, signal });
      },
      async resolve(name, labels) {
        alerts.push({ kind: 'resolve', name, labels });
      },
    };
    botToken = (await t.hub.tokens.create({ name: 'ft', scopes: ['ingest'], bot: 'ft-1' })).token;
    otherToken = (await t.hub.tokens.create({ name: 'other', scopes: ['ingest'], bot: 'other' }))
      .token;
    unboundToken = (await t.hub.tokens.create({ name: 'any', scopes: ['ingest'] })).token;
  });
  afterAll(async () => {
    await t.close();
  });

  async function post(
    url: string,
    body: string,
    opts: { token?: string | null; contentType?: string } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {
      'content-type': opts.contentType ?? 'application/json',
    };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? botToken}`;
    const res = await t.hub.app.inject({ method: 'POST', url, headers, payload: body });
    return { status: res.statusCode, body: res.json() };
  }

  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of FACT_TABLES) {
      const row = await t.hub.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[table] = Number(row.n);
    }
    return out;
  }

  describe('Freqtrade', () => {
    it('records an entry fill as a filled order and a buy fill, from string values', async () => {
      const r = await post('/api/v1/adapters/freqtrade', fixture('freqtrade/entry_fill.json'));
      expect(r).toEqual({ status: 200, body: { accepted: 2, duplicates: 0 } });
      const fills = await t.get<{ items: Record<string, unknown>[] }>('/api/v1/fills?bot=ft-1');
      expect(fills.body.items).toHaveLength(1);
      expect(fills.body.items[0]).toMatchObject({
        bot: 'ft-1',
        symbol: 'BTC/USDT',
        side: 'buy',
        qty: 0.0015,
        price: 42000.5,
        ts: '2024-01-02T10:00:00.123Z',
        order_id: 'ft-7-entry',
        strategy: 'rsi_cross',
      });
    });

    it('is idempotent: the same webhook delivered twice counts once', async () => {
      const r = await post('/api/v1/adapters/freqtrade', fixture('freqtrade/entry_fill.json'));
      expect(r).toEqual({ status: 200, body: { accepted: 0, duplicates: 2 } });
    });

    it('maps the exit of a long to a sell and closes the round trip', async () => {
      expect(
        (await post('/api/v1/adapters/freqtrade', fixture('freqtrade/exit.json'))).status,
      ).toBe(200);
      const r = await post('/api/v1/adapters/freqtrade', fixture('freqtrade/exit_fill.json'));
      expect(r.body).toEqual({ accepted: 2, duplicates: 0 });
      const fills = await t.get<{ items: { side: string; price: number }[] }>(
        '/api/v1/fills?bot=ft-1',
      );
      expect(fills.body.items.map((f) => [f.side, f.price])).toEqual([
        ['sell', 43100],
        ['buy', 42000.5],
      ]);
      const orders = await t.get<{ items: { order_id: string; status: string }[] }>(
        '/api/v1/orders?bot=ft-1',
      );
      expect(orders.body.items.map((o) => [o.order_id, o.status]).sort()).toEqual([
        ['ft-7-entry', 'filled'],
        ['ft-7-exit', 'filled'],
      ]);
    });

    it('maps a short exit to a buy, numeric templates and cancels', async () => {
      for (const f of [
        'short-exit_fill',
        'numeric-entry_fill',
        'entry_cancel',
        'exit_cancel',
        'entry',
      ]) {
        const r = await post('/api/v1/adapters/freqtrade?bot=ft-1', fixture(`freqtrade/${f}.json`));
        expect(r.status, f).toBe(200);
      }
      const fills = await t.get<{ items: { symbol: string; side: string; fee: number }[] }>(
        '/api/v1/fills?bot=ft-1',
      );
      expect(fills.body.items.find((f) => f.symbol === 'ETH/USDT:USDT')?.side).toBe('buy');
      expect(fills.body.items.find((f) => f.symbol === 'SOL/USDT')?.fee).toBe(0.1);
      const orders = await t.get<{ items: { order_id: string; status: string; side: string }[] }>(
        '/api/v1/orders?bot=ft-1',
      );
      expect(orders.body.items.find((o) => o.order_id === 'ft-8-entry')).toMatchObject({
        status: 'cancelled',
        side: 'sell',
      });
    });

    it('turns status, startup, warning, exception, strategy and protection messages into logs', async () => {
      const types = [
        'startup',
        'status',
        'warning',
        'exception',
        'strategy_msg',
        'protection_trigger',
      ];
      for (const f of types) {
        t.clock.advance(1_000);
        const r = await post('/api/v1/adapters/freqtrade', fixture(`freqtrade/${f}.json`));
        expect(r.status, f).toBe(200);
      }
      const logs = await t.get<{ items: { level: string; message: string }[] }>(
        '/api/v1/logs?bot=ft-1',
      );
      const levels = logs.body.items.map((l) => l.level).sort();
      expect(levels).toEqual(['error', 'info', 'info', 'info', 'warning', 'warning']);
      expect(logs.body.items.some((l) => l.message.startsWith('Protection locked BTC/USDT'))).toBe(
        true,
      );
      const bots = await t.get<{
        items: { id: string; reported_status: string | null; framework: string | null }[];
      }>('/api/v1/bots');
      expect(bots.body.items.find((b) => b.id === 'ft-1')).toMatchObject({
        reported_status: 'running',
        framework: 'freqtrade',
      });
    });

    it.each([
      ['freqtrade/bad-missing-pair.json', 'pair'],
      ['freqtrade/bad-amount.json', 'amount'],
      ['freqtrade/bad-unknown-type.json', 'type'],
      ['freqtrade/malformed-truncated.txt', ''],
    ])('rejects %s with a 400 naming the field and stores nothing', async (file, field) => {
      const before = await counts();
      const r = await post('/api/v1/adapters/freqtrade', fixture(file));
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid');
      expect(r.body.message).toMatch(/nothing was stored|not valid JSON/);
      const details = r.body.details as { path: string }[];
      expect(details.map((d) => d.path)).toContain(field);
      expect(await counts()).toEqual(before);
    });
  });

  describe('the Freqtrade webhook config block of docs/integrations.md', () => {
    // What Freqtrade's RPC messages carry (freqtrade/rpc/rpc_types.py), rendered as str.format does.
    const message: Record<string, string> = {
      trade_id: '21',
      pair: 'XRP/USDT',
      direction: 'Long',
      amount: '150.0',
      open_rate: '0.61',
      close_rate: '0.64',
      limit: '0.64',
      order_type: 'limit',
      enter_tag: 'None',
      exit_reason: 'roi',
      reason: 'cancelled due to timeout',
      open_date: '2024-02-01 08:00:00.250000+00:00',
      close_date: '2024-02-01 11:00:00.500000+00:00',
      status: 'running',
      msg: 'hello from the strategy',
      lock_end_time: '2024-02-01 12:00:00',
    };
    const config = JSON.parse(
      readFileSync(path.join(FIXTURES, '../../examples/freqtrade/webhook-config.json'), 'utf8'),
    ) as { webhook: Record<string, unknown> };
    const types = Object.keys(config.webhook).filter((k) => typeof config.webhook[k] === 'object');

    it.each(types)('the %s template renders to a body the adapter accepts', async (type) => {
      const template = config.webhook[type] as Record<string, string>;
      const body = Object.fromEntries(
        Object.entries(template).map(([k, v]) => [
          k,
          v.replace(/\{(\w+)\}/g, (_m, name: string) => {
            expect(message, `placeholder {${name}}`).toHaveProperty(name);
            return message[name]!;
          }),
        ]),
      );
      const r = await post('/api/v1/adapters/freqtrade?bot=ft-docs', JSON.stringify(body), {
        token: unboundToken,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    });

    it('points at the adapter with a bot and a token in the URL', () => {
      expect(config.webhook.url).toMatch(/\/api\/v1\/adapters\/freqtrade\?bot=[^&]+&token=/);
      expect(config.webhook.format).toBe('json');
    });
  });

  describe('authentication and bot binding', () => {
    it('accepts the token as a query parameter', async () => {
      const r = await post(
        `/api/v1/adapters/freqtrade?token=${encodeURIComponent(botToken)}`,
        JSON.stringify({ type: 'status', status: 'running' }),
        { token: null },
      );
      expect(r.status).toBe(200);
    });

    it('refuses a wrong query token (401) and a missing one (401)', async () => {
      const body = JSON.stringify({ type: 'status', status: 'running' });
      expect(
        (await post('/api/v1/adapters/freqtrade?token=tw_nope', body, { token: null })).status,
      ).toBe(401);
      expect(
        (await post('/api/v1/adapters/freqtrade?bot=ft-1', body, { token: null })).status,
      ).toBe(401);
    });

    it('does not accept a query token on other routes', async () => {
      const res = await t.hub.app.inject({
        method: 'GET',
        url: `/api/v1/fills?token=${encodeURIComponent(t.admin)}`,
      });
      expect(res.statusCode).toBe(401);
    });

    it('refuses to write as another bot than the token is bound to (403)', async () => {
      const r = await post(
        '/api/v1/adapters/freqtrade?bot=ft-1',
        fixture('freqtrade/status.json'),
        {
          token: otherToken,
        },
      );
      expect(r.status).toBe(403);
    });

    it('needs ?bot= with an unbound token', async () => {
      const r = await post('/api/v1/adapters/freqtrade', fixture('freqtrade/status.json'), {
        token: unboundToken,
      });
      expect(r.status).toBe(400);
      expect(r.body.details).toEqual([{ path: 'query.bot', message: 'required' }]);
      const ok = await post(
        '/api/v1/adapters/freqtrade?bot=ft-2',
        fixture('freqtrade/status.json'),
        {
          token: unboundToken,
        },
      );
      expect(ok.status).toBe(200);
    });

    it('never echoes the query token in an error', async () => {
      const r = await post(`/api/v1/adapters/nope?token=${encodeURIComponent(botToken)}`, '{}', {
        token: null,
      });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(JSON.stringify(r.body)).not.toContain(botToken);
    });
  });

  describe('LEAN', () => {
    it('maps a serialized order event to an order update and a fill with its fee', async () => {
      const r = await post(
        '/api/v1/adapters/lean?bot=lean-1',
        fixture('lean/order-event-filled.json'),
        {
          token: unboundToken,
        },
      );
      expect(r).toEqual({ status: 200, body: { accepted: 2, duplicates: 0 } });
      const fills = await t.get<{ items: Record<string, unknown>[] }>('/api/v1/fills?bot=lean-1');
      expect(fills.body.items[0]).toMatchObject({
        id: 'lean:L-1234abcd-1-3',
        symbol: 'SPY',
        side: 'buy',
        qty: 100,
        price: 470.25,
        fee: 1,
        fee_currency: 'USD',
        order_id: '1',
        ts: '2024-01-02T14:30:00.500Z',
      });
    });

    it('maps partial fills, the final fill and a cancel from an array of events', async () => {
      const r = await post('/api/v1/adapters/lean?bot=lean-1', fixture('lean/order-events.json'), {
        token: unboundToken,
      });
      expect(r.status).toBe(200);
      const fills = await t.get<{ items: { symbol: string; side: string; qty: number }[] }>(
        '/api/v1/fills?bot=lean-1&symbol=AAPL',
      );
      expect(fills.body.items.map((f) => [f.side, f.qty])).toEqual([
        ['sell', 30],
        ['sell', 20],
      ]);
      const orders = await t.get<{
        items: { order_id: string; status: string; filled_qty: number }[];
      }>('/api/v1/orders?bot=lean-1');
      expect(orders.body.items.find((o) => o.order_id === '2')).toMatchObject({
        status: 'filled',
        filled_qty: 50,
      });
      expect(orders.body.items.find((o) => o.order_id === '3')?.status).toBe('cancelled');
    });

    it('maps the QuantConnect webhook body: numeric statuses, fees and holdings', async () => {
      const r = await post('/api/v1/adapters/lean?bot=qc-1', fixture('lean/qc-webhook.json'), {
        token: unboundToken,
      });
      expect(r.status).toBe(200);
      const fills = await t.get<{ items: Record<string, unknown>[] }>('/api/v1/fills?bot=qc-1');
      expect(fills.body.items).toHaveLength(1);
      expect(fills.body.items[0]).toMatchObject({
        symbol: 'EURUSD',
        side: 'sell',
        qty: 10000,
        fee: 0.2,
      });
      const orders = await t.get<{ items: { order_id: string; status: string }[] }>(
        '/api/v1/orders?bot=qc-1',
      );
      expect(orders.body.items.find((o) => o.order_id === '42')?.status).toBe('submitted');
      const snapshots = await t.hub.store.db
        .selectFrom('position_snapshots')
        .selectAll()
        .where('bot', '=', 'qc-1')
        .execute();
      expect(snapshots).toHaveLength(2);
    });

    it.each([
      ['lean/bad-status.json', 'OrderEvents.0.status'],
      ['lean/bad-missing-order-id.json', 'OrderEvents.0.orderId'],
      ['lean/bad-partial-batch.json', 'OrderEvents.1.fillPrice'],
    ])('rejects %s whole (400, nothing stored)', async (file, field) => {
      const before = await counts();
      const r = await post('/api/v1/adapters/lean?bot=lean-1', fixture(file), {
        token: unboundToken,
      });
      expect(r.status).toBe(400);
      expect((r.body.details as { path: string }[]).map((d) => d.path)).toContain(field);
      expect(await counts()).toEqual(before);
    });

    it('rejects a form body with a clear message', async () => {
      const r = await post('/api/v1/adapters/lean?bot=lean-1', fixture('lean/malformed-form.txt'), {
        token: unboundToken,
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(r.status).toBe(400);
    });
  });

  describe('TradingView', () => {
    it('turns a JSON strategy alert into a long signal', async () => {
      const r = await post(
        `/api/v1/adapters/tradingview?bot=tv-1&token=${encodeURIComponent(unboundToken)}`,
        fixture('tradingview/strategy-alert.json'),
        { token: null },
      );
      expect(r).toEqual({ status: 200, body: { accepted: 1, duplicates: 0 } });
      const signals = await t.get<{ items: Record<string, unknown>[] }>('/api/v1/signals?bot=tv-1');
      expect(signals.body.items[0]).toMatchObject({
        symbol: 'BINANCE:BTCUSDT',
        direction: 'long',
        strategy: 'Supertrend 3/10',
        ts: '2024-01-02T10:00:00.000Z',
      });
      expect(signals.body.items[0]!.note).toContain('price 42100.5');
    });

    it('reads plain-text alerts sent as text/plain', async () => {
      for (const f of ['plain-sell.txt', 'plain-flat.txt']) {
        const r = await post('/api/v1/adapters/tradingview?bot=tv-1', fixture(`tradingview/${f}`), {
          token: unboundToken,
          contentType: 'text/plain; charset=utf-8',
        });
        expect(r.status, f).toBe(200);
      }
      const r = await post(
        '/api/v1/adapters/tradingview?bot=tv-1',
        fixture('tradingview/indicator-alert.json'),
        {
          token: unboundToken,
        },
      );
      expect(r.status).toBe(200);
      const signals = await t.get<{
        items: { symbol: string; direction: string; strength: number | null }[];
      }>('/api/v1/signals?bot=tv-1');
      const bySymbol = Object.fromEntries(
        signals.body.items.map((s) => [s.symbol, [s.direction, s.strength]]),
      );
      expect(bySymbol).toMatchObject({
        ETHUSDT: ['short', 0.6],
        'ES1!': ['flat', null],
        'NQ1!': ['short', 0.8],
      });
    });

    it.each([
      ['tradingview/bad-missing-symbol.json', 'application/json'],
      ['tradingview/bad-direction.json', 'application/json'],
      ['tradingview/bad-plain-unreadable.txt', 'text/plain'],
      ['tradingview/malformed-json.txt', 'application/json'],
    ])('rejects %s (400, nothing stored)', async (file, contentType) => {
      const before = await counts();
      const r = await post('/api/v1/adapters/tradingview?bot=tv-1', fixture(file), {
        token: unboundToken,
        contentType,
      });
      expect(r.status).toBe(400);
      expect(typeof r.body.message).toBe('string');
      expect(await counts()).toEqual(before);
    });
  });

  describe('Alertmanager', () => {
    it('fires one hub alert per firing alert, with its labels and summary', async () => {
      alerts.length = 0;
      const r = await post('/api/v1/adapters/alertmanager', fixture('alertmanager/firing.json'), {
        token: unboundToken,
      });
      expect(r).toEqual({ status: 200, body: { fired: 2, resolved: 0 } });
      expect(alerts[0]).toMatchObject({
        kind: 'fire',
        name: 'NodeDiskFull',
        labels: {
          instance: 'vps-1:9100',
          severity: 'critical',
          mountpoint: '/',
          source: 'alertmanager',
        },
        signal: {
          severity: 'critical',
          summary: 'Disk / on vps-1 is 95% full',
          description: 'Only 2.1 GiB left on /.',
        },
      });
      expect(alerts[1]!.signal?.severity).toBe('warning');
    });

    it('resolves with the same identity labels', async () => {
      alerts.length = 0;
      const r = await post('/api/v1/adapters/alertmanager', fixture('alertmanager/resolved.json'), {
        token: unboundToken,
      });
      expect(r.body).toEqual({ fired: 0, resolved: 1 });
      expect(alerts).toEqual([
        {
          kind: 'resolve',
          name: 'NodeDiskFull',
          labels: {
            instance: 'vps-1:9100',
            severity: 'critical',
            mountpoint: '/',
            source: 'alertmanager',
          },
        },
      ]);
    });

    it.each([
      ['alertmanager/bad-status.json', 'alerts.0.status'],
      ['alertmanager/bad-missing-alertname.json', 'alerts.0.labels.alertname'],
      ['alertmanager/bad-no-alerts.json', 'alerts'],
      ['alertmanager/malformed-truncated.txt', ''],
    ])('rejects %s and raises nothing', async (file, field) => {
      alerts.length = 0;
      const r = await post('/api/v1/adapters/alertmanager', fixture(file), { token: unboundToken });
      expect(r.status).toBe(400);
      expect((r.body.details as { path: string }[]).map((d) => d.path)).toContain(field);
      expect(alerts).toEqual([]);
    });
  });

  it('uses the hub clock for messages without a time', async () => {
    const r = await post('/api/v1/adapters/tradingview?bot=tv-2', 'buy AAPL', {
      token: unboundToken,
      contentType: 'text/plain',
    });
    expect(r.status).toBe(200);
    const signals = await t.get<{ items: { ts: string }[] }>('/api/v1/signals?bot=tv-2');
    expect(signals.body.items[0]!.ts).toBe(new Date(t.clock.now()).toISOString());
  });
});
