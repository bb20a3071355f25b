import type {
  AccountSummary,
  BotPnlSummary,
  BotRow,
  FillRow,
  OrderRow,
  PortfolioResponse,
  PositionRow,
  TradeRow,
} from '@tradewatch/protocol';
import { isoUtc } from '@tradewatch/protocol';
import {
  decFromString,
  decToNumber,
  div,
  sub,
  ZERO,
  type Dec,
  type KeyState,
  type Trip,
  tripMetrics,
} from '../ledger/index.js';
import {
  adjustedEquity,
  keyFigures,
  lotTotals,
  num,
  type BotInfo,
  type MoneyFormat,
  type PortfolioState,
  type ScopeFigures,
  type Valuation,
} from '../portfolio/index.js';
import type { FillsTable, OrdersTable } from '../store/index.js';

/** Conversions from stored / in-memory projections to the API's row shapes. */
export class Views {
  constructor(
    private readonly money: MoneyFormat,
    private readonly baseCurrency: string,
  ) {}

  currencyOf(state: PortfolioState, account: string): string {
    return state.accounts.get(account)?.currency ?? this.baseCurrency;
  }

  position(state: PortfolioState, ks: KeyState, now: number): PositionRow {
    const mark = state.marks.get(ks.key.symbol);
    const f = keyFigures(ks, mark?.price ?? null);
    const t = lotTotals(ks);
    const absQty = t.qty < ZERO ? -t.qty : t.qty;
    const currency = this.currencyOf(state, ks.key.account);
    const m = (d: Dec) => this.money.money(d, currency);
    return {
      account: ks.key.account,
      bot: ks.key.bot,
      symbol: ks.key.symbol,
      side: t.qty < ZERO ? 'short' : 'long',
      qty: num(t.qty),
      avg_price: absQty === ZERO ? 0 : num(div(t.value, absQty)),
      last_price: f.mark === null ? 0 : num(f.mark),
      last_price_at: mark
        ? isoUtc(mark.ts)
        : ks.lastPriceTs === null
          ? null
          : isoUtc(ks.lastPriceTs),
      multiplier: num(ks.multiplier),
      currency,
      market_value: m(f.marketValue),
      cost_basis: m(f.costBasis),
      unrealized_pnl: m(f.unrealized),
      realized_pnl: m(ks.realizedNet),
      trade_id: ks.trip?.id ?? null,
      opened_at: ks.trip ? isoUtc(ks.trip.entryTs) : null,
      updated_at: isoUtc(ks.lastTs ?? now),
    };
  }

  fill(row: FillsTable, currency: string): FillRow {
    return {
      id: row.id,
      bot: row.bot,
      account: row.account,
      symbol: row.symbol,
      side: row.side === 'sell' ? 'sell' : 'buy',
      qty: Number(row.qty),
      price: Number(row.price),
      fee: this.money.money(decFromString(row.fee), currency),
      fee_currency: row.fee_currency,
      strategy: row.strategy,
      order_id: row.order_id,
      tags: row.tags ? (JSON.parse(row.tags) as string[]) : [],
      ts: isoUtc(row.ts),
      received_at: isoUtc(row.received_at),
      realized_pnl_gross: this.money.money(decFromString(row.realized_gross), currency),
      realized_pnl: this.money.money(decFromString(row.realized_net), currency),
      position_after: Number(row.position_after),
      trade_id: row.trade_id,
      next_trade_id: row.next_trade_id,
    };
  }

  order(row: OrdersTable): OrderRow {
    const filled = decFromString(row.filled_qty);
    return {
      order_id: row.order_id,
      bot: row.bot,
      account: row.account,
      symbol: row.symbol,
      side: row.side === 'sell' ? 'sell' : 'buy',
      qty: Number(row.qty),
      order_type: row.order_type,
      limit_price: row.limit_price === null ? null : Number(row.limit_price),
      stop_price: row.stop_price === null ? null : Number(row.stop_price),
      status: row.status,
      open: row.is_open === 1,
      reason: row.reason,
      strategy: row.strategy,
      filled_qty: num(filled),
      avg_fill_price: filled === ZERO ? null : num(div(decFromString(row.filled_value), filled)),
      created_at: isoUtc(row.created_at),
      updated_at: isoUtc(row.updated_at),
      first_fill_at: row.first_fill_at === null ? null : isoUtc(row.first_fill_at),
      last_event_id: row.last_event_id,
    };
  }

  trade(
    trip: Trip,
    multiplier: Dec,
    currency: string,
    notes: { notes: string | null; tags: string[] } | null,
  ): TradeRow {
    const m = tripMetrics(trip, multiplier);
    const money = (d: Dec) => this.money.money(d, currency);
    return {
      id: trip.id,
      account: trip.account,
      bot: trip.bot,
      symbol: trip.symbol,
      strategy: trip.strategy,
      direction: trip.direction,
      status: trip.status,
      qty: num(trip.qty),
      open_qty: num(trip.openQty),
      entry_at: isoUtc(trip.entryTs),
      exit_at: trip.exitTs === null ? null : isoUtc(trip.exitTs),
      avg_entry_price: num(m.avgEntry),
      avg_exit_price: m.avgExit === null ? null : num(m.avgExit),
      gross_pnl: money(trip.gross),
      fees: money(trip.fees),
      net_pnl: money(trip.net),
      return_pct: m.returnPct === null ? null : round(m.returnPct, 6),
      duration_s: m.durationS,
      mae: money(m.mae),
      mfe: money(m.mfe),
      mae_pct: round(m.maePct, 6),
      mfe_pct: round(m.mfePct, 6),
      fill_count: trip.fillCount,
      notes: notes?.notes ?? null,
      tags: notes?.tags ?? [],
    };
  }

