import type { Kysely } from 'kysely';
import { abs, dec, decFromString, decToNumber, mul, ZERO, type Dec } from '../ledger/index.js';
import { lotTotals, valueAll } from '../portfolio/valuation.js';
import type { PortfolioState } from '../portfolio/state.js';
import type { Database } from '../store/index.js';

/** The broker's latest word on one (account, symbol) position or one account's balance. */
export interface BrokerPosition {
  account: string;
  symbol: string;
  qty: Dec;
  ts: number;
  seq: number;
  bot: string;
}

export interface BrokerBalance {
  account: string;
  cash: Dec;
  equity: Dec | null;
  ts: number;
  seq: number;
  bot: string;
}

export interface LedgerPosition {
  qty: Dec;
  /** Event time of the latest fill in any of the account's books for this symbol. */
  lastTs: number | null;
}

export interface LedgerAccount {
  cash: Dec;
  equity: Dec;
  flat: boolean;
  configured: boolean;
  /** Latest fill or cash flow time of the account. */
  lastTs: number | null;
}

export interface Tolerances {
  qty: Dec;
  money: Dec;
  /** Percent of the broker figure. */
  moneyPct: number;
  balances: 'configured' | 'all' | 'none';
}

export type ReconciliationStatus = 'match' | 'mismatch' | 'stale';

export interface ReconciliationItem {
  kind: 'position' | 'cash' | 'equity';
  account: string;
  symbol: string | null;
  broker: Dec;
  ledger: Dec;
  difference: Dec;
  status: ReconciliationStatus;
  /** When the broker figure was reported. */
  brokerTs: number;
  bot: string;
}

/**
 * Compares the broker's snapshots with the ledger. A snapshot older than the ledger's latest
 * fill (or cash flow) for the same account / symbol cannot be compared: it is `stale` until the
 * broker reports again. Cash is compared only while the account is flat (the ledger's cash does
 * not move with the cost of open positions); equity whenever the broker reports it. Pure.
 */
export function reconcile(
  brokerPositions: Iterable<BrokerPosition>,
  brokerBalances: Iterable<BrokerBalance>,
  ledgerPositions: Map<string, LedgerPosition>,
  ledgerAccounts: Map<string, LedgerAccount>,
  t: Tolerances,
): ReconciliationItem[] {
  const out: ReconciliationItem[] = [];
  for (const b of brokerPositions) {
    const l = ledgerPositions.get(positionKey(b.account, b.symbol));
    const ledger = l?.qty ?? ZERO;
    const difference = b.qty - ledger;
    const stale = l?.lastTs != null && l.lastTs > b.ts;
    out.push({
      kind: 'position',
      account: b.account,
      symbol: b.symbol,
      broker: b.qty,
      ledger,
      difference,
      status: stale ? 'stale' : abs(difference) > t.qty ? 'mismatch' : 'match',
      brokerTs: b.ts,
      bot: b.bot,
    });
  }
  if (t.balances !== 'none') {
    for (const b of brokerBalances) {
      const l = ledgerAccounts.get(b.account);
      if (!l) continue;
      if (t.balances === 'configured' && !l.configured) continue;
      const stale = l.lastTs !== null && l.lastTs > b.ts;
      const compare = (kind: 'cash' | 'equity', broker: Dec, ledger: Dec) => {
        const difference = broker - ledger;
        const pctTolerance = mul(abs(broker), dec(t.moneyPct / 100));
        const tolerance = pctTolerance > t.money ? pctTolerance : t.money;
        out.push({
          kind,
          account: b.account,
          symbol: null,
          broker,
          ledger,
          difference,
          status: stale ? 'stale' : abs(difference) > tolerance ? 'mismatch' : 'match',
          brokerTs: b.ts,
          bot: b.bot,
        });
      };
      if (l.flat) compare('cash', b.cash, l.cash);
      if (b.equity !== null) compare('equity', b.equity, l.equity);
    }
  }
  return out.sort(
    (a, b) =>
      a.account.localeCompare(b.account) ||
      a.kind.localeCompare(b.kind) ||
      (a.symbol ?? '').localeCompare(b.symbol ?? ''),
  );
}

export function positionKey(account: string, symbol: string): string {
  return `${account}\u0000${symbol}`;
}

/** The ledger side: net quantity per (account, symbol) across bots, and each account's figures. */
export function ledgerView(
  state: PortfolioState,
  lastCashFlowTs: Map<string, number>,
): { positions: Map<string, LedgerPosition>; accounts: Map<string, LedgerAccount> } {
  const positions = new Map<string, LedgerPosition>();
  const accountLastTs = new Map<string, number>();
  for (const ks of state.keys.values()) {
    const key = positionKey(ks.key.account, ks.key.symbol);
    const p = positions.get(key) ?? { qty: ZERO, lastTs: null };
    p.qty += lotTotals(ks).qty;
    if (ks.lastTs !== null && (p.lastTs === null || ks.lastTs > p.lastTs)) p.lastTs = ks.lastTs;
    positions.set(key, p);
    if (ks.lastTs !== null)
      accountLastTs.set(
        ks.key.account,
        Math.max(accountLastTs.get(ks.key.account) ?? 0, ks.lastTs),
      );
  }
  const valuation = valueAll(state);
  const accounts = new Map<string, LedgerAccount>();
  for (const [id, f] of valuation.accounts) {
    const fillTs = accountLastTs.get(id);
    const flowTs = lastCashFlowTs.get(id);
    const lastTs =
      fillTs === undefined && flowTs === undefined
        ? null
        : Math.max(fillTs ?? -Infinity, flowTs ?? -Infinity);
    accounts.set(id, {
      cash: f.opening + f.cashFlows + f.realizedNet,
      equity: f.equity,
      flat: f.openPositions === 0,
      configured: state.accounts.get(id)?.configured ?? false,
      lastTs,
    });
  }
  return { positions, accounts };
}

