import type { RoundTripTrade } from '@tradewatch/analytics';
import type { Dec } from '../ledger/index.js';
import { decimalParts, emptyParts, type DecimalParts } from './exact-sum.js';
import { LocalTime } from './local-time.js';
import type { ClosedTradeRow, TradesFingerprint } from './repository.js';

const SPLIT = 1_000_000;

/**
 * The closed round trips in columns, ordered by (exit time, id): what the performance figures
 * read on every request, kept in memory so a request over hundreds of thousands of trades does
 * not materialise them from the database each time.
 *
 * The order is an invariant of how it is filled — a full load in order, or the removal of a
 * suffix (every trade that closed at or after some instant) and the append of that suffix as
 * the database has it now — so no index of ids is needed. Alongside, running sums (count,
 * Σ exit_ts, Σ fill_count, Σ net_f) mirror the database's {@link TradesFingerprint} so a cheap
 * query tells whether the copy is still current (see `PerformanceService.refreshTrades`).
 *
 * Net P&L is held split into exact parts (see `decimalParts`) for exact attribution sums; the
 * double `net_f` beside it feeds the trade statistics.
 */
export class ClosedTrades {
  private n = 0;
  private cap = 0;
  exitTs = new Float64Array(0);
  netF = new Float64Array(0);
  /** Trade return as a fraction; NaN when unknown. */
  returnFraction = new Float64Array(0);
  /** NaN when unknown. */
  durationMs = new Float64Array(0);
  fillCount = new Float64Array(0);
  netInt = new Float64Array(0);
  netHi = new Float64Array(0);
  netLo = new Float64Array(0);
  /** Codes into `names`; strategy −1 when none. */
  account = new Int32Array(0);
  bot = new Int32Array(0);
  strategy = new Int32Array(0);
  symbol = new Int32Array(0);
  direction = new Int32Array(0);
  /** Local weekday × 24 + hour of the close. */
  cell = new Uint8Array(0);
  /** The trades as the analytics library's `tradeStats` reads them (made once, shared by requests). */
  readonly roundTrips: RoundTripTrade[] = [];
  /** Largest |integer part| of a net value held: bounds the exact sums' partial totals. */
  maxAbsInt = 0;
  /** Net values that are not plain decimals, by index (never in practice: decToString writes plain ones). */
  readonly netBig = new Map<number, Dec>();
  readonly names: string[] = [];
  private readonly codes = new Map<string, number>();
  private readonly local: LocalTime;
  private readonly parts: DecimalParts = emptyParts();

  // Running fingerprint: Σ exit_ts in two halves (quotient and remainder by 10^6, truncated as
  // SQL divides integers) that stay exact as doubles where Σ exit_ts itself would not.
  private exitHigh = 0;
  private exitLow = 0;
  private fillSum = 0;
  private netSum = 0;
  private netAbsSum = 0;

  constructor(timeZone: string) {
    this.local = new LocalTime(timeZone);
  }

  get size(): number {
    return this.n;
  }

  code(name: string): number {
    let c = this.codes.get(name);
    if (c === undefined) {
      c = this.names.length;
      this.names.push(name);
      this.codes.set(name, c);
    }
    return c;
  }

  /** The code of a name, or −1 when no trade has it. */
  codeOf(name: string): number {
    return this.codes.get(name) ?? -1;
  }

