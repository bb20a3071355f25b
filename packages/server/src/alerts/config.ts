import { z } from 'zod';
import { AppriseError, parseAppriseUrl } from './channels/apprise.js';
import { parseDuration } from './duration.js';
import { parseMatcher } from './matchers.js';
import { SEVERITIES } from './model.js';
import { RULE_METRICS, RULE_OPS } from './risk/metrics.js';
import { BUILTIN_NAMES } from './rules/builtins.js';

// ---------------------------------------------------------------- building blocks

/** A duration (`10s`, `1m`, `4h`, a number of seconds) parsed to milliseconds. */
const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      try {
        return parseDuration(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .prefault(fallback);

const severity = z.enum(SEVERITIES);
const channelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'channel names use letters, digits and _ . -');

/** `{label: value | "/regex/" | "!value"}`; values may be numbers in YAML (chat ids). */
const matchers = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names use letters, digits and _'),
    z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
  )
  .superRefine((spec, ctx) => {
    for (const [label, value] of Object.entries(spec)) {
      try {
        parseMatcher(label, value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: [label], message: (error as Error).message });
      }
    }
  });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)');
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. UTC, America/New_York)');
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A window during which only alerts of `pass` severity or above are sent. */
export const quietWindowConfig = z.strictObject({
  start: hhmm,
  end: hhmm,
  /** Default: the hub's `timezone`. */
  timezone: timeZone.optional(),
  /** Days the window starts on (default every day). */
  days: z.array(z.enum(DAYS)).min(1).optional(),
  pass: severity.default('critical'),
});
const quietHours = z
  .union([quietWindowConfig, z.array(quietWindowConfig)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

const throttleConfig = z.strictObject({
  /** At most this many messages per channel per window; the rest are summarised. */
  max: z.number().int().positive(),
  window: duration('1m'),
});

// ---------------------------------------------------------------- channels

const channelBase = {
  name: channelName,
  /** Another channel that takes over this one's messages while it keeps failing. */
  failover: channelName.optional(),
  /** Messages below this severity are not sent here. */
  min_severity: severity.default('info'),
  throttle: throttleConfig.optional(),
  /** Send a message when alerts resolve (default true). */
  send_resolved: z.boolean().default(true),
};

const recipients = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

export const channelConfig = z.preprocess(
  (value, ctx) => {
    // Apprise-style shorthand: `{name, url: "tgram://…"}` without a type.
    if (
      value !== null &&
      typeof value === 'object' &&
      !('type' in value) &&
      typeof (value as { url?: unknown }).url === 'string'
    ) {
      const { url, ...rest } = value as { url: string } & Record<string, unknown>;
      try {
        return { ...rest, ...parseAppriseUrl(url) };
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          message: error instanceof AppriseError ? error.message : 'not a valid channel URL',
        });
        return value;
      }
    }
    return value;
  },
  z.discriminatedUnion('type', [
    z.strictObject({
      ...channelBase,
      type: z.literal('log'),
      level: z.enum(['info', 'warn', 'error']).default('warn'),
    }),
    z.strictObject({
      ...channelBase,
      type: z.literal('webhook'),
      url: z.url(),
      headers: z.record(z.string(), z.string()).default({}),
      /** Alerts per message beyond which `truncatedAlerts` counts the rest. */
      max_alerts: z.number().int().positive().default(50),
    }),
    z.strictObject({
      ...channelBase,
      type: z.literal('alertmanager'),
      /** Base URL of an Alertmanager; alerts are POSTed to `<url>/api/v2/alerts`. */
      url: z.url(),
      headers: z.record(z.string(), z.string()).default({}),
    }),
    z.strictObject({
      ...channelBase,
      type: z.literal('email'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65_535).default(587),
      /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
      secure: z.boolean().default(false),
      user: z.string().optional(),
      password: z.string().optional(),
      from: z.string().min(3),
      to: recipients,
      /** Accept self-signed certificates (a local relay). */
      tls_reject_unauthorized: z.boolean().default(true),
    }),
    z.strictObject({
      ...channelBase,
      type: z.literal('telegram'),
      bot_token: z.string().min(1),
      chat_id: z.union([z.string().min(1), z.number()]).transform((v) => String(v)),
      api_url: z.url().default('https://api.telegram.org'),
    }),
    z.strictObject({ ...channelBase, type: z.literal('slack'), webhook_url: z.url() }),
    z.strictObject({ ...channelBase, type: z.literal('discord'), webhook_url: z.url() }),
    z.strictObject({
      ...channelBase,
      type: z.literal('twilio'),
      account_sid: z.string().min(1),
      auth_token: z.string().min(1),
      from: z.string().min(1),
      to: recipients,
      api_url: z.url().default('https://api.twilio.com'),
    }),
    z.strictObject({
      ...channelBase,
      type: z.literal('desktop'),
      sound: z.boolean().default(false),
    }),
  ]),
);
export type ChannelConfig = z.output<typeof channelConfig>;
export type ChannelType = ChannelConfig['type'];