/**
 * The latest position and balance snapshot per (account, symbol) / account, loaded once and then
 * kept current by reading only rows with a higher sequence number.
 */
export class SnapshotTracker {
  readonly positions = new Map<string, BrokerPosition>();
  readonly balances = new Map<string, BrokerBalance>();
  private positionSeq = -1;
  private balanceSeq = -1;
  private loaded = false;

  constructor(private readonly db: Kysely<Database>) {}

  async refresh(): Promise<void> {
    if (!this.loaded) {
      await this.loadLatest();
      this.loaded = true;
      return;
    }
    const positions = await this.db
      .selectFrom('position_snapshots')
      .select(['account', 'symbol', 'qty', 'ts', 'seq', 'bot'])
      .where('seq', '>', this.positionSeq)
      .orderBy('seq')
      .execute();
    for (const r of positions) this.notePosition(r);
    const balances = await this.db
      .selectFrom('balances')
      .select(['account', 'cash', 'equity', 'ts', 'seq', 'bot'])
      .where('seq', '>', this.balanceSeq)
      .orderBy('seq')
      .execute();
    for (const r of balances) this.noteBalance(r);
  }

  private async loadLatest(): Promise<void> {
    const positions = await this.db
      .selectFrom('position_snapshots as p')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('position_snapshots')
            .select(['account', 'symbol', (e) => e.fn.max('ts').as('mts')])
            .groupBy(['account', 'symbol'])
            .as('l'),
        (join) =>
          join
            .onRef('p.account', '=', 'l.account')
            .onRef('p.symbol', '=', 'l.symbol')
            .onRef('p.ts', '=', 'l.mts'),
      )
      .select(['p.account', 'p.symbol', 'p.qty', 'p.ts', 'p.seq', 'p.bot'])
      .execute();
    for (const r of positions) this.notePosition(r);
    const balances = await this.db
      .selectFrom('balances as b')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('balances')
            .select(['account', (e) => e.fn.max('ts').as('mts')])
            .groupBy('account')
            .as('l'),
        (join) => join.onRef('b.account', '=', 'l.account').onRef('b.ts', '=', 'l.mts'),
      )
      .select(['b.account', 'b.cash', 'b.equity', 'b.ts', 'b.seq', 'b.bot'])
      .execute();
    for (const r of balances) this.noteBalance(r);
    const seqs = await this.db
      .selectFrom('position_snapshots')
      .select((eb) => eb.fn.max('seq').as('s'))
      .executeTakeFirst();
    const bseqs = await this.db
      .selectFrom('balances')
      .select((eb) => eb.fn.max('seq').as('s'))
      .executeTakeFirst();
    this.positionSeq = Math.max(this.positionSeq, Number(seqs?.s ?? -1));
    this.balanceSeq = Math.max(this.balanceSeq, Number(bseqs?.s ?? -1));
  }

  private notePosition(r: {
    account: string;
    symbol: string;
    qty: string;
    ts: number;
    seq: number;
    bot: string;
  }): void {
    const seq = Number(r.seq);
    const ts = Number(r.ts);
    if (seq > this.positionSeq) this.positionSeq = seq;
    const key = positionKey(r.account, r.symbol);
    const prior = this.positions.get(key);
    if (prior && (prior.ts > ts || (prior.ts === ts && prior.seq > seq))) return;
    this.positions.set(key, {
      account: r.account,
      symbol: r.symbol,
      qty: decFromString(r.qty),
      ts,
      seq,
      bot: r.bot,
    });
  }

  private noteBalance(r: {
    account: string;
    cash: string;
    equity: string | null;
    ts: number;
    seq: number;
    bot: string;
  }): void {
    const seq = Number(r.seq);
    const ts = Number(r.ts);
    if (seq > this.balanceSeq) this.balanceSeq = seq;
    const prior = this.balances.get(r.account);
    if (prior && (prior.ts > ts || (prior.ts === ts && prior.seq > seq))) return;
    this.balances.set(r.account, {
      account: r.account,
      cash: decFromString(r.cash),
      equity: r.equity === null ? null : decFromString(r.equity),
      ts,
      seq,
      bot: r.bot,
    });
  }
}

/** Latest cash-flow time per account (a small table: one grouped read). */
export async function lastCashFlows(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('cash_flows')
    .select(['account', (eb) => eb.fn.max('ts').as('ts')])
    .groupBy('account')
    .execute();
  return new Map(rows.map((r) => [r.account, Number(r.ts)]));
}

export const num = (d: Dec) => decToNumber(d);
