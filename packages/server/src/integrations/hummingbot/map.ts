import { add, dec, decFromString, decToNumber, mul, type Dec, ZERO } from '../../ledger/index.js';
import { isObject, parseForeignTime, stableId, toNumber, toText, type Obj } from '../mapping.js';

/**
 * Hummingbot's MQTT bridge (hummingbot/remote_iface/mqtt.py) publishes, per instance id:
 *   <prefix>/<id>/events          EventMessage {timestamp, type, data} — market events
 *                                  (BuyOrderCreated, OrderFilled, SellOrderCompleted, OrderCancelled …)
 *   <prefix>/<id>/notify          NotifyMessage {seq, timestamp, msg}
 *   <prefix>/<id>/log             LogMessage {timestamp, msg, level_no, level_name, logger_name}
 *   <prefix>/<id>/hb              the node heartbeat
 *   <prefix>/<id>/status_updates  {msg, type} start/stop notices (newer releases)
 * Payloads are pydantic JSON: Decimals arrive as strings, enums as their values (TradeType BUY=1,
 * SELL=2; OrderType MARKET=1, LIMIT=2, LIMIT_MAKER=3) or names.
 */
export const HUMMINGBOT_CHANNELS = ['events', 'notify', 'log', 'hb', 'status_updates'] as const;
export type HummingbotChannel = (typeof HUMMINGBOT_CHANNELS)[number];

export interface KnownOrder {
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  orderType: 'market' | 'limit';
  price?: number | undefined;
}

export interface HummingbotContext {
  bot: string;
  instance: string;
  now: number;
  account?: string | undefined;
  /** Orders seen created (cancel/expire messages carry only the order id). */
  orders: Map<string, KnownOrder>;
}

export type HummingbotMapped =
  { events: Obj[]; problem?: undefined } | { events: Obj[]; problem: string };

function side(v: unknown): 'buy' | 'sell' | undefined {
  const n = toNumber(v);
  if (n === 1) return 'buy';
  if (n === 2) return 'sell';
  const t = toText(v)
    ?.toLowerCase()
    .replace(/^tradetype\./, '');
  return t === 'buy' ? 'buy' : t === 'sell' ? 'sell' : undefined;
}

function orderType(v: unknown): 'market' | 'limit' {
  const n = toNumber(v);
  if (n === 1) return 'market';
  const t = toText(v)
    ?.toLowerCase()
    .replace(/^ordertype\./, '');
  return t === 'market' || t === 'amm_swap' || n === 4 ? 'market' : 'limit';
}

function decOf(v: unknown): Dec | undefined {
  if (typeof v === 'string' && toNumber(v) !== undefined) {
    try {
      return decFromString(v.trim());
    } catch {
      return dec(toNumber(v)!);
    }
  }
  const n = toNumber(v);
  return n === undefined ? undefined : dec(n);
}

/**
 * The fee of a fill in one currency: Hummingbot's TradeFee is a percentage of the notional (in
 * `percent_token`, else the quote asset) plus flat fees per token. Flat fees in that same token add
 * up; with no percentage, the first flat fee's token is the currency. Exact decimals throughout.
 */
export function hummingbotFee(
  fee: unknown,
  price: unknown,
  amount: unknown,
  quote: string | undefined,
): { fee: number; currency?: string | undefined } {
  if (!isObject(fee)) return { fee: 0 };
  let total: Dec = ZERO;
  let currency: string | undefined;
  const pct = decOf(fee.percent);
  const p = decOf(price);
  const a = decOf(amount);
  if (pct !== undefined && pct > ZERO && p !== undefined && a !== undefined) {
    total = mul(mul(pct, p), a);
    currency = toText(fee.percent_token) ?? quote;
  }
  const flat = Array.isArray(fee.flat_fees) ? fee.flat_fees : [];
  for (const f of flat) {
    const token = isObject(f)
      ? toText(f.token ?? f.asset)
      : Array.isArray(f)
        ? toText(f[0])
        : undefined;
    const amt = isObject(f) ? decOf(f.amount) : Array.isArray(f) ? decOf(f[1]) : undefined;
    if (amt === undefined || amt <= ZERO) continue;
    if (currency === undefined) currency = token;
    if (token === currency) total = add(total, amt);
  }
  return { fee: decToNumber(total), currency };
}