// ---------------------------------------------------------------- routes, rules, actions

export const routeConfig = z.strictObject({
  match: matchers.default({}),
  channels: z.array(channelName).min(1),
  /** Labels that split alerts into groups; `["..."]` makes every alert its own group. */
  group_by: z.array(z.string().min(1)).default(['alertname']),
  group_wait: duration('10s'),
  group_interval: duration('1m'),
  repeat_interval: duration('4h'),
  /** Keep matching later routes after this one. */
  continue: z.boolean().default(false),
  /** `false` turns the global quiet hours off for this route. */
  quiet_hours: z.union([quietHours, z.literal(false)]).optional(),
  /** Collect this route's notifications into one message per interval (e.g. `1h`). */
  digest: z
    .union([
      z.string(),
      z.number(),
      z.strictObject({ interval: z.union([z.string(), z.number()]) }),
    ])
    .transform((v, ctx) => {
      try {
        return parseDuration(typeof v === 'object' ? v.interval : v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  /** Sends an unacknowledged alert further after a while. */
  escalate: z
    .strictObject({
      after: duration('15m'),
      channels: z.array(channelName).min(1),
      severity: severity.default('critical'),
    })
    .optional(),
});
export type RouteConfig = z.output<typeof routeConfig>;

export const inhibitRuleConfig = z.strictObject({
  source_match: matchers,
  target_match: matchers,
  /** Labels that must be equal on source and target. */
  equal: z.array(z.string()).default([]),
});

const ACTION_TYPES = ['halt', 'flatten', 'webhook', 'exec'] as const;
export const actionConfig = z
  .union([
    z.enum(['halt', 'flatten']).transform((type) => ({ type })),
    z.strictObject({ type: z.enum(['halt', 'flatten']) }),
    z.strictObject({
      type: z.literal('webhook'),
      url: z.url(),
      headers: z.record(z.string(), z.string()).default({}),
      timeout: duration('10s'),
    }),
    z.strictObject({
      type: z.literal('exec'),
      /** A program (no shell) and its arguments; `{{alertname}}`-style label placeholders allowed in args. */
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
      timeout: duration('30s'),
    }),
  ])
  .describe(`one of ${ACTION_TYPES.join(', ')}`);
export type ActionConfig = z.output<typeof actionConfig>;

export const ruleConfig = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
      'rule names use letters, digits and _ (start with a letter)',
    ),
  scope: z.enum(['portfolio', 'account', 'bot']).default('portfolio'),
  /** Only these account or bot ids (default: every one of the scope). */
  targets: z.array(z.string().min(1)).optional(),
  metric: z.enum(RULE_METRICS),
  op: z.enum(RULE_OPS),
  value: z.number().finite(),
  for: duration('0s'),
  severity: severity.default('warning'),
  summary: z.string().max(500).optional(),
  actions: z.array(actionConfig).default([]),
});
export type RuleConfig = z.output<typeof ruleConfig>;

const builtinConfig = z.strictObject({
  enabled: z.boolean().optional(),
  severity: severity.optional(),
});

// ---------------------------------------------------------------- sections

export const telegramConfig = z.strictObject({
  enabled: z.boolean().default(false),
  /** A telegram channel whose bot token, API URL and chat id the command bot uses. */
  channel: channelName.optional(),
  bot_token: z.string().min(1).optional(),
  api_url: z.url().optional(),
  /** Chats whose commands are answered (default: the channel's chat id). */
  allowed_chat_ids: z
    .array(z.union([z.string(), z.number()]).transform((v) => String(v)))
    .default([]),
  poll_timeout: duration('25s'),
  /** How long a /halt or /resume confirmation button stays valid. */
  confirm_timeout: duration('2m'),
});

export const summaryConfig = z.strictObject({
  enabled: z.boolean().default(true),
  cron: z.string().min(1).default('30 16 * * 1-5'),
  timezone: timeZone.default('America/New_York'),
  /** Channels to send to (default: every email, telegram, slack and discord channel). */
  channels: z.array(channelName).optional(),
  /** Latest signals listed (the watchlist). */
  signals: z.number().int().min(0).max(200).default(20),
});

export const deliveryConfig = z.strictObject({
  timeout: duration('10s'),
  backoff_initial: duration('1s'),
  backoff_max: duration('5m'),
  /** Consecutive failures that open a channel's circuit breaker. */
  breaker_failures: z.number().int().positive().default(5),
  breaker_half_open_after: duration('30s'),
  /** Consecutive failures after which `DeliveryFailing` fires (and failover takes over). */
  failing_after: z.number().int().positive().default(3),
  /**
   * Messages in flight at once per healthy channel (started in order; neighbours may arrive
   * swapped). 1 keeps arrival order strict. A channel catching up after failures always gets
   * its backlog one message at a time, oldest first.
   */
  concurrency: z.number().int().min(1).max(64).default(1),
  /** How long an instance owns a claimed outbox row. */
  lease: duration('2m'),
  /** Delivery history kept for the API. */
  history_retention: duration('30d'),
});

export const killSwitchConfig = z.strictObject({
  /** A bot that has not acknowledged a command after this raises `KillSwitchUnacknowledged`. */
  ack_timeout: duration('30s'),
  /** Unacknowledged commands older than this are no longer handed out. */
  command_ttl: duration('24h'),
  /** Longest `wait` a bot may long-poll for. */
  max_wait: duration('60s'),
});

/** `alerts:` — channels, routes, silences, inhibition, daily summary (issue 4). */
export const alertsConfig = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Everything goes to the log channel only (nothing leaves the machine). */
    dry_run: z.boolean().default(false),
    /** Clock for time-based rules: dead-man's switch, stale data, group timers, escalation. */
    evaluation_interval: duration('1s'),
    /** The URL links in notifications point at (default: server.public_url). */
    external_url: z.url().optional(),
    channels: z.array(channelConfig).default([]),
    routes: z.array(routeConfig).default([]),
    inhibit_rules: z.array(inhibitRuleConfig).default([
      {
        source_match: { alertname: 'BotDown' },
        target_match: { alertname: '/ConnectionLost|StaleMarketData/' },
        equal: ['bot'],
      },
    ]),
    quiet_hours: quietHours.optional(),
    throttle: throttleConfig.optional(),
    rules: z.array(ruleConfig).default([]),
    /** Actions run when matching alerts fire (the runbook), e.g. halt on DailyLossLimit. */
    runbook: z
      .array(z.strictObject({ match: matchers, actions: z.array(actionConfig).min(1) }))
      .default([]),
    builtin: z.partialRecord(z.enum(BUILTIN_NAMES), builtinConfig).default({}),
    /** `exec` actions are refused unless this is true. */
    allow_exec: z.boolean().default(false),
    /** Directory with template overrides (`<AlertName>.<subject|text|html|markdown>.tmpl`). */
    templates_dir: z.string().min(1).optional(),
    /** Event alerts (OrderRejected, TradeClosed …) stay listed as firing this long. */
    event_alert_ttl: duration('5m'),
    /** Alerts listed in one message at most (the rest are counted). */
    max_alerts_per_message: z.number().int().positive().default(50),
    delivery: deliveryConfig.prefault({}),
    kill_switch: killSwitchConfig.prefault({}),
    telegram: telegramConfig.prefault({}),
    summary: summaryConfig.prefault({}),
  })
  .superRefine((a, ctx) => {
    const names = new Set<string>(['log']);
    a.channels.forEach((c, i) => {
      if (names.has(c.name) && c.name !== 'log') {
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'name'],
          message: `channel "${c.name}" is defined twice`,
        });
      }
      names.add(c.name);
    });
    const known = (name: string, path: (string | number)[]) => {
      if (!names.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `no channel named "${name}" (channels: ${[...names].join(', ')})`,
        });
      }
    };
    a.channels.forEach((c, i) => {
      if (c.failover !== undefined) {
        known(c.failover, ['channels', i, 'failover']);
        if (c.failover === c.name)
          ctx.addIssue({
            code: 'custom',
            path: ['channels', i, 'failover'],
            message: 'a channel cannot fail over to itself',
          });
      }
    });
    a.routes.forEach((r, i) => {
      r.channels.forEach((c, j) => known(c, ['routes', i, 'channels', j]));
      r.escalate?.channels.forEach((c, j) => known(c, ['routes', i, 'escalate', 'channels', j]));
    });
    a.summary.channels?.forEach((c, j) => known(c, ['summary', 'channels', j]));
    if (a.telegram.channel !== undefined) {
      const ch = a.channels.find((c) => c.name === a.telegram.channel);
      if (!ch || ch.type !== 'telegram') {
        ctx.addIssue({
          code: 'custom',
          path: ['telegram', 'channel'],
          message: `"${a.telegram.channel}" is not a telegram channel`,
        });
      }
    } else if (a.telegram.enabled && a.telegram.bot_token === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['telegram'],
        message: 'the Telegram bot needs `channel` (a telegram channel) or `bot_token`',
      });
    }
    const ruleNames = new Set<string>();
    a.rules.forEach((r, i) => {
      if (ruleNames.has(r.name) || (BUILTIN_NAMES as readonly string[]).includes(r.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'name'],
          message: `rule name "${r.name}" is already used (rule names must be unique and not built-in alert names)`,
        });
      }
      ruleNames.add(r.name);
      if (r.metric === 'heartbeat_age_s' && r.scope !== 'bot') {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'metric'],
          message: 'heartbeat_age_s is a bot metric: use scope: bot',
        });
      }
    });
    if (!a.allow_exec) {
      const check = (actions: ActionConfig[], path: (string | number)[]) =>
        actions.forEach((act, k) => {
          if (act.type === 'exec') {
            ctx.addIssue({
              code: 'custom',
              path: [...path, k],
              message: 'exec actions are refused unless alerts.allow_exec is true',
            });
          }
        });
      a.rules.forEach((r, i) => check(r.actions, ['rules', i, 'actions']));
      a.runbook.forEach((r, i) => check(r.actions, ['runbook', i, 'actions']));
    }
  });

