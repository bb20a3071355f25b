// Deterministic synthetic history for the performance benchmark: `fills` fills spread evenly
// over `years` years of round trips (10 bots on 3 accounts, 30 symbols, 4 strategies, long and
// short, 1–3 entry fills and 1–3 exit fills per trip), hourly marks of a benchmark symbol, an
// opening deposit per account and a deposit or withdrawal per account each quarter.
import { rng } from '../lib/fills.mjs';

export const BENCH_SYMBOL = 'BENCH';
export const ACCOUNTS = ['acc0', 'acc1', 'acc2'];

/** Yields the events in time order, in arrays of at most `batch` events. */
export function* historyBatches({
  fills,
  years = 5,
  batch = 10_000,
  seed = 7,
  start = Date.UTC(2021, 0, 4),
}) {
  const random = rng(seed);
  const span = years * 365 * 86_400_000;
  const step = span / fills;
  const bots = 10;
  const symbols = 30;
  const prices = Array.from({ length: symbols }, (_, i) => 20 + i * 7);
  // Per (bot, symbol) key: the open trip, if any.
  const open = new Map();
  let bench = 400;
  let nextMark = start;
  let nextFlow = start;
  let flowRound = 0;
  let out = [];
  let fillCount = 0;
  let markCount = 0;
  let flowCount = 0;
  const push = (e) => {
    out.push(e);
    if (out.length >= batch) {
      const full = out;
      out = [];
      return full;
    }
    return null;
  };
  for (let i = 0; i < fills; i++) {
    const ts = Math.floor(start + i * step);
    while (nextFlow <= ts) {
      for (const account of ACCOUNTS) {
        const amount =
          flowRound === 0
            ? 100_000
            : Math.round((random() < 0.6 ? 1 : -1) * (5_000 + random() * 20_000) * 100) / 100;
        flowCount++;
        const full = push({
          type: 'cash_flow',
          id: `cf${flowRound}-${account}`,
          bot: 'treasury',
          account,
          ts: nextFlow,
          amount,
          kind: amount > 0 ? 'deposit' : 'withdrawal',
        });
        if (full) yield full;
      }
      flowRound++;
      nextFlow = start + flowRound * 91 * 86_400_000;
    }
    while (nextMark <= ts) {
      bench = Math.max(1, bench * (1 + (random() - 0.49) * 0.004));
      markCount++;
      const full = push({
        type: 'mark',
        bot: 'feed',
        ts: nextMark,
        symbol: BENCH_SYMBOL,
        price: Math.round(bench * 100) / 100,
      });
      if (full) yield full;
      nextMark += 3_600_000;
    }
    const b = Math.floor(random() * bots);
    const s = Math.floor(random() * symbols);
    prices[s] = Math.max(1, Math.round(prices[s] * (1 + (random() - 0.5) * 0.01) * 100) / 100);
    const key = b * symbols + s;
    let trip = open.get(key);
    let side;
    let qty;
    if (!trip) {
      const long = random() < 0.6;
      trip = {
        long,
        entries: 1 + Math.floor(random() * 3),
        exits: 1 + Math.floor(random() * 3),
        qty: 0,
      };
      open.set(key, trip);
    }
    if (trip.entries > 0) {
      trip.entries--;
      qty = 1 + Math.floor(random() * 10);
      trip.qty += qty;
      side = trip.long ? 'buy' : 'sell';
    } else {
      trip.exits--;
      qty = trip.exits === 0 ? trip.qty : Math.max(1, Math.floor(trip.qty / 2));
      trip.qty -= qty;
      side = trip.long ? 'sell' : 'buy';
      if (trip.exits === 0 || trip.qty === 0) open.delete(key);
    }
    fillCount++;
    const full = push({
      type: 'fill',
      id: `f${i}`,
      bot: `bot${b}`,
      account: ACCOUNTS[b % ACCOUNTS.length],
      strategy: `strat${b % 4}`,
      ts,
      symbol: `SYM${s}`,
      side,
      qty,
      price: prices[s],
      fee: Math.round(qty * prices[s] * 0.0005 * 100) / 100,
    });
    if (full) yield full;
  }
  if (out.length > 0) yield out;
  return { fills: fillCount, marks: markCount, cashFlows: flowCount };
}