  /** First index whose exit time is ≥ ts. */
  lowerBound(ts: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.exitTs[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends rows that sort after every trade held (the caller keeps the order). */
  append(rows: readonly ClosedTradeRow[]): void {
    if (this.n + rows.length > this.cap) this.grow(this.n + rows.length);
    for (const r of rows) {
      const i = this.n++;
      this.exitTs[i] = r.exit_ts;
      this.netF[i] = r.net_f;
      this.returnFraction[i] = r.return_pct === null ? NaN : r.return_pct / 100;
      this.durationMs[i] = r.duration_ms === null ? NaN : Number(r.duration_ms);
      this.fillCount[i] = r.fill_count;
      const p = decimalParts(r.net, this.parts);
      this.netInt[i] = p.int;
      this.netHi[i] = p.hi;
      this.netLo[i] = p.lo;
      if (p.big !== 0n) this.netBig.set(i, p.big);
      this.account[i] = this.code(r.account);
      this.bot[i] = this.code(r.bot);
      this.strategy[i] = r.strategy === null ? -1 : this.code(r.strategy);
      this.symbol[i] = this.code(r.symbol);
      this.direction[i] = this.code(r.direction);
      const { weekday, hour } = this.local.at(r.exit_ts);
      this.cell[i] = weekday * 24 + hour;
      this.roundTrips[i] = {
        pnl: r.net_f,
        returnPct: this.returnFraction[i],
        durationMs: this.durationMs[i],
      };
      const absInt = Math.abs(p.int);
      if (absInt > this.maxAbsInt) this.maxAbsInt = absInt;
      this.exitHigh += Math.trunc(r.exit_ts / SPLIT);
      this.exitLow += r.exit_ts % SPLIT;
      this.fillSum += r.fill_count;
      this.netSum += r.net_f;
      this.netAbsSum += Math.abs(r.net_f);
    }
  }

  /** Drops every trade from index `k` on. */
  truncate(k: number): void {
    for (let i = k; i < this.n; i++) {
      const ts = this.exitTs[i]!;
      this.exitHigh -= Math.trunc(ts / SPLIT);
      this.exitLow -= ts % SPLIT;
      this.fillSum -= this.fillCount[i]!;
      this.netSum -= this.netF[i]!;
      this.netAbsSum -= Math.abs(this.netF[i]!);
      this.netBig.delete(i);
    }
    this.n = Math.min(this.n, k);
    this.roundTrips.length = this.n;
    if (k === 0) {
      this.maxAbsInt = 0;
      // A full reload also resets the float sums' accumulated rounding.
      this.netSum = 0;
      this.netAbsSum = 0;
    }
  }

  /** The fingerprint of every trade held. */
  fingerprint(): TradesFingerprint {
    return {
      count: this.n,
      exitSum: BigInt(this.exitHigh) * BigInt(SPLIT) + BigInt(this.exitLow),
      fillSum: this.fillSum,
      netSum: this.netSum,
      maxExit: this.n > 0 ? this.exitTs[this.n - 1]! : null,
    };
  }

  /** The fingerprint of the trades from index `k` on (a suffix: cost proportional to it). */
  fingerprintFrom(k: number): TradesFingerprint {
    let exitSum = 0n;
    let fill = 0;
    let net = 0;
    for (let i = k; i < this.n; i++) {
      exitSum += BigInt(this.exitTs[i]!);
      fill += this.fillCount[i]!;
      net += this.netF[i]!;
    }
    return {
      count: Math.max(0, this.n - k),
      exitSum,
      fillSum: fill,
      netSum: net,
      maxExit: this.n > k ? this.exitTs[this.n - 1]! : null,
    };
  }

  /** Σ |net_f| of the trades held: the scale for comparing float sums. */
  get netScale(): number {
    return this.netAbsSum;
  }

  /** The exact net P&L of trade i as parts (for exact sums). */
  netParts(i: number, into: DecimalParts): DecimalParts {
    into.int = this.netInt[i]!;
    into.hi = this.netHi[i]!;
    into.lo = this.netLo[i]!;
    into.big = this.netBig.get(i) ?? 0n;
    return into;
  }

  private grow(min: number): void {
    let cap = Math.max(1024, this.cap * 2);
    while (cap < min) cap *= 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.exitTs = f64(this.exitTs);
    this.netF = f64(this.netF);
    this.returnFraction = f64(this.returnFraction);
    this.durationMs = f64(this.durationMs);
    this.fillCount = f64(this.fillCount);
    this.netInt = f64(this.netInt);
    this.netHi = f64(this.netHi);
    this.netLo = f64(this.netLo);
    this.account = i32(this.account);
    this.bot = i32(this.bot);
    this.strategy = i32(this.strategy);
    this.symbol = i32(this.symbol);
    this.direction = i32(this.direction);
    const cell = new Uint8Array(cap);
    cell.set(this.cell.subarray(0, this.n));
    this.cell = cell;
    this.cap = cap;
  }
}

/** True when two fingerprints describe the same trades (float sums compared within rounding). */
export function sameTrades(a: TradesFingerprint, b: TradesFingerprint, netScale: number): boolean {
  return (
    a.count === b.count &&
    a.exitSum === b.exitSum &&
    a.fillSum === b.fillSum &&
    (a.maxExit === null || b.maxExit === null || a.maxExit === b.maxExit) &&
    Math.abs(a.netSum - b.netSum) <= 1e-9 * (netScale + 1)
  );
}

/** The fingerprint of the trades in `a` but not in `b` (b a subset of a: a suffix of it). */
export function withoutSuffix(a: TradesFingerprint, b: TradesFingerprint): TradesFingerprint {
  return {
    count: a.count - b.count,
    exitSum: a.exitSum - b.exitSum,
    fillSum: a.fillSum - b.fillSum,
    netSum: a.netSum - b.netSum,
    maxExit: null,
  };
}
