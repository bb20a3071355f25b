import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/index.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The money columns of the equity point in force at an instant (the last one before it). */
export interface SnapshotRow {
  equity: string;
  realized_net: string;
  unrealized: string;
  cash_flows: string;
}

/** The columns of a closed round trip that performance reads. */
export interface ClosedTradeRow {
  id: string;
  account: string;
  bot: string;
  strategy: string | null;
  symbol: string;
  direction: string;
  exit_ts: number;
  net: string;
  net_f: number;
  return_pct: number | null;
  duration_ms: number | null;
  fill_count: number;
}

/** A cheap summary of the closed trades, to tell whether a cached copy is still current. */
export interface TradesFingerprint {
  count: number;
  /** Σ exit_ts, Σ fill_count (exact integers) and Σ net_f. */
  exitSum: bigint;
  fillSum: number;
  netSum: number;
  maxExit: number | null;
}

/** Boundaries per statement: two parameters each, well under both databases' limits. */
const BOUNDARY_CHUNK = 4_000;

/**
 * Read-side SQL of the performance module. Everything here is one body of portable SQL: the
 * "value at an instant" lookups use a VALUES list of instants and a correlated scalar
 * `ORDER BY … DESC LIMIT 1` subquery, which both SQLite and PostgreSQL answer with one index
 * seek per instant on the (scope, ts) and (symbol, minute) primary keys.
 */
export class PerformanceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Runs `fn` on one consistent snapshot of the database (repeatable read on PostgreSQL). */
  snapshot<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.db.transaction().setIsolationLevel('repeatable read').execute(fn);
  }

  /** Time of a scope's first equity point (its first activity), or null. */
  async firstPointTs(scope: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('equity_points')
      .select((eb) => eb.fn.min('ts').as('ts'))
      .where('scope', '=', scope)
      .executeTakeFirst();
    return row?.ts === null || row?.ts === undefined ? null : Number(row.ts);
  }

  /** For each instant, the scope's last equity point strictly before it (null before the first). */
  async snapshotsAt(scope: string, instants: readonly number[]): Promise<(SnapshotRow | null)[]> {
    const out: (SnapshotRow | null)[] = new Array<SnapshotRow | null>(instants.length).fill(null);
    for (let s = 0; s < instants.length; s += BOUNDARY_CHUNK) {
      const part = instants.slice(s, s + BOUNDARY_CHUNK);
      // One scalar subquery per instant, the point's four money columns joined by spaces: a
      // scalar subquery is one index seek on both databases, where a join on the point's key
      // let PostgreSQL's planner pick a hash join over every point of the scope.
      const rows = await sql<{ i: number; v: string | null }>`
        WITH b(i, e) AS (VALUES ${valuesOf(part, s)})
        SELECT b.i AS i, (
          SELECT q.equity || ' ' || q.realized_net || ' ' || q.unrealized || ' ' || q.cash_flows
          FROM equity_points q
          WHERE q.scope = ${scope} AND q.ts < b.e
          ORDER BY q.ts DESC LIMIT 1) AS v
        FROM b
      `.execute(this.db);
      for (const r of rows.rows) {
        if (r.v === null) continue;
        const [equity, realized_net, unrealized, cash_flows] = r.v.split(' ') as [
          string,
          string,
          string,
          string,
        ];
        out[Number(r.i)] = { equity, realized_net, unrealized, cash_flows };
      }
    }
    return out;
  }

  /** For each instant, the close of the symbol's last one-minute bar before it (null if none). */
  async closesAt(symbol: string, instants: readonly number[]): Promise<(string | null)[]> {
    const out: (string | null)[] = new Array<string | null>(instants.length).fill(null);
    for (let s = 0; s < instants.length; s += BOUNDARY_CHUNK) {
      const part = instants.slice(s, s + BOUNDARY_CHUNK);
      const rows = await sql<{ i: number; close: string | null }>`
        WITH b(i, e) AS (VALUES ${valuesOf(part, s)})
        SELECT b.i AS i, (
          SELECT q.close FROM mark_bars q
          WHERE q.symbol = ${symbol} AND q.minute < b.e
          ORDER BY q.minute DESC LIMIT 1) AS close
        FROM b
      `.execute(this.db);
      for (const r of rows.rows) out[Number(r.i)] = r.close;
    }
    return out;
  }

  async hasBars(symbol: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('mark_bars')
      .select('minute')
      .where('symbol', '=', symbol)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The ingest counter: every batch, bot setting and repair moves it. */
  async ingestVersion(db: Db): Promise<number | null> {
    const row = await db
      .selectFrom('counters')
      .select('value')
      .where('name', '=', 'ingest')
      .executeTakeFirst();
    return row === undefined ? null : Number(row.value);
  }

  /** Count and sums over the closed trades with exit_ts ≥ `from` (all when null). */
  async tradesFingerprint(db: Db, from: number | null = null): Promise<TradesFingerprint> {
    let q = db
      .selectFrom('trades')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('n'),
        // Σ exit_ts passes 2^53 beyond ~5,000 trades, where SQLite hands back a rounded
        // double: sum it in two halves that stay exact (integer division truncates in both).
        sql<number | string | null>`SUM(exit_ts / 1000000)`.as('exit_high'),
        sql<number | string | null>`SUM(exit_ts % 1000000)`.as('exit_low'),
        eb.fn.sum<number | string | null>('fill_count').as('fill_sum'),
        eb.fn.sum<number | string | null>('net_f').as('net_sum'),
        eb.fn.max<number | string | null>('exit_ts').as('max_exit'),
      ])
      .where('status', '=', 'closed');
    if (from !== null) q = q.where('exit_ts', '>=', from);
    const row = await q.executeTakeFirstOrThrow();
    return {
      count: Number(row.n),
      // PostgreSQL answers SUM(bigint) as numeric text; both halves are exact integers.
      exitSum: BigInt(Number(row.exit_high ?? 0)) * 1_000_000n + BigInt(Number(row.exit_low ?? 0)),
      fillSum: row.fill_sum === null ? 0 : Number(row.fill_sum),
      netSum: row.net_sum === null ? 0 : Number(row.net_sum),
      maxExit: row.max_exit === null ? null : Number(row.max_exit),
    };
  }

  /** Closed trades with exit_ts ≥ `from` in pages of `limit`, by (exit_ts, id), after `after`. */
  async closedTrades(
    db: Db,
    from: number | null,
    after: { exitTs: number; id: string } | null,
    limit: number,
  ): Promise<ClosedTradeRow[]> {
    let q = db
      .selectFrom('trades')
      .select([
        'id',
        'account',
        'bot',
        'strategy',
        'symbol',
        'direction',
        'exit_ts',
        'net',
        'net_f',
        'return_pct',
        'duration_ms',
        'fill_count',
      ])
      .where('status', '=', 'closed');
    if (from !== null) q = q.where('exit_ts', '>=', from);
    if (after) {
      const { exitTs, id } = after;
      q = q.where((eb) =>
        eb.or([
          eb('exit_ts', '>', exitTs),
          eb.and([eb('exit_ts', '=', exitTs), eb('id', '>', id)]),
        ]),
      );
    }
    const rows = await q.orderBy('exit_ts').orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ ...r, exit_ts: Number(r.exit_ts) }));
  }
}