function quoteOf(pair: string | undefined): string | undefined {
  const parts = pair?.split('-');
  return parts && parts.length === 2 ? parts[1] : undefined;
}

const LEVELS: Record<string, string> = {
  debug: 'debug',
  info: 'info',
  warning: 'warning',
  warn: 'warning',
  error: 'error',
  critical: 'critical',
  fatal: 'critical',
};

/** Maps one MQTT message (already JSON-parsed) of one channel to ingest events. */
export function mapHummingbot(
  channel: HummingbotChannel,
  payload: unknown,
  ctx: HummingbotContext,
): HummingbotMapped {
  const base = { bot: ctx.bot };
  const account = ctx.account ? { account: ctx.account } : {};
  switch (channel) {
    case 'hb':
      // The heartbeat means "alive now"; its own clock is not trusted.
      return { events: [{ type: 'heartbeat', ...base, ts: ctx.now, status: 'running' }] };
    case 'status_updates': {
      const o = isObject(payload) ? payload : {};
      const kind = toText(o.type) ?? 'status';
      const msg = toText(o.msg) ?? kind;
      return {
        events: [
          { type: 'heartbeat', ...base, ts: ctx.now, status: kind.slice(0, 64) },
          {
            type: 'log',
            ...base,
            ts: ctx.now,
            level: 'info',
            message: msg.slice(0, 10_000),
            context: { source: 'hummingbot', channel },
          },
        ],
      };
    }
    case 'notify': {
      const o = isObject(payload) ? payload : {};
      const msg = toText(o.msg);
      if (!msg) return { events: [], problem: 'notify message without "msg"' };
      const ts = parseForeignTime(o.timestamp) ?? ctx.now;
      return {
        events: [
          {
            type: 'log',
            ...base,
            ts,
            level: 'info',
            message: msg.slice(0, 10_000),
            context: { source: 'hummingbot', channel, seq: o.seq ?? null },
          },
        ],
      };
    }
    case 'log': {
      const o = isObject(payload) ? payload : {};
      const msg = toText(o.msg);
      if (!msg) return { events: [], problem: 'log message without "msg"' };
      const levelNo = toNumber(o.level_no) ?? 20;
      // Hummingbot's DEBUG chatter is not worth storing.
      if (levelNo < 20) return { events: [] };
      const level =
        LEVELS[(toText(o.level_name) ?? '').toLowerCase()] ??
        (levelNo >= 50 ? 'critical' : levelNo >= 40 ? 'error' : levelNo >= 30 ? 'warning' : 'info');
      const ts = parseForeignTime(o.timestamp) ?? ctx.now;
      return {
        events: [
          {
            type: 'log',
            ...base,
            ts,
            level,
            message: msg.slice(0, 10_000),
            context: { source: 'hummingbot', logger: toText(o.logger_name) ?? null },
          },
        ],
      };
    }
    case 'events':
      return mapMarketEvent(payload, ctx, account);
  }
}

