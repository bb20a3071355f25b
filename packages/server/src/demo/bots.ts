import type { IngestEventInput } from '@tradewatch/protocol';
import { RandomWalk, roundTo, type InstrumentSpec } from './market.js';

export interface DemoBotSpec {
  id: string;
  name: string;
  framework: string;
  account: string;
  strategy: string;
  instruments: InstrumentSpec[];
  /** Quantity per order (in units, before the instrument's own rounding). */
  qty: (price: number, random: () => number) => number;
  fee: (qty: number, price: number) => number;
  /** Smallest quantity step. */
  lot: number;
  heartbeatIntervalS: number;
  connections: string[];
}

/** The three demo bots: crypto 24/7, US equities, and an E-mini future (multiplier 50). */
export const DEMO_BOTS: DemoBotSpec[] = [
  {
    id: 'crypto-grid',
    name: 'Crypto grid',
    framework: 'freqtrade',
    account: 'binance-paper',
    strategy: 'grid',
    instruments: [
      { symbol: 'BTC/USDT', price: 64_000, vol: 0.0012, tick: 0.01 },
      { symbol: 'ETH/USDT', price: 3_100, vol: 0.0015, tick: 0.01 },
    ],
    qty: (price, r) => roundTo((200 + r() * 800) / price, 0.0001),
    fee: (qty, price) => roundTo(qty * price * 0.001, 0.0001),
    lot: 0.0001,
    heartbeatIntervalS: 5,
    connections: ['binance-ws', 'binance-rest'],
  },
  {
    id: 'equities-momo',
    name: 'Equities momentum',
    framework: 'lean',
    account: 'ibkr-paper',
    strategy: 'momentum',
    instruments: [
      { symbol: 'AAPL', price: 228, vol: 0.0008, tick: 0.01 },
      { symbol: 'MSFT', price: 431, vol: 0.0008, tick: 0.01 },
      { symbol: 'NVDA', price: 132, vol: 0.0014, tick: 0.01 },
    ],
    qty: (_price, r) => 5 + Math.floor(r() * 20),
    fee: (qty) => roundTo(Math.max(1, qty * 0.005), 0.01),
    lot: 1,
    heartbeatIntervalS: 5,
    connections: ['ibkr-gateway'],
  },
  {
    id: 'es-trend',
    name: 'ES trend',
    framework: 'custom',
    account: 'futures-paper',
    strategy: 'trend',
    instruments: [{ symbol: 'ES', price: 5_900, vol: 0.0005, tick: 0.25 }],
    qty: (_price, r) => 1 + Math.floor(r() * 2),
    fee: (qty) => roundTo(qty * 2.25, 0.01),
    lot: 1,
    heartbeatIntervalS: 5,
    connections: ['cme-feed', 'broker'],
  },
];

type Emit = (events: IngestEventInput[]) => void;

/**
 * One simulated bot: on each step it moves its markets, posts marks, and now and then trades
 * through a full order life cycle (submitted → accepted → partial fills → filled), sometimes
 * rejected, with signals and logs along the way.
 */
export class SimulatedBot {
  private readonly walks: Map<string, RandomWalk>;
  private readonly position = new Map<string, number>();
  private counter = 0;
  heartbeatsStopped = false;

  constructor(
    readonly spec: DemoBotSpec,
    private readonly random: () => number,
    private readonly runId: string,
  ) {
    this.walks = new Map(spec.instruments.map((i) => [i.symbol, new RandomWalk(i, random)]));
  }

  private nextId(kind: string): string {
    return `${this.runId}-${kind}-${++this.counter}`;
  }

  /** Events of one step at time `ts`; `tradeProbability` per instrument. */
  step(ts: number, tradeProbability: number, emit: Emit): void {
    const s = this.spec;
    const events: IngestEventInput[] = [];
    for (const [symbol, walk] of this.walks) {
      const price = walk.step();
      const spread = walk.last * 0.0002;
      events.push({
        type: 'mark',
        bot: s.id,
        ts,
        symbol,
        price,
        bid: roundTo(price - spread, 0.0001),
        ask: roundTo(price + spread, 0.0001),
      });
      if (this.random() < tradeProbability) events.push(...this.trade(symbol, price, ts));
    }
    emit(events);
  }

