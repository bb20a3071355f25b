import { abs, dec, div, mul, sub, ZERO, type Dec, type KeyState } from '../../ledger/index.js';
import {
  adjustedEquity,
  keyFigures,
  type PortfolioState,
  type ScopeFigures,
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
  /** Start-of-day equity and the day's cash flows per scope. */
  day: Map<string, { start: Dec; cashFlows: Dec }>;
  stops: Iterable<StopOrder>;
  now: number;
  /** Which scopes beyond the portfolio to build (default: accounts and bots). */
  kinds?: { account: boolean; bot: boolean };
}

function emptyFigures(): ScopeFigures {
  return {
    opening: ZERO,
    cashFlows: ZERO,
    realizedGross: ZERO,
    realizedNet: ZERO,
    fees: ZERO,
    unrealized: ZERO,
    grossExposure: ZERO,
    netExposure: ZERO,
    openPositions: 0,
    equity: ZERO,
  };
}

interface Acc {
  figures: ScopeFigures;
  heat: Dec;
  unprotected: Set<string>;
  bySymbol: Map<string, { qty: Dec; mv: Dec }>;
}

/**
 * Portfolio, account and bot snapshots (pure), in one pass over the ledger keys: the figures
 * `valueAll` gives, plus heat and positions per symbol. Heat is the loss if every protective
 * stop were hit (from the current mark to the stop, never negative); quantity no stop covers
 * counts its whole market value and flags the symbol as unprotected.
 */
export function buildSnapshots(input: SnapshotInput): ScopeSnapshot[] {
  const { state, day, now } = input;
  const kinds = input.kinds ?? { account: true, bot: true };
  const stopsByKey = new Map<string, StopOrder[]>();
  for (const s of input.stops) {
    const k = `${s.account}\u0000${s.bot}\u0000${s.symbol}`;
    const list = stopsByKey.get(k) ?? [];
    list.push(s);
    stopsByKey.set(k, list);
  }
  const accs = new Map<string, Acc>();
  const acc = (scope: string): Acc => {
    let a = accs.get(scope);
    if (!a) {
      a = { figures: emptyFigures(), heat: ZERO, unprotected: new Set(), bySymbol: new Map() };
      accs.set(scope, a);
    }
    return a;
  };
  const portfolio = acc('portfolio');
  for (const account of state.accounts.values()) {
    portfolio.figures.opening += account.opening;
    portfolio.figures.cashFlows += account.cashFlows;
    if (kinds.account) {
      const a = acc(`account:${account.id}`);
      a.figures.opening = account.opening;
      a.figures.cashFlows = account.cashFlows;
    }
  }
  if (kinds.bot) for (const bot of state.bots.keys()) acc(`bot:${bot}`);
  const targets: Acc[] = [portfolio];
  for (const ks of state.keys.values()) {
    const mark = state.marks.get(ks.key.symbol)?.price ?? null;
    const f = keyFigures(ks, mark);
    targets.length = 1;
    if (kinds.account) targets.push(acc(`account:${ks.key.account}`));
    if (kinds.bot) targets.push(acc(`bot:${ks.key.bot}`));
    const mv = f.marketValue;
    const open = f.qty !== ZERO;
    const risk = open ? keyHeat(ks, f.qty, f.mark, mv, stopsByKey) : null;
    for (const a of targets) {
      const t = a.figures;
      t.realizedGross += ks.realizedGross;
      t.realizedNet += ks.realizedNet;
      t.fees += ks.feesPaid;
      t.unrealized += f.unrealized;
      t.grossExposure += mv < ZERO ? -mv : mv;
      t.netExposure += mv;
      if (!open) continue;
      t.openPositions += 1;
      a.heat += risk!.heat;
      if (risk!.unprotected) a.unprotected.add(ks.key.symbol);
      const p = a.bySymbol.get(ks.key.symbol);
      if (p) {
        p.qty += f.qty;
        p.mv += mv;
      } else a.bySymbol.set(ks.key.symbol, { qty: f.qty, mv });
    }
  }
  for (const a of accs.values()) {
    const f = a.figures;
    f.equity = f.opening + f.cashFlows + f.realizedNet + f.unrealized;
  }

  const out: ScopeSnapshot[] = [];
  const make = (
    scope: string,
    kind: ScopeSnapshot['kind'],
    id: string | null,
    cash: Dec | null,
    heartbeatAgeS: Dec | null,
  ) => {
    const a = accs.get(scope)!;
    const adjusted = adjustedEquity(a.figures);
    const stored = state.peaks.get(scope);
    const d = day.get(scope);
    out.push({
      scope,
      kind,
      id,
      figures: a.figures,
      dayStart: d?.start ?? null,
      dayCashFlows: d?.cashFlows ?? ZERO,
      peak: stored === undefined || adjusted > stored ? adjusted : stored,
      cash,
      heat: a.heat,
      unprotected: [...a.unprotected].sort(),
      positions: [...a.bySymbol]
        .filter(([, p]) => p.qty !== ZERO)
        .map(([symbol, p]) => ({ symbol, qty: p.qty, value: abs(p.mv) }))
        .sort((x, y) => (x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : 0)),
      heartbeatAgeS,
    });
  };
  let cashTotal = ZERO;
  const accountCash = new Map<string, Dec>();
  const accountIds = new Set([...state.accounts.keys()]);
  for (const ks of state.keys.values()) accountIds.add(ks.key.account);
  for (const id of accountIds) {
    const info = state.accounts.get(id);
    const reported = state.balances.get(id);
    let realized = ZERO;
    if (!reported) {
      const a = accs.get(`account:${id}`);
      if (a) realized = a.figures.realizedNet;
      else
        for (const ks of state.keys.values()) if (ks.key.account === id) realized += ks.realizedNet;
    }
    const cash = reported?.cash ?? (info?.opening ?? ZERO) + (info?.cashFlows ?? ZERO) + realized;
    accountCash.set(id, cash);
    cashTotal += cash;
  }
  make('portfolio', 'portfolio', null, cashTotal, null);
  if (kinds.account) {
    for (const scope of [...accs.keys()].filter((k) => k.startsWith('account:')).sort()) {
      const id = scope.slice(8);
      make(scope, 'account', id, accountCash.get(id) ?? null, null);
    }
  }
  if (kinds.bot) {
    for (const scope of [...accs.keys()].filter((k) => k.startsWith('bot:')).sort()) {
      const id = scope.slice(4);
      const bot = state.bots.get(id);
      const age =
        bot === undefined || bot.lastHeartbeatAt === null
          ? null
          : div(dec(Math.max(0, now - bot.lastHeartbeatAt)), dec(1000));
      make(scope, 'bot', id, null, age);
    }
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
  if (remaining === size) {
    // No stop at all: all of its value is at risk.
    heat += abs(marketValue);
  } else if (remaining > ZERO) {
    // Partly unprotected: that part of its value is at risk.
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
