import { afterEach, describe, expect, it } from 'vitest';
import type { TradewatchConfigInput } from '../config/index.js';
import { dialects } from '../testing/stores.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';
import { alertsRuntime } from './index.js';
import { startFakeTelegram } from './testing/fake-telegram.test-util.js';
import { startReceiver, type Receiver } from './testing/receiver.test-util.js';

interface Payload {
  version: string;
  status: string;
  groupKey: string;
  receiver: string;
  alerts: {
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    fingerprint: string;
    endsAt: string;
  }[];
  tradewatch: { kind: string; dedup_key: string };
}

const fill = (id: string, over: Record<string, unknown> = {}) => ({
  type: 'fill',
  id,
  bot: 'alpha',
  ts: T0,
  symbol: 'XYZ',
  side: 'buy',
  qty: 100,
  price: 50,
  fee: 0,
  account: 'acc1',
  ...over,
});
const mark = (price: number, ts = T0 + 1_000) => ({
  type: 'mark',
  bot: 'alpha',
  ts,
  symbol: 'XYZ',
  price,
});

describe.each(dialects)('alerts on %s', (kind) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(
    extra: Partial<TradewatchConfigInput> = {},
    alerts: Record<string, unknown> = {},
  ) {
    const receiver = await startReceiver();
    cleanup.push(() => receiver.close());
    const t = await startTestHub(kind, {
      // One instance, no election: this hub evaluates every commit (see the leadership test).
      cluster: { enabled: false },
      accounts: [{ id: 'acc1', opening_balance: 10_000, mode: 'paper' }],
      risk: { daily_loss_limit: 500 },
      alerts: {
        channels: [{ name: 'ops', type: 'webhook', url: `${receiver.url}/hook` }],
        routes: [{ match: {}, channels: ['ops'], group_wait: '0s', group_interval: '1m' }],
        delivery: { backoff_initial: '1s', backoff_max: '10s' },
        // Trade events would add messages of their own to every scenario.
        builtin: { PositionOpened: { enabled: false }, TradeClosed: { enabled: false } },
        ...alerts,
      },
      ...extra,
    });
    cleanup.push(() => t.close());
    return { t, rt: alertsRuntime(t.hub), receiver };
  }

  const post = async (t: TestHub, url: string, body: unknown, token = t.admin) => {
    const res = await t.hub.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  };

  const webhooks = (r: Receiver) =>
    r.requests.filter((q) => q.status === 200).map((q) => q.body as Payload);

  it('a fill that breaches the daily loss limit reaches the webhook once, in Alertmanager v4 shape', async () => {
    const { t, rt, receiver } = await setup();
    expect((await t.ingest([fill('f1'), mark(44)])).status).toBe(200);
    await rt.settle();
    const [p] = webhooks(receiver);
    expect(receiver.requests).toHaveLength(1);
    expect(p).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'ops',
      groupLabels: { alertname: 'DailyLossLimit' },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DailyLossLimit', severity: 'critical', scope: 'portfolio' },
          endsAt: '0001-01-01T00:00:00Z',
        },
      ],
      tradewatch: { kind: 'alert' },
    });
    expect(p!.alerts[0]!.annotations.summary).toBe(
      'Daily loss 600 reached the limit of 500 (portfolio)',
    );
    expect(receiver.requests[0]!.headers['x-tradewatch-dedup-key']).toBe(p!.tradewatch.dedup_key);
    const list = await t.get<{ items: { name: string; state: string }[] }>('/api/v1/alerts');
    expect(list.body.items).toEqual([
      expect.objectContaining({ name: 'DailyLossLimit', state: 'firing' }),
    ]);
    // Nothing new: nothing more is sent.
    await rt.tick();
    expect(receiver.requests).toHaveLength(1);
  });

  it('sends the resolution at the next group interval when the loss recovers', async () => {
    const { t, rt, receiver } = await setup();
    await t.ingest([fill('f1'), mark(44)]);
    await rt.settle();
    t.clock.advance(10_000);
    await t.ingest([mark(49, T0 + 10_000)]);
    await rt.settle();
    expect(receiver.requests).toHaveLength(1);
    t.clock.advance(60_000);
    await rt.tick();
    const sent = webhooks(receiver);
    expect(sent.map((p) => p.status)).toEqual(['firing', 'resolved']);
    expect(sent[1]!.alerts[0]!.endsAt).toBe(new Date(T0 + 10_000).toISOString());
    const resolved = await t.get<{ items: { name: string }[] }>('/api/v1/alerts?state=resolved');
    expect(resolved.body.items.map((a) => a.name)).toEqual(['DailyLossLimit']);
  });

  it('retries a receiver that answers 500 with backoff and delivers each notification once', async () => {
    const { t, rt, receiver } = await setup();
    receiver.respond((n) => (n < 2 ? 500 : 200));
    await t.ingest([fill('f1'), mark(44)]);
    await rt.settle();
    expect(receiver.requests.map((r) => r.status)).toEqual([500]);
    for (let i = 0; i < 5; i++) {
      t.clock.advance(10_000);
      await rt.tick();
    }
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    const keys = new Set(receiver.requests.map((r) => r.headers['x-tradewatch-dedup-key']));
    expect(keys.size).toBe(1);
    const d = await t.get<{
      items: { ok: boolean; status_code: number; attempt: number }[];
      channels: { channel: string; healthy: boolean; pending: number }[];
    }>('/api/v1/alerts/deliveries');
    expect(d.body.items.map((i) => [i.ok, i.status_code, i.attempt])).toEqual([
      [true, 200, 3],
      [false, 500, 2],
      [false, 500, 1],
    ]);
    expect(d.body.channels.find((c) => c.channel === 'ops')).toMatchObject({
      healthy: true,
      pending: 0,
    });
  });

  it('fails over to another channel and raises DeliveryFailing while a channel keeps failing', async () => {
    const primary = await startReceiver();
    const backup = await startReceiver();
    cleanup.push(
      () => primary.close(),
      () => backup.close(),
    );
    const { t, rt } = await setup(
      {},
      {
        channels: [
          { name: 'ops', type: 'webhook', url: `${primary.url}/hook`, failover: 'spare' },
          { name: 'spare', type: 'webhook', url: `${backup.url}/spare` },
        ],
        routes: [{ match: {}, channels: ['ops'], group_wait: '0s' }],
      },
    );
    primary.respond(() => 502);
    await t.ingest([fill('f1'), mark(44)]);
    await rt.settle();
    for (let i = 0; i < 4 && backup.requests.length === 0; i++) {
      t.clock.advance(10_000);
      await rt.tick();
    }
    expect(primary.requests.map((r) => r.status)).toEqual([502, 502, 502]);
    const via = webhooks(backup);
    expect(via.map((p) => p.alerts[0]!.labels.alertname)).toContain('DailyLossLimit');
    // The spare also carries the news that ops is failing.
    await rt.tick();
    const failing = await t.get<{ items: { name: string; labels: Record<string, string> }[] }>(
      '/api/v1/alerts?name=DeliveryFailing',
    );
    expect(failing.body.items).toEqual([
      expect.objectContaining({ labels: expect.objectContaining({ channel: 'ops' }) }),
    ]);
    const d = await t.get<{ items: { via: string; ok: boolean }[] }>(
      '/api/v1/alerts/deliveries?channel=ops',
    );
    expect(d.body.items[0]).toMatchObject({ via: 'spare', ok: true });
  });

  it('keeps alert state and undelivered notifications across a restart', async () => {
    const { t, receiver } = await setup();
    receiver.respond(() => 503);
    await t.ingest([fill('f1'), mark(44)]);
    await alertsRuntime(t.hub).settle();
    await t.hub.close();
    receiver.respond(() => 200);
    const again = await startTestHub(
      kind,
      {
        cluster: { enabled: false },
        accounts: [{ id: 'acc1', opening_balance: 10_000, mode: 'paper' }],
        risk: { daily_loss_limit: 500 },
        alerts: {
          channels: [{ name: 'ops', type: 'webhook', url: `${receiver.url}/hook` }],
          routes: [{ match: {}, channels: ['ops'], group_wait: '0s' }],
        },
      },
      t.db,
    );
    cleanup.push(() => again.close());
    again.clock.set(T0 + 60_000);
    const rt = alertsRuntime(again.hub);
    await rt.tick();
    expect(webhooks(receiver).map((p) => p.alerts[0]!.labels.alertname)).toEqual([
      'DailyLossLimit',
    ]);
    const list = await again.get<{ items: { name: string; starts_at: string }[] }>(
      '/api/v1/alerts',
    );
    expect(list.body.items).toEqual([
      expect.objectContaining({ name: 'DailyLossLimit', starts_at: new Date(T0).toISOString() }),
    ]);
  });

  it('raises BotDown after twice the heartbeat interval and resolves it with the downtime', async () => {
    const { t, rt, receiver } = await setup();
    await t.ingest([{ type: 'heartbeat', bot: 'alpha', ts: T0, interval_s: 1 }]);
    t.clock.advance(2_000);
    await rt.tick();
    expect(receiver.requests).toHaveLength(0);
    t.clock.advance(1);
    await rt.tick();
    const [down] = webhooks(receiver);
    expect(down!.alerts[0]!.labels).toMatchObject({
      alertname: 'BotDown',
      bot: 'alpha',
      severity: 'critical',
    });
    t.clock.advance(60_000);
    await t.ingest([{ type: 'heartbeat', bot: 'alpha', ts: T0 + 62_001, interval_s: 1 }]);
    await rt.settle();
    t.clock.advance(60_000);
    await rt.tick();
    const back = webhooks(receiver)[1]!;
    expect(back.status).toBe('resolved');
    expect(back.alerts[0]!.annotations).toMatchObject({
      resolved: 'Bot alpha is back after 1m 2s without heartbeats',
      downtime_s: '62',
    });
  });

  it('the kill switch halts bots, reaches them by long-poll and stream, and wants their acknowledgement', async () => {
    const { t, rt } = await setup();
    await t.ingest([
      { type: 'heartbeat', bot: 'alpha', ts: T0, interval_s: 30 },
      { type: 'heartbeat', bot: 'beta', ts: T0, interval_s: 30 },
    ]);
    const issued = await post(t, '/api/v1/commands', {
      action: 'halt',
      scope: 'all',
      reason: 'manual stop',
    });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({
      action: 'halt',
      scope: 'all',
      reason: 'manual stop',
      targets: ['alpha', 'beta'],
    });
    const bots = await t.get<{ items: { id: string; halted: boolean }[] }>('/api/v1/bots');
    expect(bots.body.items.map((b) => b.halted)).toEqual([true, true]);

    const alphaToken = (
      await t.hub.tokens.create({ name: 'alpha-bot', scopes: ['ingest'], bot: 'alpha' })
    ).token;
    const poll = await t.get<{ items: { id: string; action: string }[] }>(
      '/api/v1/commands?bot=alpha',
      alphaToken,
    );
    expect(poll.body.items).toEqual([
      expect.objectContaining({ id: issued.body.id, action: 'halt' }),
    ]);
    expect((await t.get('/api/v1/commands?bot=beta', alphaToken)).status).toBe(403);
    const ack = await post(
      t,
      `/api/v1/commands/${String(issued.body.id)}/ack`,
      { bot: 'alpha', status: 'ok' },
      alphaToken,
    );
    expect(ack.status).toBe(200);
    expect(
      (await t.get<{ items: unknown[] }>('/api/v1/commands?bot=alpha', alphaToken)).body.items,
    ).toEqual([]);

    // beta never answers: KillSwitchUnacknowledged after the timeout, resolved by its ack.
    t.clock.advance(31_000);
    await rt.tick();
    const firing = await t.get<{ items: { name: string; labels: Record<string, string> }[] }>(
      '/api/v1/alerts',
    );
    expect(firing.body.items.map((a) => `${a.name}:${a.labels.bot ?? ''}`).sort()).toEqual([
      'KillSwitchActivated:',
      'KillSwitchUnacknowledged:beta',
    ]);
    await post(t, `/api/v1/commands/${String(issued.body.id)}/ack`, { bot: 'beta' });
    const after = await t.get<{ items: { name: string }[] }>('/api/v1/alerts');
    expect(after.body.items.map((a) => a.name)).toEqual(['KillSwitchActivated']);

    const history = await t.get<{ items: { acks: { bot: string }[] }[] }>(
      '/api/v1/commands/history',
    );
    expect(history.body.items[0]!.acks.map((a) => a.bot).sort()).toEqual(['alpha', 'beta']);
    const resume = await post(t, '/api/v1/commands', { action: 'resume', scope: 'bot:alpha' });
    expect(resume.body.targets).toEqual(['alpha']);
    expect((await t.get<{ halted: boolean }>('/api/v1/bots/alpha')).body.halted).toBe(false);
  });

  it('refuses kill-switch commands without admin and for unknown bots', async () => {
    const { t } = await setup();
    await t.ingest([{ type: 'heartbeat', bot: 'alpha', ts: T0 }]);
    const reader = (await t.hub.tokens.create({ name: 'reader', scopes: ['read'] })).token;
    expect(
      (await post(t, '/api/v1/commands', { action: 'halt', scope: 'all' }, reader)).status,
    ).toBe(403);
    const unknown = await post(t, '/api/v1/commands', { action: 'halt', scope: 'bot:ghost' });
    expect(unknown).toMatchObject({
      status: 404,
      body: { message: 'bot "ghost" is not known to the hub' },
    });
    const bad = await post(t, '/api/v1/commands', { action: 'explode', scope: 'all' });
    expect(bad.status).toBe(400);
  });

  it('a runbook halts the bots of a breached limit by itself', async () => {
    const { t, rt } = await setup(
      { risk: { bots: { alpha: { daily_loss_limit: 200 } } } },
      { runbook: [{ match: { alertname: 'DailyLossLimit', scope: 'bot' }, actions: ['halt'] }] },
    );
    await t.ingest([{ type: 'heartbeat', bot: 'alpha', ts: T0 }]);
    await t.ingest([fill('f1'), mark(47)]);
    await rt.settle();
    await vitestEventually(
      async () => (await t.get<{ halted: boolean }>('/api/v1/bots/alpha')).body.halted,
    );
    const history = await t.get<{ items: { scope: string; source: string; created_by: string }[] }>(
      '/api/v1/commands/history',
    );
    expect(history.body.items[0]).toMatchObject({
      scope: 'bot:alpha',
      source: 'rule',
      created_by: 'rule:DailyLossLimit',
    });
  });

  it('silenced alerts are listed but not sent; acknowledging needs the journal scope', async () => {
    const { t, rt, receiver } = await setup();
    const s = await post(t, '/api/v1/alerts/silences', {
      matchers: { alertname: 'DailyLossLimit' },
      duration: '1h',
      comment: 'known',
    });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({
      state: 'active',
      matchers: { alertname: 'DailyLossLimit' },
      created_by: 'TRADEWATCH_ADMIN_TOKEN',
    });
    await t.ingest([fill('f1'), mark(44)]);
    await rt.settle();
    expect(receiver.requests).toHaveLength(0);
    const silenced = await t.get<{ items: { id: string; state: string; silenced_by: string[] }[] }>(
      '/api/v1/alerts?state=silenced',
    );
    expect(silenced.body.items).toEqual([
      expect.objectContaining({ state: 'silenced', silenced_by: [s.body.id] }),
    ]);

    const id = silenced.body.items[0]!.id;
    const reader = (await t.hub.tokens.create({ name: 'reader', scopes: ['read'] })).token;
    const journal = (await t.hub.tokens.create({ name: 'journal', scopes: ['journal'] })).token;
    expect((await post(t, `/api/v1/alerts/${id}/ack`, {}, reader)).status).toBe(403);
    const acked = await post(
      t,
      `/api/v1/alerts/${id.slice(0, 6)}/ack`,
      { comment: 'on it' },
      journal,
    );
    expect(acked.body).toMatchObject({ acknowledged_by: 'journal' });

    const expired = await t.hub.app.inject({
      method: 'DELETE',
      url: `/api/v1/alerts/silences/${String(s.body.id)}`,
      headers: { authorization: `Bearer ${t.admin}` },
    });
    expect(expired.json()).toMatchObject({ state: 'expired' });
    t.clock.advance(60_000);
    await rt.tick();
    expect(webhooks(receiver).map((p) => p.alerts[0]!.labels.alertname)).toEqual([
      'DailyLossLimit',
    ]);
    const bad = await post(t, '/api/v1/alerts/silences', {
      matchers: { alertname: '/[/' },
      duration: '1h',
    });
    expect(bad).toMatchObject({ status: 400, body: { details: [{ path: 'matchers.alertname' }] } });
  });

  it('shows each configured limit with its current value for the dashboard gauges', async () => {
    const { t } = await setup({
      risk: {
        daily_loss_limit: 500,
        max_drawdown_pct: 10,
        max_gross_exposure_pct: 40,
        max_portfolio_heat_pct: 5,
      },
    });
    await t.ingest([fill('f1'), mark(50)]);
    await t.ingest([
      mark(48, T0 + 2_000),
      {
        type: 'order',
        id: 'o1',
        bot: 'alpha',
        ts: T0,
        order_id: 'stop1',
        symbol: 'XYZ',
        side: 'sell',
        qty: 100,
        order_type: 'stop',
        stop_price: 45,
        status: 'accepted',
        account: 'acc1',
      },
    ]);
    const limits = await t.get<{
      items: {
        alert: string;
        current: number;
        threshold: number;
        utilization_pct: number;
        breached: boolean;
        unit: string;
      }[];
    }>('/api/v1/risk/limits');
    expect(limits.body.items).toEqual([
      expect.objectContaining({
        alert: 'DailyLossLimit',
        current: 200,
        threshold: 500,
        utilization_pct: 40,
        breached: false,
        unit: 'currency',
      }),
      expect.objectContaining({
        alert: 'MaxDrawdown',
        current: 2,
        threshold: 10,
        breached: false,
        unit: 'percent',
      }),
      expect.objectContaining({ alert: 'ExposureLimit', breached: true }),
      // 100 × (48 − 45) = 300 of 9,800 equity = 3.06 %.
      expect.objectContaining({ alert: 'PortfolioHeat', current: 3.0612, breached: false }),
    ]);
  });

  it('takes other modules’ alerts through hub.alertSink, unknown names included', async () => {
    const { t, rt, receiver } = await setup();
    await t.hub.alertSink.fire({
      name: 'BackupStale',
      severity: 'warning',
      labels: { target: 's3' },
      summary: 'last backup 30 h ago',
    });
    await rt.settle();
    expect(webhooks(receiver)[0]!.alerts[0]).toMatchObject({
      labels: { alertname: 'BackupStale', severity: 'warning', target: 's3' },
    });
    await t.hub.alertSink.resolve('BackupStale', { target: 's3' });
    const list = await t.get<{ items: unknown[] }>('/api/v1/alerts');
    expect(list.body.items).toEqual([]);
  });

  it('turns rejected orders and filled stops into event alerts', async () => {
    const { t, rt, receiver } = await setup(
      {},
      { routes: [{ channels: ['ops'], group_by: ['...'], group_wait: 0 }] },
    );
    await t.ingest([
      {
        type: 'order',
        id: 'o1',
        bot: 'alpha',
        ts: T0,
        order_id: 'A',
        symbol: 'XYZ',
        side: 'buy',
        qty: 1,
        order_type: 'limit',
        limit_price: 10,
        status: 'rejected',
        reason: 'insufficient buying power',
      },
      {
        type: 'order',
        id: 'o2',
        bot: 'alpha',
        ts: T0,
        order_id: 'S',
        symbol: 'XYZ',
        side: 'sell',
        qty: 1,
        order_type: 'stop',
        stop_price: 9,
        status: 'filled',
      },
    ]);
    await rt.settle();
    const names = webhooks(receiver)
      .map((p) => p.alerts[0]!.labels.alertname)
      .sort();
    expect(names).toEqual(['OrderRejected', 'StopLossHit']);
  });

  it('leaves evaluation to the leader: a follower records nothing from its commits', async () => {
    const { t, rt, receiver } = await setup();
    t.hub.leader = { isLeader: () => false, onChange: () => () => undefined };
    await t.ingest([fill('f1'), mark(44)]);
    await rt.settle();
    expect(receiver.requests).toHaveLength(0);
    // The leader's clock-driven evaluation sees the breach (level-triggered limits).
    await rt.tick();
    expect(webhooks(receiver).map((p) => p.alerts[0]!.labels.alertname)).toEqual([
      'DailyLossLimit',
    ]);
  });

  it('sends a test message on request and reports the outcome', async () => {
    const { t, receiver } = await setup();
    const res = await post(t, '/api/v1/alerts/test', { channel: 'ops' });
    expect(res.body).toEqual({ results: [{ channel: 'ops', status: 'sent', error: null }] });
    expect((receiver.requests[0]!.body as Payload).alerts[0]!.labels.alertname).toBe(
      'TradewatchTest',
    );
    receiver.respond(() => 500);
    const failed = await post(t, '/api/v1/alerts/test', { channel: 'ops' });
    expect(failed.body).toEqual({
      results: [{ channel: 'ops', status: 'failed', error: 'HTTP 500' }],
    });
    expect((await post(t, '/api/v1/alerts/test', { channel: 'nope' })).status).toBe(400);
  });

  it('answers Telegram commands from allowed chats and confirms /halt with a button', async () => {
    const tg = await startFakeTelegram();
    cleanup.push(() => tg.close());
    const { t } = await setup(
      {},
      {
        channels: [
          {
            name: 'phone',
            type: 'telegram',
            bot_token: '123:secret',
            chat_id: '42',
            api_url: tg.url,
          },
        ],
        routes: [{ channels: ['phone'], group_wait: 0 }],
        telegram: { enabled: true, channel: 'phone' },
      },
    );
    await t.ingest([{ type: 'heartbeat', bot: 'alpha', ts: T0 }]);
    const bot = alertsRuntime(t.hub).telegram!;
    tg.say(7, '/status');
    tg.say(42, '/bots');
    tg.say(42, '/halt alpha');
    await bot.pollOnce();
    const replies = tg.messages();
    expect(replies.map((m) => m.params.chat_id)).toEqual(['42', '42']);
    expect(String(replies[0]!.params.text)).toContain('<b>alpha</b> up');
    const buttons = (
      replies[1]!.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }
    ).inline_keyboard[0]!;
    expect((await t.get<{ halted: boolean }>('/api/v1/bots/alpha')).body.halted).toBe(false);
    tg.press(42, buttons[0]!.callback_data);
    await bot.pollOnce();
    expect((await t.get<{ halted: boolean }>('/api/v1/bots/alpha')).body.halted).toBe(true);
    expect(tg.messages('answerCallbackQuery').map((m) => m.params.text)).toEqual(['Halted']);
    // The same button again does nothing.
    tg.press(42, buttons[0]!.callback_data);
    await bot.pollOnce();
    expect(tg.messages('answerCallbackQuery').map((m) => m.params.text)).toEqual([
      'Halted',
      'This confirmation is not valid any more.',
    ]);
  });
});

/** Polls a condition that a background task (a runbook action) makes true. */
async function vitestEventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition never became true');
}
