import { add, mul, neg, sign, sub, ZERO, type Dec, type KeyState } from '../ledger/index.js';
import type { PortfolioState } from './state.js';

/** Aggregates of a key's open lots, memoised per (immutable) state object. */
interface LotTotals {
  qty: Dec;
  /** Σ lot price × qty (no multiplier). */
  value: Dec;
  fees: Dec;
}
const lotTotalsMemo = new WeakMap<KeyState, LotTotals>();

export function lotTotals(state: KeyState): LotTotals {
  let totals = lotTotalsMemo.get(state);
  if (!totals) {
    let qty = ZERO;
    let value = ZERO;
    let fees = ZERO;
    for (const lot of state.lots) {
      qty += lot.qty;
      value += mul(lot.qty, lot.price);
      fees += lot.fee;
    }
    const direction = state.lots.length > 0 && state.trip?.direction === 'short' ? -1n : 1n;
    totals = { qty: qty * direction, value, fees };
    lotTotalsMemo.set(state, totals);
  }
  return totals;
}

/** Figures of one key at a mark: O(1) per call thanks to the memoised lot totals. */
export interface KeyFigures {
  qty: Dec;
  mark: Dec | null;
  marketValue: Dec;
  unrealized: Dec;
  costBasis: Dec;
  openFees: Dec;
}

export function keyFigures(state: KeyState, mark: Dec | null): KeyFigures {
  const t = lotTotals(state);
  const price = mark ?? state.lastPrice;
  if (t.qty === ZERO || price === null) {
    return {
      qty: t.qty,
      mark: price,
      marketValue: ZERO,
      unrealized: ZERO,
      costBasis: ZERO,
      openFees: t.fees,
    };
  }
  const absQty = t.qty < ZERO ? neg(t.qty) : t.qty;
  const gross = mul(sub(mul(absQty, price), t.value), state.multiplier);
  const unrealized = sub(sign(t.qty) < 0 ? neg(gross) : gross, t.fees);
  return {
    qty: t.qty,
    mark: price,
    marketValue: mul(mul(t.qty, price), state.multiplier),
    unrealized,
    costBasis: add(mul(t.value, state.multiplier), t.fees),
    openFees: t.fees,
  };
}

/** P&L figures of a scope (portfolio, one account, one bot). */
export interface ScopeFigures {
  opening: Dec;
  cashFlows: Dec;
  realizedGross: Dec;
  realizedNet: Dec;
  /** Σ every fee paid (charged or still in open lots). */
  fees: Dec;
  unrealized: Dec;
  grossExposure: Dec;
  netExposure: Dec;
  openPositions: number;
  /** opening + cash flows + realized net + unrealized (bots: realized net + unrealized). */
  equity: Dec;
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

export interface Valuation {
  portfolio: ScopeFigures;
  accounts: Map<string, ScopeFigures>;
  bots: Map<string, ScopeFigures>;
}

function addKey(target: ScopeFigures, state: KeyState, f: KeyFigures): void {
  target.realizedGross += state.realizedGross;
  target.realizedNet += state.realizedNet;
  target.fees += state.feesPaid;
  target.unrealized += f.unrealized;
  const mv = f.marketValue;
  target.grossExposure += mv < ZERO ? -mv : mv;
  target.netExposure += mv;
  if (f.qty !== ZERO) target.openPositions += 1;
}

/** Values every scope at the latest marks (pure; reads the state, changes nothing). */
export function valueAll(state: PortfolioState): Valuation {
  const portfolio = emptyFigures();
  const accounts = new Map<string, ScopeFigures>();
  const bots = new Map<string, ScopeFigures>();
  for (const account of state.accounts.values()) {
    const f = emptyFigures();
    f.opening = account.opening;
    f.cashFlows = account.cashFlows;
    accounts.set(account.id, f);
    portfolio.opening += account.opening;
    portfolio.cashFlows += account.cashFlows;
  }
  for (const bot of state.bots.keys()) bots.set(bot, emptyFigures());
  for (const keyState of state.keys.values()) {
    const mark = state.marks.get(keyState.key.symbol)?.price ?? null;
    const f = keyFigures(keyState, mark);
    addKey(portfolio, keyState, f);
    let account = accounts.get(keyState.key.account);
    if (!account) {
      account = emptyFigures();
      accounts.set(keyState.key.account, account);
    }
    addKey(account, keyState, f);
    let bot = bots.get(keyState.key.bot);
    if (!bot) {
      bot = emptyFigures();
      bots.set(keyState.key.bot, bot);
    }
    addKey(bot, keyState, f);
  }
  const finish = (f: ScopeFigures) => {
    f.equity = f.opening + f.cashFlows + f.realizedNet + f.unrealized;
  };
  finish(portfolio);
  accounts.forEach(finish);
  bots.forEach(finish);
  return { portfolio, accounts, bots };
}

/** Figures of one scope string (`portfolio`, `account:ID`, `bot:ID`). */
export function scopeFigures(valuation: Valuation, scope: string): ScopeFigures | undefined {
  if (scope === 'portfolio') return valuation.portfolio;
  if (scope.startsWith('account:')) return valuation.accounts.get(scope.slice('account:'.length));
  if (scope.startsWith('bot:')) return valuation.bots.get(scope.slice('bot:'.length));
  return undefined;
}

/** Equity net of deposits and withdrawals: what drawdown is measured on. */
export function adjustedEquity(f: ScopeFigures): Dec {
  return f.opening + f.realizedNet + f.unrealized;
}
