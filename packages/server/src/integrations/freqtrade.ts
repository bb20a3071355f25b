import {
  firstDefined,
  isObject,
  parseForeignTime,
  Problems,
  requireNumber,
  requireText,
  stableId,
  toNumber,
  toText,
  type MapResult,
  type Obj,
} from './mapping.js';

/**
 * Freqtrade's webhook feature (`"webhook": {"format": "json", "entry_fill": {...}}`) posts, per
 * message type, the dict configured for it with `{placeholders}` filled by `str.format`, so every
 * value may arrive as a string. The config block in docs/integrations.md sends the fields below;
 * the message types and placeholder names are those of freqtrade/rpc/rpc_types.py
 * (RPCEntryMsg, RPCExitMsg, RPCCancelMsg, RPCStatusMsg, RPCProtectionMsg, RPCStrategyMsg).
 */
export const FREQTRADE_TYPES = [
  'entry',
  'entry_fill',
  'entry_cancel',
  'exit',
  'exit_fill',
  'exit_cancel',
  'status',
  'warning',
  'startup',
  'exception',
  'protection_trigger',
  'protection_trigger_global',
  'strategy_msg',
] as const;
export type FreqtradeType = (typeof FREQTRADE_TYPES)[number];

export interface FreqtradeContext {
  bot: string;
  /** Hub time, used when the message carries no usable time. */
  now: number;
}

/** Maps one Freqtrade webhook body to ingest events (orders, fills, logs, heartbeats). */
export function mapFreqtrade(body: unknown, ctx: FreqtradeContext): MapResult {
  const problems = new Problems();
  if (!isObject(body)) {
    problems.add('', 'expected a JSON object (set "format": "json" in the webhook config)');
    return { ok: false, problems: problems.list };
  }
  const type = normaliseType(body.type);
  if (!type) {
    problems.add(
      'type',
      body.type === undefined
        ? `required; one of ${FREQTRADE_TYPES.join(', ')}`
        : `unknown message type ${JSON.stringify(body.type).slice(0, 60)}; expected one of ${FREQTRADE_TYPES.join(', ')}`,
    );
    return { ok: false, problems: problems.list };
  }
  switch (type) {
    case 'entry':
    case 'entry_fill':
    case 'entry_cancel':
    case 'exit':
    case 'exit_fill':
    case 'exit_cancel':
      return mapTrade(type, body, ctx, problems);
    case 'status':
    case 'startup':
    case 'warning':
    case 'exception':
    case 'strategy_msg':
    case 'protection_trigger':
    case 'protection_trigger_global':
      return mapMessage(type, body, ctx, problems);
  }
}

function normaliseType(v: unknown): FreqtradeType | undefined {
  const t = toText(v)?.toLowerCase();
  if (!t) return undefined;
  // Freqtrade's RPCMessageType renders as its value ("entry_fill"); accept "RPCMessageType.X" too.
  const bare = t.startsWith('rpcmessagetype.') ? t.slice('rpcmessagetype.'.length) : t;
  return (FREQTRADE_TYPES as readonly string[]).includes(bare)
    ? (bare as FreqtradeType)
    : undefined;
}

