import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BotCommand, CommandAction } from '@tradewatch/protocol';
import { isoUtc } from '@tradewatch/protocol';
import type { Hub } from '../../hub.js';
import { ApiError } from '../../http/errors.js';
import type { AlertsConfig } from '../config.js';
import type { FireSignal } from '../model.js';
import type { Builtins } from '../rules/builtins.js';
import type { AlertService } from '../service.js';
import type { AlertsRepository } from '../store/repository.js';
import type { CommandAcksRow, CommandsRow } from '../store/tables.js';

export interface IssueRequest {
  action: CommandAction;
  /** `all`, `bot:ID` or `account:ID`. */
  scope: string;
  reason: string | null;
  /** Who asked (token name, `telegram:@user`, `rule:DailyLossLimit`). */
  actor: string;
  source: 'api' | 'cli' | 'telegram' | 'rule' | 'dashboard';
}

export interface IssuedCommand extends BotCommand {
  targets: string[];
  created_by: string;
  source: string;
  acks: { bot: string; status: string; message: string | null; acked_at: string }[];
}

export function commandView(row: CommandsRow, acks: CommandAcksRow[] = []): IssuedCommand {
  return {
    id: row.id,
    action: row.action as CommandAction,
    scope: row.scope,
    reason: row.reason,
    created_at: isoUtc(Number(row.created_at)),
    targets: JSON.parse(row.targets) as string[],
    created_by: row.created_by,
    source: row.source,
    acks: acks.map((a) => ({
      bot: a.bot,
      status: a.status,
      message: a.message,
      acked_at: isoUtc(Number(a.acked_at)),
    })),
  };
}

export function wireCommand(row: CommandsRow): BotCommand {
  return {
    id: row.id,
    action: row.action as CommandAction,
    scope: row.scope,
    reason: row.reason,
    created_at: isoUtc(Number(row.created_at)),
  };
}

/**
 * The kill switch: halt / resume / flatten for every bot, one bot or one account's bots. A
 * command sets the bots' halted flag, is pushed on the stream, waits for bots that long-poll
 * `GET /api/v1/commands`, and is acknowledged per bot; a bot that does not acknowledge in time
 * raises KillSwitchUnacknowledged. Everything is audited.
 */
export class CommandService {
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Commands still missing acknowledgements: id → row and the bots that have not answered. */
  private readonly open = new Map<string, { row: CommandsRow; missing: Set<string> }>();
  private stopped = false;

  constructor(
    private readonly hub: Hub,
    private readonly repo: AlertsRepository,
    private readonly alerts: AlertService,
    private readonly settings: AlertsConfig['kill_switch'],
    private readonly builtins: Builtins,
  ) {}

  async load(): Promise<void> {
    const now = this.hub.clock.now();
    const rows = await this.repo.commandsSince(now - this.settings.command_ttl);
    const acks = await this.repo.acksOf(rows.map((r) => r.id));
    for (const row of rows) {
      const acked = new Set(acks.filter((a) => a.command_id === row.id).map((a) => a.bot));
      const missing = new Set((JSON.parse(row.targets) as string[]).filter((b) => !acked.has(b)));
      if (missing.size > 0) this.open.set(row.id, { row, missing });
    }
  }

  stop(): void {
    this.stopped = true;
    for (const set of this.waiters.values()) for (const wake of set) wake();
    this.waiters.clear();
  }

  private targetsOf(scope: string): string[] {
    const bots = [...this.hub.holder.current.bots.values()];
    if (scope === 'all') return bots.map((b) => b.id).sort();
    if (scope.startsWith('bot:')) {
      const id = scope.slice(4);
      if (!this.hub.holder.current.bots.has(id))
        throw new ApiError('not_found', `bot "${id}" is not known to the hub`);
      return [id];
    }
    if (scope.startsWith('account:')) {
      const id = scope.slice(8);
      const list = bots
        .filter((b) => b.account === id)
        .map((b) => b.id)
        .sort();
      if (list.length === 0) throw new ApiError('not_found', `no bot trades account "${id}"`);
      return list;
    }
    throw new ApiError('invalid', 'scope must be all, bot:ID or account:ID', [
      { path: 'scope', message: 'invalid scope' },
    ]);
  }

  async issue(req: IssueRequest): Promise<IssuedCommand> {
    const targets = this.targetsOf(req.scope);
    const now = this.hub.clock.now();
    const row: CommandsRow = {
      id: `cmd_${randomBytes(8).toString('hex')}`,
      action: req.action,
      scope: req.scope,
      reason: req.reason,
      targets: JSON.stringify(targets),
      created_at: now,
      created_by: req.actor,
      source: req.source,
    };
    await this.repo.insertCommand(row);
    const halted = req.action !== 'resume';
    for (const bot of targets) await this.hub.bots.setHalted(bot, halted);
    if (targets.length > 0) this.open.set(row.id, { row, missing: new Set(targets) });
    const view = commandView(row);
    this.hub.stream.broadcast({ type: 'command', seq: 0, data: view });
    for (const bot of targets) this.wake(bot);
    const what = `${req.action} ${req.scope}${req.reason ? `: ${req.reason}` : ''}`;
    await this.hub.events.record({
      type: 'AUDIT',
      severity: req.action === 'resume' ? 'info' : 'critical',
      message: `kill switch ${what} (${targets.length} bot${targets.length === 1 ? '' : 's'})`,
      actor: req.actor,
      context: {
        command: row.id,
        action: req.action,
        scope: req.scope,
        targets,
        source: req.source,
      },
      ts: now,
    });
    await this.hub.events.record({
      type: 'RISK',
      severity: req.action === 'resume' ? 'info' : 'critical',
      message: `${req.action === 'resume' ? 'resumed' : req.action === 'flatten' ? 'flatten ordered for' : 'halted'} ${targets.join(', ') || 'no bots'}`,
      actor: req.actor,
      context: { command: row.id },
      ts: now,
    });
    if (req.action !== 'resume' && this.builtins.enabled('KillSwitchActivated')) {
      await this.alerts.fireSignals([
        {
          name: 'KillSwitchActivated',
          severity: this.builtins.severity('KillSwitchActivated'),
          labels: { command: row.id, scope: req.scope, action: req.action },
          annotations: {
            summary: `Kill switch: ${what} (by ${req.actor}; ${targets.join(', ') || 'no bots'})`,
          },
          source: 'command',
          oneshot: true,
        },
      ]);
    }
    return view;
  }

