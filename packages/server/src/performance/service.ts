import {
  aggregateReturns,
  allReturnMetrics,
  drawdownSeries,
  rollAnnualVolatility,
  rollSharpeRatio,
  tradeStats,
  type RoundTripTrade,
} from '@tradewatch/analytics';
import type { Kysely } from 'kysely';
import { isoUtc } from '@tradewatch/protocol';
import { ApiError, invalid, notFound } from '../http/errors.js';
import { dec, decFromString, decToNumber, div, ZERO, type Dec } from '../ledger/index.js';
import type { MoneyFormat, PortfolioState } from '../portfolio/index.js';
import type { Database } from '../store/index.js';
import type { Clock } from '../time/index.js';
import { addDays, startOfDay, tradingDay } from '../time/index.js';
import { attribute, type AttributionGroup } from './attribution.js';
import { ClosedTrades, sameTrades, withoutSuffix } from './closed-trades.js';
import { compareWithBenchmark, psrMeaning } from './compare.js';
import { dateStamp, periodsBetween, PERIODS_PER_YEAR, type Calendar } from './periods.js';
import type { TradeLine } from './report/model.js';
import { roundedMoney } from './money.js';
import { PerformanceRepository, tradeList, type SnapshotRow } from './repository.js';
import {
  EMPTY_SNAPSHOT,
  priceReturns,
  returnSeries,
  timeWeightedReturns,
  type EquitySnapshot,
  type ReturnBasis,
} from './returns.js';
import type { PerformanceQuery, PerformanceResponse } from './schema.js';

/** Rolling Sharpe ratio and volatility window, in periods (a quarter of trading days). */
export const ROLLING_WINDOW = 63;
/** Longest range a request may span (about 55 years of days). */
const MAX_DAYS = 20_000;
/** A refresh re-reads the trades that closed in the last day of what it holds. */
const TAIL_MS = 86_400_000;
const PAGE = 20_000;

export interface PerformanceDeps {
  db: Kysely<Database>;
  timezone: string;
  baseCurrency: string;
  money: MoneyFormat;
  clock: Clock;
  /** The current in-memory projections (accounts, bots) — read only. */
  state(): PortfolioState;
  currencyOf(account: string): string;
}