  private trade(symbol: string, price: number, ts: number): IngestEventInput[] {
    const s = this.spec;
    const held = this.position.get(symbol) ?? 0;
    // Mean-reverting position: mostly close what is open, sometimes add or flip.
    const side: 'buy' | 'sell' =
      held > 0
        ? this.random() < 0.7
          ? 'sell'
          : 'buy'
        : held < 0
          ? this.random() < 0.7
            ? 'buy'
            : 'sell'
          : this.random() < 0.55
            ? 'buy'
            : 'sell';
    const qty = held !== 0 && this.random() < 0.6 ? Math.abs(held) : s.qty(price, this.random);
    const orderId = this.nextId('ord');
    const base = { bot: s.id, symbol, side, qty, account: s.account, strategy: s.strategy };
    const useStop = this.random() < 0.15;
    const orderType = useStop ? 'stop' : this.random() < 0.5 ? 'limit' : 'market';
    const order = (
      status: string,
      at: number,
      extra: Record<string, unknown> = {},
    ): IngestEventInput =>
      ({
        type: 'order',
        id: this.nextId('oe'),
        ts: at,
        order_id: orderId,
        order_type: orderType,
        ...(orderType === 'limit' ? { limit_price: price } : {}),
        ...(orderType === 'stop' ? { stop_price: price } : {}),
        status,
        ...base,
        ...extra,
      }) as IngestEventInput;
    const events: IngestEventInput[] = [order('submitted', ts)];
    if (this.random() < 0.06) {
      events.push(order('rejected', ts + 40, { reason: 'insufficient buying power' }));
      events.push({
        type: 'log',
        bot: s.id,
        ts: ts + 41,
        level: 'warning',
        message: `order ${orderId} rejected: insufficient buying power`,
        context: { symbol },
      });
      return events;
    }
    events.push(order('accepted', ts + 15));
    const tick = s.instruments.find((i) => i.symbol === symbol)!.tick;
    // A third of the orders fill in two parts.
    const first = this.random() < 0.35 ? roundTo(Math.floor(qty / 2 / s.lot) * s.lot, s.lot) : qty;
    const parts = first > 0 && first < qty ? [first, roundTo(qty - first, s.lot)] : [qty];
    parts.forEach((partQty, p) => {
      const fillPrice = roundTo(price * (1 + (this.random() - 0.5) * 0.0004), tick);
      const at = ts + 30 + p * 250;
      events.push({
        type: 'fill',
        id: this.nextId('fill'),
        ts: at,
        order_id: orderId,
        price: fillPrice,
        fee: s.fee(partQty, fillPrice),
        fee_currency: 'USD',
        ...base,
        qty: partQty,
      });
      if (p < parts.length - 1) events.push(order('partially_filled', at + 1));
    });
    events.push(order('filled', ts + 30 + parts.length * 250));
    this.position.set(symbol, roundTo(held + (side === 'buy' ? qty : -qty), 0.00000001));
    if (this.random() < 0.5) {
      events.push({
        type: 'signal',
        bot: s.id,
        ts,
        strategy: s.strategy,
        symbol,
        direction: side === 'buy' ? 'long' : 'short',
        strength: Math.round(this.random() * 100) / 100,
        note: `${s.strategy} ${side === 'buy' ? 'entry' : 'exit'} signal`,
      });
    }
    events.push({
      type: 'log',
      bot: s.id,
      ts: ts + 1,
      level: 'info',
      message: `${side} ${qty} ${symbol} @ ${price} (${orderType})`,
      context: { order_id: orderId },
    });
    return events;
  }

  heartbeat(ts: number, version: string): IngestEventInput {
    const s = this.spec;
    const connections = Object.fromEntries(
      s.connections.map((c) => [c, this.random() < 0.02 ? 'down' : 'up']),
    ) as Record<string, 'up' | 'down'>;
    return {
      type: 'heartbeat',
      bot: s.id,
      ts,
      interval_s: s.heartbeatIntervalS,
      status: 'running',
      version,
      connections,
    };
  }
}