  /** Commands a bot has not acknowledged yet, oldest first. */
  async pending(bot: string): Promise<BotCommand[]> {
    const now = this.hub.clock.now();
    const rows = (await this.repo.commandsSince(now - this.settings.command_ttl)).filter((r) =>
      (JSON.parse(r.targets) as string[]).includes(bot),
    );
    if (rows.length === 0) return [];
    const acked = new Set(
      (await this.repo.acksOf(rows.map((r) => r.id)))
        .filter((a) => a.bot === bot)
        .map((a) => a.command_id),
    );
    return rows.filter((r) => !acked.has(r.id)).map(wireCommand);
  }

  /** Long-poll: the bot's pending commands, waiting up to `waitMs` for one to arrive. */
  async poll(bot: string, waitMs: number): Promise<BotCommand[]> {
    // Real time, not the hub clock: this is how long an HTTP request is held open.
    const deadline = performance.now() + Math.min(waitMs, this.settings.max_wait);
    for (;;) {
      const items = await this.pending(bot);
      const left = deadline - performance.now();
      if (items.length > 0 || left <= 0 || this.stopped) return items;
      // Another hub instance may have issued it: look again at least every 2 s.
      await new Promise<void>((resolve) => {
        let set = this.waiters.get(bot);
        if (!set) {
          set = new Set();
          this.waiters.set(bot, set);
        }
        const wake = () => {
          clearTimeout(timer);
          set.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 2_000));
        set.add(wake);
      });
    }
  }

  private wake(bot: string): void {
    const set = this.waiters.get(bot);
    if (!set) return;
    for (const wake of [...set]) wake();
  }

  async ack(
    id: string,
    ack: { bot: string; status: 'ok' | 'error'; message?: string | undefined },
    actor: string,
  ): Promise<IssuedCommand> {
    const row = await this.repo.command(id);
    if (!row) throw new ApiError('not_found', `command "${id}" not found`);
    const targets = JSON.parse(row.targets) as string[];
    if (!targets.includes(ack.bot)) {
      throw new ApiError('invalid', `command "${id}" was not sent to bot "${ack.bot}"`, [
        { path: 'bot', message: 'not a target of this command' },
      ]);
    }
    const now = this.hub.clock.now();
    await this.repo.upsertAck({
      command_id: id,
      bot: ack.bot,
      status: ack.status,
      message: ack.message ?? null,
      acked_at: now,
    });
    const open = this.open.get(id);
    if (open) {
      open.missing.delete(ack.bot);
      if (open.missing.size === 0) this.open.delete(id);
    }
    await this.hub.events.record({
      type: 'AUDIT',
      severity: ack.status === 'ok' ? 'info' : 'error',
      message: `bot ${ack.bot} acknowledged ${row.action} (${ack.status})${ack.message ? `: ${ack.message}` : ''}`,
      actor,
      bot: ack.bot,
      context: { command: id, status: ack.status },
      ts: now,
    });
    await this.alerts.resolveWhere('KillSwitchUnacknowledged', {
      bot: ack.bot,
      command: id,
      action: row.action,
    });
    const acks = await this.repo.acksOf([id]);
    return commandView(row, acks);
  }

  /** KillSwitchUnacknowledged for each bot that has not answered within the timeout. */
  unacknowledged(now: number): FireSignal[] {
    if (!this.builtins.enabled('KillSwitchUnacknowledged')) return [];
    const out: FireSignal[] = [];
    for (const [id, { row, missing }] of this.open) {
      const age = now - Number(row.created_at);
      if (age > this.settings.command_ttl) {
        this.open.delete(id);
        continue;
      }
      if (age < this.settings.ack_timeout) continue;
      for (const bot of missing) {
        out.push({
          name: 'KillSwitchUnacknowledged',
          severity: this.builtins.severity('KillSwitchUnacknowledged'),
          labels: { bot, command: id, action: row.action },
          annotations: {
            summary: `Bot ${bot} has not acknowledged ${row.action} (${row.scope}) issued at ${isoUtc(Number(row.created_at))} (timeout ${Math.round(this.settings.ack_timeout / 1000)} s)`,
          },
          source: 'command',
        });
      }
    }
    return out;
  }

  async history(
    limit: number,
    after: [number, string] | null,
  ): Promise<{ items: IssuedCommand[]; last: CommandsRow | null; more: boolean }> {
    const rows = await this.repo.commands(limit, after);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const acks = await this.repo.acksOf(page.map((r) => r.id));
    return {
      items: page.map((r) =>
        commandView(
          r,
          acks.filter((a) => a.command_id === r.id),
        ),
      ),
      last: more ? page[page.length - 1]! : null,
      more,
    };
  }
}
