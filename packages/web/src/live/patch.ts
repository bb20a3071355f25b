import type {
  BotRow,
  FillRow,
  OrderRow,
  Page,
  PositionRow,
  StreamMessage,
  TradeRow,
} from '@tradewatch/protocol';
import type { FeedItem } from '../api/types.js';
import type { KeyFilters } from '../api/keys.js';

/**
 * Pure cache patches: given what a query holds and what the stream said, what it holds next.
 * A patch returns the same object when nothing changed, so React skips the render.
 */

export interface TradeNotesMessage {
  type: 'trade_notes';
  seq: number;
  data: { id: string; notes: string | null; tags: string[] };
}
export type LiveMessage = StreamMessage | TradeNotesMessage;

const KNOWN = new Set([
  'hello',
  'fill',
  'order',
  'position',
  'trade',
  'portfolio',
  'bot',
  'event',
  'trade_notes',
]);

/** Parses one socket frame; unknown types (other modules' messages) and junk give null. */
export function parseMessage(text: string): LiveMessage | null {
  try {
    const m = JSON.parse(text) as { type?: unknown; seq?: unknown };
    if (typeof m !== 'object' || m === null || typeof m.type !== 'string' || !KNOWN.has(m.type)) {
      return null;
    }
    return m as LiveMessage;
  } catch {
    return null;
  }
}

export function matchesKeyFilters(
  f: KeyFilters,
  row: { bot: string; account: string; symbol: string; strategy?: string | null },
): boolean {
  if (f.bot && row.bot !== f.bot) return false;
  if (f.account && row.account !== f.account) return false;
  if (f.symbol && row.symbol !== f.symbol) return false;
  if (f.strategy && row.strategy !== undefined && row.strategy !== f.strategy) return false;
  return true;
}

const positionKey = (p: PositionRow) => `${p.account}\u0000${p.bot}\u0000${p.symbol}`;

function comparePositions(a: PositionRow, b: PositionRow): number {
  return (
    a.account.localeCompare(b.account) ||
    a.bot.localeCompare(b.bot) ||
    a.symbol.localeCompare(b.symbol)
  );
}

/**
 * Open positions: replaced in place by key, removed when flat, new ones inserted where the hub
 * would list them (a binary search: a thousand positions are not re-sorted on every message).
 */
export function patchPositions(
  page: Page<PositionRow>,
  rows: PositionRow[],
  f: KeyFilters,
): Page<PositionRow> {
  const relevant = rows.filter((r) => matchesKeyFilters(f, r));
  if (relevant.length === 0) return page;
  let items = [...page.items];
  const index = new Map(items.map((p, i) => [positionKey(p), i]));
  let removed = false;
  for (const r of relevant) {
    const i = index.get(positionKey(r));
    if (i !== undefined) {
      if (r.qty === 0) {
        removed = true;
        index.delete(positionKey(r));
        items[i] = undefined as unknown as PositionRow;
      } else items[i] = r;
    } else if (r.qty !== 0) {
      if (removed) {
        items = items.filter(Boolean);
        removed = false;
      }
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (comparePositions(items[mid]!, r) < 0) lo = mid + 1;
        else hi = mid;
      }
      items.splice(lo, 0, r);
      index.clear();
      items.forEach((p, j) => index.set(positionKey(p), j));
    }
  }
  if (removed) items = items.filter(Boolean);
  return { ...page, items };
}

/** Newest first by time (then arrival): the hub's order for fills. */
function byTimeDesc<T>(ts: (r: T) => string) {
  return (a: T, b: T) => (ts(a) < ts(b) ? 1 : ts(a) > ts(b) ? -1 : 0);
}

/**
 * Recent fills: new ones go in at their time. The list may grow past its page size rather
 * than drop rows between it and the next page's cursor; it is cut at `max`.
 */
export function patchFills(
  page: Page<FillRow>,
  fills: FillRow[],
  f: KeyFilters,
  max = 500,
): Page<FillRow> {
  const seen = new Set(page.items.map((r) => r.id));
  const fresh = fills.filter((r) => !seen.has(r.id) && matchesKeyFilters(f, r));
  if (fresh.length === 0) return page;
  const items = [...fresh.reverse(), ...page.items].sort(byTimeDesc((r) => r.ts)).slice(0, max);
  return { ...page, items };
}

