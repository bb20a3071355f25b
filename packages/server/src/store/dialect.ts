import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Everything that differs between SQLite and PostgreSQL lives in this file; the rest of the
 * code base writes one body of Kysely queries for both.
 */
export type DialectName = 'sqlite' | 'postgres';

/** Adds an auto-incrementing integer primary key named `name`. */
export function addAutoIdColumn<T extends string, C extends string>(
  dialect: DialectName,
  table: CreateTableBuilder<T, C>,
  name: string,
): CreateTableBuilder<T, C> {
  return dialect === 'sqlite'
    ? table.addColumn(name, 'integer', (c: ColumnDefinitionBuilder) =>
        c.primaryKey().autoIncrement(),
      )
    : table.addColumn(name, 'bigserial', (c: ColumnDefinitionBuilder) => c.primaryKey());
}

/** Column type for float values (never money). */
export const FLOAT = 'double precision' as const;

/** Largest number of bound parameters we put in one statement. */
export function maxParams(dialect: DialectName): number {
  // SQLite ≥3.32 allows 32766; PostgreSQL's wire protocol allows 65535.
  return dialect === 'sqlite' ? 30_000 : 60_000;
}

/** Case-insensitive substring match (`LIKE` is case-insensitive for ASCII on SQLite, not on PG). */
export function ilike(dialect: DialectName) {
  return dialect === 'sqlite' ? ('like' as const) : ('ilike' as const);
}

/** Asks the database to make its WAL durable and small before a clean shutdown. */
export async function checkpoint<DB>(dialect: DialectName, db: Kysely<DB>): Promise<void> {
  if (dialect === 'sqlite') await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
}
