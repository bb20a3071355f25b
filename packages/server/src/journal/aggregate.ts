import { add, ZERO, type Dec } from '../ledger/index.js';
import { addDays, tradingDay } from '../time/index.js';

export type AggregatePeriod = 'day' | 'week';

/** A closed trade as the aggregation needs it (money exact). */
export interface ClosedTrade {
  exitTs: number;
  currency: string;
  gross: Dec;
  fees: Dec;
  net: Dec;
}

export interface PeriodTotals {
  /** First trading day of the period (the Monday for weeks), YYYY-MM-DD. */
  date: string;
  /** Last trading day of the period, YYYY-MM-DD. */
  endDate: string;
  currency: string;
  trades: number;
  wins: number;
  losses: number;
  gross: Dec;
  fees: Dec;
  net: Dec;
  best: Dec;
  worst: Dec;
  /** Net P&L of this and every earlier period of the same currency. */
  cumulativeNet: Dec;
}

/** The Monday (ISO week start) of a YYYY-MM-DD date. */
export function weekStart(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return addDays(day, -((dow + 6) % 7));
}

/**
 * Folds closed trades into daily or weekly totals by the trading day of their exit in
 * `timeZone`, one row per (period, currency): sums of different currencies are never mixed.
 * Rows come out by date, then currency.
 */
export class TradeAggregator {
  private readonly groups = new Map<string, Omit<PeriodTotals, 'cumulativeNet'>>();

  constructor(
    private readonly period: AggregatePeriod,
    private readonly timeZone: string,
  ) {}

  add(t: ClosedTrade): void {
    const day = tradingDay(t.exitTs, this.timeZone);
    const date = this.period === 'day' ? day : weekStart(day);
    const key = `${date}\u0000${t.currency}`;
    let g = this.groups.get(key);
    if (!g) {
      g = {
        date,
        endDate: this.period === 'day' ? date : addDays(date, 6),
        currency: t.currency,
        trades: 0,
        wins: 0,
        losses: 0,
        gross: ZERO,
        fees: ZERO,
        net: ZERO,
        best: t.net,
        worst: t.net,
      };
      this.groups.set(key, g);
    }
    g.trades += 1;
    if (t.net > ZERO) g.wins += 1;
    if (t.net < ZERO) g.losses += 1;
    g.gross = add(g.gross, t.gross);
    g.fees = add(g.fees, t.fees);
    g.net = add(g.net, t.net);
    if (t.net > g.best) g.best = t.net;
    if (t.net < g.worst) g.worst = t.net;
  }

  result(): PeriodTotals[] {
    const rows = [...this.groups.values()].sort(
      (a, b) =>
        (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) || a.currency.localeCompare(b.currency),
    );
    const running = new Map<string, Dec>();
    return rows.map((r) => {
      const cumulativeNet = add(running.get(r.currency) ?? ZERO, r.net);
      running.set(r.currency, cumulativeNet);
      return { ...r, cumulativeNet };
    });
  }
}
