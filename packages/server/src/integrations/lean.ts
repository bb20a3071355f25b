import type { ProblemDetail } from '@tradewatch/protocol';
import {
  boundedId,
  isObject,
  parseForeignTime,
  Problems,
  toNumber,
  toText,
  type MapResult,
  type Obj,
} from './mapping.js';

/**
 * LEAN order events, in two shapes:
 *
 * - LEAN's own serialization (`SerializedOrderEvent`, Common/Orders/Serialization): camelCase
 *   `algorithmId, orderId, orderEventId, symbol, symbolValue, time` (unix seconds), `status` as a
 *   camelCase string (`filled`, `partiallyFilled`, `canceled` …), `direction` (`buy`/`sell`),
 *   `fillPrice, fillQuantity, orderFeeAmount, orderFeeCurrency, quantity, limitPrice, stopPrice,
 *   message`; one object, an array, or `{"orderEvents": [...]}`.
 * - The QuantConnect cloud webhook body: `OrderEvents[]` in PascalCase (`OrderId, Id, Symbol,
 *   UtcTime, Status` as the numeric OrderStatus enum, `Direction` numeric or text, `FillPrice,
 *   FillQuantity, OrderFee.Value.Amount/Currency` …) with `Portfolio[]` holdings (`Symbol,
 *   Quantity, AveragePrice`) that become position snapshots.
 */

/** LEAN's OrderStatus enum (Common/Orders/OrderTypes.cs): its numeric values are sparse. */
const STATUS_BY_NUMBER: Record<number, string> = {
  0: 'new',
  1: 'submitted',
  2: 'partiallyfilled',
  3: 'filled',
  5: 'canceled',
  6: 'none',
  7: 'invalid',
  8: 'cancelpending',
  9: 'updatesubmitted',
};

/** LEAN status → hub order status (null: nothing to record). */
const STATUS_MAP: Record<string, string | null> = {
  new: 'new',
  submitted: 'submitted',
  partiallyfilled: 'partially_filled',
  filled: 'filled',
  canceled: 'cancelled',
  cancelled: 'cancelled',
  invalid: 'rejected',
  cancelpending: 'accepted',
  updatesubmitted: 'accepted',
  none: null,
};

const DIRECTION_BY_NUMBER: Record<number, string> = { 0: 'buy', 1: 'sell', 2: 'hold' };

export interface LeanContext {
  bot: string;
  now: number;
  account?: string | undefined;
}

/** Reads a field by its camelCase or PascalCase name (and LEAN's old kebab-case one). */
function pick(o: Obj, camel: string, kebab?: string): unknown {
  const pascal = camel.charAt(0).toUpperCase() + camel.slice(1);
  if (o[camel] !== undefined) return o[camel];
  if (o[pascal] !== undefined) return o[pascal];
  return kebab === undefined ? undefined : o[kebab];
}

function symbolText(v: unknown): string | undefined {
  if (isObject(v)) {
    return toText(pick(v, 'value')) ?? toText(pick(v, 'permtick')) ?? toText(pick(v, 'id'));
  }
  return toText(v);
}

