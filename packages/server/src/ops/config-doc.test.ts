import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema } from '../config/index.js';

/**
 * docs/configuration.md's key reference is generated from the configuration schema itself: every
 * key, its type, its default and the comment above it in the module's config.ts. Regenerate it
 * after changing any config.ts:
 *
 *   UPDATE_CONFIG_DOC=1 npx vitest run packages/server/src/ops/config-doc.test.ts
 *
 * Without the variable, the test checks that the ops module's own sections are all documented.
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = path.resolve(SRC, '../../../docs/configuration.md');
const BEGIN = '<!-- BEGIN GENERATED KEY REFERENCE -->';
const END = '<!-- END GENERATED KEY REFERENCE -->';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  additionalProperties?: JsonSchema | boolean;
  minimum?: number;
  maximum?: number;
}

/** Comments of schema properties, read from the TypeScript sources of every config.ts. */
function sourceComments() {
  const files = [
    path.join(SRC, 'config/schema.ts'),
    ...readdirSync(SRC, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(SRC, d.name, 'config.ts'))
      .filter((f) => {
        try {
          readFileSync(f);
          return true;
        } catch {
          return false;
        }
      }),
  ];
  const consts = new Map<string, ts.Expression>();
  const sources: ts.SourceFile[] = [];
  for (const f of files) {
    const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
    sources.push(sf);
    sf.forEachChild(function visit(node) {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        consts.set(node.name.text, node.initializer);
      }
      node.forEachChild(visit);
    });
  }
  const commentOf = (node: ts.Node): string => {
    const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
    const text = docs?.map((d) => (typeof d.comment === 'string' ? d.comment : '')).join(' ');
    return (text ?? '').replace(/\s+/g, ' ').trim();
  };
  /** Object literals (schema shapes) an expression builds, following identifiers. */
  const shapes = (expr: ts.Node, seen = new Set<string>()): ts.ObjectLiteralExpression[] => {
    const out: ts.ObjectLiteralExpression[] = [];
    const walk = (n: ts.Node) => {
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (['strictObject', 'object', 'looseObject', 'extend'].includes(name)) {
          const arg = n.arguments[0];
          if (arg && ts.isObjectLiteralExpression(arg)) out.push(arg);
        }
        // `.default(x.parse({}))` and friends do not describe the shape.
        if (name === 'default' || name === 'parse' || name === 'refine' || name === 'transform') {
          walk(callee);
          return;
        }
      }
      if (ts.isIdentifier(n) && consts.has(n.text) && !seen.has(n.text)) {
        seen.add(n.text);
        out.push(...shapes(consts.get(n.text)!, seen));
        return;
      }
      n.forEachChild(walk);
    };
    walk(expr);
    return out;
  };
  const comments = new Map<string, string>();
  const collect = (literals: ts.ObjectLiteralExpression[], prefix: string) => {
    for (const lit of literals) {
      for (const prop of lit.properties) {
        if (ts.isSpreadAssignment(prop) && ts.isIdentifier(prop.expression)) {
          const spread = consts.get(prop.expression.text);
          if (spread && ts.isObjectLiteralExpression(spread)) collect([spread], prefix);
          continue;
        }
        if (!ts.isPropertyAssignment(prop)) continue;
        const key =
          ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name) ? prop.name.text : null;
        if (!key) continue;
        const p = prefix ? `${prefix}.${key}` : key;
        const c = commentOf(prop);
        if (c && !comments.has(p)) comments.set(p, c);
        collect(shapes(prop.initializer), p);
      }
    }
  };
  collect(shapes(consts.get('configSchema')!), '');
  return comments;
}