  bot(b: BotInfo, now: number, defaultIntervalS: number): BotRow {
    const interval = b.heartbeatIntervalS ?? defaultIntervalS;
    const age = b.lastHeartbeatAt === null ? null : Math.max(0, (now - b.lastHeartbeatAt) / 1000);
    return {
      id: b.id,
      name: b.name,
      framework: b.framework,
      account: b.account,
      heartbeat_interval_s: interval,
      status: age === null ? 'unknown' : age <= 2 * interval ? 'up' : 'down',
      reported_status: b.reportedStatus,
      version: b.version,
      connections: b.connections,
      first_seen_at: isoUtc(b.firstSeenAt),
      last_event_at: isoUtc(b.lastEventAt),
      last_heartbeat_at: b.lastHeartbeatAt === null ? null : isoUtc(b.lastHeartbeatAt),
      heartbeat_age_s: age === null ? null : Math.round(age * 10) / 10,
      halted: b.halted,
    };
  }

  /** The portfolio summary; `dayStart` gives each scope's equity at the start of the trading day. */
  portfolio(
    state: PortfolioState,
    valuation: Valuation,
    day: { date: string; start: Map<string, Dec>; cashFlows: Map<string, Dec> },
    now: number,
  ): PortfolioResponse {
    const cur = this.baseCurrency;
    const m = (d: Dec, currency = cur) => this.money.money(d, currency);
    const dayPnl = (scope: string, f: ScopeFigures) => {
      const start = day.start.get(scope);
      if (start === undefined) return ZERO;
      return sub(sub(f.equity, start), day.cashFlows.get(scope) ?? ZERO);
    };
    const drawdown = (scope: string, f: ScopeFigures) => {
      const adjusted = adjustedEquity(f);
      const stored = state.peaks.get(scope);
      const peak = stored === undefined || adjusted > stored ? adjusted : stored;
      const dd = sub(peak, adjusted);
      const pct = peak > ZERO ? decToNumber(div(dd * 100n, peak), 4) : 0;
      return { peak, dd, pct };
    };
    const figures = (scope: string, f: ScopeFigures, currency: string) => {
      const d = drawdown(scope, f);
      const reportedCash = scope.startsWith('account:')
        ? state.balances.get(scope.slice(8))
        : undefined;
      return {
        equity: m(f.equity, currency),
        cash: m(reportedCash?.cash ?? f.opening + f.cashFlows + f.realizedNet, currency),
        realized_gross: m(f.realizedGross, currency),
        realized_net: m(f.realizedNet, currency),
        fees: m(f.fees, currency),
        unrealized: m(f.unrealized, currency),
        day_pnl: m(dayPnl(scope, f), currency),
        total_pnl: m(f.realizedNet + f.unrealized, currency),
        gross_exposure: m(f.grossExposure, currency),
        net_exposure: m(f.netExposure, currency),
        open_positions: f.openPositions,
        peak_equity: m(d.peak, currency),
        drawdown: m(d.dd, currency),
        drawdown_pct: d.pct,
      };
    };
    const accounts: AccountSummary[] = [];
    let cashTotal = ZERO;
    for (const [id, f] of [...valuation.accounts].sort(([a], [b]) => a.localeCompare(b))) {
      const info = state.accounts.get(id);
      const currency = info?.currency ?? cur;
      const reported = state.balances.get(id);
      cashTotal += reported?.cash ?? f.opening + f.cashFlows + f.realizedNet;
      accounts.push({
        account: id,
        name: info?.name ?? id,
        broker: info?.broker ?? null,
        currency,
        mode: info?.mode ?? 'live',
        opening_balance: m(f.opening, currency),
        cash_flows: m(f.cashFlows, currency),
        ...figures(`account:${id}`, f, currency),
        reported: reported
          ? {
              cash: m(reported.cash, currency),
              equity: reported.equity === null ? null : m(reported.equity, currency),
              buying_power:
                reported.buyingPower === null ? null : m(reported.buyingPower, currency),
              ts: isoUtc(reported.ts),
            }
          : null,
      });
    }
    const bots: BotPnlSummary[] = [...valuation.bots]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, f]) => {
        const all = figures(`bot:${id}`, f, cur);
        return {
          bot: id,
          account: state.bots.get(id)?.account ?? null,
          realized_gross: all.realized_gross,
          realized_net: all.realized_net,
          fees: all.fees,
          unrealized: all.unrealized,
          day_pnl: all.day_pnl,
          total_pnl: all.total_pnl,
          gross_exposure: all.gross_exposure,
          net_exposure: all.net_exposure,
          open_positions: all.open_positions,
        };
      });
    const p = valuation.portfolio;
    return {
      as_of: isoUtc(now),
      currency: cur,
      trading_day: day.date,
      ...figures('portfolio', p, cur),
      cash: m(cashTotal),
      cash_flows: m(p.cashFlows),
      opening_balance: m(p.opening),
      accounts,
      bots,
    };
  }
}

function round(v: number, places: number): number {
  const f = 10 ** places;
  return Math.round(v * f) / f;
}
