import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import type { EventRecorder } from '../../events.js';
import { networkReason } from '../channels/http.js';
import type { ActionConfig, AlertsConfig } from '../config.js';
import { matches, parseMatchers, type Matcher } from '../matchers.js';
import type { AlertRecord } from '../model.js';
import type { IssueRequest } from '../commands/service.js';

export interface RunbookDeps {
  issue(req: IssueRequest): Promise<{ id: string; targets: string[] }>;
  events: EventRecorder;
  logger: Logger;
  allowExec: boolean;
  externalUrl: string;
}

/** The scope a halt or flatten of this alert applies to: its bot, else its account, else all. */
export function actionScope(a: AlertRecord): string {
  if (a.labels.bot) return `bot:${a.labels.bot}`;
  if (a.labels.account) return `account:${a.labels.account}`;
  return 'all';
}

/** `{{label}}` placeholders in exec arguments, from the alert's labels (and `summary`). */
export function fillArgs(args: string[], a: AlertRecord): string[] {
  const values: Record<string, string> = {
    ...a.labels,
    summary: a.annotations.summary ?? '',
    fingerprint: a.fingerprint,
  };
  return args.map((arg) =>
    arg.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, k: string) => values[k] ?? ''),
  );
}

/**
 * Actions that run when a matching alert starts firing: `halt` / `flatten` for the alert's
 * scope, `webhook` (POST the alert), `exec` (a program with arguments, no shell, with a
 * timeout; refused unless `alerts.allow_exec`). Each outcome goes to the event log.
 */
export class Runbook {
  private readonly entries: { matchers: Matcher[]; actions: ActionConfig[] }[];

  constructor(
    config: AlertsConfig,
    private readonly deps: RunbookDeps,
  ) {
    this.entries = [
      ...config.runbook.map((r) => ({ matchers: parseMatchers(r.match), actions: r.actions })),
      ...config.rules
        .filter((r) => r.actions.length > 0)
        .map((r) => ({ matchers: parseMatchers({ alertname: r.name }), actions: r.actions })),
    ];
  }

  get size(): number {
    return this.entries.length;
  }

  /** Runs every action of every entry that matches each alert; never throws. */
  async run(alerts: AlertRecord[]): Promise<void> {
    for (const a of alerts) {
      for (const entry of this.entries) {
        if (!matches(entry.matchers, a.labels)) continue;
        for (const action of entry.actions) {
          let outcome: { ok: boolean; message: string };
          try {
            outcome = await this.execute(action, a);
          } catch (error) {
            outcome = { ok: false, message: (error as Error).message };
          }
          await this.deps.events
            .record({
              type: action.type === 'halt' || action.type === 'flatten' ? 'RISK' : 'ALERT',
              severity: outcome.ok ? 'info' : 'error',
              message: `runbook ${action.type} for ${a.name}: ${outcome.message}`,
              actor: `rule:${a.name}`,
              bot: a.labels.bot ?? null,
              context: {
                alertname: a.name,
                fingerprint: a.fingerprint,
                action: action.type,
                ok: outcome.ok,
              },
            })
            .catch(() => undefined);
          if (!outcome.ok)
            this.deps.logger.warn(
              { alert: a.name, action: action.type },
              `runbook action failed: ${outcome.message}`,
            );
        }
      }
    }
  }

  private async execute(
    action: ActionConfig,
    a: AlertRecord,
  ): Promise<{ ok: boolean; message: string }> {
    switch (action.type) {
      case 'halt':
      case 'flatten': {
        const cmd = await this.deps.issue({
          action: action.type,
          scope: actionScope(a),
          reason: `${a.name}: ${a.annotations.summary ?? ''}`.slice(0, 500),
          actor: `rule:${a.name}`,
          source: 'rule',
        });
        return {
          ok: true,
          message: `${action.type} ${actionScope(a)} as ${cmd.id} (${cmd.targets.join(', ') || 'no bots'})`,
        };
      }
      case 'webhook': {
        const body = JSON.stringify({
          alertname: a.name,
          status: a.status,
          labels: a.labels,
          annotations: a.annotations,
          startsAt: new Date(a.startsAt).toISOString(),
          fingerprint: a.fingerprint,
          generatorURL: `${this.deps.externalUrl}/alerts?fingerprint=${a.fingerprint}`,
        });
        let res: Response;
        try {
          res = await fetch(action.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...action.headers },
            body,
            signal: AbortSignal.timeout(action.timeout),
          });
          await res.text().catch(() => '');
        } catch (error) {
          return { ok: false, message: `webhook ${networkReason(error)}` };
        }
        return { ok: res.ok, message: `webhook answered HTTP ${res.status}` };
      }
      case 'exec': {
        if (!this.deps.allowExec)
          return { ok: false, message: 'refused: alerts.allow_exec is not true' };
        return runProgram(action.command, fillArgs(action.args, a), action.timeout, {
          TW_ALERT_NAME: a.name,
          TW_ALERT_SEVERITY: a.severity,
          TW_ALERT_FINGERPRINT: a.fingerprint,
          TW_ALERT_LABELS: JSON.stringify(a.labels),
          TW_ALERT_SUMMARY: a.annotations.summary ?? '',
        });
      }
    }
  }
}

function runProgram(
  command: string,
  args: string[],
  timeoutMs: number,
  env: Record<string, string>,
): Promise<{ ok: boolean; message: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, {
      shell: false,
      timeout: timeoutMs,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      if (output.length < 500) output += d.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, message: `could not start ${command}: ${error.code ?? error.message}` }),
    );
    child.on('close', (code, signal) => {
      const tail = output.trim().slice(0, 300);
      if (signal)
        resolve({
          ok: false,
          message: `${command} stopped by ${signal} (timeout ${timeoutMs} ms)${tail ? `: ${tail}` : ''}`,
        });
      else
        resolve({
          ok: code === 0,
          message: `${command} exited with ${code}${tail ? `: ${tail}` : ''}`,
        });
    });
  });
}