/** Meanings of keys whose schema has no comment (core keys, alert channel fields …). */
const MEANINGS: Record<string, string> = {
  'server.host': 'Address to listen on; `0.0.0.0` for every interface (put TLS in front).',
  'server.port': 'TCP port of the API, dashboard and stream.',
  'server.trust_proxy':
    'Believe `X-Forwarded-For/-Proto` from a reverse proxy (client addresses for rate limits and logs, HTTPS detection).',
  data_dir: 'Where the SQLite database, backups, the lock file and logs live.',
  base_currency: 'Currency of the portfolio totals and of accounts that name none.',
  default_heartbeat_interval_s:
    "A bot's expected heartbeat interval when it does not say (BotDown after two missed).",
  log_level: 'Process log verbosity.',
  'accounts[].id': 'Account id used in events (`account`), letters, digits and . _ : -.',
  'accounts[].name': 'Display name (default: the id).',
  'accounts[].broker': 'Broker name, for display.',
  'accounts[].currency': 'Account currency.',
  'accounts[].opening_balance':
    'Equity before the first fact (a decimal; deposits are cash flows, not P&L).',
  'accounts[].mode': '`paper` or `live` (unconfigured accounts count as live).',
  instruments: 'Per-symbol settings (contract multipliers).',
  'instruments[].symbol': 'Symbol exactly as bots send it.',
  'instruments[].multiplier': 'Contract multiplier (e.g. 50 for ES futures) applied to P&L.',
  'instruments[].currency': 'Quote currency of the symbol.',
  'bots[].id': 'Bot id used in events (`bot`).',
  'bots[].name': 'Display name.',
  'bots[].framework': 'Framework (freqtrade, hummingbot, lean …), for display.',
  'bots[].account': 'Account for events that name none.',
  'bots[].heartbeat_interval_s':
    'Expected heartbeat interval (overrides the default and what the bot reports).',
  'alerts.enabled': 'Evaluate rules and send notifications.',
  'alerts.channels[].name': 'Channel name used by routes (`log` always exists).',
  'alerts.channels[].throttle': 'At most `max` messages per `window` on this channel.',
  'alerts.channels[].throttle.window': 'Throttle window (`1m`, `30s` …).',
  'alerts.channels[].type':
    'log, webhook, alertmanager, email, telegram, slack, discord, twilio or desktop (or an Apprise-style `url:` instead).',
  'alerts.channels[].level': 'log channel: the log level of messages.',
  'alerts.channels[].url': 'webhook / alertmanager: where to POST.',
  'alerts.channels[].headers':
    'webhook / alertmanager: extra HTTP headers (write secrets as `${NAME}`).',
  'alerts.channels[].host': 'email: SMTP server.',
  'alerts.channels[].port': 'email: SMTP port.',
  'alerts.channels[].user': 'email: SMTP user.',
  'alerts.channels[].password': 'email: SMTP password (`${NAME}`).',
  'alerts.channels[].from': 'email / twilio: sender.',
  'alerts.channels[].to': 'email / twilio: one recipient or a list.',
  'alerts.channels[].bot_token': 'telegram: bot token (`${NAME}`).',
  'alerts.channels[].chat_id': 'telegram: chat id.',
  'alerts.channels[].api_url': 'telegram / twilio: API base URL (tests, proxies).',
  'alerts.channels[].webhook_url': 'slack / discord: incoming webhook URL (a secret: `${NAME}`).',
  'alerts.channels[].account_sid': 'twilio: account SID.',
  'alerts.channels[].auth_token': 'twilio: auth token (`${NAME}`).',
  'alerts.channels[].sound': 'desktop: play a sound.',
  'alerts.routes':
    'Which alerts go to which channels; the first matching route wins unless `continue`.',
  'alerts.routes[].match': 'Label matchers: `value`, `"/regex/"` or `"!value"`.',
  'alerts.routes[].channels': 'Channels this route sends to.',
  'alerts.routes[].group_wait': 'Wait this long to collect a new group before the first message.',
  'alerts.routes[].group_interval': 'Wait this long before sending a group that changed.',
  'alerts.routes[].repeat_interval': 'Resend a still-firing group after this long.',
  'alerts.routes[].escalate.after': 'Unacknowledged for this long: escalate.',
  'alerts.routes[].escalate.channels': 'Channels to escalate to.',
  'alerts.routes[].escalate.severity': 'Severity of the escalated message.',
  'alerts.routes[].digest.interval': 'Digest interval.',
  'alerts.inhibit_rules': 'While a source alert fires, matching target alerts are not sent.',
  'alerts.inhibit_rules[].source_match': 'Matchers of the inhibiting alert.',
  'alerts.inhibit_rules[].target_match': 'Matchers of the inhibited alerts.',
  'alerts.throttle': 'Global throttle: at most `max` messages per `window` per channel.',
  'alerts.throttle.window': 'Throttle window.',
  'alerts.rules': 'Your own threshold rules (see alerts.md).',
  'alerts.rules[].name': 'Alert name (letters, digits, _).',
  'alerts.rules[].scope': 'Evaluate per portfolio, account or bot.',
  'alerts.rules[].metric': 'The measured value (see alerts.md for the list).',
  'alerts.rules[].op': 'Comparison with `value`.',
  'alerts.rules[].value': 'Threshold.',
  'alerts.rules[].for': 'The condition must hold this long before firing.',
  'alerts.rules[].severity': 'Severity of the alert.',
  'alerts.rules[].summary': 'Message text (label placeholders allowed).',
  'alerts.rules[].actions': 'Actions when it fires: halt, flatten, webhook, exec.',
  'alerts.runbook[].match': 'Alerts whose labels match …',
  'alerts.runbook[].actions': '… run these actions.',
  'alerts.builtin':
    'Built-in alerts by name (BotDown, DailyLossLimit …): turn off or change severity.',
  'alerts.builtin.<name>.enabled': 'false turns this built-in alert off.',
  'alerts.builtin.<name>.severity': 'Its severity.',
  'alerts.delivery': 'Notification delivery: timeouts, retries with backoff, circuit breakers.',
  'alerts.delivery.timeout': 'Per-attempt timeout.',
  'alerts.delivery.backoff_initial': 'First retry delay (doubles each time).',
  'alerts.delivery.backoff_max': 'Longest retry delay.',
  'alerts.delivery.breaker_half_open_after': 'An open circuit tries again after this long.',
  'alerts.kill_switch': 'Halt / flatten commands to bots and their acknowledgement.',
  'alerts.telegram': 'The Telegram command bot (/status, /halt …).',
  'alerts.telegram.enabled': 'Run the command bot.',
  'alerts.telegram.bot_token': 'Its token, if not taken from `channel`.',
  'alerts.telegram.api_url': 'Telegram API base URL.',
  'alerts.telegram.poll_timeout': 'Long-poll timeout.',
  'alerts.summary': 'The daily summary message.',
  'alerts.summary.enabled': 'Send it.',
  'alerts.summary.cron': 'When (cron).',
  'alerts.summary.timezone': 'Time zone of `cron`.',
  risk: 'Risk limits: portfolio-wide keys here, overrides under `accounts` and `bots`.',
  'risk.max_open_positions': 'Number of open positions.',
  health: 'Health checks, metrics, event log, sampling and retention (see observability.md).',
  'health.thresholds': 'Warn and fail levels of the health checks.',
  'health.alerts': 'Thresholds of the observability alerts.',
  'health.metrics': 'The Prometheus /metrics endpoint.',
  'health.log_file': 'A JSON log file with rotation.',
  'health.sampler': 'Resource sampling (CPU, memory, disk, event loop).',
  'health.sampler.enabled': 'Sample resources.',
  'health.events': 'The stored event log.',
  'health.retention': 'How long observability data is kept.',
  'health.retention.downsample_after_days':
    'Samples older than this are kept at 5-minute resolution.',
  'health.reconciliation': 'Compare broker snapshots (positions, balances) with the ledger.',
  'health.reconciliation.enabled': 'Run the comparison.',
  'health.reconciliation.money_tolerance_pct': 'Differences below this percentage are ignored.',
  probes: 'URLs the hub checks from outside (exchanges, brokers, your own services).',
  'probes[].name': 'Probe name (labels the ProbeFailed alert).',
  'probes[].url': 'URL to GET.',
  integrations: 'Framework adapters and bridges (see integrations.md).',
  'integrations.hummingbot': 'The Hummingbot MQTT bridge.',
  'integrations.hummingbot.enabled': 'Run the bridge.',
  'integrations.hummingbot.username': 'Broker user.',
  'integrations.hummingbot.password': 'Broker password (`${NAME}`).',
  'integrations.hummingbot.client_id': 'MQTT client id (default: generated).',
  cluster: 'Several hub instances on one PostgreSQL.',
  'cluster.keepalive.idle_s': 'Seconds idle before the first keepalive probe.',
  'cluster.keepalive.interval_s': 'Seconds between probes.',
  'cluster.keepalive.count': 'Unanswered probes before the session is dropped.',
  server: 'The HTTP server.',
  database: 'Where the data lives.',
  web: 'The dashboard.',
  alerts: 'Alert rules, routing and notification channels (see alerts.md).',
  backup: 'Scheduled backups and retention (see deployment.md).',
  security: 'TLS, CORS, rate and time limits (see security.md).',
};