const orderKey = (o: OrderRow) => `${o.bot}\u0000${o.order_id}`;

/** Orders by last update, newest first; a list of open orders drops the ones that closed. */
export function patchOrders(
  page: Page<OrderRow>,
  orders: OrderRow[],
  f: KeyFilters & { status?: 'open' | 'closed' | undefined },
  max = 500,
): Page<OrderRow> {
  const relevant = orders.filter((o) => matchesKeyFilters(f, o));
  if (relevant.length === 0) return page;
  const byKey = new Map(page.items.map((o) => [orderKey(o), o]));
  let changed = false;
  for (const o of relevant) {
    const wanted = f.status === undefined || (f.status === 'open') === o.open;
    if (wanted) {
      byKey.set(orderKey(o), o);
      changed = true;
    } else if (byKey.delete(orderKey(o))) changed = true;
  }
  if (!changed) return page;
  const items = [...byKey.values()].sort(byTimeDesc((o) => o.updated_at)).slice(0, max);
  return { ...page, items };
}

/** Whether a trade belongs in a trade list with these API query parameters. */
export function tradeMatches(p: URLSearchParams, t: TradeRow): boolean {
  const eq = (key: string, value: string | null) => {
    const want = p.get(key);
    return want === null || want === value;
  };
  if (!eq('bot', t.bot) || !eq('account', t.account) || !eq('symbol', t.symbol)) return false;
  if (!eq('strategy', t.strategy) || !eq('status', t.status) || !eq('direction', t.direction)) {
    return false;
  }
  const outcome = p.get('outcome');
  if (outcome === 'win' && !(t.status === 'closed' && t.net_pnl > 0)) return false;
  if (outcome === 'loss' && !(t.status === 'closed' && t.net_pnl < 0)) return false;
  const from = p.get('from');
  const to = p.get('to');
  const entry = Date.parse(t.entry_at);
  if (from && entry < Date.parse(from)) return false;
  if (to && entry >= Date.parse(to)) return false;
  const tag = p.get('tag');
  if (tag && !t.tags.includes(tag)) return false;
  const q = p.get('q');
  if (q && !(t.notes ?? '').toLowerCase().includes(q.toLowerCase())) return false;
  return true;
}

export interface TradePatch {
  page: Page<TradeRow>;
  /** A matching trade arrived that this list cannot place (another sort order, a later page). */
  stale: boolean;
}

/**
 * Round trips: known ones are updated in place (keeping the journal notes, which the stream
 * does not carry); new ones are inserted when the list is the first page, newest entry first.
 */
export function patchTrades(page: Page<TradeRow>, trades: TradeRow[], query: string): TradePatch {
  const p = new URLSearchParams(query);
  const index = new Map(page.items.map((t, i) => [t.id, i]));
  const insertable =
    !p.get('cursor') &&
    (p.get('sort') ?? 'entry_at') === 'entry_at' &&
    (p.get('order') ?? 'desc') === 'desc';
  let items: TradeRow[] | null = null;
  let stale = false;
  const fresh: TradeRow[] = [];
  for (const t of trades) {
    const i = index.get(t.id);
    if (i !== undefined) {
      items ??= [...page.items];
      const old = items[i]!;
      const merged = { ...t, notes: old.notes, tags: old.tags };
      if (tradeMatches(p, merged)) items[i] = merged;
      else stale = true;
    } else if (tradeMatches(p, t)) {
      if (insertable) fresh.push(t);
      else stale = true;
    }
  }
  if (fresh.length > 0) {
    items = [...fresh.reverse(), ...(items ?? page.items)].sort(byTimeDesc((t) => t.entry_at));
    const limit = Number(p.get('limit') ?? '0');
    // Rows pushed past the page size would be skipped by the next page's cursor: keep them.
    if (limit > 0 && items.length > limit * 3) items = items.slice(0, limit * 3);
  }
  return { page: items ? { ...page, items } : page, stale };
}

