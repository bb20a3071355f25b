import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ADMIN, runCli, startHubProcess, type HubProcess } from '../../support/hub-process.js';
import {
  alertsOf,
  eventually,
  ingest,
  startFakeTelegram,
  startReceiver,
  startSmtp,
} from './helpers.js';

const TG_TOKEN = '987654:tg-secret-token-value';
const TWILIO_TOKEN = 'twilio-secret-auth-token';

/**
 * The built hub on a real port with every channel type pointed at loopback: a real SMTP
 * server, HTTP receivers for webhook / Slack / Discord / Twilio / Alertmanager, a fake
 * Telegram Bot API that also drives the bot's commands.
 */
describe('alert channels end to end', () => {
  let hub: HubProcess;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let tg: Awaited<ReturnType<typeof startFakeTelegram>>;
  let configFile: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    smtp = await startSmtp();
    tg = await startFakeTelegram();
    const yaml = `
accounts:
  - { id: acc1, opening_balance: 10000, mode: paper }
risk:
  daily_loss_limit: 500
alerts:
  evaluation_interval: 200ms
  delivery: { backoff_initial: 100ms, backoff_max: 1s, timeout: 5s }
  builtin: { PositionOpened: { enabled: false } }
  channels:
    - { name: ops, type: webhook, url: "${receiver.url}/hook" }
    - { name: slack, type: slack, webhook_url: "${receiver.url}/slack" }
    - { name: discord, type: discord, webhook_url: "${receiver.url}/discord" }
    - { name: sms, type: twilio, account_sid: AC123, auth_token: "\${TWILIO_TOKEN}", from: "+15550000", to: "+15551111", api_url: "${receiver.url}/twilio" }
    - { name: am, type: alertmanager, url: "${receiver.url}/am" }
    - { name: mail, type: email, host: 127.0.0.1, port: ${smtp.port}, from: "hub@example.com", to: "trader@example.com" }
    - { name: phone, type: telegram, bot_token: "\${TG_TOKEN}", chat_id: "42", api_url: "${tg.url}" }
  routes:
    - { match: {}, channels: [ops, slack, discord, sms, am, mail, phone], group_wait: 0s }
  telegram: { enabled: true, channel: phone, poll_timeout: 1s }
`;
    hub = await startHubProcess({ configYaml: yaml, env: { TG_TOKEN, TWILIO_TOKEN } });
    configFile = path.join(hub.dir, 'tradewatch.yaml');
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    await receiver?.close();
    await smtp?.close();
    await tg?.close();
  });

  // Other modules raise alerts of their own (ResourceHigh on a busy machine): look for ours.
  const ours = (r: { text: string }) => r.text.includes('DailyLossLimit');
  const at = (p: string) =>
    receiver.requests.filter((r) => r.path.startsWith(p) && r.status === 200 && ours(r));

  it('sends a test message through every channel and reports each delivery', async () => {
    const res = await hub.api<{ results: { channel: string; status: string }[] }>(
      'POST',
      '/api/v1/alerts/test',
      {},
    );
    expect(res.status).toBe(200);
    expect(Object.fromEntries(res.body.results.map((r) => [r.channel, r.status]))).toEqual({
      ops: 'sent',
      slack: 'sent',
      discord: 'sent',
      sms: 'sent',
      am: 'sent',
      mail: 'sent',
      phone: 'sent',
      log: 'sent',
    });
  });

  it('delivers a breached limit in each service’s own format', { timeout: 60_000 }, async () => {
    // The running hub keeps real time: the loss must fall on today's trading day.
    const T = Date.now();
    await ingest(hub, [
      {
        type: 'fill',
        id: 'f1',
        bot: 'alpha',
        account: 'acc1',
        ts: T,
        symbol: 'XYZ',
        side: 'buy',
        qty: 100,
        price: 50,
      },
      { type: 'mark', bot: 'alpha', ts: T + 1000, symbol: 'XYZ', price: 44 },
    ]);
    await eventually(
      async () =>
        ['/hook', '/slack', '/discord', '/twilio', '/am'].every((p) => at(p).length > 0) &&
        smtp.mails.some((m) => m.raw.includes('DailyLossLimit')) &&
        tg.messages().some((m) => String(m.params.text).includes('DailyLossLimit')),
    );

    const hook = at('/hook').at(-1)!;
    expect(hook.body).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'ops',
      truncatedAlerts: 0,
      groupLabels: { alertname: 'DailyLossLimit' },
      commonLabels: { alertname: 'DailyLossLimit', severity: 'critical', scope: 'portfolio' },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DailyLossLimit' },
          endsAt: '0001-01-01T00:00:00Z',
        },
      ],
    });
    expect(hook.headers['x-tradewatch-dedup-key']).toMatch(/^[0-9a-f]{32}$/);

    const slack = at('/slack').at(-1)!.body as { text: string; blocks: { type: string }[] };
    expect(slack.text).toContain('DailyLossLimit');
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);

    const discord = at('/discord').at(-1)!.body as {
      embeds: { title: string; color: number; description: string }[];
    };
    expect(discord.embeds[0]).toMatchObject({ color: 0xd32f2f });
    expect(discord.embeds[0]!.description).toContain('**DailyLossLimit**');

    const sms = at('/twilio').at(-1)!;
    expect(sms.path).toBe('/twilio/2010-04-01/Accounts/AC123/Messages.json');
    expect(sms.body).toMatchObject({ To: '+15551111', From: '+15550000' });
    expect(String((sms.body as { Body: string }).Body)).toContain('DailyLossLimit');
    expect(sms.headers.authorization).toBe(
      `Basic ${Buffer.from(`AC123:${TWILIO_TOKEN}`).toString('base64')}`,
    );

    const am = at('/am').at(-1)!;
    expect(am.path).toBe('/am/api/v2/alerts');
    expect(am.body).toEqual([
      expect.objectContaining({ labels: expect.objectContaining({ alertname: 'DailyLossLimit' }) }),
    ]);

    const mail = smtp.mails.find((m) => m.raw.includes('DailyLossLimit'))!;
    expect(mail.to).toEqual(['trader@example.com']);
    expect(mail.raw).toMatch(/^Subject: \[FIRING\] DailyLossLimit: Daily loss 600/m);
    expect(mail.raw).toContain('Content-Type: text/plain');
    expect(mail.raw).toContain('Content-Type: text/html');
    expect(mail.raw).toMatch(/X-Tradewatch-Dedup-Key: [0-9a-f]{32}/);

    const chat = tg.messages().find((m) => String(m.params.text).includes('DailyLossLimit'))!;
    expect(chat.token).toBe(TG_TOKEN);
    expect(chat.params).toMatchObject({ chat_id: '42', parse_mode: 'HTML' });
    expect(String(chat.params.text)).toContain('<b>DailyLossLimit</b>');
  });

  it('answers Telegram commands from the allowed chat and halts after the button is pressed', async () => {
    const before = tg.messages().length;
    tg.say(999, '/status');
    tg.say(42, '/alerts');
    tg.say(42, '/halt alpha');
    // Alert notifications to the same chat may come in between: pick the replies out.
    const isList = (m: { params: Record<string, unknown> }) =>
      String(m.params.text).startsWith('<code>');
    const confirm = await eventually(async () =>
      tg
        .messages()
        .slice(before)
        .find((m) => m.params.reply_markup),
    );
    const list = await eventually(async () => tg.messages().slice(before).find(isList));
    expect(
      tg
        .messages()
        .slice(before)
        .every((r) => r.params.chat_id === '42'),
    ).toBe(true);
    expect(String(list.params.text)).toContain('<b>DailyLossLimit</b>');
    const keyboard = confirm.params.reply_markup as {
      inline_keyboard: { text: string; callback_data: string }[][];
    };
    expect(keyboard.inline_keyboard[0]!.map((b) => b.text)).toEqual(['✅ Halt', 'Cancel']);
    tg.press(42, keyboard.inline_keyboard[0]![0]!.callback_data);
    await eventually(
      async () => (await hub.api<{ halted: boolean }>('GET', '/api/v1/bots/alpha')).body.halted,
    );
    await tg.waitFor(1, 'answerCallbackQuery');
    // /ack with the short id from /alerts.
    const id = (await alertsOf(hub)).find((a) => a.name === 'DailyLossLimit')!.id;
    tg.say(42, `/ack ${id.slice(0, 8)}`);
    await eventually(async () => (await alertsOf(hub, 'acknowledged')).length === 1);
  });

  it(
    'runs the kill switch, silences, summary and channel test from the command line',
    { timeout: 180_000 },
    async () => {
      const env = { TRADEWATCH_TOKEN: E2E_ADMIN, TG_TOKEN, TWILIO_TOKEN };
      const cli = (...args: string[]) =>
        runCli(['--config', configFile, ...args, '--url', hub.url], { env });
      const resume = await cli('resume', '--all', '--reason', 'back to work');
      expect(resume.code).toBe(0);
      expect(resume.stdout).toContain('Resumed 1 bot (alpha)');
      expect((await hub.api<{ halted: boolean }>('GET', '/api/v1/bots/alpha')).body.halted).toBe(
        false,
      );
      const halt = await cli('halt', '--bot', 'alpha', '--reason', 'cli test');
      expect(halt.stdout).toContain('Halted 1 bot (alpha)');
      expect((await cli('halt')).stderr).toContain(
        'exactly one of --all, --bot BOT or --account ACCOUNT',
      );

      const silence = await cli(
        'silence',
        'add',
        '--match',
        'alertname=BotDown',
        '--duration',
        '2h',
        '--comment',
        'maintenance',
      );
      expect(silence.code).toBe(0);
      const id = /Silence (sil_[0-9a-f]+)/.exec(silence.stdout)![1]!;
      expect((await cli('silence', 'list')).stdout).toContain(`${id}  active`);
      expect((await cli('silence', 'expire', id)).stdout).toContain(`Silence ${id} expired.`);

      const summary = await cli('summary', '--print');
      expect(summary.code).toBe(0);
      expect(summary.stdout).toContain('Tradewatch daily summary');
      expect(summary.stdout).toContain('Open positions 1');
      const sent = await cli('summary', '--send', '--channel', 'mail');
      expect(sent.stdout).toContain('queued for mail');
      await eventually(async () =>
        smtp.mails.some((m) => m.raw.includes('Subject: Tradewatch daily summary')),
      );

      const test = await cli('alerts', 'test', '--channel', 'ops');
      expect(test.stdout.trim()).toBe('ops: sent');
      const list = await cli('alerts', 'list');
      expect(list.stdout).toContain('DailyLossLimit');
    },
  );

  it('never writes a channel secret to its log', () => {
    expect(hub.output()).not.toContain(TG_TOKEN);
    expect(hub.output()).not.toContain(TWILIO_TOKEN);
  });
});

