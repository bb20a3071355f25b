import { describe, expect, it } from 'vitest';
import { dec, ZERO } from '../ledger/index.js';
import {
  positionKey,
  reconcile,
  type BrokerBalance,
  type BrokerPosition,
  type LedgerAccount,
  type LedgerPosition,
  type Tolerances,
} from './reconciliation.js';

const T = Date.UTC(2026, 0, 5, 14, 30);
const tol: Tolerances = { qty: dec(1e-6), money: dec(1), moneyPct: 0.5, balances: 'configured' };

const pos = (symbol: string, qty: number, ts = T): BrokerPosition => ({
  account: 'acc',
  symbol,
  qty: dec(qty),
  ts,
  seq: 1,
  bot: 'alpha',
});
const ledgerPos = (entries: [string, number, number | null][]) =>
  new Map<string, LedgerPosition>(
    entries.map(([symbol, qty, lastTs]) => [positionKey('acc', symbol), { qty: dec(qty), lastTs }]),
  );

describe('reconciliation of positions', () => {
  it('matches within tolerance, flags a difference with both figures', () => {
    const items = reconcile(
      [pos('AAPL', 10), pos('MSFT', 5)],
      [],
      ledgerPos([
        ['AAPL', 10, T - 1000],
        ['MSFT', 3, T - 1000],
      ]),
      new Map(),
      tol,
    );
    expect(items.map((i) => [i.symbol, i.status, i.broker, i.ledger, i.difference])).toEqual([
      ['AAPL', 'match', dec(10), dec(10), ZERO],
      ['MSFT', 'mismatch', dec(5), dec(3), dec(2)],
    ]);
  });

  it('a position the ledger does not have is a mismatch against zero', () => {
    const [item] = reconcile([pos('TSLA', 1)], [], new Map(), new Map(), tol);
    expect(item).toMatchObject({ status: 'mismatch', ledger: ZERO });
  });

  it('a snapshot older than the ledger’s latest fill is stale, not a mismatch', () => {
    const [item] = reconcile(
      [pos('AAPL', 5, T - 5000)],
      [],
      ledgerPos([['AAPL', 10, T]]),
      new Map(),
      tol,
    );
    expect(item!.status).toBe('stale');
  });
});

describe('reconciliation of balances', () => {
  const account = (over: Partial<LedgerAccount> = {}): Map<string, LedgerAccount> =>
    new Map([
      [
        'acc',
        {
          cash: dec(10_000),
          equity: dec(10_500),
          flat: true,
          configured: true,
          lastTs: T - 1000,
          ...over,
        },
      ],
    ]);
  const bal = (cash: number, equity: number | null, ts = T): BrokerBalance => ({
    account: 'acc',
    cash: dec(cash),
    equity: equity === null ? null : dec(equity),
    ts,
    seq: 2,
    bot: 'alpha',
  });

  it('compares cash while flat and equity whenever reported, with abs-or-percent tolerance', () => {
    const items = reconcile([], [bal(10_000.5, 10_540)], new Map(), account(), tol);
    expect(items.map((i) => [i.kind, i.status])).toEqual([
      ['cash', 'match'],
      ['equity', 'match'],
    ]);
    const off = reconcile([], [bal(9_000, 12_000)], new Map(), account(), tol);
    expect(off.map((i) => [i.kind, i.status])).toEqual([
      ['cash', 'mismatch'],
      ['equity', 'mismatch'],
    ]);
  });

  it('skips cash while positions are open, and unconfigured accounts by default', () => {
    expect(reconcile([], [bal(1, null)], new Map(), account({ flat: false }), tol)).toEqual([]);
    expect(reconcile([], [bal(1, 1)], new Map(), account({ configured: false }), tol)).toEqual([]);
    expect(
      reconcile([], [bal(1, null)], new Map(), account({ configured: false }), {
        ...tol,
        balances: 'all',
      }).map((i) => i.status),
    ).toEqual(['mismatch']);
    expect(reconcile([], [bal(1, 1)], new Map(), account(), { ...tol, balances: 'none' })).toEqual(
      [],
    );
  });
});
