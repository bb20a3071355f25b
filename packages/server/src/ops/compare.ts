import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { TradewatchConfig } from '../config/index.js';
import { ingestSettings } from '../ingest/index.js';
import { loadPortfolioState, PortfolioHolder } from '../portfolio/index.js';
import { QueryService } from '../query/query-service.js';
import type { Store } from '../store/index.js';
import { ManualClock } from '../time/index.js';
import { FACT_TABLE_NAMES } from './facts.js';
import { pgTables } from './pg-snapshot.js';

/**
 * What "the same hub" means after moving stores. Facts: every row, by (bot, id), all columns
 * but the arrival-specific ones (seq, received_at, hash). Projections rebuilt on import: the
 * trades table, ledger positions, orders, marks and bars column for column (but seq
 * references). Daily summaries: the trade and cash-flow figures. The portfolio as the API
 * answers it at one instant. Equity points and peaks are snapshots taken per ingested batch,
 * so their number depends on batching and they are not compared.
 */
interface TableRule {
  order: string[];
  ignore: string[];
  /** Normalises a row before it is compared. */
  map?: (row: Record<string, unknown>) => Record<string, unknown>;
  where?: (row: Record<string, unknown>) => boolean;
}

const FACT_RULE: TableRule = { order: ['bot', 'id'], ignore: ['seq', 'received_at', 'hash'] };

const RULES: Record<string, TableRule> = {
  ...Object.fromEntries(FACT_TABLE_NAMES.map((t) => [t, FACT_RULE])),
  trades: { order: ['id'], ignore: [] },
  ledger_positions: {
    order: ['account', 'bot', 'symbol'],
    ignore: ['last_seq', 'updated_at'],
    map: (r) => ({
      ...r,
      lots: JSON.stringify(
        (JSON.parse(String(r.lots)) as unknown[][]).map((l) => l.filter((_, i) => i !== 1)),
      ),
    }),
  },
  orders: { order: ['bot', 'order_id'], ignore: ['status_seq'] },
  marks: { order: ['symbol'], ignore: ['received_at'] },
  mark_bars: { order: ['symbol', 'minute'], ignore: ['count'] },
  daily_summaries: {
    order: ['scope', 'date'],
    ignore: ['start_equity', 'end_equity', 'updated_at'],
    where: (r) => Number(r.trades) !== 0 || String(r.cash_flows) !== '0',
  },
  accounts: { order: ['id'], ignore: [] },
  bots: { order: ['id'], ignore: [] },
  tokens: { order: ['id'], ignore: [] },
  trade_notes: { order: ['trade_id'], ignore: [] },
  audit_log: { order: ['id'], ignore: [] },
};

/** Tables that are per-batch snapshots or bookkeeping: not compared. */
const NOT_COMPARED = new Set([
  'equity_points',
  'scope_peaks',
  'counters',
  'kysely_migration',
  'kysely_migration_lock',
]);

export interface StoreComparison {
  ok: boolean;
  /** Human sentences, one per difference found (empty when identical). */
  differences: string[];
  /** Rows compared per table. */
  rows: Record<string, number>;
  portfolio: { equity: number; realized_net: number; unrealized: number; total_pnl: number } | null;
}

export async function listTables(store: Store): Promise<string[]> {
  const db = store.db as unknown as Kysely<unknown>;
  if (store.dialect === 'postgres') return pgTables(db);
  return (
    await sql<{
      name: string;
    }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(
      db,
    )
  ).rows.map((r) => r.name);
}

/** Values as comparable text: numbers and numeric strings of the two dialects print alike. */
function canon(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'bigint') return `n:${String(Number(v))}`;
  if (typeof v === 'boolean') return `n:${v ? 1 : 0}`;
  return `s:${typeof v === 'string' ? v : JSON.stringify(v)}`;
}

type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

/**
 * Every row of a table as (key, canonical text), in the database's own key order (keyset
 * pages over the primary key: the two dialects sort text differently, so rows are never
 * compared by position).
 */
async function* rowsOf(
  store: Store,
  table: string,
  rule: TableRule,
): AsyncGenerator<[string, string]> {
  const db = store.db as unknown as AnyDb;
  const page = 5_000;
  let after: unknown[] | null = null;
  for (;;) {
    let q = db.selectFrom(table).selectAll();
    if (rule.order.length > 0) {
      for (const c of rule.order) q = q.orderBy(c);
      if (after) {
        const last: unknown[] = after;
        q = q.where(
          () =>
            sql<boolean>`(${sql.join(rule.order.map((c) => sql.ref(c)))}) > (${sql.join(last.map((v) => sql`${v}`))})`,
        );
      }
      q = q.limit(page);
    }
    const rows = await q.execute();
    for (const raw of rows) {
      const row = rule.map ? rule.map(raw) : raw;
      if (rule.where && !rule.where(row)) continue;
      const text = Object.keys(row)
        .filter((k) => !rule.ignore.includes(k))
        .sort()
        .map((k) => `${k}=${canon(row[k])}`)
        .join('|');
      const key = rule.order.length > 0 ? rule.order.map((c) => canon(raw[c])).join('|') : text;
      yield [key, text];
    }
    if (rule.order.length === 0 || rows.length < page) return;
    const last = rows[rows.length - 1]!;
    after = rule.order.map((c) => last[c]);
  }
}

const BUCKETS = 256;
const MASK = (1n << 128n) - 1n;