/** Journal notes edited in another tab (or by another user). */
export function patchTradeNotes(
  page: Page<TradeRow>,
  n: TradeNotesMessage['data'],
): Page<TradeRow> {
  const i = page.items.findIndex((t) => t.id === n.id);
  if (i < 0) return page;
  const items = [...page.items];
  items[i] = { ...items[i]!, notes: n.notes, tags: n.tags };
  return { ...page, items };
}

/** One trade's detail (with its fills): the stream's figures, the cached notes and fills. */
export function patchTradeDetail<T extends TradeRow & { fills: FillRow[] }>(
  detail: T,
  trade: TradeRow,
  fills: FillRow[],
): T {
  const mine = fills.filter(
    (f) =>
      (f.trade_id === detail.id || f.next_trade_id === detail.id) &&
      !detail.fills.some((x) => x.id === f.id),
  );
  return {
    ...detail,
    ...(trade.id === detail.id ? { ...trade, notes: detail.notes, tags: detail.tags } : {}),
    fills:
      mine.length > 0
        ? [...detail.fills, ...mine].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
        : detail.fills,
  };
}

/** Bots by id. */
export function patchBots(list: { items: BotRow[] }, bots: BotRow[]): { items: BotRow[] } {
  if (bots.length === 0) return list;
  const byId = new Map(list.items.map((b) => [b.id, b]));
  for (const b of bots) byId.set(b.id, b);
  return { items: [...byId.values()].sort((a, b) => a.id.localeCompare(b.id)) };
}

/** What the Overview's live feed shows for a message, if anything. */
export function feedItem(m: LiveMessage): FeedItem | null {
  switch (m.type) {
    case 'fill': {
      const f = m.data;
      return {
        key: `fill:${f.bot}:${f.id}`,
        ts: f.ts,
        kind: 'fill',
        bot: f.bot,
        summary: `${f.side === 'buy' ? 'Bought' : 'Sold'} ${f.qty} ${f.symbol} @ ${f.price}`,
      };
    }
    case 'event': {
      const e = m.data;
      const level = e.kind.startsWith('log.') ? (e.kind.slice(4) as FeedItem['level']) : undefined;
      return {
        key: `event:${m.seq}:${e.kind}:${e.ts}:${e.summary.slice(0, 40)}`,
        ts: e.ts,
        kind: e.kind,
        bot: e.bot,
        summary: e.summary,
        ...(level ? { level } : {}),
      };
    }
    default:
      return null;
  }
}

/** Newest first, no duplicates, at most `max`. */
export function pushFeed(feed: FeedItem[], items: FeedItem[], max = 50): FeedItem[] {
  if (items.length === 0) return feed;
  const seen = new Set(feed.map((i) => i.key));
  const fresh = items.filter((i) => !seen.has(i.key) && (seen.add(i.key), true));
  if (fresh.length === 0) return feed;
  return [...fresh, ...feed].sort(byTimeDesc((i) => i.ts)).slice(0, max);
}

/**
 * Keeps the last of each repeated state message in a burst (portfolio snapshots, a position
 * updated by ten fills) and every fill and event, in order.
 */
export function coalesce(messages: LiveMessage[]): LiveMessage[] {
  const last = new Map<string, number>();
  messages.forEach((m, i) => {
    let key: string | null;
    switch (m.type) {
      case 'portfolio':
        key = 'portfolio';
        break;
      case 'position':
        key = `position:${m.data.account}:${m.data.bot}:${m.data.symbol}`;
        break;
      case 'bot':
        key = `bot:${m.data.id}`;
        break;
      case 'order':
        key = `order:${m.data.bot}:${m.data.order_id}`;
        break;
      case 'trade':
        key = `trade:${m.data.id}`;
        break;
      default:
        key = null;
    }
    if (key) last.set(key, i);
  });
  return messages.filter((m, i) => {
    switch (m.type) {
      case 'portfolio':
        return last.get('portfolio') === i;
      case 'position':
        return last.get(`position:${m.data.account}:${m.data.bot}:${m.data.symbol}`) === i;
      case 'bot':
        return last.get(`bot:${m.data.id}`) === i;
      case 'order':
        return last.get(`order:${m.data.bot}:${m.data.order_id}`) === i;
      case 'trade':
        return last.get(`trade:${m.data.id}`) === i;
      default:
        return true;
    }
  });
}
