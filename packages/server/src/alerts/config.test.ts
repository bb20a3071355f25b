import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configSchema, formatZodError, substituteEnv } from '../config/index.js';
import { parseAppriseUrl } from './channels/apprise.js';
import { alertsConfig, riskConfig } from './config.js';
import { formatDuration, parseDuration } from './duration.js';
import { matches, parseMatcherArg, parseMatchers } from './matchers.js';

describe('durations', () => {
  it('reads units, combinations and plain seconds', () => {
    expect(['500ms', '10s', '1m', '4h', '1d', '1h30m', 90, '2.5'].map(parseDuration)).toEqual([
      500, 10_000, 60_000, 14_400_000, 86_400_000, 5_400_000, 90_000, 2_500,
    ]);
    expect(() => parseDuration('10 minutes')).toThrow(/not a duration/);
    expect(formatDuration(3_725_000)).toBe('1h 2m');
  });
});

describe('label matchers', () => {
  it('match values, regexes and their negations; an empty value matches a missing label', () => {
    const m = parseMatchers({ alertname: '/Bot.*/', severity: '!info', bot: '' });
    expect(matches(m, { alertname: 'BotDown', severity: 'critical' })).toBe(true);
    expect(matches(m, { alertname: 'BotDown', severity: 'info' })).toBe(false);
    expect(matches(m, { alertname: 'XBotDown', severity: 'critical' })).toBe(false);
    expect(matches(m, { alertname: 'BotDown', severity: 'critical', bot: 'a' })).toBe(false);
    expect(['a=b', 'a!=b', 'a=~x|y', 'a!~z'].map(parseMatcherArg)).toEqual([
      ['a', 'b'],
      ['a', '!b'],
      ['a', '/x|y/'],
      ['a', '!/z/'],
    ]);
  });
});

describe('configuration', () => {
  it('parses to defaults when empty', () => {
    const c = alertsConfig.parse({});
    expect(c.channels).toEqual([]);
    expect(c.delivery).toMatchObject({ timeout: 10_000, backoff_initial: 1_000, concurrency: 1 });
    expect(c.summary).toMatchObject({ cron: '30 16 * * 1-5', timezone: 'America/New_York' });
    expect(c.inhibit_rules).toHaveLength(1);
  });

  it('accepts Apprise-style channel URLs as a shorthand', () => {
    expect(parseAppriseUrl('tgram://123:abc/42')).toEqual({
      type: 'telegram',
      bot_token: '123:abc',
      chat_id: '42',
    });
    expect(parseAppriseUrl('mailtos://me:pw@smtp.example.com?to=a@b.c,d@e.f')).toMatchObject({
      type: 'email',
      host: 'smtp.example.com',
      port: 465,
      secure: true,
      user: 'me',
      password: 'pw',
      to: ['a@b.c', 'd@e.f'],
    });
    expect(parseAppriseUrl('json://127.0.0.1:9000/hook')).toEqual({
      type: 'webhook',
      url: 'http://127.0.0.1:9000/hook',
    });
    expect(parseAppriseUrl('discord://1/tok')).toMatchObject({
      webhook_url: 'https://discord.com/api/webhooks/1/tok',
    });
    const c = alertsConfig.parse({ channels: [{ name: 'phone', url: 'tgram://123:abc/42' }] });
    expect(c.channels[0]).toMatchObject({
      name: 'phone',
      type: 'telegram',
      api_url: 'https://api.telegram.org',
    });
  });

  it('names the key and the problem, never the secret', () => {
    const url = alertsConfig.safeParse({ channels: [{ name: 'p', url: 'nope://secret-token/1' }] });
    const urlText = formatZodError(url.error!);
    expect(urlText).toContain('"channels.0.url": unsupported channel URL scheme');
    expect(urlText).not.toContain('secret-token');
    const r = alertsConfig.safeParse({
      routes: [{ channels: ['ghost'] }],
      rules: [
        {
          name: 'X',
          metric: 'heartbeat_age_s',
          op: '>',
          value: 60,
          actions: [{ type: 'exec', command: '/bin/true' }],
        },
      ],
    });
    expect(r.success).toBe(false);
    const text = formatZodError(r.error!);
    expect(text).toContain('no channel named "ghost"');
    expect(text).toContain('heartbeat_age_s is a bot metric');
    expect(text).toContain('exec actions are refused unless alerts.allow_exec is true');
  });

  it('reads risk limits as amounts or percentages, with overrides per account and bot', () => {
    const r = riskConfig.parse({
      daily_loss_limit: '2%',
      accounts: { '*': { min_balance: 100 } },
      bots: { b: { max_open_positions: 3 } },
    });
    expect(r.daily_loss_limit).toEqual({ kind: 'pct', value: '2' });
    expect(r.accounts['*']!.min_balance).toEqual({ kind: 'abs', value: '100' });
    expect(riskConfig.safeParse({ daily_loss_limit: '2 percent' }).success).toBe(false);
  });
});

describe('docs/alerts.md', () => {
  it('every YAML example is a valid configuration', () => {
    const doc = readFileSync(
      path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/alerts.md'),
      'utf8',
    );
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(5);
    const env = { TG_TOKEN: '1:x', SMTP_PASSWORD: 'pw', TWILIO_TOKEN: 't' };
    // Fragments use the channels of the quick start (ops, phone) and a mail channel.
    const channels = [
      { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9000/hook' },
      { name: 'phone', type: 'telegram', bot_token: '1:x', chat_id: '12345' },
      { name: 'mail', type: 'email', host: 'localhost', from: 'a@b.c', to: 'd@e.f' },
    ];
    for (const block of blocks) {
      const raw = substituteEnv(parseYaml(block), env) as { alerts?: Record<string, unknown> };
      if (raw.alerts && !raw.alerts.channels) raw.alerts.channels = channels;
      const parsed = configSchema.safeParse(raw);
      expect(parsed.success ? 'ok' : formatZodError(parsed.error), block).toBe('ok');
    }
  });
});