function mapTrade(type: FreqtradeType, body: Obj, ctx: FreqtradeContext, problems: Problems) {
  const tradeId = requireText(body, ['trade_id'], problems);
  const pair = requireText(body, ['pair'], problems);
  const amount = requireNumber(body, ['amount'], problems, { positive: true });
  const isEntry = type.startsWith('entry');
  const rateKeys = isEntry
    ? ['order_rate', 'open_rate', 'limit']
    : ['order_rate', 'close_rate', 'limit'];
  const isFill = type.endsWith('_fill');
  // Only a fill needs its price; an order placement or cancel may not know one (exit_cancel
  // sends "limit": 0 when there is no rate yet).
  const rate = isFill
    ? requireNumber(body, rateKeys, problems, { positive: true })
    : rateKeys.map((k) => toNumber(body[k])).find((n) => n !== undefined && n > 0);
  const direction = (toText(body.direction) ?? 'long').toLowerCase();
  if (direction !== 'long' && direction !== 'short') {
    problems.add('direction', `expected "Long" or "Short", got ${JSON.stringify(body.direction)}`);
  }
  const fee = body.fee === undefined ? undefined : toNumber(body.fee);
  if (body.fee !== undefined && body.fee !== '' && (fee === undefined || fee < 0)) {
    problems.add('fee', 'expected a non-negative number');
  }
  const timeKeys = isEntry ? ['order_date', 'open_date', 'date'] : ['close_date', 'date'];
  const timeKey = timeKeys.find((k) => toText(body[k]) !== undefined);
  const ts = timeKey === undefined ? ctx.now : parseForeignTime(body[timeKey]);
  if (timeKey !== undefined && ts === undefined) {
    problems.add(timeKey, `not a time: ${JSON.stringify(body[timeKey]).slice(0, 60)}`);
  }
  if (!problems.empty) return { ok: false as const, problems: problems.list };

  const short = direction === 'short';
  // Entering a long buys, exiting it sells; shorts the other way round.
  const side = isEntry !== short ? 'buy' : 'sell';
  const leg = isEntry ? 'entry' : 'exit';
  const orderId = toText(body.order_id) ?? `ft-${tradeId}-${leg}`;
  const strategy = toText(body.strategy) ?? toText(body.enter_tag) ?? toText(body.buy_tag);
  const orderType = mapOrderType(toText(body.order_type));
  const reason = toText(body.reason) ?? toText(body.exit_reason);
  const status =
    type === 'entry' || type === 'exit'
      ? 'submitted'
      : type.endsWith('_fill')
        ? 'filled'
        : 'cancelled';
  const identity = [tradeId, type, orderId, amount, rate, ts];
  const events: Obj[] = [
    {
      type: 'order',
      id: stableId('ft', ...identity, 'order'),
      bot: ctx.bot,
      ts,
      order_id: orderId,
      symbol: pair,
      side,
      qty: amount,
      order_type: orderType,
      ...(orderType === 'limit' && rate !== undefined ? { limit_price: rate } : {}),
      status,
      ...(reason ? { reason: reason.slice(0, 2000) } : {}),
      ...(strategy ? { strategy } : {}),
    },
  ];
  if (isFill) {
    events.push({
      type: 'fill',
      id: toText(body.fill_id) ?? stableId('ft', ...identity, 'fill'),
      bot: ctx.bot,
      ts,
      symbol: pair,
      side,
      qty: amount,
      price: rate,
      ...(fee !== undefined ? { fee } : {}),
      ...(toText(body.fee_currency) ? { fee_currency: toText(body.fee_currency) } : {}),
      order_id: orderId,
      ...(strategy ? { strategy } : {}),
      tags: [`freqtrade:trade:${tradeId}`.slice(0, 64)],
    });
  }
  return { ok: true as const, events };
}

function mapOrderType(t: string | undefined): 'market' | 'limit' | 'stop' | 'stop_limit' {
  switch (t?.toLowerCase()) {
    case 'limit':
      return 'limit';
    case 'stoploss':
    case 'stop':
    case 'stop_loss':
      return 'stop';
    case 'stop_limit':
      return 'stop_limit';
    default:
      // Freqtrade reports "market", "unknown" or nothing for market-style exits.
      return 'market';
  }
}

function mapMessage(type: FreqtradeType, body: Obj, ctx: FreqtradeContext, problems: Problems) {
  const text = firstDefined(
    toText(body.status),
    toText(body.msg),
    toText(body.message),
    toText(body.reason),
    toText(body.value1),
  );
  if (text === undefined && type !== 'protection_trigger' && type !== 'protection_trigger_global') {
    problems.add(type === 'strategy_msg' ? 'msg' : 'status', 'required');
    return { ok: false as const, problems: problems.list };
  }
  const ts = parseForeignTime(body.date ?? body.timestamp) ?? ctx.now;
  const level =
    type === 'exception'
      ? 'error'
      : type === 'warning' || type.startsWith('protection')
        ? 'warning'
        : 'info';
  const message =
    type === 'protection_trigger' || type === 'protection_trigger_global'
      ? protectionText(body, text)
      : (text ?? '');
  const context: Obj = { source: 'freqtrade', type };
  for (const key of ['pair', 'reason', 'lock_end_time', 'side', 'id']) {
    const v = toText(body[key]);
    if (v !== undefined) context[key] = v;
  }
  const events: Obj[] = [
    {
      type: 'log',
      bot: ctx.bot,
      ts,
      level,
      message: message.slice(0, 10_000),
      context,
    },
  ];
  if (type === 'status' || type === 'startup') {
    // Freqtrade's status messages say what the bot is doing ("running", "stopped", ...).
    events.push({
      type: 'heartbeat',
      bot: ctx.bot,
      ts,
      status: (type === 'startup' ? 'startup' : (text ?? 'status')).slice(0, 64),
      ...(toText(body.version) ? { version: toText(body.version)!.slice(0, 64) } : {}),
    });
  }
  return { ok: true as const, events };
}

function protectionText(body: Obj, text: string | undefined): string {
  const pair = toText(body.pair) ?? '*';
  const until = toText(body.lock_end_time);
  const reason = toText(body.reason) ?? text ?? 'protection triggered';
  return `Protection locked ${pair}${until ? ` until ${until}` : ''}: ${reason}`;
}