function mapMarketEvent(payload: unknown, ctx: HummingbotContext, account: Obj): HummingbotMapped {
  if (!isObject(payload)) return { events: [], problem: 'event message is not an object' };
  const type = toText(payload.type) ?? 'Unknown';
  const data = isObject(payload.data) ? payload.data : {};
  const ts = parseForeignTime(payload.timestamp ?? data.timestamp) ?? ctx.now;
  const base = { bot: ctx.bot, ts };
  const orderId = toText(data.order_id);
  switch (type) {
    case 'BuyOrderCreated':
    case 'SellOrderCreated': {
      const symbol = toText(data.trading_pair);
      const qty = toNumber(data.amount);
      if (!orderId || !symbol || !qty || qty <= 0) {
        return { events: [], problem: `${type} without order_id, trading_pair or amount` };
      }
      const s = type === 'BuyOrderCreated' ? 'buy' : 'sell';
      const ot = orderType(data.type ?? data.order_type);
      const price = toNumber(data.price);
      ctx.orders.set(orderId, { symbol, side: s, qty, orderType: ot, price });
      return {
        events: [
          {
            type: 'order',
            id: stableId('hb', ctx.instance, orderId, type),
            ...base,
            order_id: orderId,
            symbol,
            side: s,
            qty,
            order_type: ot,
            ...(ot === 'limit' && price && price > 0 ? { limit_price: price } : {}),
            status: 'submitted',
            ...account,
          },
        ],
      };
    }
    case 'OrderFilled': {
      const symbol = toText(data.trading_pair);
      const s = side(data.trade_type);
      const price = toNumber(data.price);
      const qty = toNumber(data.amount);
      if (!symbol || !s || !price || price <= 0 || !qty || qty <= 0) {
        return {
          events: [],
          problem: 'OrderFilled without trading_pair, trade_type, price or amount',
        };
      }
      const fee = hummingbotFee(data.trade_fee, data.price, data.amount, quoteOf(symbol));
      const tradeId = toText(data.exchange_trade_id);
      return {
        events: [
          {
            type: 'fill',
            id: tradeId
              ? `hb:${ctx.instance}:${tradeId}`.slice(0, 128)
              : stableId('hb', ctx.instance, orderId, ts, data.price, data.amount),
            ...base,
            symbol,
            side: s,
            qty,
            price,
            fee: fee.fee,
            ...(fee.currency ? { fee_currency: fee.currency.slice(0, 16) } : {}),
            ...(orderId ? { order_id: orderId } : {}),
            ...account,
          },
        ],
      };
    }
    case 'BuyOrderCompleted':
    case 'SellOrderCompleted': {
      const baseAsset = toText(data.base_asset);
      const quoteAsset = toText(data.quote_asset);
      const known = orderId ? ctx.orders.get(orderId) : undefined;
      const symbol =
        known?.symbol ?? (baseAsset && quoteAsset ? `${baseAsset}-${quoteAsset}` : undefined);
      const qty = toNumber(data.base_asset_amount) ?? known?.qty;
      if (!orderId || !symbol || !qty || qty <= 0) {
        return { events: [], problem: `${type} without order_id, assets or amount` };
      }
      if (orderId) ctx.orders.delete(orderId);
      return {
        events: [
          {
            type: 'order',
            id: stableId('hb', ctx.instance, orderId, type),
            ...base,
            order_id: orderId,
            symbol,
            side: type === 'BuyOrderCompleted' ? 'buy' : 'sell',
            qty: known?.qty ?? qty,
            order_type: known?.orderType ?? orderType(data.order_type),
            ...(known?.orderType === 'limit' && known.price ? { limit_price: known.price } : {}),
            status: 'filled',
            ...account,
          },
        ],
      };
    }
    case 'OrderCancelled':
    case 'OrderExpired':
    case 'OrderFailure': {
      const known = orderId ? ctx.orders.get(orderId) : undefined;
      const status =
        type === 'OrderCancelled' ? 'cancelled' : type === 'OrderExpired' ? 'expired' : 'rejected';
      if (!orderId || !known) {
        return {
          events: [
            {
              type: 'log',
              ...base,
              level: type === 'OrderFailure' ? 'warning' : 'info',
              message: `${type} ${orderId ?? '(no order id)'}`,
              context: { source: 'hummingbot', event: type, data },
            },
          ],
        };
      }
      ctx.orders.delete(orderId);
      return {
        events: [
          {
            type: 'order',
            id: stableId('hb', ctx.instance, orderId, type),
            ...base,
            order_id: orderId,
            symbol: known.symbol,
            side: known.side,
            qty: known.qty,
            order_type: known.orderType,
            ...(known.orderType === 'limit' && known.price ? { limit_price: known.price } : {}),
            status,
            ...(type === 'OrderFailure'
              ? { reason: 'order failure reported by the connector' }
              : {}),
            ...account,
          },
        ],
      };
    }
    default:
      return {
        events: [
          {
            type: 'log',
            ...base,
            level: 'info',
            message: `${type}`.slice(0, 10_000),
            context: { source: 'hummingbot', event: type, data },
          },
        ],
      };
  }
}
