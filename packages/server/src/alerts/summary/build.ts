import { isoUtc } from '@tradewatch/protocol';
import type { QueryService } from '../../query/query-service.js';
import { addDays, startOfDay } from '../../time/index.js';
import type { AlertsRepository } from '../store/repository.js';

export interface SummarySettings {
  timezone: string;
  currency: string;
  signals: number;
}

const MAX_TRADES = 50;

/**
 * The daily summary's figures for one trading day, formatted for the `summary.*` templates:
 * the day's closed trades with P&L and win rate, the equity change, open positions with
 * unrealized P&L, the day's alerts and the latest signal per symbol (the watchlist).
 */
export async function buildSummary(
  query: QueryService,
  repo: AlertsRepository,
  date: string,
  settings: SummarySettings,
  now: number,
): Promise<Record<string, unknown>> {
  const from = startOfDay(date, settings.timezone);
  const to = startOfDay(addDays(date, 1), settings.timezone);
  const places = query.money.places(settings.currency);
  const money = (v: number) => v.toFixed(places);
  const signed = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(places)}`;
  const pct = (v: number | null) => (v === null ? 'n/a' : `${v > 0 ? '+' : ''}${v.toFixed(2)}%`);
  const time = (iso: string) => iso.slice(11, 16);

  const [day] = await query.daily('portfolio', date, date, 1);
  const portfolio = await query.portfolio();
  const today = portfolio.trading_day === date;

  const closed = await query.trades({
    status: 'closed',
    sort: 'exit_at',
    order: 'desc',
    limit: 500,
  });
  const trades = closed.items.filter((t) => {
    const exit = t.exit_at === null ? NaN : Date.parse(t.exit_at);
    return exit >= from && exit < to;
  });
  const wins = trades.filter((t) => t.net_pnl > 0).length;
  const losses = trades.filter((t) => t.net_pnl < 0).length;
  const net = trades.reduce((s, t) => s + Math.round(t.net_pnl * 10 ** places), 0) / 10 ** places;

  const positions = query.positions({});
  const history = await repo.history({ from, to, limit: 200 }, null);
  const fired = history.filter((h) => h.event === 'firing');
  const signals = await query.signals({ to, limit: 500 }, null);
  const latest = new Map<string, (typeof signals.items)[number]>();
  for (const s of signals.items) if (!latest.has(s.symbol)) latest.set(s.symbol, s);
  const bots = query.bots();

  const start = day?.start_equity ?? portfolio.equity - portfolio.day_pnl;
  const end = day?.end_equity ?? portfolio.equity;
  const change = day ? day.end_equity - day.start_equity - day.cash_flows : portfolio.day_pnl;
  return {
    date,
    currency: settings.currency,
    generated_at: isoUtc(now),
    equity: {
      start: money(start),
      end: money(end),
      change: signed(change),
      change_pct: pct(day?.return_pct ?? (start > 0 ? (change / start) * 100 : null)),
    },
    pnl: {
      day: signed(today ? portfolio.day_pnl : change),
      realized: signed(day?.net ?? 0),
      unrealized: signed(portfolio.unrealized),
    },
    trades: {
      count: trades.length,
      wins,
      losses,
      win_rate: trades.length === 0 ? 'n/a' : `${Math.round((wins / trades.length) * 100)}%`,
      net: signed(net),
      list: trades.slice(0, MAX_TRADES).map((t) => ({
        exit_at: t.exit_at === null ? '' : time(t.exit_at),
        bot: t.bot,
        symbol: t.symbol,
        direction: t.direction,
        qty: t.qty,
        net: signed(t.net_pnl),
        return_pct: t.return_pct === null ? '' : pct(t.return_pct),
      })),
      more: Math.max(0, trades.length - MAX_TRADES),
    },
    positions: {
      count: positions.length,
      list: positions.map((p) => ({
        bot: p.bot,
        symbol: p.symbol,
        side: p.side,
        qty: Math.abs(p.qty),
        avg_price: p.avg_price,
        last_price: p.last_price,
        unrealized: signed(p.unrealized_pnl),
      })),
    },
    alerts: {
      count: fired.length,
      list: fired.slice(0, 30).map((h) => ({
        at: time(isoUtc(h.ts)),
        name: h.name,
        severity: h.severity,
        summary: h.message,
      })),
    },
    signals: [...latest.values()].slice(0, settings.signals).map((s) => ({
      at: s.ts.slice(0, 16).replace('T', ' '),
      bot: s.bot,
      symbol: s.symbol,
      direction: s.direction,
      note: s.note ?? '',
    })),
    bots: {
      up: bots.filter((b) => b.status === 'up').length,
      down: bots.filter((b) => b.status === 'down').length,
      halted: bots.filter((b) => b.halted).length,
    },
  };
}
