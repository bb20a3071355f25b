import { decFromString, decToNumber, div, tradeId, ZERO, type Trip } from '../../ledger/index.js';
import type { FillsTable, OrdersTable } from '../../store/index.js';
import type { FireSignal } from '../model.js';
import type { Builtins } from './builtins.js';

/** The parts of a committed batch the event alerts look at (see ingest/batch.ts BatchChanges). */
export interface EventInput {
  fills: FillsTable[];
  orders: OrdersTable[];
  trades: Trip[];
  signals: { bot: string; ts: number; symbol: string; direction: string }[];
}

export interface EventSettings {
  orderLatencyMs: number;
  /** Money as the account's currency shows it. */
  money(value: bigint, account: string): string;
}

const STOP_TYPES = new Set(['stop', 'stop_limit', 'trailing_stop']);

/**
 * Alerts that report something that happened once (pure): a rejected order, a stop that filled,
 * a closed trade, an opened position, a slow market order, each fill and signal. They carry the
 * id of what happened in their labels so each is its own alert, and expire quietly.
 */
export function eventSignals(
  input: EventInput,
  settings: EventSettings,
  builtins: Builtins,
): FireSignal[] {
  const out: FireSignal[] = [];
  const push = (
    name: Parameters<Builtins['enabled']>[0],
    labels: Record<string, string>,
    summary: string,
  ) => {
    if (!builtins.enabled(name)) return;
    out.push({
      name,
      severity: builtins.severity(name),
      labels,
      annotations: { summary },
      source: 'event',
      oneshot: true,
    });
  };
  for (const o of input.orders) {
    const base = { bot: o.bot, account: o.account, symbol: o.symbol, order_id: o.order_id };
    if (o.strategy) Object.assign(base, { strategy: o.strategy });
    const what = `${o.side} ${num(o.qty)} ${o.symbol} ${o.order_type.replace('_', '-')}`;
    if (o.status === 'rejected') {
      push(
        'OrderRejected',
        base,
        `Order ${o.order_id} (${what}) of ${o.bot} was rejected${o.reason ? `: ${o.reason}` : ''}`,
      );
    }
    if (
      STOP_TYPES.has(o.order_type) &&
      (o.status === 'filled' || decFromString(o.filled_qty) > ZERO)
    ) {
      const avg =
        decFromString(o.filled_qty) > ZERO
          ? ` at ${decToNumber(div(decFromString(o.filled_value), decFromString(o.filled_qty)))}`
          : '';
      push(
        'StopLossHit',
        base,
        `Stop order ${o.order_id} (${what}${o.stop_price ? ` @ ${num(o.stop_price)}` : ''}) of ${o.bot} filled${avg}`,
      );
    }
    if (o.order_type === 'market' && o.first_fill_at !== null) {
      const latency = o.first_fill_at - o.created_at;
      if (latency > settings.orderLatencyMs) {
        push(
          'OrderLatencyHigh',
          base,
          `Market order ${o.order_id} of ${o.bot} took ${latency} ms to its first fill (limit ${settings.orderLatencyMs} ms)`,
        );
      }
    }
  }
  const closingFills = new Set(
    input.fills.map((f) => f.trade_id).filter((t): t is string => t !== null),
  );
  for (const t of input.trades) {
    if (t.status !== 'closed' || !closingFills.has(t.id)) continue;
    const labels: Record<string, string> = {
      bot: t.bot,
      account: t.account,
      symbol: t.symbol,
      trade_id: t.id,
    };
    if (t.strategy) labels.strategy = t.strategy;
    const sign = t.net > ZERO ? '+' : '';
    push(
      'TradeClosed',
      labels,
      `${t.bot} closed ${t.direction} ${decToNumber(t.qty)} ${t.symbol}: net ${sign}${settings.money(t.net, t.account)}`,
    );
  }
  for (const f of input.fills) {
    const key = { account: f.account, bot: f.bot, symbol: f.symbol };
    const opened = f.next_trade_id ?? f.trade_id;
    const labels: Record<string, string> = { bot: f.bot, account: f.account, symbol: f.symbol };
    if (f.strategy) labels.strategy = f.strategy;
    if (opened !== null && opened === tradeId(key, f.id)) {
      const side = decFromString(f.position_after) < ZERO ? 'short' : 'long';
      push(
        'PositionOpened',
        { ...labels, trade_id: opened },
        `${f.bot} opened ${side} ${num(f.position_after).replace('-', '')} ${f.symbol} at ${num(f.price)}`,
      );
    }
    push(
      'TradeExecuted',
      { ...labels, fill_id: f.id },
      `${f.bot} ${f.side === 'sell' ? 'sold' : 'bought'} ${num(f.qty)} ${f.symbol} at ${num(f.price)}`,
    );
  }
  for (const s of input.signals) {
    push(
      'SignalReceived',
      { bot: s.bot, symbol: s.symbol, direction: s.direction, signal: `${s.symbol}@${s.ts}` },
      `${s.bot} signals ${s.direction} ${s.symbol}`,
    );
  }
  return out;
}

function num(text: string): string {
  return String(decToNumber(decFromString(text)));
}