// ---------------------------------------------------------------- risk

/** A limit as an amount of account currency (`500`) or a percentage (`"2%"`). */
const limitValue = z
  .union([
    z.number().finite().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?%?$/, 'use an amount (500) or a percentage ("2%")'),
  ])
  .transform((v) => {
    const text = String(v);
    return text.endsWith('%')
      ? { kind: 'pct' as const, value: text.slice(0, -1) }
      : { kind: 'abs' as const, value: text };
  });
export type LimitValue = z.output<typeof limitValue>;

const symbolLimits = z.strictObject({
  max_position_value: limitValue.optional(),
  max_position_qty: z.number().positive().optional(),
});

export const scopeLimitsConfig = z.strictObject({
  /** Loss over the trading day (net of cash flows): an amount or a % of start-of-day equity. */
  daily_loss_limit: limitValue.optional(),
  /** Drawdown from peak of cash-flow-adjusted equity, in percent. */
  max_drawdown_pct: z.number().positive().optional(),
  /** Gross exposure over equity, in percent. */
  max_gross_exposure_pct: z.number().positive().optional(),
  /** Open risk if every protective stop were hit, over equity, in percent. */
  max_portfolio_heat_pct: z.number().positive().optional(),
  /** Value of a position in one symbol: an amount or a % of equity. */
  max_position_value: limitValue.optional(),
  /** Quantity of a position in one symbol. */
  max_position_qty: z.number().positive().optional(),
  max_open_positions: z.number().int().nonnegative().optional(),
  /** Cash below this raises LowBalance (accounts and the portfolio). */
  min_balance: limitValue.optional(),
  /** Per-symbol position limits. */
  symbols: z.record(z.string().min(1), symbolLimits).default({}),
});
export type ScopeLimitsConfig = z.output<typeof scopeLimitsConfig>;

/** `risk:` — limits, portfolio-wide with per-account and per-bot overrides (issue 4). */
export const riskConfig = scopeLimitsConfig.extend({
  /** Limits of accounts by id; `"*"` applies to every account. */
  accounts: z.record(z.string().min(1), scopeLimitsConfig).default({}),
  /** Limits of bots by id; `"*"` applies to every bot. */
  bots: z.record(z.string().min(1), scopeLimitsConfig).default({}),
  /** No mark for a symbol with an open position for this many seconds raises StaleMarketData. */
  stale_market_data_s: z.number().positive().optional(),
  /** A market order's first fill later than this after submission raises OrderLatencyHigh. */
  order_latency_ms: z.number().positive().default(5_000),
});

export type AlertsConfig = z.output<typeof alertsConfig>;
export type RiskConfig = z.output<typeof riskConfig>;
