import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
  type LogEvent,
  type Migration,
  type MigrationResultSet,
} from 'kysely';
import pg from 'pg';
import type { DialectName } from './dialect.js';
import { coreMigrations, type MigrationSource } from './migrations/index.js';
import type { Database } from './schema.js';

/** BIGINT columns hold epoch-ms times and counters: well inside double precision. */
pg.types.setTypeParser(20, (v) => Number(v));

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** A loggable description of where the data lives (no credentials). */
  location: string;
  /** Underlying SQLite handle, for backup and pragmas (null on PostgreSQL). */
  sqlite: SqliteDatabase.Database | null;
  /** Observes every query Kysely runs (duration, errors) — the health module's DB metrics. */
  onQuery(listener: (event: LogEvent) => void): () => void;
  close(): Promise<void>;
}

function queryListeners() {
  const listeners = new Set<(event: LogEvent) => void>();
  return {
    log: (event: LogEvent) => {
      for (const l of listeners) l(event);
    },
    onQuery: (listener: (event: LogEvent) => void) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

export interface OpenStoreOptions {
  /** SQLite fsync policy for commits. */
  sqliteSynchronous?: 'full' | 'normal';
  /** PostgreSQL pool size. */
  poolSize?: number;
  readonly?: boolean;
}

export class StoreUrlError extends Error {
  override name = 'StoreUrlError';
}

/** Opens `sqlite:PATH` or `postgres://…` (credentials never appear in errors or `location`). */
export function openStore(url: string, options: OpenStoreOptions = {}): Store {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
    return openPostgres(url, options);
  throw new StoreUrlError('database url must start with sqlite: or postgres://');
}

function openSqlite(file: string, options: OpenStoreOptions): Store {
  if (file === '')
    throw new StoreUrlError('sqlite: url needs a path, e.g. sqlite:./data/tradewatch.db');
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SqliteDatabase(file, { readonly: options.readonly ?? false });
  if (!options.readonly) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${(options.sqliteSynchronous ?? 'full').toUpperCase()}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A larger page cache and memory-mapped reads keep hot indexes in memory.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('mmap_size = 268435456');
  sqlite.pragma('temp_store = MEMORY');
  const hooks = queryListeners();
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: hooks.log,
  });
  return {
    db,
    dialect: 'sqlite',
    location: `sqlite:${file}`,
    sqlite,
    onQuery: hooks.onQuery,
    async close() {
      await db.destroy();
    },
  };
}

function openPostgres(url: string, options: OpenStoreOptions): Store {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const hooks = queryListeners();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: hooks.log });
  let location: string;
  try {
    const u = new URL(url);
    location = `postgres://${u.host}${u.pathname}`;
  } catch {
    throw new StoreUrlError('database url is not a valid postgres:// URL');
  }
  return {
    db,
    dialect: 'postgres',
    location,
    sqlite: null,
    onQuery: hooks.onQuery,
    async close() {
      await db.destroy();
    },
  };
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

async function migrator(store: Store, extra: MigrationSource[]): Promise<Migrator> {
  // On PostgreSQL the migration tables live in the schema the connection works in (its
  // search_path), not necessarily `public`.
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]
          ?.schema
      : undefined;
  return new Migrator({
    db: store.db,
    ...(schema ? { migrationTableSchema: schema } : {}),
    provider: {
      getMigrations: async () =>
        Object.assign(
          {},
          coreMigrations(store.dialect),
          ...extra.map((m) => m(store.dialect)),
        ) as Record<string, Migration>,
    },
    // Modules are developed independently; a module's migration may sort before one already applied.
    allowUnorderedMigrations: true,
  });
}

/** Applies every pending migration (core, then modules'); throws with the failing migration's name. */
export async function migrateToLatest(
  store: Store,
  extra: MigrationSource[] = [],
): Promise<string[]> {
  const m = await migrator(store, extra);
  const result: MigrationResultSet = await m.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${(result.error as Error).message}`,
    );
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations not yet applied (for readiness checks). */
export async function pendingMigrations(
  store: Store,
  extra: MigrationSource[] = [],
): Promise<string[]> {
  const all = await (await migrator(store, extra)).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
