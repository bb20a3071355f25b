import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogEvent } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertSignal } from '../alert-sink.js';
import { createTestDatabase, dialects } from '../testing/stores.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';
import { openStore } from '../store/index.js';
import { healthOf } from './index.js';
import type { SystemMeasurements } from './checks/checks.js';
import { HealthRuntime } from './runtime.js';

const GB = 1024 ** 3;
type HealthDoc = { status: string; checks: Record<string, Record<string, unknown>[]> };
const MIN = 60_000;

interface Recorded {
  op: 'fire' | 'resolve';
  name: string;
  labels: Record<string, string>;
  summary?: string;
  severity?: string;
}

/** Replaces the hub's alert sink with one that remembers every call. */
function recordAlerts(t: TestHub): Recorded[] {
  const calls: Recorded[] = [];
  t.hub.alertSink = {
    async fire(s: AlertSignal) {
      calls.push({
        op: 'fire',
        name: s.name,
        labels: s.labels ?? {},
        summary: s.summary,
        severity: s.severity,
      });
    },
    async resolve(name, labels) {
      calls.push({ op: 'resolve', name, labels: labels ?? {} });
    },
  };
  return calls;
}

function healthy(over: Partial<SystemMeasurements> = {}): SystemMeasurements {
  return {
    database: { ok: true, ms: 2 },
    disk: { usedPct: 40, freeBytes: 100 * GB },
    memory: { usedPct: 30, rssBytes: 1e8 },
    cpu: { pct: 5 },
    eventLoop: { lagMs: 3 },
    datadir: { writable: true },
    ...over,
  };
}

