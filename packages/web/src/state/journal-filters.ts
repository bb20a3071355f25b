/**
 * The Journal's state lives in the query string, so every view is a URL that can be bookmarked
 * and shared. This module converts between the query string, the filters and the API's query.
 */

export const TRADE_SORTS = [
  'entry_at',
  'exit_at',
  'net_pnl',
  'gross_pnl',
  'return_pct',
  'duration_s',
  'symbol',
  'bot',
  'account',
  'strategy',
  'direction',
  'fill_count',
  'status',
] as const;
export type TradeSort = (typeof TRADE_SORTS)[number];
export const JOURNAL_VIEWS = ['trades', 'day', 'week'] as const;
export type JournalView = (typeof JOURNAL_VIEWS)[number];
export const PAGE_SIZES = [25, 50, 100, 200] as const;

export interface JournalFilters {
  view: JournalView;
  /** Local calendar dates (YYYY-MM-DD), both inclusive; trades are selected by entry time. */
  from?: string | undefined;
  to?: string | undefined;
  bot?: string | undefined;
  account?: string | undefined;
  strategy?: string | undefined;
  symbol?: string | undefined;
  direction?: 'long' | 'short' | undefined;
  outcome?: 'win' | 'loss' | undefined;
  status?: 'open' | 'closed' | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  sort: TradeSort;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string | undefined;
}

export const DEFAULT_FILTERS: JournalFilters = {
  view: 'trades',
  sort: 'entry_at',
  order: 'desc',
  limit: 50,
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TEXT_KEYS = ['bot', 'account', 'strategy', 'symbol', 'tag', 'q'] as const;

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return value !== null && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

/** Reads filters from a query string; values that make no sense are dropped, never trusted. */
export function parseJournalSearch(search: string): JournalFilters {
  const p = new URLSearchParams(search);
  const f: JournalFilters = { ...DEFAULT_FILTERS };
  f.view = oneOf(p.get('view'), JOURNAL_VIEWS) ?? 'trades';
  for (const key of TEXT_KEYS) {
    const v = p.get(key)?.trim();
    if (v) f[key] = v.slice(0, key === 'q' ? 200 : 128);
  }
  const from = p.get('from');
  const to = p.get('to');
  if (from && DATE.test(from)) f.from = from;
  if (to && DATE.test(to)) f.to = to;
  f.direction = oneOf(p.get('direction'), ['long', 'short'] as const);
  f.outcome = oneOf(p.get('outcome'), ['win', 'loss'] as const);
  f.status = oneOf(p.get('status'), ['open', 'closed'] as const);
  f.sort = oneOf(p.get('sort'), TRADE_SORTS) ?? 'entry_at';
  f.order = oneOf(p.get('order'), ['asc', 'desc'] as const) ?? 'desc';
  const limit = Number(p.get('limit'));
  f.limit = (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_FILTERS.limit;
  const cursor = p.get('cursor');
  if (cursor && cursor.length <= 512) f.cursor = cursor;
  return f;
}

/** The query string of a filter state, defaults left out, in a stable order. */
export function journalSearch(f: JournalFilters): string {
  const p = new URLSearchParams();
  if (f.view !== 'trades') p.set('view', f.view);
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  for (const key of [
    'bot',
    'account',
    'strategy',
    'symbol',
    'direction',
    'outcome',
    'status',
    'tag',
    'q',
  ] as const) {
    const v = f[key];
    if (v) p.set(key, v);
  }
  if (f.sort !== DEFAULT_FILTERS.sort) p.set('sort', f.sort);
  if (f.order !== DEFAULT_FILTERS.order) p.set('order', f.order);
  if (f.limit !== DEFAULT_FILTERS.limit) p.set('limit', String(f.limit));
  if (f.cursor) p.set('cursor', f.cursor);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Local midnight of a YYYY-MM-DD date as an ISO instant (the browser's zone). */
export function localMidnight(day: string, plusDays = 0): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/**
 * The query of `GET /api/v1/trades` (and of its export and aggregate): dates become instants,
 * `to` includes its whole day.
 */
export function tradesApiQuery(f: JournalFilters, paging: boolean): URLSearchParams {
  const p = new URLSearchParams();
  if (f.from) p.set('from', localMidnight(f.from));
  if (f.to) p.set('to', localMidnight(f.to, 1));
  for (const key of [
    'bot',
    'account',
    'strategy',
    'symbol',
    'direction',
    'outcome',
    'status',
    'tag',
    'q',
  ] as const) {
    const v = f[key];
    if (v) p.set(key, v);
  }
  p.set('sort', f.sort);
  p.set('order', f.order);
  if (paging) {
    p.set('limit', String(f.limit));
    if (f.cursor) p.set('cursor', f.cursor);
  }
  return p;
}

/** A change of filters starts again at the first page. */
export function withFilter(f: JournalFilters, change: Partial<JournalFilters>): JournalFilters {
  const next = { ...f, ...change };
  if (!('cursor' in change)) delete next.cursor;
  return next;
}

/** Clicking a column header: a new column sorts descending, the same one flips the order. */
export function toggleSort(f: JournalFilters, sort: TradeSort): JournalFilters {
  if (f.sort === sort) return withFilter(f, { order: f.order === 'desc' ? 'asc' : 'desc' });
  return withFilter(f, { sort, order: 'desc' });
}

export function activeFilterCount(f: JournalFilters): number {
  return (
    [
      'from',
      'to',
      'bot',
      'account',
      'strategy',
      'symbol',
      'direction',
      'outcome',
      'status',
      'tag',
      'q',
    ] as const
  ).filter((k) => f[k] !== undefined).length;
}
