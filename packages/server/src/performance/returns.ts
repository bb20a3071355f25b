import { decToNumber, div, ZERO, type Dec } from '../ledger/index.js';
import type { Period } from './periods.js';

/**
 * A scope's equity at an instant, split into what was put in and what was earned. Equity
 * points store equity, realized net, unrealized and cumulative cash flows; the capital is
 * `equity − realized net − unrealized` (opening balances plus net deposits), so an account
 * added later with an opening balance counts as money put in, never as a gain.
 */
export interface EquitySnapshot {
  /** Opening balances plus cumulative deposits minus withdrawals. */
  capital: Dec;
  /** Cumulative profit: realized net P&L plus unrealized P&L. */
  profit: Dec;
}

export const EMPTY_SNAPSHOT: EquitySnapshot = { capital: ZERO, profit: ZERO };

/** Where the denominator of a period's return comes from. */
export type ReturnBasis =
  /** The scope's own start-of-period equity plus the period's flows (portfolio, accounts). */
  | { kind: 'own' }
  /**
   * Another scope's start equity plus flows: a bot's P&L over its account's (or the
   * portfolio's) capital, i.e. the bot's contribution to that scope's return.
   */
  | { kind: 'scope'; scope: string; start: EquitySnapshot; ends: readonly EquitySnapshot[] }
  /** A fixed allocation plus the scope's accumulated profit (a bot given `capital`). */
  | { kind: 'capital'; capital: Dec };

export interface PeriodReturn {
  date: string;
  /** Equity at the end of the previous period. */
  startEquity: Dec;
  /** Net deposits (− withdrawals) during the period, opening balances included. */
  flows: Dec;
  /** Profit of the period: change in equity minus flows. */
  pnl: Dec;
  endEquity: Dec;
  /** The capital the return is measured on (start equity + flows unless a basis is given). */
  base: Dec;
  /** pnl / base; NaN when the base is not positive (no capital: the period is missing). */
  ret: number;
}

function equityOf(s: EquitySnapshot): Dec {
  return s.capital + s.profit;
}

/**
 * Time-weighted daily returns from end-of-period equity snapshots, cash flows removed.
 *
 * For period k with snapshots S(k−1) at its start and S(k) at its end:
 *   flows_k = capital_k − capital_{k−1},  pnl_k = profit_k − profit_{k−1},
 *   r_k = pnl_k / (equity_{k−1} + flows_k).
 * Flows are treated as arriving at the START of the period (the money deposited on a day is
 * at work that day), which makes the first day of an account that starts from zero well
 * defined, and a deposit is never a gain. Compounding the r_k gives the time-weighted return.
 *
 * Leading periods before the scope has any capital (base ≤ 0) are dropped: the series starts
 * on the first day with money in it. A later period whose base is not positive (everything
 * withdrawn) has a NaN return, which the analytics treat as missing.
 *
 * @example
 * // 10,000 deposited on day 1 and +100 that day; +5,000 deposited on day 2 and +150 that day.
 * timeWeightedReturns(
 *   [{ date: '2026-01-05', end: 1 }, { date: '2026-01-06', end: 2 }],
 *   EMPTY_SNAPSHOT,
 *   [{ capital: dec(10_000), profit: dec(100) }, { capital: dec(15_000), profit: dec(250) }],
 * ).map((p) => p.ret); // [0.01, 150 / 15_100]
 */
export function timeWeightedReturns(
  periods: readonly Period[],
  start: EquitySnapshot,
  ends: readonly EquitySnapshot[],
  basis: ReturnBasis = { kind: 'own' },
): PeriodReturn[] {
  if (ends.length !== periods.length) {
    throw new RangeError(`${ends.length} snapshots for ${periods.length} periods`);
  }
  if (basis.kind === 'scope' && basis.ends.length !== periods.length) {
    throw new RangeError(`${basis.ends.length} basis snapshots for ${periods.length} periods`);
  }
  const out: PeriodReturn[] = [];
  let prev = start;
  let prevBasis = basis.kind === 'scope' ? basis.start : EMPTY_SNAPSHOT;
  for (let k = 0; k < periods.length; k++) {
    const cur = ends[k]!;
    const flows = cur.capital - prev.capital;
    const pnl = cur.profit - prev.profit;
    const startEquity = equityOf(prev);
    let base: Dec;
    if (basis.kind === 'own') {
      base = startEquity + flows;
    } else if (basis.kind === 'scope') {
      const b = basis.ends[k]!;
      base = equityOf(prevBasis) + (b.capital - prevBasis.capital);
      prevBasis = b;
    } else {
      base = basis.capital + startEquity + flows;
    }
    prev = cur;
    if (base <= ZERO && out.length === 0) continue;
    out.push({
      date: periods[k]!.date,
      startEquity: basis.kind === 'capital' ? basis.capital + startEquity : startEquity,
      flows,
      pnl,
      endEquity: basis.kind === 'capital' ? basis.capital + equityOf(cur) : equityOf(cur),
      base,
      ret: base > ZERO ? decToNumber(div(pnl, base)) : NaN,
    });
  }
  return out;
}

/** The returns as a Float64Array (NaN = missing), for the analytics library. */
export function returnSeries(rows: readonly PeriodReturn[]): Float64Array {
  const r = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) r[i] = rows[i]!.ret;
  return r;
}

/**
 * Buy-and-hold returns of a benchmark from its closing price at the start and at the end of
 * each period (null where it had no price yet): close_k / close_{k−1} − 1, NaN when either is
 * missing.
 */
export function priceReturns(start: Dec | null, closes: readonly (Dec | null)[]): Float64Array {
  const r = new Float64Array(closes.length);
  let prev = start;
  for (let k = 0; k < closes.length; k++) {
    const c = closes[k] ?? null;
    r[k] = prev !== null && c !== null && prev > ZERO ? decToNumber(div(c - prev, prev)) : NaN;
    prev = c;
  }
  return r;
}
