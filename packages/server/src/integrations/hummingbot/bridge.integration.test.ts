import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../testing/stores.js';
import { startTestHub, type TestHub } from '../../testing/test-hub.js';
import { hummingbotBridge, integrationsModule } from '../index.js';
import type { HummingbotBridge } from './bridge.js';

/**
 * Against the real Mosquitto broker on 127.0.0.1:1883. When no broker listens the suite is skipped
 * with a message, unless TRADEWATCH_REQUIRE_MQTT=1 makes it mandatory.
 */
const BROKER = process.env.TRADEWATCH_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../test/fixtures/hummingbot',
);

interface Message {
  topic: string;
  payload?: unknown;
  raw?: string;
}
const session = JSON.parse(readFileSync(path.join(FIXTURES, 'session.json'), 'utf8')) as Message[];
const bad = JSON.parse(readFileSync(path.join(FIXTURES, 'bad-messages.json'), 'utf8')) as Message[];

async function brokerUp(): Promise<boolean> {
  const url = new URL(BROKER);
  return new Promise((resolve) => {
    const s = netConnect(Number(url.port || 1883), url.hostname);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const up = await brokerUp();
if (!up && process.env.TRADEWATCH_REQUIRE_MQTT === '1') {
  throw new Error(`TRADEWATCH_REQUIRE_MQTT=1 but no MQTT broker answers at ${BROKER}`);
}
if (!up) console.warn(`[tradewatch] Hummingbot bridge tests SKIPPED: no MQTT broker at ${BROKER}`);

describe.skipIf(!up).each(dialects)('Hummingbot bridge over MQTT on %s', (kind) => {
  let t: TestHub;
  let bridge: HummingbotBridge;
  let publisher: MqttClient;
  // A prefix of its own so parallel runs and other users of the broker never interfere.
  const prefix = `tw-test-${process.pid}-${kind}-${Math.random().toString(36).slice(2, 8)}`;
  const topic = (m: Message) => m.topic.replace(/^hbot\//, `${prefix}/`);

  beforeAll(async () => {
    t = await startTestHub(
      kind,
      {
        integrations: {
          hummingbot: {
            enabled: true,
            url: BROKER,
            topic_prefix: prefix,
            instances: { 'hb-mm-1': 'mm-bot' },
            client_id: `${prefix}-hub`,
            persistent_session: false,
            batch_ms: 0,
            account: 'binance',
          },
        },
      },
      undefined,
      { modules: [integrationsModule] },
    );
    await t.hub.startModules();
    bridge = hummingbotBridge(t.hub)!;
    await bridge.ready();
    publisher = await connectAsync(BROKER, { clientId: `${prefix}-pub` });
  });
  afterAll(async () => {
    await publisher?.endAsync();
    await t?.close();
  });

  it('maps a market-making session: orders, fills with fees, cancels, logs and heartbeats', async () => {
    for (const m of session) {
      await publisher.publishAsync(topic(m), JSON.stringify(m.payload), { qos: 1 });
    }
    await bridge.received(session.length);
    await bridge.flush();

    const fills = await t.get<{ items: Record<string, unknown>[] }>('/api/v1/fills?bot=mm-bot');
    expect(fills.body.items).toHaveLength(2);
    const [sell, buy] = fills.body.items;
    expect(buy).toMatchObject({
      id: 'hb:hb-mm-1:T-99001',
      account: 'binance',
      symbol: 'BTC-USDT',
      side: 'buy',
      qty: 0.01,
      price: 42000.1,
      fee: 0.42,
      fee_currency: 'USDT',
      ts: '2024-01-02T10:00:05.000Z',
    });
    // The fee is kept exactly; the API rounds money to the account currency's precision.
    expect(sell).toMatchObject({ side: 'sell', qty: 0.004, fee_currency: 'BNB' });

    const orders = await t.get<{
      items: { order_id: string; status: string; order_type: string }[];
    }>('/api/v1/orders?bot=mm-bot');
    const status = Object.fromEntries(orders.body.items.map((o) => [o.order_id, o.status]));
    expect(status).toEqual({
      'buy-BTC-USDT-1704189601000001': 'filled',
      'sell-BTC-USDT-1704189610000002': 'cancelled',
    });

    const logs = await t.get<{ items: { level: string; message: string }[] }>(
      '/api/v1/logs?bot=mm-bot',
    );
    const messages = logs.body.items.map((l) => `${l.level}:${l.message}`);
    expect(messages).toContain('error:Balance check failed: insufficient USDT');
    expect(messages).toContain('info:Order sell-BTC-USDT-1704189610000002 cancelled');
    expect(messages.some((m) => m.includes('tick'))).toBe(false);

    const bots = await t.get<{
      items: { id: string; last_heartbeat_at: string | null; framework: string | null }[];
    }>('/api/v1/bots');
    const bot = bots.body.items.find((b) => b.id === 'mm-bot');
    expect(bot?.last_heartbeat_at).not.toBeNull();
    expect(bot?.framework).toBe('hummingbot');
  });

  it('skips messages it cannot map and keeps going', async () => {
    const before = { ...bridge.stats };
    for (const m of bad) {
      await publisher.publishAsync(topic(m), m.raw ?? JSON.stringify(m.payload), { qos: 1 });
    }
    const ok: Message = {
      topic: 'hbot/hb-mm-1/notify',
      payload: { seq: 6, timestamp: 1704189900, msg: 'still here' },
    };
    await publisher.publishAsync(topic(ok), JSON.stringify(ok.payload), { qos: 1 });
    await bridge.received(before.messages + bad.length + 1);
    await bridge.flush();
    expect(bridge.stats.skipped - before.skipped).toBe(bad.length);
    const logs = await t.get<{ items: { message: string }[] }>('/api/v1/logs?bot=mm-bot');
    expect(logs.body.items.map((l) => l.message)).toContain('still here');
  });

  it('names an unlisted instance by its own id', async () => {
    const m: Message = { topic: 'hbot/other instance/hb', payload: {} };
    const n = bridge.stats.messages;
    await publisher.publishAsync(topic(m), '{}', { qos: 1 });
    await bridge.received(n + 1);
    await bridge.flush();
    const bots = await t.get<{ items: { id: string }[] }>('/api/v1/bots');
    expect(bots.body.items.map((b) => b.id)).toContain('other-instance');
  });
});