/** The trades table's columns a report lists. */
export type TradeListRow = Pick<
  Database['trades'],
  | 'id'
  | 'account'
  | 'bot'
  | 'strategy'
  | 'symbol'
  | 'direction'
  | 'qty'
  | 'entry_ts'
  | 'exit_ts'
  | 'entry_value'
  | 'exit_qty'
  | 'exit_value'
  | 'gross'
  | 'fees'
  | 'net'
  | 'return_pct'
  | 'duration_ms'
  | 'fill_count'
>;

/** Pages of the closed trades of a scope that closed in [from, to), by (exit_ts, id). */
export async function* tradeList(
  db: Kysely<Database>,
  scope: string,
  from: number,
  to: number,
  page = 5_000,
): AsyncGenerator<TradeListRow[]> {
  let after: { exitTs: number; id: string } | null = null;
  for (;;) {
    let q = db
      .selectFrom('trades')
      .select([
        'id',
        'account',
        'bot',
        'strategy',
        'symbol',
        'direction',
        'qty',
        'entry_ts',
        'exit_ts',
        'entry_value',
        'exit_qty',
        'exit_value',
        'gross',
        'fees',
        'net',
        'return_pct',
        'duration_ms',
        'fill_count',
      ])
      .where('status', '=', 'closed')
      .where('exit_ts', '>=', from)
      .where('exit_ts', '<', to);
    if (scope.startsWith('account:')) q = q.where('account', '=', scope.slice('account:'.length));
    if (scope.startsWith('bot:')) q = q.where('bot', '=', scope.slice('bot:'.length));
    if (after) {
      const { exitTs, id } = after;
      q = q.where((eb) =>
        eb.or([
          eb('exit_ts', '>', exitTs),
          eb.and([eb('exit_ts', '=', exitTs), eb('id', '>', id)]),
        ]),
      );
    }
    const rows = await q.orderBy('exit_ts').orderBy('id').limit(page).execute();
    if (rows.length > 0) yield rows;
    if (rows.length < page) return;
    const last = rows[rows.length - 1]!;
    after = { exitTs: Number(last.exit_ts), id: last.id };
  }
}

function valuesOf(instants: readonly number[], offset: number) {
  // PostgreSQL types VALUES parameters as text unless told; SQLite ignores the casts' names.
  return sql.join(
    instants.map((e, j) => sql`(CAST(${offset + j} AS INTEGER), CAST(${e} AS BIGINT))`),
  );
}
