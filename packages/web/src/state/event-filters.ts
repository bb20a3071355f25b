/**
 * The Events page's filters, kept in the query string: which feed (bots' log lines or the hub's
 * own event log, when the health module provides it), levels, event types, bot and text.
 */
export const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type LevelName = (typeof LEVELS)[number];
export const HUB_EVENT_TYPES = [
  'TRADE',
  'ORDER',
  'SIGNAL',
  'RISK',
  'SYSTEM',
  'ALERT',
  'AUDIT',
  'LOG',
] as const;
export type HubEventType = (typeof HUB_EVENT_TYPES)[number];
export type EventSource = 'logs' | 'hub';

export interface EventFilters {
  source: EventSource;
  levels: LevelName[];
  types: HubEventType[];
  bot?: string | undefined;
  q?: string | undefined;
}

function list<T extends string>(value: string | null, allowed: readonly T[]): T[] {
  return [...new Set((value ?? '').split(','))].filter((v): v is T =>
    (allowed as readonly string[]).includes(v),
  );
}

export function parseEventSearch(search: string): EventFilters {
  const p = new URLSearchParams(search);
  const f: EventFilters = {
    source: p.get('source') === 'hub' ? 'hub' : 'logs',
    levels: list(p.get('level'), LEVELS),
    types: list(p.get('type'), HUB_EVENT_TYPES),
  };
  const bot = p.get('bot')?.trim();
  const q = p.get('q')?.trim();
  if (bot) f.bot = bot.slice(0, 128);
  if (q) f.q = q.slice(0, 200);
  return f;
}

export function eventSearch(f: EventFilters): string {
  const p = new URLSearchParams();
  if (f.source === 'hub') p.set('source', 'hub');
  if (f.levels.length > 0) p.set('level', f.levels.join(','));
  if (f.source === 'hub' && f.types.length > 0) p.set('type', f.types.join(','));
  if (f.bot) p.set('bot', f.bot);
  if (f.q) p.set('q', f.q);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The API query: `/api/v1/logs` takes `level`, `/api/v1/events` takes `severity` and `type`. */
export function eventsApiQuery(f: EventFilters, limit: number): URLSearchParams {
  const p = new URLSearchParams({ limit: String(limit) });
  if (f.levels.length > 0) p.set(f.source === 'hub' ? 'severity' : 'level', f.levels.join(','));
  if (f.source === 'hub' && f.types.length > 0) p.set('type', f.types.join(','));
  if (f.bot) p.set('bot', f.bot);
  if (f.q) p.set('q', f.q);
  return p;
}
