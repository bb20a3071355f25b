import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { TradewatchConfig } from '../config/index.js';
import type { GlobalOptions } from '../cli/context.js';
import type { HealthResponse } from './checks/checks.js';

/** The hub's URL from the configuration (a wildcard listen address is reached on loopback). */
export function configuredUrl(config: TradewatchConfig): string {
  const host = ['0.0.0.0', '::', ''].includes(config.server.host)
    ? '127.0.0.1'
    : config.server.host;
  const h = host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${config.server.port}`;
}

// cli/context.js imports the module list, which imports this module: load it when a command runs.
const context = () => import('../cli/context.js');

async function loadConfigOrExit(cmd: Command): Promise<TradewatchConfig> {
  const { loadOrExit } = await context();
  return loadOrExit(cmd.optsWithGlobals<GlobalOptions>()).config;
}

async function fail(error: unknown): Promise<never> {
  return (await context()).fail(error);
}

async function hubUrl(opts: { url?: string }, cmd: Command): Promise<string> {
  if (opts.url) return opts.url.replace(/\/+$/, '');
  return configuredUrl(await loadConfigOrExit(cmd));
}

/** The health+json document as a table (pure). */
export function formatHealthTable(doc: HealthResponse, url: string): string {
  const lines = [
    `${url}: ${doc.status.toUpperCase()}${doc.releaseId ? ` (version ${doc.releaseId})` : ''}`,
  ];
  if (!doc.checks) {
    lines.push('(checks are shown with a read token: --token or TRADEWATCH_TOKEN)');
    return lines.join('\n') + '\n';
  }
  const rows: string[][] = [['CHECK', 'STATUS', 'VALUE', 'DETAIL']];
  for (const [key, entries] of Object.entries(doc.checks)) {
    for (const e of entries) {
      const v = e.observedValue;
      const unit = typeof e.observedUnit === 'string' ? ` ${e.observedUnit}` : '';
      const value =
        typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'
          ? `${String(v)}${unit}`
          : '-';
      rows.push([key, String(e.status), value, typeof e.output === 'string' ? e.output : '']);
    }
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  lines.push('');
  for (const r of rows) {
    lines.push(
      [r[0]!.padEnd(widths[0]!), r[1]!.padEnd(widths[1]!), r[2]!.padEnd(widths[2]!), r[3]!]
        .join('  ')
        .trimEnd(),
    );
  }
  return lines.join('\n') + '\n';
}

/** Exit code of `tradewatch health`: 0 pass (and warn unless strict), 1 fail. */
export function healthExitCode(status: HealthResponse['status'], strict: boolean): number {
  if (status === 'fail') return 1;
  if (status === 'warn' && strict) return 1;
  return 0;
}

async function probeReady(url: string, timeoutS: number): Promise<{ ok: boolean; reason: string }> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutS * 1000) });
    const text = await res.text();
    if (res.ok) return { ok: true, reason: 'ready' };
    let reason = `answered ${res.status}`;
    try {
      const body = JSON.parse(text) as { message?: string };
      if (body.message) reason = body.message;
    } catch {
      // not JSON
    }
    return { ok: false, reason };
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError')
      return { ok: false, reason: `no answer within ${timeoutS} s` };
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, reason: code ? `cannot connect (${code})` : 'cannot connect' };
  }
}

export interface WatchNotification {
  status: 'down' | 'up';
  hub: string;
  title: string;
  message: string;
  severity: 'critical' | 'info';
  ts: string;
}

type Sender = (n: WatchNotification) => Promise<void>;

function webhookSender(url: string): Sender {
  return async (n) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(n),
      signal: AbortSignal.timeout(15_000),
    });
    await res.body?.cancel().catch(() => undefined);
    if (!res.ok) throw new Error(`the webhook answered ${res.status}`);
  };
}

/**
 * Sending through a channel configured in `alerts:` needs the alerts module to export
 * `sendThroughChannel(config, channel, notification)`; until it does, `--webhook` works.
 */
async function channelSender(config: TradewatchConfig, channel: string): Promise<Sender> {
  const alerts = (await import('../alerts/index.js')) as Record<string, unknown>;
  const send = alerts.sendThroughChannel as
    | ((
        config: TradewatchConfig,
        channel: string,
        n: { title: string; message: string; severity: string },
      ) => Promise<void>)
    | undefined;
  if (typeof send !== 'function') {
    throw new Error(
      'this build cannot send through alert channels yet; use --webhook URL (the notification is POSTed as JSON)',
    );
  }
  return (n) => send(config, channel, n);
}

interface WatchState {
  down: boolean;
}

function readState(file: string | undefined): WatchState {
  if (!file) return { down: false };
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as WatchState;
  } catch {
    return { down: false };
  }
}

export function registerHealthCommands(program: Command): void {
  program
    .command('health')
    .description("print the hub's health checks as a table; exits 1 when the hub is failing")
    .option('--url <url>', 'hub URL (default: from the configuration)')
    .option('--token <token>', 'read token (default: $TRADEWATCH_TOKEN) to see every check')
    .option('--json', 'print the health+json document')
    .option('--strict', 'exit 1 on warn too')
    .action(
      async (
        opts: { url?: string; token?: string; json?: boolean; strict?: boolean },
        cmd: Command,
      ) => {
        const url = await hubUrl(opts, cmd);
        const token =
          opts.token ?? process.env.TRADEWATCH_TOKEN ?? process.env.TRADEWATCH_ADMIN_TOKEN;
        let doc: HealthResponse;
        try {
          const res = await fetch(`${url}/health`, {
            headers: token ? { authorization: `Bearer ${token}` } : {},
            signal: AbortSignal.timeout(15_000),
          });
          if (res.status === 401) await fail(new Error('the hub refused the token (401)'));
          doc = (await res.json()) as HealthResponse;
        } catch (error) {
          process.stderr.write(
            `tradewatch: the hub at ${url} does not answer: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          process.exit(2);
        }
        process.stdout.write(
          opts.json ? JSON.stringify(doc, null, 2) + '\n' : formatHealthTable(doc, url),
        );
        process.exit(healthExitCode(doc.status, opts.strict ?? false));
      },
    );

  program
    .command('watch')
    .description(
      'watch a hub from outside (cron or a second machine): notify when /readyz stops answering, and when it is back',
    )
    .option('--url <url>', 'hub URL (default: from the configuration)')
    .option('--channel <name>', 'send through this alert channel of the configuration')
    .option('--webhook <url>', 'POST the notification as JSON to this URL')
    .option('--interval <seconds>', 'seconds between checks', '30')
    .option('--failures <n>', 'failed checks in a row before notifying', '3')
    .option('--timeout <seconds>', 'seconds to wait for an answer', '10')
    .option('--once', 'check once (for cron): notify if down, exit 1 when down')
    .option('--state <file>', 'with --once: remember the last state here to notify only on changes')
    .action(
      async (
        opts: {
          url?: string;
          channel?: string;
          webhook?: string;
          interval: string;
          failures: string;
          timeout: string;
          once?: boolean;
          state?: string;
        },
        cmd: Command,
      ) => {
        if (!opts.channel && !opts.webhook)
          await fail(new Error('give --channel NAME or --webhook URL'));
        const url = await hubUrl(opts, cmd);
        const interval = Number(opts.interval);
        const failures = Number(opts.failures);
        const timeout = Number(opts.timeout);
        if (!(interval > 0) || !(failures >= 1) || !(timeout > 0))
          await fail(new Error('--interval, --failures and --timeout must be positive numbers'));
        let send: Sender;
        try {
          send = opts.webhook
            ? webhookSender(opts.webhook)
            : await channelSender(await loadConfigOrExit(cmd), opts.channel!);
        } catch (error) {
          return fail(error);
        }
        const notify = async (status: 'down' | 'up', reason: string) => {
          const n: WatchNotification = {
            status,
            hub: url,
            title: status === 'down' ? 'Tradewatch hub is down' : 'Tradewatch hub is back',
            message:
              status === 'down'
                ? `The hub at ${url} is not ready: ${reason}`
                : `The hub at ${url} answers /readyz again`,
            severity: status === 'down' ? 'critical' : 'info',
            ts: new Date().toISOString(),
          };
          try {
            await send(n);
            process.stdout.write(`${n.ts} notified: ${n.message}\n`);
          } catch (error) {
            process.stderr.write(
              `tradewatch: could not send the notification: ${error instanceof Error ? error.message : String(error)}\n`,
            );
          }
        };
        if (opts.once) {
          const state = readState(opts.state);
          const r = await probeReady(url, timeout);
          if (!r.ok && !state.down) await notify('down', r.reason);
          if (r.ok && state.down) await notify('up', r.reason);
          if (opts.state) writeFileSync(opts.state, JSON.stringify({ down: !r.ok }));
          process.stdout.write(`${url}: ${r.ok ? 'ready' : `NOT READY (${r.reason})`}\n`);
          process.exit(r.ok ? 0 : 1);
        }
        process.stdout.write(`watching ${url} every ${interval} s\n`);
        let inRow = 0;
        let down = false;
        for (;;) {
          const r = await probeReady(url, timeout);
          if (r.ok) {
            inRow = 0;
            if (down) {
              down = false;
              await notify('up', r.reason);
            }
          } else {
            inRow += 1;
            if (!down && inRow >= failures) {
              down = true;
              await notify('down', r.reason);
            }
          }
          await new Promise((resolve) => setTimeout(resolve, interval * 1000));
        }
      },
    );
}
