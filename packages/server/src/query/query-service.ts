import type {
  BotRow,
  DailyRow,
  EquityResponse,
  FillRow,
  LogRow,
  OrderRow,
  Page,
  PortfolioResponse,
  PositionRow,
  SignalRow,
  TradeRow,
} from '@tradewatch/protocol';
import { isoUtc } from '@tradewatch/protocol';
import { decFromString, decToNumber, div, ZERO, type Dec, type KeyState } from '../ledger/index.js';
import {
  lotTotals,
  MoneyFormat,
  rowToTrip,
  valueAll,
  type MarkInfo,
  type PortfolioHolder,
  type PortfolioState,
} from '../portfolio/index.js';
import type { Store, TradesTable } from '../store/index.js';
import type { Clock } from '../time/index.js';
import { tradingDay } from '../time/index.js';
import { encodeCursor } from '../http/cursor.js';
import { barRangeOf, withBars } from '../ingest/trip-fold.js';
import {
  QueryRepository,
  tradeSortKey,
  type BaseFilters,
  type TradeFilters,
} from './query-repository.js';
import { Views } from './views.js';

export interface QuerySettings {
  timezone: string;
  baseCurrency: string;
  currencyDecimals: Record<string, number>;
  defaultHeartbeatIntervalS: number;
  multiplier(symbol: string): Dec;
}

type TradeRowWithNotes = TradesTable & { notes: string | null; note_tags: string | null };

/** Answers the read API from the in-memory projections (hot paths) and the database (history). */
export class QueryService {
  readonly repo: QueryRepository;
  readonly views: Views;
  readonly money: MoneyFormat;
  /** A position row depends only on its (immutable) ledger state and the symbol's mark. */
  private readonly positionRows = new WeakMap<
    KeyState,
    { mark: MarkInfo | undefined; row: PositionRow }
  >();

  constructor(
    store: Store,
    private readonly holder: PortfolioHolder,
    private readonly settings: QuerySettings,
    private readonly clock: Clock,
  ) {
    this.repo = new QueryRepository(store.db, store.dialect);
    this.money = new MoneyFormat(settings.currencyDecimals);
    this.views = new Views(this.money, settings.baseCurrency);
  }

  /** The current in-memory projections (read-only use). */
  state() {
    return this.holder.current;
  }

  multiplier(symbol: string): Dec {
    return this.settings.multiplier(symbol);
  }

  /**
   * The portfolio summary. It changes only when a commit replaces the projection cache or the
   * trading day turns, so it is computed once per (cache, day) and only its timestamp is fresh.
   */
  async portfolio(): Promise<PortfolioResponse> {
    const state = this.holder.current;
    const now = this.clock.now();
    const date = tradingDay(now, this.settings.timezone);
    const cached = this.portfolioCache;
    if (cached && cached.state === state && cached.date === date) {
      return { ...cached.response, as_of: isoUtc(now) };
    }
    const valuation = valueAll(state);
    const { today, previous } = await this.repo.dayRows(date);
    const start = new Map<string, Dec>();
    const cashFlows = new Map<string, Dec>();
    for (const r of previous) start.set(r.scope, decFromString(r.end_equity));
    for (const r of today) {
      start.set(r.scope, decFromString(r.start_equity));
      cashFlows.set(r.scope, decFromString(r.cash_flows));
    }
    const response = this.views.portfolio(state, valuation, { date, start, cashFlows }, now);
    // Cache only if no commit landed while the day rows were read.
    if (this.holder.current === state) this.portfolioCache = { state, date, response };
    return response;
  }

  private portfolioCache: {
    state: PortfolioState;
    date: string;
    response: PortfolioResponse;
  } | null = null;

  positions(f: {
    bot?: string | undefined;
    account?: string | undefined;
    symbol?: string | undefined;
    strategy?: string | undefined;
  }): PositionRow[] {
    const state = this.holder.current;
    const now = this.clock.now();
    const rows: PositionRow[] = [];
    for (const ks of state.keys.values()) {
      if (lotTotals(ks).qty === ZERO) continue;
      if (f.bot && ks.key.bot !== f.bot) continue;
      if (f.account && ks.key.account !== f.account) continue;
      if (f.symbol && ks.key.symbol !== f.symbol) continue;
      if (f.strategy && ks.trip?.strategy !== f.strategy) continue;
      const mark = state.marks.get(ks.key.symbol);
      const cached = this.positionRows.get(ks);
      if (cached && cached.mark === mark) {
        rows.push(cached.row);
      } else {
        const row = this.views.position(state, ks, now);
        this.positionRows.set(ks, { mark, row });
        rows.push(row);
      }
    }
    return rows.sort(
      (a, b) =>
        a.account.localeCompare(b.account) ||
        a.bot.localeCompare(b.bot) ||
        a.symbol.localeCompare(b.symbol),
    );
  }

  private currency(account: string): string {
    return this.views.currencyOf(this.holder.current, account);
  }

  async fills(
    f: BaseFilters & { orderId?: string | undefined; tradeId?: string | undefined },
    after: (string | number | null)[] | null,
  ): Promise<Page<FillRow>> {
    const rows = await this.repo.fills(f, after);
    return pageOf(
      rows,
      f.limit,
      (r) => this.views.fill(r, this.currency(r.account)),
      (r) => [r.ts, r.seq],
    );
  }