/** A meaning by rule for the keys that repeat under many names. */
function meaningOf(key: string): string {
  const exact = MEANINGS[key] ?? MEANINGS[key.replace(/\.<name>/g, '').replace(/\[\]/g, '[]')];
  if (exact) return exact;
  const generic = key
    .replace(/^risk\.(accounts|bots)\.<name>\./, 'risk.')
    .replace(/\.symbols\.<name>\./, '.');
  if (generic !== key && MEANINGS[generic]) return MEANINGS[generic];
  if (/^risk\..*\.max_position_value$/.test(key))
    return 'Value of a position in one symbol: an amount or a % of equity.';
  if (/^risk\..*\.max_position_qty$/.test(key)) return 'Quantity of a position in one symbol.';
  if (/^risk\.(accounts|bots)\.<name>\.max_open_positions$/.test(key))
    return 'Number of open positions.';
  if (/quiet_hours(\[\])?\.start$/.test(key)) return 'Start, HH:MM (24-hour).';
  if (/quiet_hours(\[\])?\.end$/.test(key))
    return 'End, HH:MM (24-hour); before start means overnight.';
  if (/quiet_hours(\[\])?\.pass$/.test(key))
    return 'Alerts of this severity or above still go out.';
  if (/\.warn$/.test(key)) return 'Warn level.';
  if (/\.fail$/.test(key)) return 'Fail level (null: this measurement never fails the hub).';
  if (/actions\[\]\.type$/.test(key))
    return 'halt, flatten, webhook or exec (a bare string is the type).';
  if (/actions\[\]\.url$/.test(key)) return 'webhook: URL to POST to.';
  if (/actions\[\]\.headers$/.test(key)) return 'webhook: extra headers.';
  if (/actions\[\]\.timeout$/.test(key)) return 'Time limit of the action.';
  if (/actions\[\]\.args$/.test(key)) return 'exec: arguments (label placeholders allowed).';
  return '';
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(' or ');
  const t = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  if (t === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (t === 'object' && !s.properties) return 'map';
  if (t === 'object') return 'section';
  return t;
}

interface Row {
  key: string;
  type: string;
  def: string;
  doc: string;
}

/** Every key path (lists as `[]`, maps as `<name>`) with its type and default. */
function rows(schema: JsonSchema, comments: Map<string, string>): Row[] {
  const out: Row[] = [];
  const seen = new Set<string>();
  const walk = (s: JsonSchema, p: string, docPath: string) => {
    for (const alt of s.anyOf ?? s.oneOf ?? []) walk(alt, p, docPath);
    if (s.properties) {
      for (const [k, v] of Object.entries(s.properties)) {
        const key = p ? `${p}.${k}` : k;
        const dp = docPath ? `${docPath}.${k}` : k;
        if (!seen.has(key)) {
          seen.add(key);
          out.push({
            key,
            type: typeOf(v),
            // A section's default is its keys' defaults, listed on their own rows.
            def:
              v.default === undefined || typeOf(v).includes('section')
                ? ''
                : `\`${JSON.stringify(v.default)}\``,
            doc: comments.get(dp) ?? meaningOf(key),
          });
        }
        walk(v, key, dp);
      }
    }
    if (s.items) walk(s.items, `${p}[]`, docPath);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      walk(s.additionalProperties, `${p}.<name>`, docPath);
    }
  };
  walk(schema, '', '');
  return out;
}

