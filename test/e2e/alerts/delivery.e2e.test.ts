import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startHubProcess, type HubProcess } from '../../support/hub-process.js';
import { alertsOf, eventually, ingest, startReceiver, type AlertItem } from './helpers.js';

interface Payload {
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

const config = (url: string, extra = '') => `
alerts:
  evaluation_interval: 100ms
  delivery: { backoff_initial: 100ms, backoff_max: 400ms, timeout: 2s, breaker_failures: 50 }
  channels:
    - { name: ops, type: webhook, url: "${url}/hook" }
  routes:
    - { match: { alertname: "/OrderRejected|BotDown/" }, channels: [ops], group_by: ["..."], group_wait: 0s, group_interval: 1s }
    - { match: {}, channels: [log] }
${extra}`;

const rejected = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    type: 'order',
    id: `o${i}`,
    bot: 'alpha',
    ts: Date.now(),
    order_id: `ord-${i}`,
    symbol: 'XYZ',
    side: 'buy',
    qty: 1,
    order_type: 'limit',
    limit_price: 10,
    status: 'rejected',
    reason: `rejection ${i}`,
  }));

describe('delivery you can trust', () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
  });

  it(
    'a receiver answering 500 for a while gets every notification once, in order',
    { timeout: 90_000 },
    async () => {
      const receiver = await startReceiver();
      stops.push(() => receiver.close());
      receiver.respond((n) => (n < 4 ? 500 : 200));
      const hub = await startHubProcess({ configYaml: config(receiver.url) });
      stops.push(() => hub.stop());
      expect((await ingest(hub, rejected(5))).status).toBe(200);
      const ok = await receiver.waitFor(5, (r) => r.path === '/hook');
      const orders = ok.map((r) => (r.body as Payload).alerts[0]!.labels.order_id);
      expect(orders).toEqual(['ord-0', 'ord-1', 'ord-2', 'ord-3', 'ord-4']);
      expect(receiver.requests.filter((r) => r.status === 500)).toHaveLength(4);
      // Nothing was sent twice after it was accepted.
      const keys = ok.map((r) => r.headers['x-tradewatch-dedup-key']);
      expect(new Set(keys).size).toBe(5);
      const d = await hub.api<{
        channels: { channel: string; pending: number; healthy: boolean }[];
      }>('GET', '/api/v1/alerts/deliveries');
      expect(d.body.channels.find((c) => c.channel === 'ops')).toMatchObject({
        pending: 0,
        healthy: true,
      });
    },
  );

  it(
    'a notification not yet delivered when the hub is killed is delivered after the restart',
    { timeout: 90_000 },
    async () => {
      // The receiver is down (nothing listens on its port) when the alert fires.
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      let hub: HubProcess = await startHubProcess({ configYaml: config(url) });
      const dir = hub.dir;
      expect((await ingest(hub, rejected(1))).status).toBe(200);
      await eventually(async () => {
        const d = await hub.api<{
          channels: { channel: string; pending: number; consecutive_failures: number }[];
        }>('GET', '/api/v1/alerts/deliveries');
        const ops = d.body.channels.find((c) => c.channel === 'ops');
        return ops && ops.pending === 1 && ops.consecutive_failures > 0;
      });
      await hub.stop('SIGKILL');

      const receiver = await startReceiver(port);
      stops.push(() => receiver.close());
      hub = await startHubProcess({ dir, configYaml: config(url) });
      stops.push(() => hub.stop());
      const [got] = await receiver.waitFor(1);
      expect((got!.body as Payload).alerts[0]!.labels).toMatchObject({
        alertname: 'OrderRejected',
        order_id: 'ord-0',
      });
      await eventually(async () => {
        const d = await hub.api<{ channels: { channel: string; pending: number }[] }>(
          'GET',
          '/api/v1/alerts/deliveries',
        );
        return d.body.channels.find((c) => c.channel === 'ops')?.pending === 0;
      });
      expect(receiver.requests.filter((r) => r.status === 200)).toHaveLength(1);
    },
  );

  it(
    'a bot that stops heartbeating is BotDown within interval × 2 + 1 s, and resolved when it returns',
    { timeout: 90_000 },
    async () => {
      const receiver = await startReceiver();
      stops.push(() => receiver.close());
      const hub = await startHubProcess({ configYaml: config(receiver.url) });
      stops.push(() => hub.stop());
      const beat = () =>
        ingest(hub, [{ type: 'heartbeat', bot: 'alpha', ts: Date.now(), interval_s: 1 }]);
      await beat();
      const lastBeat = Date.parse(
        (await hub.api<{ last_heartbeat_at: string }>('GET', '/api/v1/bots/alpha')).body
          .last_heartbeat_at,
      );
      const down = await eventually(async () =>
        (await alertsOf(hub)).find((a: AlertItem) => a.name === 'BotDown'),
      );
      // Detection time as the hub recorded it, against the bot's last heartbeat (receive time).
      expect(Date.parse(down.starts_at) - lastBeat).toBeGreaterThan(2_000);
      expect(Date.parse(down.starts_at) - lastBeat).toBeLessThanOrEqual(3_000);
      const [firing] = await receiver.waitFor(1);
      expect((firing!.body as Payload).alerts[0]!.labels).toMatchObject({
        alertname: 'BotDown',
        bot: 'alpha',
        severity: 'critical',
      });

      await beat();
      const resolved = await receiver.waitFor(2);
      const back = resolved[1]!.body as Payload;
      expect(back.status).toBe('resolved');
      expect(back.alerts[0]!.annotations.resolved).toMatch(
        /^Bot alpha is back after \d+s without heartbeats$/,
      );
      expect((await alertsOf(hub)).filter((a) => a.name === 'BotDown')).toEqual([]);
    },
  );
});