/** Turns NaN and ±Infinity into null for JSON. */
function stat(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function snapshotOf(row: SnapshotRow | null): EquitySnapshot {
  if (row === null) return EMPTY_SNAPSHOT;
  const equity = decFromString(row.equity);
  const profit = decFromString(row.realized_net) + decFromString(row.unrealized);
  return { capital: equity - profit, profit };
}

/**
 * Snapshots at the instants; before the scope's first equity point it held only its opening
 * balance (what the first point's equity has beyond P&L and cash flows), so the range starts
 * from that rather than from zero and the opening balance is not a flow of the first day.
 */
function withOpening(rows: (SnapshotRow | null)[]): EquitySnapshot[] {
  const first = rows.find((r) => r !== null) ?? null;
  const before: EquitySnapshot =
    first === null
      ? EMPTY_SNAPSHOT
      : {
          capital:
            decFromString(first.equity) -
            decFromString(first.realized_net) -
            decFromString(first.unrealized) -
            decFromString(first.cash_flows),
          profit: ZERO,
        };
  return rows.map((r) => (r === null ? before : snapshotOf(r)));
}

/**
 * Computes the performance report of a scope: time-weighted returns from the equity points,
 * every return metric of the analytics library, trade statistics and attribution from the
 * closed round trips, and a buy-and-hold comparison with a benchmark's marks.
 */
export class PerformanceService {
  readonly repo: PerformanceRepository;
  readonly trades: ClosedTrades;
  private refreshing: Promise<void> | null = null;
  /** The ingest counter at the last refresh that found the copy current. */
  private verifiedVersion: number | null = null;

  constructor(private readonly deps: PerformanceDeps) {
    this.repo = new PerformanceRepository(deps.db);
    this.trades = new ClosedTrades(deps.timezone);
  }

  /**
   * Brings the in-memory copy of the closed trades up to date with the database. On one
   * consistent snapshot: if the database's fingerprint (count, Σ exit time, Σ fill count,
   * Σ net) equals the copy's, nothing to do; if it equals once the trades that closed in the
   * copy's last day are set aside, only that tail is re-read (the live case: new trades close
   * at the end); otherwise — a late fill replayed an older trade, a rebuild fixed history,
   * another hub instance wrote — everything is re-read. Concurrent callers share one refresh.
   */
  refreshTrades(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const cache = this.trades;
    try {
      this.verifiedVersion = await this.repo.snapshot(async (db) => {
        // Every write that can change trades moves the ingest counter: unchanged, nothing to do.
        const version = await this.repo.ingestVersion(db);
        if (version !== null && version === this.verifiedVersion) return version;
        const all = await this.repo.tradesFingerprint(db);
        if (sameTrades(cache.fingerprint(), all, cache.netScale)) return version;
        let from: number | null = null;
        if (cache.size > 0) {
          const t = cache.fingerprint().maxExit! - TAIL_MS;
          const k = cache.lowerBound(t);
          const dbTail = await this.repo.tradesFingerprint(db, t);
          const body = withoutSuffix(cache.fingerprint(), cache.fingerprintFrom(k));
          if (sameTrades(body, withoutSuffix(all, dbTail), cache.netScale)) {
            cache.truncate(k);
            from = t;
          }
        }
        if (from === null) cache.truncate(0);
        let after: { exitTs: number; id: string } | null = null;
        for (;;) {
          const rows = await this.repo.closedTrades(db, from, after, PAGE);
          cache.append(rows);
          if (rows.length < PAGE) break;
          const last = rows[rows.length - 1]!;
          after = { exitTs: last.exit_ts, id: last.id };
        }
        return version;
      });
    } catch (error) {
      // A half-loaded copy must not be trusted: start again next time.
      cache.truncate(0);
      this.verifiedVersion = null;
      throw error;
    }
  }

  async report(q: PerformanceQuery): Promise<PerformanceResponse> {
    const { timezone } = this.deps;
    const state = this.deps.state();
    const scope = q.scope;
    const currency = this.scopeCurrency(state, scope);
    const calendar: Calendar = q.calendar;
    const periodsPerYear = PERIODS_PER_YEAR[calendar];
    if (q.capital !== undefined && !scope.startsWith('bot:')) {
      throw invalid('capital applies to bot scopes only', [
        { path: 'capital', message: 'give capital only with scope=bot:ID' },
      ]);
    }

    const { from, to } = await this.range(q);
    const { start, periods } = periodsBetween(from, to, calendar, timezone);
    const instants = [start, ...periods.map((p) => p.end)];

    // Returns, with the basis they are measured on.
    const snaps = withOpening(await this.repo.snapshotsAt(scope, instants));
    const { basis, description } = await this.basisOf(state, scope, q.capital, instants);
    const rows = timeWeightedReturns(periods, snaps[0]!, snaps.slice(1), basis);
    const returns = returnSeries(rows);
    const firstKept = periods.length - rows.length;

    // Benchmark closes over the kept periods.
    let bench: Float64Array | null = null;
    if (q.benchmark !== undefined) {
      if (!(await this.repo.hasBars(q.benchmark))) {
        throw invalid(`benchmark ${q.benchmark} has no marks`, [
          { path: 'benchmark', message: `no marks were ever received for ${q.benchmark}` },
        ]);
      }
      const closes = (await this.repo.closesAt(q.benchmark, instants.slice(firstKept))).map((c) =>
        c === null ? null : decFromString(c),
      );
      bench = priceReturns(closes[0] ?? null, closes.slice(1));
    }

    const riskFree = (1 + q.risk_free) ** (1 / periodsPerYear) - 1;
    const benchmarkSr = q.psr_benchmark / Math.sqrt(periodsPerYear);
    const m = allReturnMetrics(returns, {
      periodsPerYear,
      riskFree,
      benchmarkSr,
      ...(bench ? { factorReturns: bench } : {}),
    });
    const dd = drawdownSeries(returns);
    const stamps = rows.map((r) => dateStamp(r.date));
    const rollSharpe =
      rows.length >= ROLLING_WINDOW
        ? rollSharpeRatio(returns, { window: ROLLING_WINDOW, periodsPerYear, riskFree })
        : new Float64Array(0);
    const rollVol =
      rows.length >= ROLLING_WINDOW
        ? rollAnnualVolatility(returns, { window: ROLLING_WINDOW, periodsPerYear })
        : new Float64Array(0);

    // Trades closed in the range.
    await this.refreshTrades();
    const selected = this.selectTrades(
      scope,
      startOfDay(from, timezone),
      startOfDay(addDays(to, 1), timezone),
    );
    const t = this.trades;
    const roundTrips: RoundTripTrade[] = new Array<RoundTripTrade>(selected.length);
    for (let j = 0; j < selected.length; j++) roundTrips[j] = t.roundTrips[selected[j]!]!;
    const ts = tradeStats(roundTrips);
    const attribution = attribute(t, selected);

    const places = this.deps.money.places(currency);
    const money = (d: Dec) => roundedMoney(d, places);
    const moneyOf = (x: number) => roundedMoney(dec(x), places);
    const group = (g: AttributionGroup) => ({
      key: g.key,
      trades: g.trades,
      wins: g.wins,
      losses: g.losses,
      net_pnl: money(g.net),
    });
    const seconds = (ms: number) => stat(ms / 1000);
    const dateAt = (i: number) => rows[i]!.date;
    const comparison = bench
      ? compareWithBenchmark(returns, bench, periodsPerYear, riskFree)
      : null;

    let flows = ZERO;
    let pnl = ZERO;
    for (const r of rows) {
      flows += r.flows;
      pnl += r.pnl;
    }
    return {
      scope,
      currency,
      money_decimals: places,
      calendar,
      periods_per_year: periodsPerYear,
      from: rows.length > 0 ? rows[0]!.date : null,
      to: rows.length > 0 ? rows[rows.length - 1]!.date : null,
      basis: {
        kind: basis.kind,
        scope: basis.kind === 'scope' ? basis.scope : null,
        capital: basis.kind === 'capital' ? money(basis.capital) : null,
        description,
      },
      summary: {
        start_equity: rows.length > 0 ? money(rows[0]!.startEquity) : 0,
        end_equity: rows.length > 0 ? money(rows[rows.length - 1]!.endEquity) : 0,
        net_flows: money(flows),
        pnl: money(pnl),
      },
      metrics: {
        periods: m.periods,
        observations: m.observations,
        total_return: stat(m.totalReturn),
        annual_return: stat(m.annualReturn),
        annual_volatility: stat(m.annualVolatility),
        sharpe_ratio: stat(m.sharpeRatio),
        sortino_ratio: stat(m.sortinoRatio),
        downside_risk: stat(m.downsideRisk),
        max_drawdown: stat(m.maxDrawdown),
        calmar_ratio: stat(m.calmarRatio),
        omega_ratio: stat(m.omegaRatio),
        stability: stat(m.stabilityOfTimeseries),
        tail_ratio: stat(m.tailRatio),
        value_at_risk: stat(m.valueAtRisk),
        conditional_value_at_risk: stat(m.conditionalValueAtRisk),
        skew: stat(m.skew),
        kurtosis: stat(m.kurtosis),
        ulcer_index: stat(m.ulcerIndex),
      },
      psr: {
        probability: stat(m.probabilisticSharpeRatio),
        observed_sharpe: stat(m.sharpeRatio),
        benchmark_sharpe: q.psr_benchmark,
        observations: m.observations,
        min_track_record_periods: stat(m.minimumTrackRecordLength),
        meaning: psrMeaning(
          m.probabilisticSharpeRatio,
          m.sharpeRatio,
          q.psr_benchmark,
          m.observations,
          'daily',
        ),
      },
      trades: {
        count: ts.count,
        wins: ts.wins,
        losses: ts.losses,
        breakevens: ts.breakevens,
        win_rate: stat(ts.winRate),
        loss_rate: stat(ts.lossRate),
        gross_profit: moneyOf(ts.grossProfit),
        gross_loss: moneyOf(ts.grossLoss),
        net_profit: money(attribution.total.net),
        profit_factor: stat(ts.profitFactor),
        average_win: stat(ts.averageWin),
        average_loss: stat(ts.averageLoss),
        payoff_ratio: stat(ts.payoffRatio),
        largest_win: stat(ts.largestWin),
        largest_loss: stat(ts.largestLoss),
        expectancy: stat(ts.expectancy),
        expectancy_ratio: stat(ts.expectancyRatio),
        sqn: stat(ts.sqn),
        max_consecutive_wins: ts.maxConsecutiveWins,
        max_consecutive_losses: ts.maxConsecutiveLosses,
        average_duration_s: seconds(ts.averageDurationMs),
        average_win_duration_s: seconds(ts.averageWinDurationMs),
        average_loss_duration_s: seconds(ts.averageLossDurationMs),
        average_return: stat(ts.averageReturnPct),
        average_win_return: stat(ts.averageWinReturnPct),
        average_loss_return: stat(ts.averageLossReturnPct),
        kelly_criterion: stat(ts.kellyCriterion),
      },
      drawdowns: dd.drawdowns.slice(0, 5).map((d) => ({
        depth: d.depth,
        peak_date: d.peakIndex < 0 ? null : dateAt(d.peakIndex),
        valley_date: dateAt(d.valleyIndex),
        recovery_date: d.recoveryIndex === null ? null : dateAt(d.recoveryIndex),
        decline_periods: d.declinePeriods,
        recovery_periods: d.recoveryPeriods,
        duration_periods: d.duration,
        underwater_periods: d.underwaterPeriods,
      })),
      monthly: aggregateReturns(returns, stamps, 'monthly').map((b) => ({
        period: b.period,
        year: b.year,
        month: b.index,
        return: stat(b.return),
      })),
      yearly: aggregateReturns(returns, stamps, 'yearly').map((b) => ({
        year: b.year,
        return: stat(b.return),
      })),
      rolling: {
        window: ROLLING_WINDOW,
        items: Array.from(rollSharpe, (s, j) => ({
          date: dateAt(j + ROLLING_WINDOW - 1),
          sharpe: stat(s),
          volatility: stat(rollVol[j]!),
        })),
      },
      series: rows.map((r, i) => ({
        date: r.date,
        return: stat(r.ret),
        equity: money(r.endEquity),
        flows: money(r.flows),
        pnl: money(r.pnl),
        drawdown: dd.underwater[i]!,
        ...(bench ? { benchmark_return: stat(bench[i]!) } : {}),
      })),
      attribution: {
        total: group(attribution.total),
        by_bot: attribution.byBot.map(group),
        by_strategy: attribution.byStrategy.map(group),
        by_symbol: attribution.bySymbol.map(group),
        by_direction: attribution.byDirection.map(group),
        by_hour: attribution.byHour.map((g) => ({ ...group(g), hour: g.hour })),
        by_weekday: attribution.byWeekday.map((g) => ({ ...group(g), weekday: g.weekday })),
        by_weekday_hour: attribution.byWeekdayHour.map((g) => ({
          ...group(g),
          weekday: g.weekday,
          hour: g.hour,
        })),
      },
      benchmark:
        comparison && q.benchmark !== undefined
          ? {
              symbol: q.benchmark,
              observations: comparison.observations,
              total_return: stat(comparison.totalReturn),
              strategy_total_return: stat(comparison.strategyTotalReturn),
              excess_return: stat(comparison.excessReturn),
              annual_return: stat(comparison.annualReturn),
              strategy_annual_return: stat(comparison.strategyAnnualReturn),
              annual_excess_return: stat(comparison.annualExcessReturn),
              beta: stat(comparison.beta),
              alpha: stat(comparison.alpha),
              correlation: stat(comparison.correlation),
              max_drawdown: stat(comparison.maxDrawdown),
              strategy_max_drawdown: stat(comparison.strategyMaxDrawdown),
              information_ratio: stat(m.benchmark?.informationRatio ?? NaN),
            }
          : null,
    };
  }

  /**
   * The trading days a request covers: `from` defaults to the day of the scope's first equity
   * point (its first activity), `to` to today in the hub's time zone.
   */
  async range(
    q: Pick<PerformanceQuery, 'scope' | 'from' | 'to'>,
  ): Promise<{ from: string; to: string }> {
    const { timezone } = this.deps;
    const today = tradingDay(this.deps.clock.now(), timezone);
    const to = q.to ?? today;
    let from = q.from;
    if (from === undefined) {
      const first = await this.repo.firstPointTs(q.scope);
      from = first === null ? to : tradingDay(first, timezone);
    }
    if (from > to) {
      throw invalid('from is after to', [{ path: 'from', message: `${from} is after ${to}` }]);
    }
    if (dateStamp(to) - dateStamp(from) > MAX_DAYS * 86_400_000) {
      throw invalid(`the range may span at most ${MAX_DAYS} days`, [
        { path: 'from', message: `at most ${MAX_DAYS} days before to` },
      ]);
    }
    return { from, to };
  }

  /** The closed trades of a scope that closed on the trading days from … to, for reports. */
  async *tradeLines(scope: string, from: string, to: string): AsyncGenerator<TradeLine[]> {
    const { timezone, money } = this.deps;
    const start = startOfDay(from, timezone);
    const end = startOfDay(addDays(to, 1), timezone);
    for await (const rows of tradeList(this.deps.db, scope, start, end)) {
      yield rows.map((r) => {
        const currency = this.deps.currencyOf(r.account);
        const qty = decFromString(r.qty);
        const exitQty = decFromString(r.exit_qty);
        return {
          id: r.id,
          account: r.account,
          bot: r.bot,
          strategy: r.strategy,
          symbol: r.symbol,
          direction: r.direction,
          qty: decToNumber(qty),
          entry_at: isoUtc(Number(r.entry_ts)),
          exit_at: isoUtc(Number(r.exit_ts)),
          avg_entry_price: qty > ZERO ? decToNumber(div(decFromString(r.entry_value), qty)) : null,
          avg_exit_price:
            exitQty > ZERO ? decToNumber(div(decFromString(r.exit_value), exitQty)) : null,
          gross_pnl: money.money(decFromString(r.gross), currency),
          fees: money.money(decFromString(r.fees), currency),
          net_pnl: money.money(decFromString(r.net), currency),
          return_pct: r.return_pct,
          duration_s: r.duration_ms === null ? null : Number(r.duration_ms) / 1000,
          fill_count: r.fill_count,
        };
      });
    }
  }

  /** Indices of the held closed trades of a scope that closed in [from, to). */
  selectTrades(scope: string, from: number, to: number): Int32Array {
    const t = this.trades;
    const lo = t.lowerBound(from);
    const hi = t.lowerBound(to);
    let column: Int32Array | null = null;
    let code = -1;
    if (scope.startsWith('account:')) {
      column = t.account;
      code = t.codeOf(scope.slice('account:'.length));
    } else if (scope.startsWith('bot:')) {
      column = t.bot;
      code = t.codeOf(scope.slice('bot:'.length));
    }
    if (column === null) {
      const all = new Int32Array(hi - lo);
      for (let i = lo; i < hi; i++) all[i - lo] = i;
      return all;
    }
    if (code < 0) return new Int32Array(0);
    const out = new Int32Array(hi - lo);
    let n = 0;
    for (let i = lo; i < hi; i++) if (column[i] === code) out[n++] = i;
    return out.subarray(0, n);
  }

  private scopeCurrency(state: PortfolioState, scope: string): string {
    if (scope === 'portfolio') return this.deps.baseCurrency;
    if (scope.startsWith('account:')) {
      const id = scope.slice('account:'.length);
      if (!state.accounts.has(id)) throw notFound(`scope ${scope}`);
      return this.deps.currencyOf(id);
    }
    if (scope.startsWith('bot:')) {
      if (!state.bots.has(scope.slice('bot:'.length))) throw notFound(`scope ${scope}`);
      return this.deps.baseCurrency;
    }
    throw new ApiError('invalid', 'scope must be portfolio, account:ID or bot:ID');
  }

  /**
   * What a scope's returns are measured on. Accounts and the portfolio: their own equity. A
   * bot has no capital of its own (its equity is its P&L): given `capital`, a fixed allocation
   * plus its accumulated P&L; otherwise its account's equity (its contribution to the account's
   * return — the contributions of an account's bots add up to the account's return), or the
   * portfolio's when the bot has no known account.
   */
  private async basisOf(
    state: PortfolioState,
    scope: string,
    capital: number | undefined,
    instants: number[],
  ): Promise<{ basis: ReturnBasis; description: string }> {
    if (!scope.startsWith('bot:')) {
      return {
        basis: { kind: 'own' },
        description:
          'P&L over the scope’s own equity at the start of each day plus that day’s flows',
      };
    }
    if (capital !== undefined) {
      return {
        basis: { kind: 'capital', capital: dec(capital) },
        description: `P&L over a fixed allocation of ${capital} plus the bot’s accumulated P&L`,
      };
    }
    const account = state.bots.get(scope.slice('bot:'.length))?.account ?? null;
    const base =
      account !== null && state.accounts.has(account) ? `account:${account}` : 'portfolio';
    const snaps = withOpening(await this.repo.snapshotsAt(base, instants));
    return {
      basis: { kind: 'scope', scope: base, start: snaps[0]!, ends: snaps.slice(1) },
      description: `the bot’s contribution: its P&L over the equity of ${base} (start of day plus flows)`,
    };
  }
}
