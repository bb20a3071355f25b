import { abs, dec, div, mul, sub, ZERO, type Dec, type KeyState } from '../../ledger/index.js';
import {
  adjustedEquity,
  keyFigures,
  type PortfolioState,
  type ScopeFigures,
  type Valuation,
} from '../../portfolio/index.js';
import type { RuleMetric } from './metrics.js';

/** An open protective order (from the `orders` table): stop, stop-limit or trailing stop. */
export interface StopOrder {
  bot: string;
  account: string;
  symbol: string;
  side: string;
  qty: Dec;
  filledQty: Dec;
  stopPrice: Dec | null;
}

export interface PositionSnap {
  symbol: string;
  /** Net quantity in the scope (signed). */
  qty: Dec;
  /** |Σ market value| of the scope's keys of this symbol. */
  value: Dec;
}

/** Everything the limits and the user rules look at, for one scope, in exact decimals. */
export interface ScopeSnapshot {
  scope: string;
  kind: 'portfolio' | 'account' | 'bot';
  id: string | null;
  figures: ScopeFigures;
  /** Equity at the start of the trading day (null: no history yet). */
  dayStart: Dec | null;
  dayCashFlows: Dec;
  peak: Dec;
  cash: Dec | null;
  heat: Dec;
  /** Symbols whose position (or part of it) has no protective stop. */
  unprotected: string[];
  positions: PositionSnap[];
  heartbeatAgeS: Dec | null;
}

export interface SnapshotInput {
  state: PortfolioState;
  valuation: Valuation;
  /** Start-of-day equity and the day's cash flows per scope. */
  day: Map<string, { start: Dec; cashFlows: Dec }>;
  stops: Iterable<StopOrder>;
  now: number;
}

/**
 * Portfolio, account and bot snapshots (pure). Heat is the loss if every protective stop were
 * hit (from the current mark to the stop, never negative); quantity no stop covers counts its
 * whole market value and flags the symbol as unprotected.
 */
export function buildSnapshots(input: SnapshotInput): ScopeSnapshot[] {
  const { state, valuation, day, now } = input;
  const stopsByKey = new Map<string, StopOrder[]>();
  for (const s of input.stops) {
    const k = `${s.account}\u0000${s.bot}\u0000${s.symbol}`;
    const list = stopsByKey.get(k) ?? [];
    list.push(s);
    stopsByKey.set(k, list);
  }
  interface Acc {
    heat: Dec;
    unprotected: Set<string>;
    bySymbol: Map<string, { qty: Dec; mv: Dec }>;
  }
  const accs = new Map<string, Acc>();
  const acc = (scope: string): Acc => {
    let a = accs.get(scope);
    if (!a) {
      a = { heat: ZERO, unprotected: new Set(), bySymbol: new Map() };
      accs.set(scope, a);
    }
    return a;
  };
  for (const ks of state.keys.values()) {
    const mark = state.marks.get(ks.key.symbol)?.price ?? null;
    const f = keyFigures(ks, mark);
    if (f.qty === ZERO) continue;
    const { heat, unprotected } = keyHeat(ks, f.qty, f.mark, f.marketValue, stopsByKey);
    for (const scope of ['portfolio', `account:${ks.key.account}`, `bot:${ks.key.bot}`]) {
      const a = acc(scope);
      a.heat += heat;
      if (unprotected) a.unprotected.add(ks.key.symbol);
      const s = a.bySymbol.get(ks.key.symbol) ?? { qty: ZERO, mv: ZERO };
      a.bySymbol.set(ks.key.symbol, { qty: s.qty + f.qty, mv: s.mv + f.marketValue });
    }
  }

  const out: ScopeSnapshot[] = [];
  const make = (
    scope: string,
    kind: ScopeSnapshot['kind'],
    id: string | null,
    figures: ScopeFigures,
    cash: Dec | null,
    heartbeatAgeS: Dec | null,
  ) => {
    const a = accs.get(scope);
    const adjusted = adjustedEquity(figures);
    const stored = state.peaks.get(scope);
    const d = day.get(scope);
    out.push({
      scope,
      kind,
      id,
      figures,
      dayStart: d?.start ?? null,
      dayCashFlows: d?.cashFlows ?? ZERO,
      peak: stored === undefined || adjusted > stored ? adjusted : stored,
      cash,
      heat: a?.heat ?? ZERO,
      unprotected: a ? [...a.unprotected].sort() : [],
      positions: a
        ? [...a.bySymbol]
            .filter(([, p]) => p.qty !== ZERO)
            .map(([symbol, p]) => ({ symbol, qty: p.qty, value: abs(p.mv) }))
            .sort((x, y) => x.symbol.localeCompare(y.symbol))
        : [],
      heartbeatAgeS,
    });
  };
  let cashTotal = ZERO;
  const accountCash = new Map<string, Dec>();
  for (const [id, f] of valuation.accounts) {
    const reported = state.balances.get(id);
    const cash = reported?.cash ?? f.opening + f.cashFlows + f.realizedNet;
    accountCash.set(id, cash);
    cashTotal += cash;
  }
  make('portfolio', 'portfolio', null, valuation.portfolio, cashTotal, null);
  for (const [id, f] of [...valuation.accounts].sort(([a], [b]) => a.localeCompare(b))) {
    make(`account:${id}`, 'account', id, f, accountCash.get(id) ?? null, null);
  }
  for (const [id, f] of [...valuation.bots].sort(([a], [b]) => a.localeCompare(b))) {
    const bot = state.bots.get(id);
    const age =
      bot?.lastHeartbeatAt === null || bot === undefined
        ? null
        : div(dec(Math.max(0, now - bot.lastHeartbeatAt)), dec(1000));
    make(`bot:${id}`, 'bot', id, f, null, age);
  }
  return out;
}

