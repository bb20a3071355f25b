import type { Command } from 'commander';
import { ConfigError, loadConfig, type LoadedConfig } from '../../config/index.js';
import { MatcherError, parseMatcherArg } from '../matchers.js';
import { checkAlertsConfig } from './check-config.js';
import { hubClient, HubRequestError, withHubOptions, type HubOptions } from './http-client.js';

interface GlobalOptions {
  config?: string;
}

/**
 * The configuration, or exit with the problem. (Not cli/context's loadOrExit: that module
 * imports the module list, which imports this module.)
 */
function loadOrExit(options: GlobalOptions): LoadedConfig {
  try {
    return loadConfig({ configPath: options.config });
  } catch (error) {
    die(error instanceof ConfigError ? error.message : `error: ${(error as Error).message}`);
  }
}

function die(message: string): never {
  process.stderr.write(`tradewatch: ${message}\n`);
  process.exit(1);
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Runs an action, turning expected failures into one line on stderr and exit 1. */
function guarded<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      if (error instanceof HubRequestError || error instanceof MatcherError) die(error.message);
      throw error;
    }
  };
}

function client(cmd: Command) {
  const opts = cmd.optsWithGlobals<GlobalOptions & HubOptions>();
  return hubClient(loadOrExit(opts), opts);
}

interface KillOptions {
  all?: boolean;
  bot?: string;
  account?: string;
  reason?: string;
  json?: boolean;
}

function scopeOf(o: KillOptions): string {
  const given = [
    o.all ? 'all' : null,
    o.bot ? `bot:${o.bot}` : null,
    o.account ? `account:${o.account}` : null,
  ].filter((s): s is string => s !== null);
  if (given.length !== 1)
    die('say which bots: exactly one of --all, --bot BOT or --account ACCOUNT');
  return given[0]!;
}

function killSwitch(program: Command, action: 'halt' | 'resume') {
  withHubOptions(
    program
      .command(action)
      .description(
        action === 'halt'
          ? 'kill switch: halt every bot, one bot or an account’s bots (through the running hub)'
          : 'resume halted bots (through the running hub)',
      )
      .option('--all', 'every bot')
      .option('--bot <bot>', 'one bot')
      .option('--account <account>', 'every bot trading this account')
      .option('--reason <text>', 'why (kept in the audit log and sent to the bots)')
      .option('--json', 'print the command as JSON'),
  ).action(
    guarded(async (opts: KillOptions, cmd: Command) => {
      const scope = scopeOf(opts);
      const res = await client(cmd).request<{ id: string; targets: string[] }>(
        'POST',
        '/api/v1/commands',
        {
          action,
          scope,
          reason: opts.reason ?? null,
          source: 'cli',
        },
      );
      if (opts.json) return out(JSON.stringify(res, null, 2));
      out(
        `${action === 'halt' ? 'Halted' : 'Resumed'} ${res.targets.length} bot${res.targets.length === 1 ? '' : 's'}` +
          `${res.targets.length ? ` (${res.targets.join(', ')})` : ''}; command ${res.id}.` +
          (action === 'halt'
            ? '\nBots acknowledge it on GET /api/v1/commands; see tradewatch alerts list for KillSwitchUnacknowledged.'
            : ''),
      );
    }),
  );
}

