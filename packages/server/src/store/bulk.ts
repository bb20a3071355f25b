import type SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import { maxParams, type DialectName } from './dialect.js';
import type { Database } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;
type Row = Record<string, string | number | null>;

/**
 * Bulk inserts and upserts for the ingest hot path. On SQLite a cached single-row prepared
 * statement runs once per row inside the open transaction (better-sqlite3 binds positionally
 * with no SQL compilation), which is several times faster than building a multi-row statement
 * per batch; on PostgreSQL, where every statement is a network round trip, rows go in
 * multi-row statements. Both produce the same rows.
 */
export class BulkWriter {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  constructor(
    private readonly dialect: DialectName,
    private readonly sqlite: SqliteDatabase.Database | null,
  ) {}

  async insert<T extends keyof Database>(
    trx: Executor,
    table: T,
    rows: Database[T][],
  ): Promise<void> {
    if (rows.length === 0) return;
    if (this.sqlite) return this.runSqlite(table, rows as unknown as Row[], null);
    const columns = Object.keys(rows[0] as object).length;
    const perChunk = Math.max(1, Math.floor(maxParams(this.dialect) / columns));
    for (let i = 0; i < rows.length; i += perChunk) {
      await trx
        .insertInto(table)
        .values(rows.slice(i, i + perChunk) as never)
        .execute();
    }
  }

  /** Insert or overwrite every non-key column, by the given key columns. */
  async upsert<T extends keyof Database>(
    trx: Executor,
    table: T,
    rows: Database[T][],
    keyColumns: string[],
  ): Promise<void> {
    if (rows.length === 0) return;
    if (this.sqlite) return this.runSqlite(table, rows as unknown as Row[], keyColumns);
    const columns = Object.keys(rows[0] as object);
    const updateColumns = columns.filter((c) => !keyColumns.includes(c));
    const perChunk = Math.max(1, Math.floor(maxParams(this.dialect) / columns.length));
    // PostgreSQL refuses one statement touching the same key twice: keep the last row per key.
    const unique = lastPerKey(rows as unknown as Row[], keyColumns);
    for (let i = 0; i < unique.length; i += perChunk) {
      await trx
        .insertInto(table)
        .values(unique.slice(i, i + perChunk) as never)
        .onConflict((oc) =>
          oc
            .columns(keyColumns as never)
            .doUpdateSet(
              Object.fromEntries(updateColumns.map((c) => [c, sql.ref(`excluded.${c}`)])) as never,
            ),
        )
        .execute();
    }
  }

  private runSqlite(table: string, rows: Row[], keyColumns: string[] | null): void {
    const db = this.sqlite!;
    if (!db.inTransaction) throw new Error('bulk writes must run inside a transaction');
    const columns = Object.keys(rows[0]!);
    const cacheKey = `${table}|${keyColumns?.join(',') ?? ''}|${columns.join(',')}`;
    let stmt = this.statements.get(cacheKey);
    if (!stmt) {
      const quoted = columns.map((c) => `"${c}"`);
      let text = `INSERT INTO "${table}" (${quoted.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      if (keyColumns) {
        const updates = columns
          .filter((c) => !keyColumns.includes(c))
          .map((c) => `"${c}" = excluded."${c}"`);
        text += ` ON CONFLICT (${keyColumns.map((c) => `"${c}"`).join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
      }
      stmt = db.prepare(text);
      this.statements.set(cacheKey, stmt);
    }
    const n = columns.length;
    const values = new Array<string | number | null>(n);
    for (const row of rows) {
      for (let i = 0; i < n; i++) values[i] = row[columns[i]!] ?? null;
      stmt.run(values);
    }
  }
}

/** `SELECT id, hash FROM <fact table> WHERE bot = ? AND id IN (…)` for dedup, one statement per call. */
export class IdLookup {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  constructor(
    private readonly dialect: DialectName,
    private readonly sqlite: SqliteDatabase.Database | null,
  ) {}

  async hashes(
    trx: Executor,
    table: FactTableName,
    bot: string,
    ids: string[],
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (ids.length === 0) return out;
    if (this.sqlite) {
      // One cached statement whatever the number of ids: they travel as one JSON array.
      let stmt = this.statements.get(table);
      if (!stmt) {
        stmt = this.sqlite.prepare(
          `SELECT id, hash FROM "${table}" WHERE bot = ? AND id IN (SELECT value FROM json_each(?))`,
        );
        this.statements.set(table, stmt);
      }
      for (const r of stmt.all(bot, JSON.stringify(ids)) as { id: string; hash: string }[])
        out.set(r.id, r.hash);
      return out;
    }
    const rows = await sql<{
      id: string;
      hash: string;
    }>`select id, hash from ${sql.table(table)} where bot = ${bot} and id = any(${ids})`.execute(
      trx,
    );
    for (const r of rows.rows) out.set(r.id, r.hash);
    return out;
  }
}

export type FactTableName =
  | 'fills'
  | 'order_events'
  | 'position_snapshots'
  | 'balances'
  | 'cash_flows'
  | 'signals'
  | 'heartbeats'
  | 'logs'
  | 'bot_metrics';

function lastPerKey(rows: Row[], keyColumns: string[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const r of rows) byKey.set(keyColumns.map((k) => String(r[k])).join('\u0000'), r);
  return byKey.size === rows.length ? rows : [...byKey.values()];
}