  async orders(
    f: BaseFilters & { status?: 'open' | 'closed' | undefined },
    after: (string | number | null)[] | null,
  ): Promise<Page<OrderRow>> {
    const rows = await this.repo.orders(f, after);
    return pageOf(
      rows,
      f.limit,
      (r) => this.views.order(r),
      (r) => [r.updated_at, r.bot, r.order_id],
    );
  }

  tradeRow(r: TradeRowWithNotes): TradeRow {
    return this.views.trade(
      withBars(rowToTrip(r), barRangeOf(r)),
      this.settings.multiplier(r.symbol),
      this.currency(r.account),
      {
        notes: r.notes,
        tags: r.note_tags ? (JSON.parse(r.note_tags) as string[]) : [],
      },
    );
  }

  async trades(f: TradeFilters): Promise<Page<TradeRow>> {
    const rows = await this.repo.trades(f);
    return pageOf(
      rows,
      f.limit,
      (r) => this.tradeRow(r),
      (r) => tradeSortKey(r, f.sort),
    );
  }

  async trade(id: string): Promise<TradeRow | null> {
    const row = await this.repo.tradeById(id);
    return row ? this.tradeRow(row) : null;
  }

  async equity(
    scope: string,
    from: number | undefined,
    to: number | undefined,
    limit: number,
  ): Promise<EquityResponse> {
    const rows = await this.repo.equityPoints(scope, from, to, limit);
    const currency = scope.startsWith('account:')
      ? this.currency(scope.slice(8))
      : this.settings.baseCurrency;
    return {
      scope,
      points: rows.map((r) => {
        const equity = decFromString(r.equity);
        const cashFlows = decFromString(r.cash_flows);
        const peak = decFromString(r.peak);
        // Drawdown is measured on equity net of deposits and withdrawals.
        const adjusted = equity - cashFlows;
        const dd = peak > adjusted ? peak - adjusted : ZERO;
        return {
          ts: isoUtc(r.ts),
          equity: this.money.money(equity, currency),
          realized_net: this.money.money(decFromString(r.realized_net), currency),
          unrealized: this.money.money(decFromString(r.unrealized), currency),
          cash_flows: this.money.money(cashFlows, currency),
          drawdown: this.money.money(dd, currency),
          drawdown_pct: peak > ZERO ? decToNumber(div(dd * 100n, peak), 4) : 0,
        };
      }),
    };
  }

  async daily(
    scope: string,
    from: string | undefined,
    to: string | undefined,
    limit: number,
  ): Promise<DailyRow[]> {
    const rows = await this.repo.daily(scope, from, to, limit);
    const currency = scope.startsWith('account:')
      ? this.currency(scope.slice(8))
      : this.settings.baseCurrency;
    return rows.map((r) => {
      const start = decFromString(r.start_equity);
      const end = decFromString(r.end_equity);
      const flows = decFromString(r.cash_flows);
      // The day's P&L (change net of cash flows) over the capital at work, taking the day's
      // flows as arriving at its start (simple Dietz); null when no capital was at work.
      const base = start + flows;
      const ret = base > ZERO ? decToNumber(div((end - start - flows) * 100n, base), 6) : null;
      return {
        scope: r.scope,
        date: r.date,
        trades: r.trades,
        wins: r.wins,
        losses: r.losses,
        gross: this.money.money(decFromString(r.gross), currency),
        fees: this.money.money(decFromString(r.fees), currency),
        net: this.money.money(decFromString(r.net), currency),
        cash_flows: this.money.money(flows, currency),
        start_equity: this.money.money(start, currency),
        end_equity: this.money.money(end, currency),
        return_pct: ret,
      };
    });
  }

  bots(): BotRow[] {
    const now = this.clock.now();
    return [...this.holder.current.bots.values()]
      .map((b) => this.views.bot(b, now, this.settings.defaultHeartbeatIntervalS))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  bot(id: string): BotRow | null {
    const b = this.holder.current.bots.get(id);
    return b ? this.views.bot(b, this.clock.now(), this.settings.defaultHeartbeatIntervalS) : null;
  }

  async signals(
    f: BaseFilters,
    after: (string | number | null)[] | null,
  ): Promise<Page<SignalRow>> {
    const rows = await this.repo.signals(f, after);
    return pageOf(
      rows,
      f.limit,
      (r) => ({
        id: r.id,
        bot: r.bot,
        ts: isoUtc(r.ts),
        strategy: r.strategy,
        symbol: r.symbol,
        direction: r.direction as SignalRow['direction'],
        strength: r.strength,
        note: r.note,
      }),
      (r) => [r.ts, r.seq],
    );
  }

  async logs(
    f: BaseFilters & { level?: string[] | undefined; q?: string | undefined },
    after: (string | number | null)[] | null,
  ): Promise<Page<LogRow>> {
    const rows = await this.repo.logs(f, after);
    return pageOf(
      rows,
      f.limit,
      (r) => ({
        id: r.id,
        bot: r.bot,
        ts: isoUtc(r.ts),
        level: r.level as LogRow['level'],
        message: r.message,
        context: r.context ? (JSON.parse(r.context) as Record<string, unknown>) : null,
      }),
      (r) => [r.ts, r.seq],
    );
  }
}

/** Turns `limit + 1` rows into a page and the cursor of the next one. */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  map: (r: R) => T,
  key: (r: R) => (string | number | null)[],
): Page<T> {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(map);
  const last = more ? rows[limit - 1] : undefined;
  return { items, next_cursor: last === undefined ? null : encodeCursor(key(last)) };
}