async function request(t: TestHub, url: string, headers: Record<string, string> = {}) {
  const res = await t.hub.app.inject({ method: 'GET', url, headers });
  return res;
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

describe.each(dialects)('health module on %s', (kind) => {
  let t: TestHub;
  let rt: HealthRuntime;
  let alerts: Recorded[];
  let readToken: string;
  let ingestToken: string;

  beforeAll(async () => {
    t = await startTestHub(kind, {
      accounts: [{ id: 'acc1', opening_balance: 10_000 }],
      probes: [{ name: 'vendor', url: 'http://127.0.0.1:9/status', failures_before_alert: 2 }],
      health: { reconciliation: { orphan_after_minutes: 60, unknown_order_grace_minutes: 10 } },
    });
    rt = healthOf(t.hub)!;
    alerts = recordAlerts(t);
    rt.probeFetch = async () => ({ status: 200 });
    readToken = (await t.hub.tokens.create({ name: 'reader', scopes: ['read'] })).token;
    ingestToken = (await t.hub.tokens.create({ name: 'bot', scopes: ['ingest'] })).token;
  });
  afterAll(async () => t.close());

  describe('readiness', () => {
    it('is 503 until the workers start, then 200; 503 again from the moment shutdown begins', async () => {
      const before = await request(t, '/readyz');
      expect(before.statusCode).toBe(503);
      expect(before.json()).toMatchObject({
        error: 'not_ready',
        message: expect.stringContaining('workers') as unknown,
      });
      await t.hub.startModules();
      const ready = await request(t, '/readyz');
      expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready' }]);
      t.hub.shuttingDown = true;
      try {
        const closing = await request(t, '/readyz');
        expect(closing.statusCode).toBe(503);
        expect(closing.json().message).toContain('shutting down');
      } finally {
        t.hub.shuttingDown = false;
      }
      expect((await request(t, '/livez')).statusCode).toBe(200);
    });
  });

  describe('/health', () => {
    it('without a token shows only the status; with the read scope every check', async () => {
      rt.measureOverride = async () => healthy();
      const anon = await request(t, '/health');
      expect(anon.statusCode).toBe(200);
      expect(anon.headers['content-type']).toContain('application/health+json');
      expect(anon.json()).toEqual({ status: 'pass' });
      const ingestOnly = await request(t, '/health', bearer(ingestToken));
      expect(ingestOnly.json()).toEqual({ status: 'pass' });
      const full = await request(t, '/health', bearer(readToken));
      const doc = full.json<HealthDoc>();
      expect(doc).toMatchObject({ status: 'pass', releaseId: expect.any(String) as unknown });
      expect(Object.keys(doc.checks)).toEqual(
        expect.arrayContaining([
          'database:responseTime',
          'disk:utilization',
          'memory:utilization',
          'cpu:utilization',
          'eventloop:lag',
          'datadir:writable',
          'marks:staleness',
          'probe:vendor:responseTime',
        ]),
      );
      expect(doc.checks['database:responseTime']![0]).toMatchObject({
        observedValue: 2,
        observedUnit: 'ms',
        status: 'pass',
        time: new Date(T0).toISOString(),
      });
      expect((await request(t, '/health', bearer('tw_not_a_real_token_at_all'))).statusCode).toBe(
        401,
      );
    });

    it.each([
      ['pass', healthy(), 200],
      ['warn', healthy({ memory: { usedPct: 85, rssBytes: 1 } }), 200],
      ['fail', healthy({ disk: { usedPct: 60, freeBytes: 0.1 * GB } }), 503],
      ['fail', healthy({ database: { ok: false, error: 'connection refused' } }), 503],
    ] as const)('answers %s with %j as HTTP %s', async (status, m, code) => {
      rt.measureOverride = async () => m;
      const res = await request(t, '/health');
      expect([res.statusCode, res.json().status]).toEqual([code, status]);
    });

    it('one component alone; unknown components are 404; the route needs a token', async () => {
      rt.measureOverride = async () => healthy({ database: { ok: true, ms: 400 } });
      const db = await request(t, '/health/database', bearer(readToken));
      expect(db.statusCode).toBe(200);
      expect(Object.keys(db.json<HealthDoc>().checks)).toEqual(['database:responseTime']);
      expect(db.json().status).toBe('warn');
      const probes = await request(t, '/health/probes', bearer(readToken));
      expect(Object.keys(probes.json<HealthDoc>().checks)).toEqual(['probe:vendor:responseTime']);
      const channels = await request(t, '/health/channels', bearer(readToken));
      expect(channels.json()).toMatchObject({ status: 'pass', checks: {} });
      expect((await request(t, '/health/nonsense', bearer(readToken))).statusCode).toBe(404);
      expect((await request(t, '/health/database')).statusCode).toBe(401);
    });

    it('bots show heartbeat age and connections', async () => {
      rt.measureOverride = async () => healthy();
      expect(
        (
          await t.ingest([
            {
              type: 'heartbeat',
              bot: 'hb-bot',
              ts: T0 - 5000,
              interval_s: 30,
              connections: { broker: 'up', feed: 'down' },
            },
          ])
        ).status,
      ).toBe(200);
      // Heartbeat age counts from when the hub received it.
      t.clock.advance(5000);
      let bots;
      try {
        bots = (await request(t, '/health/bots', bearer(readToken))).json();
      } finally {
        t.clock.advance(-5000);
      }
      expect(bots.checks['bot:hb-bot:heartbeatAge'][0]).toMatchObject({
        observedValue: 5,
        status: 'pass',
      });
      expect(bots.checks['bot:hb-bot:connection:feed'][0]).toMatchObject({ status: 'warn' });
      expect(bots.status).toBe('warn');
    });
  });

  describe('request ids and response times', () => {
    it('every answer carries X-Request-Id (echoing a sane one) and X-Response-Time', async () => {
      for (const [url, headers] of [
        ['/livez', {}],
        ['/api/v1/portfolio', {}],
        ['/no/such/route', {}],
        ['/api/v1/portfolio', bearer(readToken)],
      ] as const) {
        const res = await request(t, url, { 'x-request-id': 'abc-123', ...headers });
        expect(res.headers['x-request-id']).toBe('abc-123');
        expect(res.headers['x-response-time']).toMatch(/^\d+\.\d{3}ms$/);
      }
      const generated = await request(t, '/livez');
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const odd = await request(t, '/livez', { 'x-request-id': 'x'.repeat(500) });
      expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('metrics', () => {
    it('serves Prometheus text with HTTP, ingest, ledger, bot and latency metrics', async () => {
      await t.ingest([
        {
          type: 'order',
          id: 'mo1',
          bot: 'm-bot',
          ts: T0 - 2000,
          order_id: 'M1',
          symbol: 'ES',
          side: 'buy',
          qty: 1,
          order_type: 'market',
          status: 'submitted',
          account: 'acc1',
        },
        {
          type: 'fill',
          id: 'mf1',
          bot: 'm-bot',
          ts: T0 - 1500,
          symbol: 'ES',
          side: 'buy',
          qty: 1,
          price: 5000,
          order_id: 'M1',
          account: 'acc1',
        },
        { type: 'mark', bot: 'm-bot', ts: T0 - 400, symbol: 'ES', price: 5001 },
      ]);
      const res = await request(t, '/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      const text = res.body;
      for (const line of [
        'tradewatch_ingest_events_total{type="fill"}',
        'tradewatch_ingest_events_total{type="order"}',
        'tradewatch_account_equity{account="acc1",currency="USD"}',
        'tradewatch_portfolio_equity ',
        'tradewatch_bot_open_positions{bot="m-bot"} 1',
        'tradewatch_bot_up{bot="hb-bot"} 1',
        'tradewatch_bot_heartbeat_age_seconds{bot="hb-bot"} 0',
        'tradewatch_order_latency_seconds_bucket{le="0.25",bot="m-bot"} 0',
        'tradewatch_order_latency_seconds_bucket{le="0.5",bot="m-bot"} 1',
        'tradewatch_feed_latency_seconds_count{bot="m-bot"} 1',
        'tradewatch_http_request_duration_seconds_count{method="GET",route="/livez",status_code="200"}',
        'process_resident_memory_bytes',
      ]) {
        expect(text).toContain(line);
      }
      // Bounded labels: no order or trade ids anywhere.
      expect(text).not.toContain('M1');
    });

    it.skipIf(!hasPromtool)('passes promtool check metrics', async () => {
      const res = await request(t, '/metrics');
      const check = spawnSync('promtool', ['check', 'metrics'], { input: res.body });
      expect(`${check.stdout.toString()}${check.stderr.toString()}`).toBe('');
      expect(check.status).toBe(0);
    });
  });

  describe('the event log', () => {
    it('derives TRADE, ORDER, SIGNAL and LOG events from ingested facts and stores recorded ones', async () => {
      await t.ingest([
        {
          type: 'fill',
          id: 'e1',
          bot: 'ev-bot',
          ts: T0 - 60_000,
          symbol: 'AAPL',
          side: 'buy',
          qty: 10,
          price: 100,
          strategy: 'momo',
          account: 'acc1',
        },
        {
          type: 'fill',
          id: 'e2',
          bot: 'ev-bot',
          ts: T0 - 30_000,
          symbol: 'AAPL',
          side: 'sell',
          qty: 10,
          price: 104,
          strategy: 'momo',
          account: 'acc1',
        },
        {
          type: 'order',
          id: 'eo1',
          bot: 'ev-bot',
          ts: T0 - 20_000,
          order_id: 'R1',
          symbol: 'AAPL',
          side: 'buy',
          qty: 5,
          order_type: 'limit',
          limit_price: 99,
          status: 'rejected',
          reason: 'insufficient margin',
          account: 'acc1',
        },
        {
          type: 'signal',
          bot: 'ev-bot',
          ts: T0 - 10_000,
          symbol: 'AAPL',
          direction: 'long',
          strategy: 'momo',
        },
        { type: 'log', bot: 'ev-bot', ts: T0 - 5000, level: 'info', message: 'heartbeat ok' },
        {
          type: 'log',
          bot: 'ev-bot',
          ts: T0 - 4000,
          level: 'error',
          message: 'broker socket closed',
        },
      ]);
      await t.hub.events.record({
        type: 'AUDIT',
        severity: 'info',
        message: 'token created',
        actor: 'admin',
      });
      await rt.flushEvents();

      const all = await t.get<{ items: { type: string; message: string }[] }>(
        '/api/v1/events?type=TRADE,ORDER,SIGNAL,LOG&bot=ev-bot',
        readToken,
      );
      expect(all.body.items.map((e) => e.type)).toEqual([
        'LOG',
        'SIGNAL',
        'ORDER',
        'TRADE',
        'TRADE',
      ]);
      const trades = await t.get<{
        items: { message: string; trade_id: string; strategy: string }[];
      }>('/api/v1/events?type=trade&bot=ev-bot', readToken);
      expect(trades.body.items.map((e) => e.message)).toEqual([
        'closed long 10 AAPL: net 40.00',
        'opened long 10 AAPL',
      ]);
      const tradeId = trades.body.items[0]!.trade_id;
      const byTrade = await t.get<{ items: unknown[] }>(
        `/api/v1/events?type=TRADE&trade_id=${tradeId}`,
        readToken,
      );
      expect(byTrade.body.items).toHaveLength(2);
      const bad = await t.get<{ items: { message: string }[] }>(
        '/api/v1/events?type=TRADE,ORDER,SIGNAL,LOG&severity=warning,error&bot=ev-bot',
        readToken,
      );
      expect(bad.body.items.map((e) => e.message)).toEqual([
        'broker socket closed',
        'order R1 buy 5 AAPL rejected: insufficient margin',
      ]);
      const text = await t.get<{ items: unknown[] }>(
        '/api/v1/events?type=TRADE,ORDER,SIGNAL,LOG&q=SOCKET',
        readToken,
      );
      expect(text.body.items).toHaveLength(1);
      const audit = await t.get<{ items: { actor: string }[] }>(
        '/api/v1/events?type=AUDIT',
        readToken,
      );
      expect(audit.body.items).toContainEqual(
        expect.objectContaining({ actor: 'admin', message: 'token created' }),
      );
      const window = await t.get<{ items: unknown[] }>(
        `/api/v1/events?type=TRADE,ORDER,SIGNAL,LOG&bot=ev-bot&from=${T0 - 25_000}&to=${T0 - 5000}`,
        readToken,
      );
      expect(window.body.items).toHaveLength(2);
    });

    it('pages with a cursor', async () => {
      const first = await t.get<{ items: { id: string }[]; next_cursor: string }>(
        '/api/v1/events?type=TRADE,ORDER,SIGNAL,LOG&bot=ev-bot&limit=2',
        readToken,
      );
      expect(first.body.items).toHaveLength(2);
      const second = await t.get<{ items: { id: string }[]; next_cursor: string | null }>(
        `/api/v1/events?type=TRADE,ORDER,SIGNAL,LOG&bot=ev-bot&limit=2&cursor=${first.body.next_cursor}`,
        readToken,
      );
      const third = await t.get<{ items: { id: string }[]; next_cursor: string | null }>(
        `/api/v1/events?type=TRADE,ORDER,SIGNAL,LOG&bot=ev-bot&limit=2&cursor=${second.body.next_cursor}`,
        readToken,
      );
      const ids = [...first.body.items, ...second.body.items, ...third.body.items].map((e) => e.id);
      expect(new Set(ids).size).toBe(5);
      expect(third.body.next_cursor).toBeNull();
      expect((await t.get('/api/v1/events?cursor=garbage', readToken)).status).toBe(400);
      expect((await t.get('/api/v1/events?type=NOPE', readToken)).status).toBe(400);
    });

    it('summarises counts by type, severity and bot over a window', async () => {
      const s = await t.get<{
        total: number;
        by_type: Record<string, number>;
        by_severity: Record<string, number>;
        by_bot: { bot: string | null; count: number }[];
      }>(`/api/v1/events/summary?from=${T0 - 120_000}&to=${T0 - 3000}`, readToken);
      expect(s.status).toBe(200);
      expect(s.body.by_type).toMatchObject({ TRADE: 2, ORDER: 1, SIGNAL: 1, LOG: 1 });
      expect(s.body.by_severity.error).toBe(1);
      // Other modules record events too (ALERT …): at least the five derived ones count for the bot.
      expect(s.body.by_bot.find((b) => b.bot === 'ev-bot')?.count).toBeGreaterThanOrEqual(5);
    });
  });

  describe('reconciliation', () => {
    it('raises ReconciliationMismatch with both figures and resolves it when the broker agrees', async () => {
      await t.ingest([
        {
          type: 'fill',
          id: 'r1',
          bot: 'rc-bot',
          ts: T0 - 10_000,
          symbol: 'MSFT',
          side: 'buy',
          qty: 10,
          price: 300,
          account: 'acc1',
        },
        { type: 'position', bot: 'rc-bot', ts: T0 - 5000, symbol: 'MSFT', qty: 7, account: 'acc1' },
      ]);
      alerts.length = 0;
      await rt.reconcileAndAlert();
      const fired = alerts.filter((a) => a.name === 'ReconciliationMismatch');
      expect(fired).toEqual([
        expect.objectContaining({
          op: 'fire',
          labels: { account: 'acc1', kind: 'position', symbol: 'MSFT' },
          summary: 'acc1 MSFT: broker position 7, ledger 10',
        }),
      ]);
      const report = await t.get<{
        items: Record<string, unknown>[];
        summary: Record<string, number>;
      }>('/api/v1/reconciliation', readToken);
      expect(report.body.items.find((i) => i.symbol === 'MSFT')).toMatchObject({
        status: 'mismatch',
        broker: 7,
        ledger: 10,
        difference: -3,
        reported_by: 'rc-bot',
      });
      await t.ingest([
        {
          type: 'position',
          bot: 'rc-bot',
          ts: T0 - 1000,
          symbol: 'MSFT',
          qty: 10,
          account: 'acc1',
        },
      ]);
      alerts.length = 0;
      await rt.reconcileAndAlert();
      expect(alerts.filter((a) => a.name === 'ReconciliationMismatch')).toEqual([
        {
          op: 'resolve',
          name: 'ReconciliationMismatch',
          labels: { account: 'acc1', kind: 'position', symbol: 'MSFT' },
        },
      ]);
    });

    it('raises OrphanedOrder for an open order without updates and for fills of unknown orders, and resolves them', async () => {
      await t.ingest([
        {
          type: 'order',
          id: 'oo1',
          bot: 'orph-bot',
          ts: T0,
          order_id: 'O-STUCK',
          symbol: 'AAPL',
          side: 'buy',
          qty: 1,
          order_type: 'limit',
          limit_price: 90,
          status: 'submitted',
          account: 'acc1',
        },
        {
          type: 'fill',
          id: 'of1',
          bot: 'orph-bot',
          ts: T0,
          symbol: 'AAPL',
          side: 'buy',
          qty: 1,
          price: 95,
          order_id: 'O-GHOST',
          account: 'acc1',
        },
      ]);
      t.clock.advance(61 * MIN);
      try {
        alerts.length = 0;
        await rt.reconcileAndAlert();
        const orphans = alerts.filter((a) => a.name === 'OrphanedOrder');
        expect(orphans.map((a) => [a.op, a.labels])).toEqual(
          expect.arrayContaining([
            ['fire', { bot: 'orph-bot', kind: 'stale_open' }],
            ['fire', { bot: 'orph-bot', kind: 'unknown_order' }],
          ]),
        );
        const report = await t.get<{
          orphaned_orders: { order_id: string }[];
          unknown_order_fills: { order_id: string }[];
        }>('/api/v1/reconciliation', readToken);
        expect(report.body.orphaned_orders.map((o) => o.order_id)).toContain('O-STUCK');
        expect(report.body.unknown_order_fills.map((o) => o.order_id)).toEqual(['O-GHOST']);

        await t.ingest([
          {
            type: 'order',
            id: 'oo2',
            bot: 'orph-bot',
            ts: T0 + 61 * MIN,
            order_id: 'O-STUCK',
            symbol: 'AAPL',
            side: 'buy',
            qty: 1,
            order_type: 'limit',
            limit_price: 90,
            status: 'cancelled',
            account: 'acc1',
          },
          {
            type: 'order',
            id: 'oo3',
            bot: 'orph-bot',
            ts: T0 - 1000,
            order_id: 'O-GHOST',
            symbol: 'AAPL',
            side: 'buy',
            qty: 1,
            order_type: 'market',
            status: 'filled',
            account: 'acc1',
          },
        ]);
        alerts.length = 0;
        await rt.reconcileAndAlert();
        expect(
          alerts
            .filter((a) => a.name === 'OrphanedOrder' && a.labels.bot === 'orph-bot')
            .map((a) => [a.op, a.labels.kind]),
        ).toEqual(
          expect.arrayContaining([
            ['resolve', 'stale_open'],
            ['resolve', 'unknown_order'],
          ]),
        );
      } finally {
        t.clock.advance(-61 * MIN);
      }
    });
  });

  describe('probes and threshold alerts', () => {
    it('ProbeFailed fires after failures in a row and resolves on success; the check follows', async () => {
      const probe = rt.probes[0]!;
      rt.probeFetch = async () => ({ status: 502 });
      alerts.length = 0;
      await rt.runProbe(probe);
      await rt.runProbe(probe);
      expect(alerts.filter((a) => a.name === 'ProbeFailed')).toEqual([
        expect.objectContaining({ op: 'fire', name: 'ProbeFailed', labels: { probe: 'vendor' } }),
      ]);
      rt.measureOverride = async () => healthy();
      const failing = (await request(t, '/health/probes', bearer(readToken))).json();
      expect(failing.status).toBe('fail');
      expect(failing.checks['probe:vendor:responseTime'][0].output).toBe(
        'answered 502, expected 2xx',
      );
      rt.probeFetch = async () => ({ status: 200 });
      await rt.runProbe(probe);
      expect(alerts.filter((a) => a.name === 'ProbeFailed').at(-1)).toEqual({
        op: 'resolve',
        name: 'ProbeFailed',
        labels: { probe: 'vendor' },
      });
    });

    it('ResourceHigh fires from the sampler and resolves when the resource recovers', async () => {
      rt.measureOverride = async () => healthy({ memory: { usedPct: 97, rssBytes: 1 } });
      alerts.length = 0;
      await rt.tick();
      expect(alerts.filter((a) => a.name === 'ResourceHigh')).toEqual([
        expect.objectContaining({
          op: 'fire',
          name: 'ResourceHigh',
          labels: { resource: 'memory' },
          severity: 'critical',
        }),
      ]);
      rt.measureOverride = async () => healthy();
      await rt.tick();
      expect(alerts.filter((a) => a.name === 'ResourceHigh').at(-1)).toEqual({
        op: 'resolve',
        name: 'ResourceHigh',
        labels: { resource: 'memory' },
      });
      rt.measureOverride = null;
    });
  });

  describe('sampling and latency history', () => {
    it('stores resource samples and per-minute latency percentiles, served for the dashboard', async () => {
      rt.measureOverride = null;
      await rt.tick();
      const samples = await t.get<{ items: { ts: string; rss_bytes: number; bucket_s: number }[] }>(
        `/api/v1/health/samples?from=${T0 - MIN}&to=${T0 + MIN}`,
        readToken,
      );
      expect(samples.body.items.length).toBeGreaterThan(0);
      expect(samples.body.items[0]!.rss_bytes).toBeGreaterThan(0);
      expect(samples.body.items[0]!.bucket_s).toBe(15);

      t.clock.advance(MIN);
      try {
        await rt.tick();
      } finally {
        t.clock.advance(-MIN);
      }
      const order = await t.get<{ items: { count: number; p50: number }[] }>(
        `/api/v1/health/latency?metric=order_latency&bot=m-bot&from=${T0 - MIN}&to=${T0 + MIN}`,
        readToken,
      );
      expect(order.body.items).toEqual([expect.objectContaining({ count: 1, p50: 500 })]);
      const feed = await t.get<{ items: { p99: number }[] }>(
        `/api/v1/health/latency?metric=feed_latency&from=${T0 - MIN}&to=${T0 + MIN}`,
        readToken,
      );
      expect(feed.body.items[0]!.p99).toBe(400);
      expect((await t.get('/api/v1/health/latency?metric=nope', readToken)).status).toBe(400);
    });

    it("serves a bot's liveness timeline from its heartbeats", async () => {
      await t.ingest([
        { type: 'heartbeat', bot: 'live-bot', ts: T0 - 600_000, interval_s: 30 },
        { type: 'heartbeat', bot: 'live-bot', ts: T0 - 570_000, interval_s: 30 },
        { type: 'heartbeat', bot: 'live-bot', ts: T0 - 30_000, interval_s: 30 },
      ]);
      const res = await t.get<{ status: string; segments: { status: string; from: string }[] }>(
        `/api/v1/health/bots/live-bot/liveness?from=${T0 - 900_000}`,
        readToken,
      );
      expect(res.body.segments.map((s) => s.status)).toEqual(['unknown', 'up', 'down', 'up']);
      expect(res.body.status).toBe('up');
      expect((await t.get('/api/v1/health/bots/nobody/liveness', readToken)).status).toBe(404);
    });
  });
});

describe.each(dialects)('retention on %s', (kind) => {
  it('removes old events, samples, bot logs and heartbeats, downsamples old samples, keeps facts', async () => {
    const t = await startTestHub(kind);
    try {
      const rt = healthOf(t.hub)!;
      const DAY = 86_400_000;
      const old = T0 - 100 * DAY;
      t.clock.set(old);
      await t.ingest([
        { type: 'log', bot: 'old-bot', ts: old, level: 'info', message: 'old line' },
        { type: 'heartbeat', bot: 'old-bot', ts: old },
        {
          type: 'fill',
          id: 'old-fill',
          bot: 'old-bot',
          ts: old,
          symbol: 'OLD',
          side: 'buy',
          qty: 1,
          price: 1,
        },
      ]);
      t.clock.set(T0);
      await t.ingest([
        { type: 'log', bot: 'new-bot', ts: T0, level: 'info', message: 'new line' },
        { type: 'heartbeat', bot: 'new-bot', ts: T0 },
      ]);
      await t.hub.events.record({ type: 'LOG', severity: 'info', message: 'ancient', ts: old });
      await t.hub.events.record({ type: 'LOG', severity: 'info', message: 'recent', ts: T0 });
      const sample = (ts: number, i: number) => ({
        instance: rt.instance,
        bucket_s: 15,
        ts,
        count: 1,
        cpu_pct: i,
        system_cpu_pct: 1,
        memory_pct: 1,
        rss_bytes: 1,
        heap_used_bytes: 1,
        heap_total_bytes: 1,
        loop_lag_ms: i,
        disk_pct: 1,
        disk_free_bytes: 1,
      });
      await rt.db.insertInto('health_samples').values(sample(old, 1)).execute();
      for (let i = 0; i < 8; i++)
        await rt.db
          .insertInto('health_samples')
          .values(sample(T0 - 3 * DAY + i * 15_000, i))
          .execute();
      await rt.db
        .insertInto('health_samples')
        .values(sample(T0 - 60_000, 9))
        .execute();

      await rt.retention();

      const count = async (table: 'logs' | 'heartbeats' | 'fills', bot: string) =>
        Number(
          (
            await t.hub.store.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('bot', '=', bot)
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect(await count('logs', 'old-bot')).toBe(0);
      expect(await count('heartbeats', 'old-bot')).toBe(0);
      expect(await count('fills', 'old-bot')).toBe(1);
      expect(await count('logs', 'new-bot')).toBe(1);
      expect(await count('heartbeats', 'new-bot')).toBe(1);
      const events = await rt.db.selectFrom('health_events').select('message').execute();
      expect(events.map((e) => e.message)).toContain('recent');
      expect(events.map((e) => e.message)).not.toContain('ancient');
      const samples = await rt.db.selectFrom('health_samples').selectAll().orderBy('ts').execute();
      expect(
        samples.map((r) => [Number(r.bucket_s), Number(r.count), r.cpu_pct, r.loop_lag_ms]),
      ).toEqual([
        [300, 8, 3.5, 7],
        [15, 1, 9, 9],
      ]);
    } finally {
      await t.close();
    }
  });
});

describe.each(dialects)('crash recovery on %s', (kind) => {
  it('a clean stop then start records no recovery; an unclean stop records the downtime, repairs the recent projections and raises HubRecovered', async () => {
    const db = await createTestDatabase(kind);
    try {
      const first = await startTestHub(kind, {}, db);
      await first.hub.startModules();
      await first.close();

      const second = await startTestHub(kind, {}, db);
      const secondAlerts = recordAlerts(second);
      await second.hub.startModules();
      expect(secondAlerts.filter((a) => a.name === 'HubRecovered')).toEqual([]);
      const rt2 = healthOf(second.hub)!;
      await rt2.heartbeat();
      const crashed = (await rt2.hubState.read())!;
      // The recent tail: facts after the last heartbeat.
      await second.ingest([
        {
          type: 'fill',
          id: 'c1',
          bot: 'crash-bot',
          ts: T0 - 2000,
          symbol: 'AAPL',
          side: 'buy',
          qty: 10,
          price: 100,
          account: 'acc',
        },
        {
          type: 'fill',
          id: 'c2',
          bot: 'crash-bot',
          ts: T0 - 1000,
          symbol: 'AAPL',
          side: 'sell',
          qty: 4,
          price: 110,
          account: 'acc',
        },
      ]);
      await second.close();

      // Simulate a crash that left the state "running" and a projection wrong.
      const store = openStore(db.url);
      await store.db
        .updateTable('meta')
        .set({ value: JSON.stringify({ ...crashed, clean: false }) })
        .where('key', '=', rt2.hubState.key)
        .execute();
      await store.db
        .updateTable('fills')
        .set({ realized_net: '0' })
        .where('bot', '=', 'crash-bot')
        .where('id', '=', 'c2')
        .execute();
      await store.close();

      const third = await startTestHub(kind, {}, db);
      third.clock.advance(5 * MIN);
      const thirdAlerts = recordAlerts(third);
      await third.hub.startModules();
      expect(thirdAlerts.filter((a) => a.name === 'HubRecovered')).toEqual([
        expect.objectContaining({
          op: 'fire',
          name: 'HubRecovered',
          summary: 'the hub restarted after an unclean stop (down for at least 5 min)',
        }),
      ]);
      const events = await third.get<{
        items: { message: string; context: Record<string, unknown> }[];
      }>('/api/v1/events?type=SYSTEM&q=unclean');
      expect(events.body.items).toHaveLength(1);
      expect(events.body.items[0]!.message).toContain('down for at least 5 min');
      expect(events.body.items[0]!.message).toMatch(
        /1 checked, [1-9]\d* differences, [1-9]\d* repaired \(.*fills 1/,
      );
      expect(events.body.items[0]!.context).toMatchObject({
        downtime_ms: 300_000,
        recovery: true,
        last_seq: crashed.seq,
      });
      const fills = await third.get<{ items: { id: string; realized_pnl: number }[] }>(
        '/api/v1/fills?bot=crash-bot',
      );
      expect(fills.body.items.find((f) => f.id === 'c2')?.realized_pnl).toBe(40);

      // HubRecovered resolves by itself after the hold time (one hour by default).
      const rt3 = healthOf(third.hub)!;
      third.clock.advance(30 * MIN);
      await rt3.heartbeat();
      expect(thirdAlerts.filter((a) => a.op === 'resolve' && a.name === 'HubRecovered')).toEqual(
        [],
      );
      third.clock.advance(31 * MIN);
      await rt3.heartbeat();
      expect(thirdAlerts.filter((a) => a.name === 'HubRecovered').at(-1)).toEqual({
        op: 'resolve',
        name: 'HubRecovered',
        labels: {},
      });
      await third.close();
    } finally {
      await db.drop();
    }
  });
});

describe('metrics behind a token', () => {
  it('needs the metrics token or a read token when health.metrics.token is set', async () => {
    const t = await startTestHub('sqlite', {
      health: { metrics: { token: 'metrics-secret-0123456789' } },
    });
    try {
      expect((await request(t, '/metrics')).statusCode).toBe(401);
      expect((await request(t, '/metrics', bearer('metrics-secret-0123456789'))).statusCode).toBe(
        200,
      );
      expect((await request(t, '/metrics', bearer(t.admin))).statusCode).toBe(200);
      const ingest = (await t.hub.tokens.create({ name: 'i', scopes: ['ingest'] })).token;
      expect((await request(t, '/metrics', bearer(ingest))).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });

  it('is absent when metrics are disabled', async () => {
    const t = await startTestHub('sqlite', { health: { metrics: { enabled: false } } });
    try {
      expect((await request(t, '/metrics')).body).not.toContain('process_cpu');
      expect(
        t.hub.metrics.getSingleMetric('tradewatch_http_request_duration_seconds'),
      ).toBeUndefined();
      expect((await request(t, '/livez')).headers['x-response-time']).toBeDefined();
    } finally {
      await t.close();
    }
  });
});

describe('watching the watcher', () => {
  it('pings self_heartbeat_url while ready, and stays quiet during shutdown', async () => {
    const pings: string[] = [];
    const server = createServer((req, res) => {
      pings.push(`${req.method} ${req.url}`);
      res.writeHead(200).end('OK');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address() as AddressInfo;
    const t = await startTestHub('sqlite', {
      self_heartbeat_url: `http://127.0.0.1:${address.port}/ping/abc`,
    });
    try {
      const rt = healthOf(t.hub)!;
      await t.hub.startModules();
      await rt.selfHeartbeat();
      expect(pings.at(-1)).toBe('GET /ping/abc');
      const before = pings.length;
      t.hub.shuttingDown = true;
      await rt.selfHeartbeat();
      expect(pings.length).toBe(before);
      t.hub.shuttingDown = false;
    } finally {
      await t.close();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('query timing', () => {
  it('times every query when the store offers a query hook', async () => {
    const t = await startTestHub('sqlite');
    try {
      const listeners: ((e: LogEvent) => void)[] = [];
      const store = {
        ...t.hub.store,
        onQuery: (l: (e: LogEvent) => void) => (listeners.push(l), () => undefined),
      };
      const config = {
        ...t.hub.config,
        health: { ...t.hub.config.health, metrics: { enabled: false } },
      };
      const rt = new HealthRuntime({ ...t.hub, store, config });
      expect(listeners).toHaveLength(1);
      listeners[0]!({
        level: 'query',
        query: { sql: 'select 1', parameters: [], query: {} as never, queryId: {} as never },
        queryDurationMillis: 12,
      });
      expect(rt.latency.window('db_latency', null, t.clock.now(), 1)).toEqual({
        count: 1,
        p95: 12,
      });
      rt.meter.close();
    } finally {
      await t.close();
    }
  });
});