export function registerAlertsCli(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('alert channels, configuration and the current alerts');

  withHubOptions(
    alerts
      .command('test')
      .description('send a test message to a channel (or every channel) and report the delivery')
      .option('--channel <name>', 'the channel (default: every channel)')
      .option('--message <text>', 'the message text'),
  ).action(
    guarded(async (opts: { channel?: string; message?: string }, cmd: Command) => {
      const res = await client(cmd).request<{
        results: { channel: string; status: string; error: string | null }[];
      }>('POST', '/api/v1/alerts/test', {
        ...(opts.channel ? { channel: opts.channel } : {}),
        ...(opts.message ? { message: opts.message } : {}),
        wait: true,
      });
      let failed = false;
      for (const r of res.results) {
        failed ||= r.status === 'failed' || r.status === 'pending';
        out(`${r.channel}: ${r.status}${r.error ? ` (${r.error})` : ''}`);
      }
      if (failed) process.exitCode = 1;
    }),
  );

  alerts
    .command('check-config')
    .description('validate the alerts and risk configuration (offline; the hub need not run)')
    .action((_opts: unknown, cmd: Command) => {
      const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const report = checkAlertsConfig(loaded.config);
      for (const w of [...loaded.warnings, ...report.warnings])
        process.stderr.write(`warning: ${w}\n`);
      for (const e of report.errors) process.stderr.write(`error: ${e}\n`);
      if (report.errors.length > 0) process.exit(1);
      out(
        `Configuration${loaded.file ? ` ${loaded.file}` : ''} is valid.\n${report.lines.map((l) => `  ${l}`).join('\n')}`,
      );
    });

  withHubOptions(
    alerts
      .command('list')
      .description('list alerts (default: active)')
      .option(
        '--state <state>',
        'active, firing, acknowledged, silenced, inhibited, resolved or all',
        'active',
      )
      .option('--json', 'print JSON'),
  ).action(
    guarded(async (opts: { state: string; json?: boolean }, cmd: Command) => {
      const res = await client(cmd).request<{
        items: {
          id: string;
          name: string;
          severity: string;
          state: string;
          summary: string;
          starts_at: string;
        }[];
      }>('GET', `/api/v1/alerts?state=${encodeURIComponent(opts.state)}&limit=1000`);
      if (opts.json) return out(JSON.stringify(res.items, null, 2));
      if (res.items.length === 0) return out(`No ${opts.state} alerts.`);
      for (const a of res.items) {
        out(
          `${a.id.slice(0, 8)}  ${a.severity.padEnd(8)} ${a.state.padEnd(12)} ${a.name}: ${a.summary}  (since ${a.starts_at.slice(0, 19)})`,
        );
      }
    }),
  );

  withHubOptions(
    alerts
      .command('ack <id>')
      .description('acknowledge a firing alert')
      .option('--comment <text>', 'why'),
  ).action(
    guarded(async (id: string, opts: { comment?: string }, cmd: Command) => {
      const a = await client(cmd).request<{ name: string; id: string }>(
        'POST',
        `/api/v1/alerts/${encodeURIComponent(id)}/ack`,
        opts.comment ? { comment: opts.comment } : {},
      );
      out(`Acknowledged ${a.name} (${a.id.slice(0, 8)}).`);
    }),
  );

  killSwitch(program, 'halt');
  killSwitch(program, 'resume');

  withHubOptions(
    program
      .command('summary')
      .description('print or send the daily summary (through the running hub)')
      .option('--print', 'print it (the default)')
      .option('--send', 'send it to the summary channels now')
      .option('--date <date>', 'trading day YYYY-MM-DD (default: today)')
      .option('--channel <name...>', 'with --send: these channels instead of the configured ones')
      .option('--format <format>', 'with --print: text, html, markdown or json', 'text'),
  ).action(
    guarded(
      async (
        opts: {
          print?: boolean;
          send?: boolean;
          date?: string;
          channel?: string[];
          format: string;
        },
        cmd: Command,
      ) => {
        if (opts.print && opts.send) die('choose --print or --send');
        if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date))
          die('--date must look like 2026-01-05');
        const c = client(cmd);
        if (opts.send) {
          const res = await c.request<{ date: string; channels: string[] }>(
            'POST',
            '/api/v1/alerts/summary/send',
            {
              ...(opts.date ? { date: opts.date } : {}),
              ...(opts.channel ? { channels: opts.channel } : {}),
            },
          );
          return out(`Summary of ${res.date} queued for ${res.channels.join(', ')}.`);
        }
        const s = await c.request<{
          subject: string;
          text: string;
          html: string;
          markdown: string;
          data: unknown;
        }>('GET', `/api/v1/alerts/summary${opts.date ? `?date=${opts.date}` : ''}`);
        switch (opts.format) {
          case 'html':
            return out(s.html);
          case 'markdown':
            return out(s.markdown);
          case 'json':
            return out(JSON.stringify(s.data, null, 2));
          case 'text':
            return out(`${s.subject}\n\n${s.text}`);
          default:
            die('--format is text, html, markdown or json');
        }
      },
    ),
  );

  const silence = program
    .command('silence')
    .description('silence alerts for a while (add, list, expire)');
  withHubOptions(
    silence
      .command('add')
      .description('silence alerts matching every --match (recorded, not sent)')
      .requiredOption(
        '--match <matcher...>',
        'label=value, label=~regex or label!=value (repeat for more)',
      )
      .option('--duration <duration>', 'how long, e.g. 30m, 2h, 1d', '1h')
      .option('--comment <text>', 'why', '')
      .option('--json', 'print JSON'),
  ).action(
    guarded(
      async (
        opts: { match: string[]; duration: string; comment: string; json?: boolean },
        cmd: Command,
      ) => {
        const matchers = Object.fromEntries(opts.match.map(parseMatcherArg));
        const s = await client(cmd).request<{ id: string; ends_at: string }>(
          'POST',
          '/api/v1/alerts/silences',
          {
            matchers,
            duration: opts.duration,
            comment: opts.comment,
          },
        );
        if (opts.json) return out(JSON.stringify(s, null, 2));
        out(`Silence ${s.id} until ${s.ends_at} for ${opts.match.join(' ')}.`);
      },
    ),
  );
  withHubOptions(
    silence
      .command('list')
      .description('list current silences')
      .option('--all', 'include expired ones')
      .option('--json', 'print JSON'),
  ).action(
    guarded(async (opts: { all?: boolean; json?: boolean }, cmd: Command) => {
      const res = await client(cmd).request<{
        items: {
          id: string;
          matchers: Record<string, string>;
          state: string;
          ends_at: string;
          comment: string;
          created_by: string;
        }[];
      }>('GET', `/api/v1/alerts/silences?state=${opts.all ? 'all' : 'current'}`);
      if (opts.json) return out(JSON.stringify(res.items, null, 2));
      if (res.items.length === 0) return out('No silences.');
      for (const s of res.items) {
        const m = Object.entries(s.matchers)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        out(
          `${s.id}  ${s.state.padEnd(8)} until ${s.ends_at.slice(0, 19)}  ${m}  ${s.comment ? `"${s.comment}" ` : ''}by ${s.created_by}`,
        );
      }
    }),
  );
  withHubOptions(silence.command('expire <id>').description('end a silence now')).action(
    guarded(async (id: string, _opts: unknown, cmd: Command) => {
      const s = await client(cmd).request<{ id: string }>(
        'DELETE',
        `/api/v1/alerts/silences/${encodeURIComponent(id)}`,
      );
      out(`Silence ${s.id} expired.`);
    }),
  );
}