function keyHeat(
  ks: KeyState,
  qty: Dec,
  mark: Dec | null,
  marketValue: Dec,
  stopsByKey: Map<string, StopOrder[]>,
): { heat: Dec; unprotected: boolean } {
  const long = qty > ZERO;
  const size = abs(qty);
  const closing = long ? 'sell' : 'buy';
  const stops = (stopsByKey.get(`${ks.key.account}\u0000${ks.key.bot}\u0000${ks.key.symbol}`) ?? [])
    .filter((s) => s.side === closing && s.stopPrice !== null)
    // The farthest stop first: the heat is the worst case.
    .sort((a, b) =>
      long ? cmpDec(a.stopPrice!, b.stopPrice!) : cmpDec(b.stopPrice!, a.stopPrice!),
    );
  let remaining = size;
  let heat = ZERO;
  if (mark !== null) {
    for (const s of stops) {
      if (remaining === ZERO) break;
      const open = sub(s.qty, s.filledQty);
      if (open <= ZERO) continue;
      const covered = open < remaining ? open : remaining;
      const perUnit = long ? sub(mark, s.stopPrice!) : sub(s.stopPrice!, mark);
      if (perUnit > ZERO) heat += mul(mul(perUnit, covered), ks.multiplier);
      remaining -= covered;
    }
  }
  if (remaining > ZERO) {
    // Unprotected quantity: all of its value is at risk.
    heat += mul(abs(marketValue), div(remaining, size));
  }
  return { heat, unprotected: remaining > ZERO };
}

function cmpDec(a: Dec, b: Dec): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pct(part: Dec, whole: Dec): Dec | null {
  return whole > ZERO ? div(part * 100n, whole) : null;
}

/** The rule metrics of a scope (money and counts as exact decimals; null where undefined). */
export function scopeMetrics(s: ScopeSnapshot): Record<RuleMetric, Dec | null> {
  const f = s.figures;
  const dayPnl = s.dayStart === null ? ZERO : f.equity - s.dayStart - s.dayCashFlows;
  const adjusted = adjustedEquity(f);
  const drawdown = s.peak > adjusted ? s.peak - adjusted : ZERO;
  return {
    equity: f.equity,
    cash: s.cash,
    opening_balance: f.opening,
    cash_flows: f.cashFlows,
    realized_gross: f.realizedGross,
    realized_net: f.realizedNet,
    fees: f.fees,
    unrealized: f.unrealized,
    day_pnl: dayPnl,
    day_pnl_pct: s.dayStart === null ? null : pct(dayPnl, s.dayStart),
    total_pnl: f.realizedNet + f.unrealized,
    gross_exposure: f.grossExposure,
    gross_exposure_pct: pct(f.grossExposure, f.equity),
    net_exposure: f.netExposure,
    net_exposure_pct: pct(f.netExposure, f.equity),
    open_positions: dec(f.openPositions),
    peak_equity: s.peak,
    drawdown,
    drawdown_pct: pct(drawdown, s.peak),
    heat: s.heat,
    heat_pct: pct(s.heat, f.equity),
    unprotected_positions: dec(s.unprotected.length),
    heartbeat_age_s: s.heartbeatAgeS,
  };
}
