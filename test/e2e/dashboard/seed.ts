/**
 * Demo-like data for the dashboard's end-to-end test, posted through the ingest API: three
 * bots on a live and a paper account, ten days of round trips with marks, open positions,
 * working orders, heartbeats, logs and signals, and a symbol that tries to inject HTML.
 */
export const XSS_SYMBOL = '<img src=x onerror=alert(1)>';

export const SEED_CONFIG = `
accounts:
  - id: main
    name: Main (IBKR)
    broker: ibkr
    currency: USD
    opening_balance: 100000
    mode: live
  - id: paper
    name: Paper sandbox
    currency: USD
    opening_balance: 50000
    mode: paper
bots:
  - id: trend-es
    name: Trend ES
    framework: lean
    account: main
    heartbeat_interval_s: 30
  - id: mean-rev
    name: Mean reversion
    framework: freqtrade
    account: paper
    heartbeat_interval_s: 30
  - id: scalper
    name: Scalper
    framework: hummingbot
    account: paper
    heartbeat_interval_s: 30
risk:
  daily_loss_limit: 2%
  max_drawdown_pct: 10
  max_gross_exposure_pct: 150
  max_portfolio_heat_pct: 6
`;

type Event = Record<string, unknown>;

/** A deterministic pseudo-random sequence (mulberry32). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

export function seedEvents(now: number): Event[] {
  const random = rng(7);
  const events: Event[] = [];
  const H = 3_600_000;
  const start = now - 10 * 24 * H;
  const plan = [
    {
      bot: 'trend-es',
      account: 'main',
      symbols: ['AAPL', 'MSFT'],
      strategy: 'trend',
      base: [190, 410],
    },
    {
      bot: 'mean-rev',
      account: 'paper',
      symbols: ['BTC-USD', 'ETH-USD'],
      strategy: 'reversion',
      base: [60000, 3000],
    },
    { bot: 'scalper', account: 'paper', symbols: ['SPY'], strategy: 'scalp', base: [500] },
  ];
  let n = 0;
  for (const p of plan) {
    p.symbols.forEach((symbol, si) => {
      let price = p.base[si]!;
      for (let day = 0; day < 10; day++) {
        for (let k = 0; k < 3; k++) {
          const t0 = start + day * 24 * H + (9 + k * 3) * H + si * 600_000;
          const qty = symbol.endsWith('-USD')
            ? round(0.1 + random(), 3)
            : 5 + Math.floor(random() * 20);
          const long = random() > 0.35;
          const entry = round(price * (1 + (random() - 0.5) * 0.01));
          const exit = round(entry * (1 + (random() - 0.45) * 0.02));
          const mid = round((entry + exit) / 2 + (random() - 0.5) * entry * 0.01);
          price = exit;
          const id = () => `${p.bot}-${n++}`;
          events.push({
            type: 'fill',
            id: id(),
            bot: p.bot,
            account: p.account,
            symbol,
            side: long ? 'buy' : 'sell',
            qty,
            price: entry,
            fee: round(qty * entry * 0.0002),
            strategy: p.strategy,
            ts: t0,
          });
          events.push({ type: 'mark', bot: p.bot, symbol, price: mid, ts: t0 + 20 * 60_000 });
          events.push({
            type: 'fill',
            id: id(),
            bot: p.bot,
            account: p.account,
            symbol,
            side: long ? 'sell' : 'buy',
            qty,
            price: exit,
            fee: round(qty * exit * 0.0002),
            strategy: p.strategy,
            ts: t0 + 45 * 60_000,
          });
          events.push({ type: 'mark', bot: p.bot, symbol, price: exit, ts: t0 + 46 * 60_000 });
        }
        events.push({
          type: 'log',
          bot: p.bot,
          level: random() > 0.8 ? 'warning' : 'info',
          message: `day ${day + 1}: ${symbol} session closed`,
          ts: start + day * 24 * H + 20 * H,
        });
      }
    });
  }
  // Open positions now, one of them on a symbol that tries to inject HTML.
  events.push(
    {
      type: 'fill',
      id: 'open-1',
      bot: 'trend-es',
      account: 'main',
      symbol: 'AAPL',
      side: 'buy',
      qty: 15,
      price: 192.5,
      fee: 1,
      strategy: 'trend',
      ts: now - 2 * H,
    },
    { type: 'mark', bot: 'trend-es', symbol: 'AAPL', price: 194.1, ts: now - 60_000 },
    {
      type: 'fill',
      id: 'open-2',
      bot: 'mean-rev',
      account: 'paper',
      symbol: 'ETH-USD',
      side: 'sell',
      qty: 1.5,
      price: 3050,
      fee: 0.9,
      strategy: 'reversion',
      ts: now - 3 * H,
    },
    { type: 'mark', bot: 'mean-rev', symbol: 'ETH-USD', price: 3032.4, ts: now - 60_000 },
    {
      type: 'fill',
      id: 'open-xss',
      bot: 'scalper',
      account: 'paper',
      symbol: XSS_SYMBOL,
      side: 'buy',
      qty: 3,
      price: 10,
      fee: 0,
      strategy: 'scalp',
      ts: now - H,
    },
    {
      type: 'order',
      id: 'ord-1-new',
      bot: 'trend-es',
      account: 'main',
      order_id: 'ord-1',
      symbol: 'MSFT',
      side: 'buy',
      qty: 10,
      order_type: 'limit',
      limit_price: 401.5,
      status: 'accepted',
      strategy: 'trend',
      ts: now - 30 * 60_000,
    },
    {
      type: 'order',
      id: 'ord-2-new',
      bot: 'mean-rev',
      account: 'paper',
      order_id: 'ord-2',
      symbol: 'BTC-USD',
      side: 'sell',
      qty: 0.25,
      order_type: 'stop',
      stop_price: 58000,
      status: 'accepted',
      ts: now - 10 * 60_000,
    },
    {
      type: 'cash_flow',
      id: 'dep-1',
      bot: 'trend-es',
      account: 'main',
      amount: 5000,
      kind: 'deposit',
      ts: start + 3 * 24 * H,
    },
    {
      type: 'signal',
      bot: 'trend-es',
      symbol: 'MSFT',
      direction: 'long',
      strength: 0.7,
      ts: now - 20 * 60_000,
    },
    {
      type: 'log',
      bot: 'scalper',
      level: 'error',
      message: 'order rejected: insufficient margin <b>bold?</b>',
      ts: now - 5 * 60_000,
    },
    {
      type: 'log',
      bot: 'mean-rev',
      level: 'info',
      message: 'rebalanced',
      context: { weight: 0.4 },
      ts: now - 4 * 60_000,
    },
  );
  for (const bot of ['trend-es', 'mean-rev', 'scalper']) {
    events.push({
      type: 'heartbeat',
      bot,
      status: 'running',
      version: bot === 'trend-es' ? '2.5.1' : '1.0.0',
      connections: bot === 'scalper' ? { exchange: 'up', data: 'down' } : { broker: 'up' },
      ts: now - 5_000,
    });
  }
  // In time order, as bots would send them (the hub records equity as the batches arrive).
  return events.sort((a, b) => (a.ts as number) - (b.ts as number));
}
