import { randomBytes } from 'node:crypto';
import type { Hub } from '../../hub.js';
import { addDays, tradingDay } from '../../time/index.js';
import type { CommandService } from '../commands/service.js';
import type { DurationError } from '../duration.js';
import { formatDuration, parseDuration } from '../duration.js';
import type { AlertService } from '../service.js';
import type { SummaryJob } from '../summary/job.js';
import type { TelegramApi, TelegramUpdate } from './api.js';

const esc = (s: string | number) =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const TELEGRAM_HELP = [
  '<b>Tradewatch</b> commands',
  '/status — equity, P&amp;L, bots, alerts',
  '/bots — every bot and its heartbeat',
  '/positions — open positions',
  '/pnl [today|week|month] — P&amp;L of a period',
  '/alerts — firing alerts',
  '/ack ID — acknowledge an alert',
  '/silence NAME DURATION — silence an alert name (e.g. /silence BotDown 2h)',
  '/halt [BOT|all] — halt bots (asks to confirm)',
  '/resume [BOT|all] — resume bots (asks to confirm)',
  '/summary — today’s summary',
  '/help — this list',
].join('\n');

interface Pending {
  action: 'halt' | 'resume';
  scope: string;
  chat: string;
  expiresAt: number;
}

export interface TelegramBotDeps {
  hub: Hub;
  api: TelegramApi;
  alerts: AlertService;
  commands: CommandService;
  summary: SummaryJob;
  allowedChats: Set<string>;
  pollTimeoutS: number;
  confirmTimeoutMs: number;
}

/**
 * One Telegram bot for every trading bot: long-polls `getUpdates`, answers only allowed chats,
 * and asks for an inline-button confirmation before /halt and /resume.
 */
