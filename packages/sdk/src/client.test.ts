import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BotCommand } from '@tradewatch/protocol';
import { dialects } from '../../server/src/testing/stores.js';
import { TradewatchClient, type ConnectionState, type TradewatchClientOptions } from './client.js';
import { EventValidationError, HubRejectedError, type TradewatchError } from './errors.js';
import { startPortHub, type PortHub } from './hub.test-util.js';

interface FillItem {
  id: string;
  symbol: string;
  side: string;
  qty: number;
  price: number;
  account: string;
}

/** Resolves when the client reaches `state` (driven by its own events, no timers). */
function reaches(states: ConnectionState[], state: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    const check = setInterval(() => {
      if (states.includes(state)) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
}

describe.each(dialects)('TradewatchClient against a hub on %s', (kind) => {
  let hub: PortHub;
  const dirs: string[] = [];
  const clients: TradewatchClient[] = [];
  const spoolDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'tw-sdk-spool-'));
    dirs.push(d);
    return d;
  };
  const client = (options: Partial<TradewatchClientOptions> = {}) => {
    const c = new TradewatchClient({
      url: hub.url,
      token: hub.token,
      bot: 'sdk-bot',
      flushIntervalMs: 20,
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      commands: false,
      ...options,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    hub = await startPortHub(kind, 'sdk-bot');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close({ timeoutMs: 1000 });
  });
  afterAll(async () => {
    await hub.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('sends typed events in batches with ids fixed at creation', async () => {
    const c = client({ account: 'main', strategy: 'grid', batchSize: 3 });
    const ids = [
      c.fill({ symbol: 'BTCUSDT', side: 'buy', qty: 0.5, price: 42000, fee: 4.2 }),
      c.fill({
        symbol: 'BTCUSDT',
        side: 'sell',
        qty: 0.5,
        price: 42100,
        fee: 4.21,
        ts: '2026-01-05T14:00:00Z',
      }),
      c.order({
        order_id: 'o-1',
        symbol: 'ETHUSDT',
        side: 'buy',
        qty: 1,
        order_type: 'limit',
        limit_price: 2000,
        status: 'submitted',
      }),
      c.signal({ symbol: 'ETHUSDT', direction: 'long', strength: 0.7 }),
      c.log('info', 'started', { pid: 1 }),
      c.metric('latency_ms', 12.5, { venue: 'binance' }),
    ];
    expect(new Set(ids).size).toBe(6);
    await c.flush();
    expect(c.state).toBe('online');
    const fills = await hub.get<{ items: FillItem[] }>('/api/v1/fills?bot=sdk-bot');
    expect(fills.items.map((f) => f.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(fills.items[0]).toMatchObject({ account: 'main' });
    const orders = await hub.get<{ items: { order_id: string; strategy: string }[] }>(
      '/api/v1/orders?bot=sdk-bot',
    );
    expect(orders.items[0]).toMatchObject({ order_id: 'o-1', strategy: 'grid' });
    expect(c.stats.accepted).toBe(6);
  });

  it('refuses an invalid event at once, naming the field, and never queues it', () => {
    const c = client();
    expect(() => c.fill({ symbol: 'X', side: 'buy', qty: -1, price: 10 })).toThrow(
      EventValidationError,
    );
    expect(() =>
      c.send({ type: 'fill', symbol: 'X', side: 'hold' as 'buy', qty: 1, price: 1 }),
    ).toThrow(/side/);
    expect(c.pendingCount).toBe(0);
  });

  it('reports events the hub refuses for good (409) and still delivers the rest of the batch', async () => {
    const errors: TradewatchError[] = [];
    const c = client({ onError: (e) => errors.push(e) });
    c.fill({ id: 'fixed-1', symbol: 'SOLUSDT', side: 'buy', qty: 1, price: 100 });
    await c.flush();
    c.fill({ id: 'fixed-1', symbol: 'SOLUSDT', side: 'buy', qty: 1, price: 101 });
    const ok = c.fill({ symbol: 'SOLUSDT', side: 'sell', qty: 1, price: 102 });
    await c.flush();
    const rejected = errors.find((e) => e instanceof HubRejectedError);
    expect(rejected).toMatchObject({ status: 409, code: 'conflict' });
    expect((rejected as HubRejectedError).events).toEqual([
      expect.objectContaining({ id: 'fixed-1', price: 101 }),
    ]);
    const fills = await hub.get<{ items: FillItem[] }>('/api/v1/fills?bot=sdk-bot&symbol=SOLUSDT');
    expect(fills.items.map((f) => f.id).sort()).toEqual(['fixed-1', ok].sort());
  });

  it('keeps trading through a hub restart: every fill arrives exactly once', async () => {
    const states: ConnectionState[] = [];
    const c = client({ spool: { dir: spoolDir() }, onStateChange: (s) => states.push(s) });
    const ids: string[] = [];
    const trade = (n: number, i: number) =>
      ids.push(
        c.fill({
          symbol: 'ADAUSDT',
          side: i % 2 ? 'sell' : 'buy',
          qty: 10 + i,
          price: 0.5 + n / 100,
        }),
      );
    for (let i = 0; i < 5; i++) trade(1, i);
    await c.flush();

    await hub.stop();
    // The bot keeps trading while the hub is down (a few seconds in practice; here until the
    // client has noticed and spooled everything).
    for (let i = 0; i < 20; i++) trade(2, i);
    await reaches(states, 'offline');
    expect(c.pendingCount).toBe(20);
    await hub.start();

    await c.flush();
    expect(c.state).toBe('online');
    const fills = await hub.get<{ items: FillItem[] }>(
      '/api/v1/fills?bot=sdk-bot&symbol=ADAUSDT&limit=100',
    );
    expect(fills.items).toHaveLength(25);
    expect(fills.items.map((f) => f.id).sort()).toEqual([...ids].sort());
  });

  it('keeps spooled events across a bot restart and replays them in order', async () => {
    const dir = spoolDir();
    const states: ConnectionState[] = [];
    const first = client({ spool: { dir }, onStateChange: (s) => states.push(s) });
    await hub.stop();
    const ids = [0, 1, 2].map((i) =>
      first.fill({ symbol: 'DOTUSDT', side: 'buy', qty: 1 + i, price: 7 }),
    );
    await reaches(states, 'offline');
    await first.close({ timeoutMs: 50 });
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length).toBeGreaterThan(0);

    await hub.start();
    const second = client({ spool: { dir } });
    await second.flush();
    const fills = await hub.get<{ items: FillItem[] }>('/api/v1/fills?bot=sdk-bot&symbol=DOTUSDT');
    expect(fills.items.map((f) => f.id).sort()).toEqual([...ids].sort());
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  });

  it('sends heartbeats with status, version and connection states', async () => {
    const c = client({ version: '1.2.3' });
    c.startHeartbeat({ intervalS: 15, status: 'running' });
    c.setConnection('binance', 'up');
    c.setConnection('binance', 'down');
    await c.flush();
    const bot = await hub.get<{
      reported_status: string;
      version: string;
      connections: Record<string, string>;
      heartbeat_interval_s: number;
    }>('/api/v1/bots/sdk-bot');
    expect(bot).toMatchObject({
      reported_status: 'running',
      version: '1.2.3',
      connections: { binance: 'down' },
      heartbeat_interval_s: 15,
    });
  });
});

/**
 * The command listener against a stand-in for the hub's kill-switch routes (the contract of
 * packages/protocol/src/api.ts: GET /api/v1/commands?bot=ID&wait=S → {items}, POST
 * /api/v1/commands/:id/ack {bot, status, message}). The end-to-end suite drives the real routes.
 */
describe('TradewatchClient commands', () => {
  let server: Server;
  let url: string;
  let pending: BotCommand[] = [];
  const acks: { id: string; body: Record<string, unknown> }[] = [];
  const held: ServerResponse[] = [];
  let missing = false;
  let polls = 0;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const u = new URL(req.url!, 'http://x');
      if (missing) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"error":"not_found","message":"no route"}');
        return;
      }
      if (req.method === 'GET' && u.pathname === '/api/v1/commands') {
        polls++;
        expect(req.headers.authorization).toBe('Bearer tok');
        expect(u.searchParams.get('bot')).toBe('cmd-bot');
        if (pending.length > 0) {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ items: pending }));
        } else {
          held.push(res); // a long poll with nothing to say: answered when the test ends
        }
        return;
      }
      const ack = /^\/api\/v1\/commands\/([^/]+)\/ack$/.exec(u.pathname);
      if (req.method === 'POST' && ack) {
        let text = '';
        req.on('data', (d: Buffer) => (text += d.toString()));
        req.on('end', () => {
          acks.push({
            id: decodeURIComponent(ack[1]!),
            body: JSON.parse(text) as Record<string, unknown>,
          });
          pending = pending.filter((c) => c.id !== ack[1]);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(async () => {
    for (const r of held)
      r.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
    await new Promise<void>((r) => server.close(() => r()));
  });

  const command = (id: string, action: BotCommand['action']): BotCommand => ({
    id,
    action,
    scope: 'bot:cmd-bot',
    reason: 'test',
    created_at: '2026-01-05T14:30:00.000Z',
  });

  const waitFor = (cond: () => boolean) =>
    new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (cond()) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });

  it('runs the handler once and acknowledges when it resolves', async () => {
    pending = [command('c1', 'halt')];
    const seen: BotCommand[] = [];
    const c = new TradewatchClient({ url, token: 'tok', bot: 'cmd-bot', commands: { waitS: 1 } });
    c.onHalt(async (cmd) => {
      seen.push(cmd);
    });
    await waitFor(() => acks.some((a) => a.id === 'c1'));
    expect(seen.map((s) => s.id)).toEqual(['c1']);
    expect(acks.find((a) => a.id === 'c1')!.body).toEqual({ bot: 'cmd-bot', status: 'ok' });
    await c.close({ timeoutMs: 100 });
  });

  it('acknowledges with an error when the handler throws or is missing', async () => {
    pending = [command('c2', 'flatten'), command('c3', 'resume')];
    const c = new TradewatchClient({ url, token: 'tok', bot: 'cmd-bot', commands: { waitS: 1 } });
    c.onFlatten(() => {
      throw new Error('exchange rejected the close order');
    });
    await waitFor(() => acks.some((a) => a.id === 'c3'));
    expect(acks.find((a) => a.id === 'c2')!.body).toEqual({
      bot: 'cmd-bot',
      status: 'error',
      message: 'exchange rejected the close order',
    });
    expect(acks.find((a) => a.id === 'c3')!.body).toMatchObject({
      status: 'error',
      message: expect.stringContaining('no handler'),
    });
    await c.close({ timeoutMs: 100 });
  });

  it('says so once when the hub has no command endpoint', async () => {
    missing = true;
    const errors: TradewatchError[] = [];
    const before = polls;
    const c = new TradewatchClient({
      url,
      token: 'tok',
      bot: 'cmd-bot',
      onError: (e) => errors.push(e),
    });
    c.onHalt(() => undefined);
    await waitFor(() => errors.length > 0);
    expect(errors[0]!.message).toMatch(/404/);
    await c.close({ timeoutMs: 100 });
    missing = false;
    expect(polls).toBe(before);
  });
});