function sha(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Per key-bucket sums of row hashes: equal sums mean equal multisets of rows. */
async function digest(
  store: Store,
  table: string,
  rule: TableRule,
): Promise<{ n: number; sums: bigint[] }> {
  const sums = new Array<bigint>(BUCKETS).fill(0n);
  let n = 0;
  for await (const [key, text] of rowsOf(store, table, rule)) {
    const bucket = sha(key)[0]!;
    sums[bucket] =
      (sums[bucket]! + BigInt(`0x${sha(text).subarray(0, 16).toString('hex')}`)) & MASK;
    n++;
  }
  return { n, sums };
}

async function bucketRows(store: Store, table: string, rule: TableRule, buckets: Set<number>) {
  const rows = new Map<string, string>();
  for await (const [key, text] of rowsOf(store, table, rule)) {
    if (buckets.has(sha(key)[0]!)) rows.set(key, text);
  }
  return rows;
}

async function compareTable(
  a: Store,
  b: Store,
  table: string,
  rule: TableRule,
): Promise<{ n: number; diff: string | null }> {
  const [da, db] = await Promise.all([digest(a, table, rule), digest(b, table, rule)]);
  const differing = new Set<number>();
  da.sums.forEach((s, i) => {
    if (s !== db.sums[i]) differing.add(i);
  });
  if (differing.size === 0 && da.n === db.n) return { n: da.n, diff: null };
  // Find a few concrete rows in the differing buckets.
  const few = new Set([...differing].slice(0, 4));
  const [ra, rb] = await Promise.all([
    bucketRows(a, table, rule, few),
    bucketRows(b, table, rule, few),
  ]);
  const found: string[] = [];
  for (const [key, text] of ra) {
    if (found.length >= 3) break;
    const other = rb.get(key);
    if (other === undefined) found.push(`row ${key} is missing in the target`);
    else if (other !== text) {
      const fb = new Map(other.split('|').map((f) => [f.split('=')[0], f]));
      const fields = text
        .split('|')
        .filter((f) => fb.get(f.split('=')[0]) !== f)
        .slice(0, 4);
      found.push(
        `row ${key}: source ${fields.join(', ')}; target ${fields.map((f) => fb.get(f.split('=')[0]) ?? '(none)').join(', ')}`,
      );
    }
  }
  for (const key of rb.keys()) {
    if (found.length >= 3) break;
    if (!ra.has(key)) found.push(`row ${key} is only in the target`);
  }
  return {
    n: da.n,
    diff: `${table} differs (${da.n} rows in the source, ${db.n} in the target): ${found.join('; ') || 'row content'}`,
  };
}

async function portfolioOf(store: Store, config: TradewatchConfig, now: number) {
  const holder = new PortfolioHolder();
  await loadPortfolioState(store.db, holder.current);
  const settings = ingestSettings(config);
  const query = new QueryService(
    store,
    holder,
    {
      timezone: config.timezone,
      baseCurrency: config.base_currency,
      currencyDecimals: config.currency_decimals,
      defaultHeartbeatIntervalS: config.default_heartbeat_interval_s,
      multiplier: (symbol: string) => settings.multiplier(symbol),
    },
    new ManualClock(now),
  );
  return query.portfolio();
}

/** Compares two stores table by table and by the portfolio figures (see the rules above). */
/** The tables an import rebuilds from the facts (plus the facts). */
export const FACTS_AND_PROJECTIONS = [
  ...FACT_TABLE_NAMES,
  'trades',
  'ledger_positions',
  'orders',
  'marks',
  'mark_bars',
  'daily_summaries',
];

export async function compareStores(
  source: Store,
  target: Store,
  config: TradewatchConfig,
  now: number,
  options: {
    /** Every column of every table (a restored backup). */
    exact?: boolean;
    /** These tables every column, the rest by their rules. */
    exactTables?: string[];
    skip?: string[];
    only?: string[];
    /** Compare the portfolio answer too (default true). */
    portfolio?: boolean;
  } = {},
): Promise<StoreComparison> {
  const differences: string[] = [];
  const rows: Record<string, number> = {};
  const tablesA = await listTables(source);
  const tablesB = new Set(await listTables(target));
  for (const t of tablesA) {
    const exact = options.exact === true || (options.exactTables?.includes(t) ?? false);
    if (NOT_COMPARED.has(t) && !(exact && !t.startsWith('kysely_'))) continue;
    if (options.skip?.includes(t)) continue;
    if (options.only && !options.only.includes(t)) continue;
    if (!tablesB.has(t)) {
      differences.push(`table ${t} is missing in the target`);
      continue;
    }
    const known = RULES[t];
    // Exact: a restored backup must equal its source in every column of every row.
    const rule = exact ? { order: known?.order ?? [], ignore: [] } : (known ?? genericRule());
    const r = await compareTable(source, target, t, rule);
    rows[t] = r.n;
    if (r.diff) differences.push(r.diff);
  }
  let figures: StoreComparison['portfolio'] = null;
  if (options.portfolio !== false) {
    const pa = await portfolioOf(source, config, now);
    const pb = await portfolioOf(target, config, now);
    if (JSON.stringify(pa) !== JSON.stringify(pb)) {
      const keys = Object.keys(pa) as (keyof typeof pa)[];
      const which = keys.filter((k) => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]));
      differences.push(`the portfolio differs in ${which.join(', ')}`);
    }
    figures = {
      equity: pa.equity,
      realized_net: pa.realized_net,
      unrealized: pa.unrealized,
      total_pnl: pa.total_pnl,
    };
  }
  return { ok: differences.length === 0, differences, rows, portfolio: figures };
}

/** Other modules' tables: every column, read whole (they are small), compared as a multiset. */
function genericRule(): TableRule {
  return { order: [], ignore: [] };
}
