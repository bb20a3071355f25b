import { ingestEvent, type IngestEvent } from '@tradewatch/protocol';
import { contentHash } from '../ingest/identity.js';
import { DEFAULT_ACCOUNT } from '../ingest/settings.js';

/** The fact tables, each with the ingest event type it stores (marks are kept only as bars). */
export const FACT_TABLES = {
  fills: 'fill',
  order_events: 'order',
  position_snapshots: 'position',
  balances: 'balance',
  cash_flows: 'cash_flow',
  signals: 'signal',
  heartbeats: 'heartbeat',
  logs: 'log',
  bot_metrics: 'metric',
} as const;
export type FactTableName = keyof typeof FACT_TABLES;
export const FACT_TABLE_NAMES = Object.keys(FACT_TABLES) as FactTableName[];

type Row = Record<string, unknown>;

const num = (v: unknown): number | undefined =>
  v === null || v === undefined ? undefined : Number(v);
/** Stored text columns come back as strings (numbers only from SQLite's integer affinity). */
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const str = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : text(v);
const json = (v: unknown): unknown =>
  v === null || v === undefined ? undefined : JSON.parse(text(v));

/** Drops undefined members so the event looks like one a client sent. */
function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The event's own fields (without account), rebuilt from a stored row. */
function fields(table: FactTableName, r: Row): Record<string, unknown> {
  switch (table) {
    case 'fills':
      return {
        symbol: r.symbol,
        side: r.side,
        qty: num(r.qty),
        price: num(r.price),
        fee: num(r.fee),
        fee_currency: str(r.fee_currency),
        strategy: str(r.strategy),
        order_id: str(r.order_id),
        tags: json(r.tags),
      };
    case 'order_events':
      return {
        order_id: r.order_id,
        symbol: r.symbol,
        side: r.side,
        qty: num(r.qty),
        order_type: r.order_type,
        limit_price: num(r.limit_price),
        stop_price: num(r.stop_price),
        status: r.status,
        reason: str(r.reason),
        strategy: str(r.strategy),
      };
    case 'position_snapshots':
      return { symbol: r.symbol, qty: num(r.qty), avg_price: num(r.avg_price) };
    case 'balances':
      return {
        cash: num(r.cash),
        equity: num(r.equity),
        buying_power: num(r.buying_power),
        currency: str(r.currency),
      };
    case 'cash_flows':
      return { amount: num(r.amount), kind: r.kind, note: str(r.note) };
    case 'signals':
      return {
        strategy: str(r.strategy),
        symbol: r.symbol,
        direction: r.direction,
        strength: num(r.strength),
        note: str(r.note),
      };
    case 'heartbeats':
      return {
        interval_s: num(r.interval_s),
        status: str(r.status),
        version: str(r.version),
        connections: json(r.connections),
      };
    case 'logs':
      return { level: r.level, message: r.message, context: json(r.context) };
    case 'bot_metrics':
      return { name: r.name, value: num(r.value), labels: json(r.labels) };
  }
}

const HAS_ACCOUNT = new Set<FactTableName>([
  'fills',
  'order_events',
  'position_snapshots',
  'balances',
  'cash_flows',
]);

export interface RebuiltEvent {
  event: IngestEvent;
  /** True when the event hashes exactly as the stored one (idempotent against the source). */
  exact: boolean;
}

/**
 * Rebuilds the ingest event a stored fact came from. The stored hash is the hash of the
 * canonical event the client sent, so among the candidate shapes (with or without `account`,
 * with or without the client id) the one that hashes identically is the original; it is
 * chosen when the importing hub will resolve the account the same way (the bot's account, or
 * `default`). Otherwise the event carries its account and id explicitly: the same fact, with
 * a different hash.
 */
export function rebuildEvent(
  table: FactTableName,
  row: Row,
  botAccount: (bot: string) => string | null,
): RebuiltEvent {
  const type = FACT_TABLES[table];
  const base = { type, bot: row.bot, ts: Number(row.ts) };
  const own = fields(table, row);
  const id = String(row.id);
  const hash = String(row.hash);
  const derived = id === `h:${hash}`;
  const candidates: Record<string, unknown>[] = [];
  if (HAS_ACCOUNT.has(table)) {
    const account = String(row.account);
    if ((botAccount(String(row.bot)) ?? DEFAULT_ACCOUNT) === account)
      candidates.push(clean({ ...base, ...own }));
    candidates.push(clean({ ...base, ...own, account }));
  } else {
    candidates.push(clean({ ...base, ...own }));
  }
  for (const c of candidates) {
    const parsed = ingestEvent.safeParse(derived ? c : { ...c, id });
    if (parsed.success && contentHash(parsed.data) === hash)
      return { event: parsed.data, exact: true };
  }
  const last = candidates[candidates.length - 1]!;
  return { event: ingestEvent.parse({ ...last, id }), exact: false };
}