export function mapLean(body: unknown, ctx: LeanContext): MapResult {
  let orderEvents: unknown[] = [];
  let portfolio: unknown[] = [];
  const top = new Problems();
  if (Array.isArray(body)) {
    orderEvents = body;
  } else if (isObject(body)) {
    const list = pick(body, 'orderEvents');
    const holdings = pick(body, 'portfolio');
    if (list !== undefined || holdings !== undefined) {
      if (list !== undefined && !Array.isArray(list)) top.add('OrderEvents', 'expected an array');
      if (holdings !== undefined && !Array.isArray(holdings))
        top.add('Portfolio', 'expected an array');
      orderEvents = Array.isArray(list) ? list : [];
      portfolio = Array.isArray(holdings) ? holdings : [];
    } else {
      orderEvents = [body];
    }
  } else {
    top.add('', 'expected a LEAN order event, an array of them, or {"OrderEvents": [...]}');
  }
  if (!top.empty) return { ok: false, problems: top.list };
  if (orderEvents.length === 0 && portfolio.length === 0) {
    return { ok: false, problems: [{ path: '', message: 'no order events or holdings' }] };
  }

  const events: Obj[] = [];
  const problems: ProblemDetail[] = [];
  orderEvents.forEach((raw, i) => {
    const p = new Problems();
    const mapped = mapOrderEvent(raw, ctx, p);
    for (const d of p.list) {
      problems.push({ ...d, path: `OrderEvents.${i}${d.path ? '.' + d.path : ''}` });
    }
    if (mapped) events.push(...mapped);
  });
  portfolio.forEach((raw, i) => {
    const p = new Problems();
    const mapped = mapHolding(raw, ctx, p);
    for (const d of p.list) {
      problems.push({ ...d, path: `Portfolio.${i}${d.path ? '.' + d.path : ''}` });
    }
    if (mapped) events.push(mapped);
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, events };
}

function mapOrderEvent(raw: unknown, ctx: LeanContext, p: Problems): Obj[] | null {
  if (!isObject(raw)) {
    p.add('', 'expected an order event object');
    return null;
  }
  const orderId = toText(pick(raw, 'orderId', 'order-id'));
  if (orderId === undefined) p.add('orderId', 'required');
  const symbol = symbolText(pick(raw, 'symbolValue', 'symbol-value')) ?? symbolText(raw.symbol);
  const symbolPascal = symbolText(raw.Symbol);
  const sym = symbol ?? symbolPascal;
  if (sym === undefined) p.add('symbol', 'required');

  const statusRaw = pick(raw, 'status');
  const statusNum = toNumber(statusRaw);
  const statusKey =
    statusNum !== undefined
      ? STATUS_BY_NUMBER[statusNum]
      : toText(statusRaw)
          ?.toLowerCase()
          .replace(/[_\s-]/g, '');
  if (statusKey === undefined || !(statusKey in STATUS_MAP)) {
    p.add(
      'status',
      statusRaw === undefined
        ? 'required'
        : `unknown LEAN order status ${JSON.stringify(statusRaw)}; expected filled, partiallyFilled, submitted, canceled, invalid … or their OrderStatus numbers`,
    );
  }

  const timeRaw = pick(raw, 'utcTime') ?? pick(raw, 'time');
  const ts = timeRaw === undefined ? ctx.now : parseForeignTime(timeRaw);
  if (ts === undefined) p.add('time', `not a time: ${JSON.stringify(timeRaw).slice(0, 60)}`);

  const fillQty = toNumber(pick(raw, 'fillQuantity', 'fill-quantity') ?? 0);
  if (fillQty === undefined) p.add('fillQuantity', 'expected a number');
  const fillPrice = toNumber(pick(raw, 'fillPrice', 'fill-price') ?? 0);
  if (fillPrice === undefined) p.add('fillPrice', 'expected a number');
  const quantity = toNumber(pick(raw, 'quantity') ?? 0);
  if (quantity === undefined) p.add('quantity', 'expected a number');

  const dirRaw = pick(raw, 'direction');
  const dirNum = toNumber(dirRaw);
  const direction =
    dirNum !== undefined ? DIRECTION_BY_NUMBER[dirNum] : toText(dirRaw)?.toLowerCase();
  let side: 'buy' | 'sell' | undefined =
    direction === 'buy' || direction === 'sell' ? direction : undefined;
  if (!side && fillQty) side = fillQty > 0 ? 'buy' : 'sell';
  if (!side && quantity) side = quantity > 0 ? 'buy' : 'sell';
  if (!p.empty) return null;
  if (!side) {
    p.add('direction', 'expected buy or sell (or a signed quantity)');
    return null;
  }

  const status = STATUS_MAP[statusKey!] ?? null;
  const algorithm = toText(pick(raw, 'algorithmId', 'algorithm-id')) ?? '';
  const eventId =
    toText(pick(raw, 'orderEventId', 'order-event-id')) ??
    toText(typeof raw.id === 'number' ? raw.id : undefined) ??
    toText(typeof raw.Id === 'number' ? raw.Id : undefined);
  const baseId = boundedId(
    typeof raw.id === 'string' && raw.id.includes('-')
      ? `lean:${raw.id}`
      : `lean:${algorithm ? algorithm + '-' : ''}${orderId}-${eventId ?? ts}`,
  );
  const limitPrice = toNumber(pick(raw, 'limitPrice', 'limit-price'));
  const stopPrice = toNumber(pick(raw, 'stopPrice', 'stop-price'));
  const orderType =
    limitPrice && stopPrice ? 'stop_limit' : limitPrice ? 'limit' : stopPrice ? 'stop' : 'market';
  const message = toText(pick(raw, 'message'));
  const out: Obj[] = [];
  const qty = Math.abs(quantity || fillQty || 0);
  if (status && qty > 0) {
    out.push({
      type: 'order',
      id: boundedId(`${baseId}:o`),
      bot: ctx.bot,
      ts,
      order_id: orderId,
      symbol: sym,
      side,
      qty,
      order_type: orderType,
      ...(limitPrice && limitPrice > 0 ? { limit_price: limitPrice } : {}),
      ...(stopPrice && stopPrice > 0 ? { stop_price: stopPrice } : {}),
      status,
      ...(message ? { reason: message.slice(0, 2000) } : {}),
      ...(ctx.account ? { account: ctx.account } : {}),
    });
  }
  if ((status === 'filled' || status === 'partially_filled') && fillQty) {
    const feeObj = pick(raw, 'orderFee');
    const feeValue = isObject(feeObj) ? pick(feeObj, 'value') : undefined;
    const feeAmount =
      toNumber(pick(raw, 'orderFeeAmount', 'order-fee-amount')) ??
      (isObject(feeValue) ? toNumber(pick(feeValue, 'amount')) : undefined);
    const feeCurrency =
      toText(pick(raw, 'orderFeeCurrency', 'order-fee-currency')) ??
      (isObject(feeValue) ? toText(pick(feeValue, 'currency')) : undefined);
    if (!(fillPrice! > 0)) {
      p.add('fillPrice', 'a fill needs a positive fill price');
      return null;
    }
    out.push({
      type: 'fill',
      id: baseId,
      bot: ctx.bot,
      ts,
      symbol: sym,
      side,
      qty: Math.abs(fillQty),
      price: fillPrice,
      fee: Math.abs(feeAmount ?? 0),
      ...(feeCurrency ? { fee_currency: feeCurrency.slice(0, 16) } : {}),
      order_id: orderId,
      ...(ctx.account ? { account: ctx.account } : {}),
    });
  }
  return out;
}

function mapHolding(raw: unknown, ctx: LeanContext, p: Problems): Obj | null {
  if (!isObject(raw)) {
    p.add('', 'expected a holding object');
    return null;
  }
  const symbol = symbolText(pick(raw, 'symbol'));
  if (!symbol) p.add('Symbol', 'required');
  const qty = toNumber(pick(raw, 'quantity'));
  if (qty === undefined) p.add('Quantity', 'required number');
  const avg = toNumber(pick(raw, 'averagePrice'));
  if (!p.empty) return null;
  return {
    type: 'position',
    bot: ctx.bot,
    ts: ctx.now,
    symbol,
    qty,
    ...(avg !== undefined && avg >= 0 ? { avg_price: avg } : {}),
    ...(ctx.account ? { account: ctx.account } : {}),
  };
}