describe('tradewatch alerts check-config', () => {
  it('accepts the configuration of the issue verbatim', { timeout: 60_000 }, async () => {
    const dir = (await import('node:fs')).mkdtempSync(
      path.join((await import('node:os')).tmpdir(), 'tw-check-'),
    );
    const file = path.join(dir, 'tradewatch.yaml');
    writeFileSync(
      file,
      `risk:
  daily_loss_limit: 500        # account currency, or "2%" of start-of-day equity
  max_drawdown_pct: 10
  max_gross_exposure_pct: 200
  bots:
    mybot: { daily_loss_limit: 200 }
alerts:
  channels:
    - { name: ops, type: webhook, url: "http://127.0.0.1:9000/hook" }
    - { name: phone, type: telegram, bot_token: "\${TG_TOKEN}", chat_id: "12345" }
  routes:
    - { match: { severity: critical }, channels: [phone, ops], group_wait: 0s }
    - { match: {}, channels: [ops] }
`,
      { mode: 0o600 },
    );
    const ok = await runCli(['--config', file, 'alerts', 'check-config'], {
      env: { TG_TOKEN: 'x:y' },
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('is valid');
    expect(ok.stdout).toContain('2 channels: ops (webhook), phone (telegram)');

    writeFileSync(file, 'alerts:\n  routes:\n    - { channels: [nowhere] }\n', { mode: 0o600 });
    const bad = await runCli(['--config', file, 'alerts', 'check-config']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'config key "alerts.routes.0.channels.0": no channel named "nowhere"',
    );
  });
});
