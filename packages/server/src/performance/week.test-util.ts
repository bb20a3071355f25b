/** A week of trading shared by the performance tests (hub side and reports). */
export const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 0, day, hour, minute);
let n = 0;
export const fill = (over: Record<string, unknown>) => ({
  type: 'fill',
  id: `p${n++}`,
  bot: 'alpha',
  account: 'main',
  symbol: 'BTC',
  side: 'buy',
  qty: 1,
  price: 100,
  fee: 0,
  ...over,
});
const mark = (ts: number, symbol: string, price: number) => ({
  type: 'mark',
  bot: 'feed',
  ts,
  symbol,
  price,
});
const flow = (ts: number, amount: number) => ({
  type: 'cash_flow',
  id: `cf${n++}`,
  bot: 'treasury',
  account: 'main',
  ts,
  amount,
  kind: amount > 0 ? 'deposit' : 'withdrawal',
});

/**
 * A week of one account (10,000 opening balance) and two bots, Monday 2026-01-05 to Friday:
 *   Mon  alpha +100 on BTC                            → +1%
 *   Tue  5,000 deposited; beta +151 on ETH             → +151 / (10,100 + 5,000) = +1%
 *   Wed  3,000 withdrawn; alpha −122.51 on BTC         → −122.51 / (15,251 − 3,000) = −1%
 *   Thu  nothing                                      → 0
 *   Fri  alpha opens 2 SOL at 100, marked at 105       → +10 / 12,128.49 (unrealized)
 * and a benchmark SPY marked 400 → 404 (Mon) → 400 (Tue) → 408 (Wed) → 412 (Fri).
 */
export const WEEK = [
  [
    fill({ ts: at(5, 10), qty: 10, price: 100 }),
    fill({ ts: at(5, 11), side: 'sell', qty: 10, price: 110 }),
    mark(at(5, 10), 'SPY', 400),
    mark(at(5, 15), 'SPY', 404),
  ],
  [
    flow(at(6, 9), 5_000),
    fill({ ts: at(6, 10), bot: 'beta', symbol: 'ETH', qty: 5, price: 200, strategy: 'swing' }),
    fill({ ts: at(6, 14), bot: 'beta', symbol: 'ETH', side: 'sell', qty: 5, price: 230.2 }),
    mark(at(6, 15), 'SPY', 400),
  ],
  [
    flow(at(7, 9), -3_000),
    fill({ ts: at(7, 10), qty: 1, price: 1000 }),
    fill({ ts: at(7, 16), side: 'sell', qty: 1, price: 877.49 }),
    mark(at(7, 15), 'SPY', 408),
  ],
  [
    fill({ ts: at(9, 10), symbol: 'SOL', qty: 2, price: 100 }),
    mark(at(9, 15), 'SOL', 105),
    mark(at(9, 15), 'SPY', 412),
  ],
];

export const WEEK_CONFIG = {
  accounts: [{ id: 'main', opening_balance: 10_000, currency: 'USD' }],
  bots: [
    { id: 'alpha', account: 'main' },
    { id: 'beta', account: 'main' },
  ],
};