export class TelegramBot {
  private readonly pending = new Map<string, Pending>();
  private offset: number | null = null;
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly deps: TelegramBotDeps) {}

  start(): void {
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.loop = (async () => {
      let backoff = 1_000;
      while (!signal.aborted) {
        try {
          await this.pollOnce(this.deps.pollTimeoutS, signal);
          backoff = 1_000;
        } catch (error) {
          if (signal.aborted) break;
          this.deps.hub.logger.warn(
            { err: { message: (error as Error).message } },
            'telegram polling failed; retrying',
          );
          await new Promise((r) => setTimeout(r, backoff).unref());
          backoff = Math.min(backoff * 2, 30_000);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop?.catch(() => undefined);
  }

  /** Fetches one batch of updates and handles them (tests call this directly). */
  async pollOnce(
    timeoutS = 0,
    signal: AbortSignal = AbortSignal.timeout((timeoutS + 10) * 1000),
  ): Promise<number> {
    const repo = this.deps.alerts.repo;
    if (this.offset === null) this.offset = Number((await repo.kvGet('telegram.offset')) ?? '0');
    const updates = await this.deps.api.getUpdates(this.offset, timeoutS, signal);
    for (const u of updates) {
      try {
        await this.handle(u);
      } catch (error) {
        this.deps.hub.logger.warn(
          { err: { message: (error as Error).message } },
          'telegram command failed',
        );
      }
      this.offset = u.update_id + 1;
      await repo.kvSet('telegram.offset', String(this.offset), this.deps.hub.clock.now());
    }
    return updates.length;
  }

  private allowed(chat: string | number | undefined): chat is string | number {
    return chat !== undefined && this.deps.allowedChats.has(String(chat));
  }

  async handle(u: TelegramUpdate): Promise<void> {
    const api = this.deps.api;
    if (u.callback_query) {
      const q = u.callback_query;
      const chat = q.message?.chat.id;
      if (!this.allowed(chat)) return;
      await api.answerCallbackQuery(
        q.id,
        await this.confirm(q.data ?? '', String(chat), actorOf(q.from), q.message?.message_id),
      );
      return;
    }
    const m = u.message;
    if (!m?.text) return;
    const chat = m.chat.id;
    if (!this.allowed(chat)) return;
    const parsed = /^\/([A-Za-z_]+)(?:@\S+)?\s*(.*)$/s.exec(m.text.trim());
    if (!parsed) return;
    const [, command, rest] = parsed as unknown as [string, string, string];
    const args = rest.split(/\s+/).filter(Boolean);
    const reply = (text: string, buttons?: { text: string; callback_data: string }[][]) =>
      api.sendMessage(String(chat), text, buttons ? { buttons } : {});
    const actor = actorOf(m.from);
    switch (command.toLowerCase()) {
      case 'start':
      case 'help':
        await reply(TELEGRAM_HELP);
        return;
      case 'status':
        await reply(await this.status());
        return;
      case 'bots':
        await reply(this.bots());
        return;
      case 'positions':
        await reply(this.positions());
        return;
      case 'pnl':
        await reply(await this.pnl(args[0] ?? 'today'));
        return;
      case 'alerts':
        await reply(this.alerts());
        return;
      case 'ack':
        await reply(await this.ack(args[0], actor));
        return;
      case 'silence':
        await reply(await this.silence(args[0], args[1], actor));
        return;
      case 'halt':
      case 'resume': {
        const target = args[0] ?? 'all';
        const scope = target === 'all' ? 'all' : `bot:${target}`;
        if (scope !== 'all' && !this.deps.hub.holder.current.bots.has(target)) {
          await reply(`No bot named <code>${esc(target)}</code>. /bots lists them.`);
          return;
        }
        const nonce = randomBytes(6).toString('hex');
        this.pending.set(nonce, {
          action: command.toLowerCase() as 'halt' | 'resume',
          scope,
          chat: String(chat),
          expiresAt: this.deps.hub.clock.now() + this.deps.confirmTimeoutMs,
        });
        const verb = command.toLowerCase() === 'halt' ? 'Halt' : 'Resume';
        await reply(
          `${verb} <b>${esc(target === 'all' ? 'every bot' : target)}</b>? Confirm within ${formatDuration(this.deps.confirmTimeoutMs)}.`,
          [
            [
              { text: `✅ ${verb}`, callback_data: `ok:${nonce}` },
              { text: 'Cancel', callback_data: `no:${nonce}` },
            ],
          ],
        );
        return;
      }
      case 'summary': {
        const s = await this.deps.summary.render();
        await reply(esc(s.markdown).replace(/\*([^*\n]+)\*/g, '<b>$1</b>'));
        return;
      }
      default:
        await reply(`Unknown command /${esc(command)}.\n\n${TELEGRAM_HELP}`);
    }
  }

  private async confirm(
    data: string,
    chat: string,
    actor: string,
    messageId: number | undefined,
  ): Promise<string> {
    const m = /^(ok|no):([0-9a-f]+)$/.exec(data);
    const p = m ? this.pending.get(m[2]!) : undefined;
    if (!m || !p || p.chat !== chat) return 'This confirmation is not valid any more.';
    this.pending.delete(m[2]!);
    const edit = (text: string) =>
      messageId === undefined
        ? Promise.resolve()
        : this.deps.api.editMessageText(chat, messageId, text).catch(() => undefined);
    if (m[1] === 'no') {
      await edit('Cancelled.');
      return 'Cancelled';
    }
    if (this.deps.hub.clock.now() > p.expiresAt) {
      await edit('Expired: nothing was done. Send the command again.');
      return 'Expired';
    }
    const cmd = await this.deps.commands.issue({
      action: p.action,
      scope: p.scope,
      reason: `from Telegram by ${actor}`,
      actor,
      source: 'telegram',
    });
    const done = `${p.action === 'halt' ? '🛑 Halted' : '▶️ Resumed'} ${esc(cmd.targets.join(', ') || 'no bots')} (<code>${cmd.id}</code>).`;
    await edit(done);
    return p.action === 'halt' ? 'Halted' : 'Resumed';
  }

  private async status(): Promise<string> {
    const q = this.deps.hub.query;
    const p = await q.portfolio();
    const bots = q.bots();
    const firing = [...this.deps.alerts.core.alerts.values()].filter((a) => a.status === 'firing');
    const halted = bots.filter((b) => b.halted).map((b) => b.id);
    return [
      `<b>Equity</b> ${esc(p.equity)} ${esc(p.currency)}`,
      `<b>Today</b> ${signed(p.day_pnl)} · unrealized ${signed(p.unrealized)}`,
      `<b>Drawdown</b> ${esc(p.drawdown_pct)}% · exposure ${esc(p.gross_exposure)}`,
      `<b>Positions</b> ${p.open_positions}`,
      `<b>Bots</b> ${bots.filter((b) => b.status === 'up').length} up, ${bots.filter((b) => b.status === 'down').length} down${halted.length ? `, halted: ${esc(halted.join(', '))}` : ''}`,
      `<b>Alerts</b> ${firing.length} firing${firing.some((a) => a.severity === 'critical') ? ' (critical!)' : ''}`,
    ].join('\n');
  }

  private bots(): string {
    const bots = this.deps.hub.query.bots();
    if (bots.length === 0) return 'No bots yet.';
    return bots
      .map(
        (b) =>
          `${b.status === 'up' ? '🟢' : b.status === 'down' ? '🔴' : '⚪'} <b>${esc(b.id)}</b> ${b.status}${b.heartbeat_age_s === null ? '' : ` · heartbeat ${esc(b.heartbeat_age_s)} s ago`}${b.halted ? ' · <b>halted</b>' : ''}`,
      )
      .join('\n');
  }

  private positions(): string {
    const rows = this.deps.hub.query.positions({});
    if (rows.length === 0) return 'No open positions.';
    return rows
      .slice(0, 50)
      .map(
        (p) =>
          `<b>${esc(p.symbol)}</b> ${p.side} ${esc(Math.abs(p.qty))} @ ${esc(p.avg_price)} (${esc(p.bot)}) · last ${esc(p.last_price)} · ${signed(p.unrealized_pnl)}`,
      )
      .join('\n');
  }

  private async pnl(period: string): Promise<string> {
    const q = this.deps.hub.query;
    const tz = this.deps.hub.config.timezone;
    const today = tradingDay(this.deps.hub.clock.now(), tz);
    if (period === 'today') {
      const p = await q.portfolio();
      return `<b>P&amp;L today</b> ${signed(p.day_pnl)} ${esc(p.currency)} (realized ${signed(p.realized_net)} total, unrealized ${signed(p.unrealized)})`;
    }
    if (period !== 'week' && period !== 'month') return 'Use /pnl today, /pnl week or /pnl month.';
    const from = period === 'week' ? addDays(today, -6) : `${today.slice(0, 8)}01`;
    const days = await q.daily('portfolio', from, today, 400);
    const total = days.reduce((s, d) => s + (d.end_equity - d.start_equity - d.cash_flows), 0);
    const trades = days.reduce((s, d) => s + d.trades, 0);
    const wins = days.reduce((s, d) => s + d.wins, 0);
    return `<b>P&amp;L ${period === 'week' ? 'last 7 days' : 'month to date'}</b> ${signed(total)} · ${trades} trades${trades ? `, win rate ${Math.round((wins / trades) * 100)}%` : ''}`;
  }

  private alerts(): string {
    const firing = [...this.deps.alerts.core.alerts.values()]
      .filter((a) => a.status === 'firing')
      .sort((a, b) => b.startsAt - a.startsAt);
    if (firing.length === 0) return '✅ No alerts firing.';
    const now = this.deps.hub.clock.now();
    return firing
      .slice(0, 30)
      .map((a) => {
        const state = this.deps.alerts.core.effectiveState(a, now);
        return `<code>${a.fingerprint.slice(0, 8)}</code> ${a.severity === 'critical' ? '🔴' : a.severity === 'warning' ? '🟠' : '🔵'} <b>${esc(a.name)}</b>${state !== 'firing' ? ` (${state})` : ''}\n${esc(a.annotations.summary ?? '')}`;
      })
      .join('\n');
  }

  private async ack(id: string | undefined, actor: string): Promise<string> {
    if (!id || id.length < 4)
      return 'Use /ack ID (at least the first 4 characters of the id /alerts shows).';
    const matches = [...this.deps.alerts.core.alerts.values()].filter((a) =>
      a.fingerprint.startsWith(id.toLowerCase()),
    );
    if (matches.length !== 1)
      return matches.length === 0
        ? `No alert <code>${esc(id)}</code>.`
        : 'That id is ambiguous: give more characters.';
    const a = await this.deps.alerts.ack(matches[0]!.fingerprint, actor);
    return a
      ? `Acknowledged <b>${esc(a.name)}</b> (<code>${a.fingerprint.slice(0, 8)}</code>).`
      : 'Not found.';
  }

  private async silence(
    name: string | undefined,
    duration: string | undefined,
    actor: string,
  ): Promise<string> {
    if (!name || !duration) return 'Use /silence NAME DURATION, e.g. /silence BotDown 2h';
    let ms: number;
    try {
      ms = parseDuration(duration);
    } catch (error) {
      return esc((error as DurationError).message);
    }
    if (ms <= 0) return 'The duration must be positive.';
    const now = this.deps.hub.clock.now();
    const s = await this.deps.alerts.putSilence({
      id: `sil_${randomBytes(6).toString('hex')}`,
      matchers: { alertname: name },
      startsAt: now,
      endsAt: now + ms,
      comment: 'from Telegram',
      createdBy: actor,
      createdAt: now,
      updatedAt: now,
    });
    return `🔕 Silenced <b>${esc(name)}</b> for ${formatDuration(ms)} (<code>${s.id}</code>).`;
  }
}

function actorOf(from: { id: number; username?: string } | undefined): string {
  if (!from) return 'telegram';
  return from.username ? `telegram:@${from.username}` : `telegram:${from.id}`;
}

function signed(v: number): string {
  return `${v > 0 ? '+' : ''}${esc(v)}`;
}
