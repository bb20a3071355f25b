import {
  firstDefined,
  isObject,
  parseForeignTime,
  Problems,
  stableId,
  toNumber,
  toText,
  type MapResult,
  type Obj,
} from './mapping.js';

/**
 * TradingView alerts POST the alert's message as the body: `application/json` when the message
 * is valid JSON, `text/plain` otherwise (TradingView's webhook documentation). Both become signal
 * events. A JSON message may use TradingView's placeholders, e.g.
 * `{"symbol": "{{ticker}}", "action": "{{strategy.order.action}}", "price": {{close}},
 *   "market_position": "{{strategy.market_position}}", "time": "{{timenow}}"}`;
 * a plain message is words like `BUY BTCUSDT`, `long ES1! 0.8` or `flat NQ1! take profit`.
 */
export interface TradingViewContext {
  /** The bot from `?bot=` or the token's binding; a JSON body may name one with `bot`. */
  bot: string | undefined;
  now: number;
}

const DIRECTION_WORDS: Record<string, 'long' | 'short' | 'flat'> = {
  buy: 'long',
  long: 'long',
  bull: 'long',
  bullish: 'long',
  sell: 'short',
  short: 'short',
  bear: 'short',
  bearish: 'short',
  flat: 'flat',
  close: 'flat',
  exit: 'flat',
  neutral: 'flat',
};

function direction(v: unknown): 'long' | 'short' | 'flat' | undefined {
  const t = toText(v)?.toLowerCase();
  return t === undefined ? undefined : DIRECTION_WORDS[t];
}

export function mapTradingView(body: unknown, ctx: TradingViewContext): MapResult {
  if (typeof body === 'string') {
    const trimmed = body.trim();
    if (trimmed.startsWith('{')) {
      try {
        return mapJson(JSON.parse(trimmed) as unknown, ctx);
      } catch {
        return {
          ok: false,
          problems: [{ path: '', message: 'the body looks like JSON but does not parse' }],
        };
      }
    }
    return mapText(trimmed, ctx);
  }
  return mapJson(body, ctx);
}

function mapJson(body: unknown, ctx: TradingViewContext): MapResult {
  const p = new Problems();
  if (!isObject(body)) {
    p.add('', 'expected a JSON object or a plain-text alert message');
    return { ok: false, problems: p.list };
  }
  const bot = toText(body.bot) ?? ctx.bot;
  if (!bot) p.add('bot', 'name the bot with ?bot=ID, a bot-bound token, or a "bot" field');
  const symbol = firstDefined(toText(body.symbol), toText(body.ticker));
  if (!symbol) p.add('symbol', 'required (e.g. "symbol": "{{ticker}}")');
  // A strategy's market position after the order says best where it stands; the order action
  // (buy/sell) is the fallback.
  const keys = ['direction', 'market_position', 'signal', 'action', 'side'];
  let dir: 'long' | 'short' | 'flat' | undefined;
  for (const k of keys) {
    dir = direction(body[k]);
    if (dir) break;
  }
  if (!dir) {
    const given = keys.find((k) => body[k] !== undefined);
    p.add(
      given ?? 'direction',
      given
        ? `expected long, short, flat, buy, sell, close or exit; got ${JSON.stringify(body[given]).slice(0, 40)}`
        : 'required: "direction", "market_position" or "action"',
    );
  }
  const strengthRaw = body.strength;
  const strength = strengthRaw === undefined ? undefined : toNumber(strengthRaw);
  if (strengthRaw !== undefined && strength === undefined) p.add('strength', 'expected a number');
  const timeRaw = firstDefined(body.time, body.timenow, body.ts);
  const ts = timeRaw === undefined ? ctx.now : parseForeignTime(timeRaw);
  if (ts === undefined) p.add('time', `not a time: ${JSON.stringify(timeRaw).slice(0, 60)}`);
  if (!p.empty) return { ok: false, problems: p.list };

  const noteParts: string[] = [];
  const note = firstDefined(toText(body.note), toText(body.message), toText(body.comment));
  if (note) noteParts.push(note);
  const price = toNumber(body.price ?? body.close);
  if (price !== undefined) noteParts.push(`price ${price}`);
  const contracts = toNumber(body.contracts ?? body.qty);
  if (contracts !== undefined) noteParts.push(`qty ${contracts}`);
  const strategy = firstDefined(toText(body.strategy), toText(body.name));
  const content = { bot, symbol, dir, strength, ts, strategy, note: noteParts.join('; ') };
  const event: Obj = {
    type: 'signal',
    id: toText(body.id) ?? stableId('tv', content),
    bot,
    ts,
    symbol,
    direction: dir,
    ...(strength !== undefined ? { strength } : {}),
    ...(strategy ? { strategy: strategy.slice(0, 128) } : {}),
    ...(noteParts.length > 0 ? { note: noteParts.join('; ').slice(0, 2000) } : {}),
  };
  return { ok: true, events: [event] };
}

const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9._:!/-]{0,63}$/;

function mapText(text: string, ctx: TradingViewContext): MapResult {
  if (!ctx.bot) {
    return {
      ok: false,
      problems: [{ path: 'bot', message: 'name the bot with ?bot=ID or a bot-bound token' }],
    };
  }
  if (text === '')
    return { ok: false, problems: [{ path: '', message: 'the alert message is empty' }] };
  const words = text.split(/\s+/);
  let dir: 'long' | 'short' | 'flat' | undefined;
  let symbol: string | undefined;
  let strength: number | undefined;
  const rest: string[] = [];
  for (const w of words) {
    const d = dir === undefined ? direction(w.replace(/[:,]$/, '')) : undefined;
    if (d) {
      dir = d;
      continue;
    }
    const n = toNumber(w);
    if (symbol !== undefined && strength === undefined && n !== undefined) {
      strength = n;
      continue;
    }
    if (symbol === undefined && dir !== undefined && SYMBOL.test(w) && n === undefined) {
      symbol = w.replace(/[:,]$/, '');
      continue;
    }
    rest.push(w);
  }
  if (dir && !symbol) {
    const i = rest.findIndex((w) => SYMBOL.test(w) && toNumber(w) === undefined);
    if (i >= 0) symbol = rest.splice(i, 1)[0]!.replace(/[:,]$/, '');
  }
  if (!dir || !symbol) {
    return {
      ok: false,
      problems: [
        {
          path: '',
          message: `could not read a signal from the text ${JSON.stringify(text.slice(0, 80))}: write "<buy|sell|long|short|flat> <SYMBOL> [strength] [note]" or send JSON`,
        },
      ],
    };
  }
  const note = rest.join(' ');
  return {
    ok: true,
    events: [
      {
        type: 'signal',
        id: stableId('tv', ctx.bot, text, ctx.now),
        bot: ctx.bot,
        ts: ctx.now,
        symbol,
        direction: dir,
        ...(strength !== undefined ? { strength } : {}),
        ...(note ? { note: note.slice(0, 2000) } : {}),
      },
    ],
  };
}
