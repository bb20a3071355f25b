import type { IngestEventInput } from '@tradewatch/protocol';

/**
 * A deterministic stream of every kind of ingest event, the way a handful of bots send them:
 * fills (some late, some with tags and explicit accounts), their orders, marks with and without
 * quotes, cash flows, balances, position snapshots, signals, heartbeats, logs and metrics, with
 * and without client ids. Used by the backup, export and migrate-store tests.
 */
export function sampleBatches(options: {
  batches: number;
  perBatch: number;
  start: number;
  seed?: number;
}): IngestEventInput[][] {
  let s = options.seed ?? 7;
  const random = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const bots = ['alpha', 'beta', 'gamma'];
  const symbols = ['AAPL', 'MSFT', 'BTC-USD', 'ÉTF "quoted"'];
  const prices = [190.12, 410.5, 64000.25, 12.3456];
  const out: IngestEventInput[][] = [];
  let n = 0;
  let ts = options.start;
  for (let b = 0; b < options.batches; b++) {
    const batch: IngestEventInput[] = [];
    while (batch.length < options.perBatch) {
      n++;
      ts += 250 + Math.floor(random() * 4000);
      const bot = bots[n % bots.length]!;
      const si = Math.floor(random() * symbols.length);
      const symbol = symbols[si]!;
      prices[si] = Math.max(
        0.01,
        Math.round(prices[si]! * (1 + (random() - 0.5) * 0.01) * 10_000) / 10_000,
      );
      const price = prices[si];
      const kind = random();
      if (kind < 0.35) {
        const orderId = `o${n}`;
        const side = random() < 0.5 ? 'buy' : 'sell';
        const qty = Math.round((1 + random() * 9) * 1000) / 1000;
        batch.push({
          type: 'order',
          id: `${orderId}-new`,
          bot,
          ts: ts - 5,
          order_id: orderId,
          symbol,
          side,
          qty,
          order_type: 'limit',
          limit_price: price,
          status: 'submitted',
        });
        const late = random() < 0.08 ? 60_000 + Math.floor(random() * 120_000) : 0;
        batch.push({
          type: 'fill',
          id: `f${n}`,
          bot,
          ts: ts - late,
          symbol,
          side,
          qty,
          price,
          fee: Math.round(random() * 100) / 100,
          order_id: orderId,
          ...(n % 5 === 0 ? { account: 'acc-b' } : {}),
          ...(n % 7 === 0 ? { strategy: 'momentum', tags: ['swing', `t${n % 3}`] } : {}),
          ...(n % 11 === 0 ? { fee_currency: 'USD' } : {}),
        });
        batch.push({
          type: 'order',
          id: `${orderId}-filled`,
          bot,
          ts: ts + 1,
          order_id: orderId,
          symbol,
          side,
          qty,
          order_type: 'limit',
          limit_price: price,
          status: 'filled',
        });
      } else if (kind < 0.65) {
        batch.push({
          type: 'mark',
          bot,
          ts,
          symbol,
          price,
          ...(random() < 0.5
            ? {
                bid: Math.round(price * 0.999 * 10_000) / 10_000,
                ask: Math.round(price * 1.001 * 10_000) / 10_000,
              }
            : {}),
        });
      } else if (kind < 0.69) {
        batch.push({
          type: 'cash_flow',
          id: `c${n}`,
          bot,
          ts,
          amount:
            random() < 0.7 ? 1000 + Math.round(random() * 5000) : -Math.round(random() * 500) - 1,
          kind: random() < 0.7 ? 'deposit' : 'withdrawal',
          ...(n % 2 === 0 ? { account: 'acc-b', note: 'monthly top-up' } : {}),
        });
      } else if (kind < 0.74) {
        batch.push({
          type: 'balance',
          bot,
          ts,
          cash: 10_000 + n,
          equity: 10_500.5 + n,
          currency: 'USD',
        });
      } else if (kind < 0.78) {
        batch.push({ type: 'position', bot, ts, symbol, qty: n % 3, avg_price: price });
      } else if (kind < 0.83) {
        batch.push({
          type: 'signal',
          bot,
          ts,
          symbol,
          direction: random() < 0.5 ? 'long' : 'flat',
          strength: Math.round(random() * 100) / 100,
          ...(n % 4 === 0
            ? { id: `s${n}`, strategy: 'momentum', note: 'crossed the 20-day mean' }
            : {}),
        });
      } else if (kind < 0.9) {
        batch.push({
          type: 'heartbeat',
          bot,
          ts,
          interval_s: 30,
          status: 'running',
          version: '1.2.3',
          ...(n % 3 === 0
            ? { connections: { broker: random() < 0.9 ? 'up' : 'down', feed: 'up' } }
            : {}),
        });
      } else if (kind < 0.95) {
        batch.push({
          type: 'log',
          bot,
          ts,
          level: random() < 0.8 ? 'info' : 'error',
          message: `tick ${n}: ✓ "quoted" \\ line`,
          ...(n % 2 === 0 ? { context: { n, nested: { ok: true, list: [1, 'two'] } } } : {}),
        });
      } else {
        batch.push({
          type: 'metric',
          bot,
          ts,
          name: 'latency_ms',
          value: Math.round(random() * 1000) / 10,
          ...(n % 2 === 0 ? { labels: { venue: 'x' } } : {}),
        });
      }
    }
    out.push(batch);
  }
  return out;
}
