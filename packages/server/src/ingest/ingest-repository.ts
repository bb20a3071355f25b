import type SqliteDatabase from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import { BulkWriter, IdLookup, type FactTableName } from '../store/bulk.js';
import type { DialectName } from '../store/dialect.js';
import type { Database } from '../store/index.js';

export type Trx = Transaction<Database> | Kysely<Database>;

/** Tables that hold client facts with (bot, id) identity. */
export type FactTable = FactTableName;

/** All SQL of the ingest path. */
export class IngestRepository {
  private readonly bulk: BulkWriter;

  constructor(
    private readonly dialect: DialectName,
    sqlite: SqliteDatabase.Database | null = null,
  ) {
    this.bulk = new BulkWriter(dialect, sqlite);
    this.ids = new IdLookup(dialect, sqlite);
  }

  private readonly ids: IdLookup;

  /**
   * Takes `n` sequence numbers from the ingest counter and returns the counter's new value.
   * On PostgreSQL the row lock serialises ingest transactions across hub instances, which is
   * what keeps ledger state consistent when several instances share one database.
   */
  async bumpCounter(trx: Trx, n: number): Promise<number> {
    const row = await trx
      .updateTable('counters')
      .set((eb) => ({ value: eb('value', '+', n) }))
      .where('name', '=', 'ingest')
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  }

  /** Existing (bot, id) → hash for the given ids of one fact table. */
  async existingHashes(
    trx: Trx,
    table: FactTable,
    bot: string,
    ids: string[],
  ): Promise<Map<string, string>> {
    return this.ids.hashes(trx, table, bot, ids);
  }

  /** Multi-row insert (see store/bulk.ts for how each dialect does it). */
  async insertRows<T extends keyof Database>(
    trx: Trx,
    table: T,
    rows: Database[T][],
  ): Promise<void> {
    await this.bulk.insert(trx, table, rows);
  }

  /** Insert-or-replace by key columns (every other column is overwritten). */
  async upsertRows<T extends keyof Database>(
    trx: Trx,
    table: T,
    rows: Database[T][],
    keyColumns: string[],
  ): Promise<void> {
    await this.bulk.upsert(trx, table, rows, keyColumns);
  }

  async fillsOfKeyAfter(
    trx: Trx,
    key: { account: string; bot: string; symbol: string },
    after: { ts: number; seq: number } | null,
  ) {
    let q = trx
      .selectFrom('fills')
      .selectAll()
      .where('account', '=', key.account)
      .where('bot', '=', key.bot)
      .where('symbol', '=', key.symbol);
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('ts', '>', after.ts),
          eb.and([eb('ts', '=', after.ts), eb('seq', '>', after.seq)]),
        ]),
      );
    }
    return q.orderBy('ts').orderBy('seq').execute();
  }

  /** The last fill of a key, strictly before (ts, seq), after which the key was flat. */
  async lastFlatPointBefore(
    trx: Trx,
    key: { account: string; bot: string; symbol: string },
    before: { ts: number; seq: number },
  ): Promise<{ ts: number; seq: number; price: string } | null> {
    const row = await trx
      .selectFrom('fills')
      .select(['ts', 'seq', 'price'])
      .where('account', '=', key.account)
      .where('bot', '=', key.bot)
      .where('symbol', '=', key.symbol)
      .where('position_after', '=', '0')
      .where((eb) =>
        eb.or([
          eb('ts', '<', before.ts),
          eb.and([eb('ts', '=', before.ts), eb('seq', '<', before.seq)]),
        ]),
      )
      .orderBy('ts', 'desc')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ?? null;
  }

  async tradesByIds(trx: Trx, ids: string[]) {
    if (ids.length === 0) return [];
    return trx.selectFrom('trades').selectAll().where('id', 'in', ids).execute();
  }

  async deleteTrades(trx: Trx, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await trx.deleteFrom('trades').where('id', 'in', ids).execute();
  }

  async updateFillEffects(
    trx: Trx,
    rows: {
      seq: number;
      realized_gross: string;
      realized_net: string;
      fee_charged: string;
      position_after: string;
      trade_id: string | null;
      next_trade_id: string | null;
    }[],
  ): Promise<void> {
    for (const r of rows) {
      const { seq, ...set } = r;
      await trx.updateTable('fills').set(set).where('seq', '=', seq).execute();
    }
  }

  async ordersByIds(trx: Trx, bot: string, orderIds: string[]) {
    if (orderIds.length === 0) return [];
    return trx
      .selectFrom('orders')
      .selectAll()
      .where('bot', '=', bot)
      .where('order_id', 'in', orderIds)
      .execute();
  }

  async fillsOfOrders(trx: Trx, bot: string, orderIds: string[]) {
    if (orderIds.length === 0) return [];
    return trx
      .selectFrom('fills')
      .select(['order_id', 'qty', 'price', 'ts', 'seq'])
      .where('bot', '=', bot)
      .where('order_id', 'in', orderIds)
      .execute();
  }

  async barsFrom(trx: Trx, symbols: string[], fromMinute: number) {
    if (symbols.length === 0) return [];
    return trx
      .selectFrom('mark_bars')
      .select(['symbol', 'minute', 'high', 'low'])
      .where('symbol', 'in', symbols)
      .where('minute', '>=', fromMinute)
      .execute();
  }

  async barsAt(trx: Trx, pairs: { symbol: string; minute: number }[]) {
    if (pairs.length === 0) return [];
    const symbols = [...new Set(pairs.map((p) => p.symbol))];
    const minutes = [...new Set(pairs.map((p) => p.minute))];
    return trx
      .selectFrom('mark_bars')
      .selectAll()
      .where('symbol', 'in', symbols)
      .where('minute', 'in', minutes)
      .execute();
  }

  /** Closed trips of these symbols whose exit minute is at or after `fromMinute`. */
  async closedTripsCovering(trx: Trx, symbols: string[], fromMinute: number) {
    if (symbols.length === 0) return [];
    return trx
      .selectFrom('trades')
      .selectAll()
      .where('symbol', 'in', symbols)
      .where('exit_minute', '>=', fromMinute)
      .execute();
  }

  async dailyRows(trx: Trx, scopes: string[], dates: string[]) {
    if (scopes.length === 0 || dates.length === 0) return [];
    return trx
      .selectFrom('daily_summaries')
      .selectAll()
      .where('scope', 'in', scopes)
      .where('date', 'in', dates)
      .execute();
  }

  /** The most recent daily row of each scope strictly before `date`. */
  async previousDailyEnd(trx: Trx, scope: string, date: string) {
    return trx
      .selectFrom('daily_summaries')
      .select(['end_equity'])
      .where('scope', '=', scope)
      .where('date', '<', date)
      .orderBy('date', 'desc')
      .limit(1)
      .executeTakeFirst();
  }
}