function reference(): { markdown: string; keys: Row[] } {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const all = rows(schema, sourceComments());
  const sections = new Map<string, Row[]>([['general', []]]);
  const nested = new Set(all.filter((r) => /[.[]/.test(r.key)).map((r) => r.key.split(/[.[]/)[0]!));
  for (const r of all) {
    const first = r.key.split(/[.[]/)[0]!;
    // Top-level values without keys of their own share one table.
    const top = nested.has(first) ? first : 'general';
    const list = sections.get(top) ?? [];
    list.push(r);
    sections.set(top, list);
  }
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  let md = '';
  for (const [top, list] of sections) {
    const title = top === 'general' ? 'Top-level keys' : `\`${top}\``;
    md += `\n### ${title}\n\n| Key | Type | Default | Meaning |\n|---|---|---|---|\n`;
    for (const r of list) {
      md += `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.def)} | ${cell(r.doc)} |\n`;
    }
  }
  return { markdown: md, keys: all };
}

describe('the configuration reference in docs/configuration.md', () => {
  it.runIf(process.env.UPDATE_CONFIG_DOC === '1')('is regenerated from the schema', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    const { markdown } = reference();
    writeFileSync(
      DOC,
      doc.slice(0, start + BEGIN.length) + '\n' + markdown + '\n' + doc.slice(end),
    );
  });

  it('documents every key of the backup and security sections', () => {
    const doc = readFileSync(DOC, 'utf8');
    const { keys } = reference();
    const ours = keys.filter((k) => k.key.startsWith('backup') || k.key.startsWith('security'));
    expect(ours.length).toBeGreaterThan(25);
    expect(ours.filter((k) => !doc.includes(`\`${k.key}\``)).map((k) => k.key)).toEqual([]);
    expect(
      ours.filter((k) => k.doc === '' && !['backup', 'security'].includes(k.key)).map((k) => k.key),
    ).toEqual([]);
  });
});
