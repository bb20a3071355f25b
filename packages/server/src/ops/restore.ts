import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { TradewatchConfig } from '../config/index.js';
import { maxParams, openStore, type Store } from '../store/index.js';
import { createBackup, defaultBackupDir, sqliteFileOf, type BackupResult } from './backup.js';
import { fsyncDir } from './files.js';
import { detectRunningHub } from './hub-lock.js';
import { ARCHIVE_FILES, type Manifest } from './manifest.js';
import { parseBackupName, type BackupName } from './names.js';
import { pgTables } from './pg-snapshot.js';
import { findExecutable, pgConnection, runTool } from './pg-tools.js';
import { silentProgress, type Progress } from './progress.js';
import { verifyArchive, VerifyError, type VerifiedArchive, type VerifyCheck } from './verify.js';

export class RestoreError extends Error {
  override name = 'RestoreError';
}

export interface BackupListing extends BackupName {
  file: string;
  size: number;
  hasChecksum: boolean;
}

/** Backups in a directory, newest first (only files named like backups). */
export async function listBackups(dir: string): Promise<BackupListing[]> {
  if (!existsSync(dir)) return [];
  const out: BackupListing[] = [];
  for (const entry of await readdir(dir)) {
    const parsed = parseBackupName(entry);
    if (!parsed) continue;
    const file = path.join(dir, entry);
    const s = await stat(file);
    if (!s.isFile()) continue;
    out.push({ ...parsed, file, size: s.size, hasChecksum: existsSync(`${file}.sha256`) });
  }
  return out.sort((a, b) => b.createdAt - a.createdAt || b.name.localeCompare(a.name));
}

export interface RestoreContext {
  config: TradewatchConfig;
  configFile: string | null;
  /** Migration names this version of tradewatch knows (a newer backup is refused). */
  knownMigrations: string[];
  now: number;
  /** Who restores (recorded in the audit log). */
  actor: string;
  progress?: Progress;
}

export interface TableChange {
  table: string;
  current: number | null;
  backup: number | null;
}

export interface DryRunResult {
  verified: VerifiedArchive;
  changes: TableChange[];
  currentMigrations: string[];
  notes: string[];
}

export interface RestoreResult {
  verified: VerifiedArchive;
  preRestore: BackupResult | null;
  checks: VerifyCheck[];
}

function workDirFor(config: TradewatchConfig): string {
  const file = sqliteFileOf(config.database.url!);
  // Extract next to the database so the final rename stays on one file system.
  return file ? path.dirname(file) : defaultBackupDir(config);
}

/** Verify only: nothing outside a temporary directory is touched. */
export async function verifyBackup(
  file: string,
  config: TradewatchConfig,
): Promise<VerifiedArchive> {
  const workDir = workDirFor(config);
  await mkdir(workDir, { recursive: true });
  return verifyArchive(path.resolve(file), { workDir, pgBinDir: config.backup.pg_bin_dir });
}

function checkCompatible(manifest: Manifest, ctx: RestoreContext): string[] {
  const url = ctx.config.database.url!;
  const dialect = url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
  if (manifest.dialect !== dialect) {
    throw new RestoreError(
      `this is a ${manifest.dialect} backup but the hub is configured for ${dialect}; restore it into a ${manifest.dialect} store and move it with "tradewatch migrate-store"`,
    );
  }
  const known = new Set(ctx.knownMigrations);
  const unknown = manifest.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new RestoreError(
      `the backup was made by a newer tradewatch (${manifest.tool_version}; unknown migrations ${unknown.join(', ')}); upgrade tradewatch before restoring it`,
    );
  }
  const notes: string[] = [];
  const pending = ctx.knownMigrations.filter((m) => !manifest.migrations.includes(m));
  if (pending.length > 0) {
    notes.push(`the next start applies ${pending.length} newer migration(s) to the restored data`);
  }
  return notes;
}

/** Opens the configured store without migrating it (null if there is no database yet). */
function openCurrent(config: TradewatchConfig): Store | null {
  const file = sqliteFileOf(config.database.url!);
  if (file && !existsSync(file)) return null;
  return openStore(config.database.url!, { sqliteSynchronous: config.database.sqlite_synchronous });
}

async function tableCounts(
  store: Store,
): Promise<{ counts: Record<string, number>; migrations: string[] }> {
  const db = store.db as unknown as Kysely<unknown>;
  const tables =
    store.dialect === 'sqlite'
      ? (
          await sql<{
            name: string;
          }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`.execute(
            db,
          )
        ).rows.map((r) => r.name)
      : await pgTables(db);
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const r = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(t)}`.execute(db);
    counts[t] = Number(r.rows[0]!.n);
  }
  const migrations = tables.includes('kysely_migration')
    ? (
        await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db)
      ).rows.map((r) => r.name)
    : [];
  return { counts, migrations };
}

/** What a restore would change, table by table; nothing is written. */
export async function dryRunRestore(file: string, ctx: RestoreContext): Promise<DryRunResult> {
  const verified = await verifyBackup(file, ctx.config);
  const notes = checkCompatible(verified.manifest, ctx);
  const store = openCurrent(ctx.config);
  let current: { counts: Record<string, number>; migrations: string[] } = {
    counts: {},
    migrations: [],
  };
  if (store) {
    try {
      current = await tableCounts(store);
    } finally {
      await store.close();
    }
  } else {
    notes.push('there is no database yet: the restore creates it');
  }
  const tables = [
    ...new Set([...Object.keys(current.counts), ...Object.keys(verified.manifest.tables)]),
  ].sort();
  const changes = tables.map((table) => ({
    table,
    current: current.counts[table] ?? null,
    backup: verified.manifest.tables[table] ?? null,
  }));
  const running = await detectRunningHub(ctx.config);
  if (running.running)
    notes.push(`the hub is running (${running.reason}): stop it before restoring`);
  return { verified, changes, currentMigrations: current.migrations, notes };
}

/**
 * Restores a backup: refuses while the hub runs (unless forced), verifies the whole archive
 * BEFORE touching anything, takes a pre-restore backup of the current data, swaps the data in
 * (an atomic rename on SQLite, one transaction on PostgreSQL), verifies the result against the
 * manifest and records the restore in the audit log.
 */
export async function restoreBackup(
  file: string,
  ctx: RestoreContext & { force: boolean },
): Promise<RestoreResult> {
  const progress = ctx.progress ?? silentProgress;
  const running = await detectRunningHub(ctx.config);
  if (running.running && !ctx.force) {
    throw new RestoreError(
      `the hub is running (${running.reason}); stop it first (systemctl stop tradewatch), or pass --force if you are sure it is not`,
    );
  }
  progress.phase('verify');
  const workDir = workDirFor(ctx.config);
  await mkdir(workDir, { recursive: true });
  const verified = await verifyArchive(path.resolve(file), {
    workDir,
    keep: true,
    pgBinDir: ctx.config.backup.pg_bin_dir,
  });
  const dir = verified.dir!;
  try {
    checkCompatible(verified.manifest, ctx);
    let preRestore: BackupResult | null = null;
    const current = openCurrent(ctx.config);
    if (current) {
      try {
        preRestore = await createBackup({
          store: current,
          config: ctx.config,
          configFile: ctx.configFile,
          outDir: defaultBackupDir(ctx.config),
          now: ctx.now,
          label: 'pre-restore',
          progress,
        });
      } finally {
        await current.close();
      }
    }
    progress.phase('restore');
    const m = verified.manifest;
    if (m.method === 'sqlite-backup') {
      await swapSqlite(
        path.join(dir, ARCHIVE_FILES.sqlite),
        sqliteFileOf(ctx.config.database.url!)!,
      );
    } else if (m.method === 'pg_dump') {
      await restorePgDump(path.join(dir, ARCHIVE_FILES.pgdump), m, ctx.config);
    } else {
      await restoreLogical(dir, m, ctx.config);
    }
    progress.phase('check restored data');
    const checks = await checkRestored(ctx.config, m);
    await recordAudit(ctx.config, {
      ts: ctx.now,
      actor: ctx.actor,
      action: 'backup.restore',
      target: path.basename(file),
      details: JSON.stringify({
        backup_created_at: m.created_at,
        pre_restore_backup: preRestore?.name ?? null,
        forced: ctx.force && running.running,
      }),
    });
    progress.end();
    return { verified, preRestore, checks };
  } finally {
    progress.end();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * SQLite: checkpoint the current database so its WAL is empty, remove the WAL and shared-memory
 * files (a stale WAL beside a new file would be replayed into it), then rename the verified copy
 * over the database file — one atomic step.
 */
async function swapSqlite(extracted: string, dbFile: string): Promise<void> {
  await mkdir(path.dirname(dbFile), { recursive: true });
  if (existsSync(dbFile)) {
    const db = new SqliteDatabase(dbFile);
    try {
      db.pragma('busy_timeout = 10000');
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  }
  const staged = `${dbFile}.restore-${process.pid}`;
  await rename(extracted, staged);
  await chmod(staged, 0o600);
  await rm(`${dbFile}-wal`, { force: true });
  await rm(`${dbFile}-shm`, { force: true });
  await rename(staged, dbFile);
  await fsyncDir(path.dirname(dbFile));
}

/**
 * PostgreSQL with pg_dump: pg_restore in ONE transaction (--single-transaction, --exit-on-error),
 * dropping and recreating the dumped tables. The schema object itself is left out of the list so
 * the restore never drops the schema; tables a newer version added are dropped afterwards.
 */
async function restorePgDump(dump: string, m: Manifest, config: TradewatchConfig): Promise<void> {
  const pgRestore = findExecutable('pg_restore', config.backup.pg_bin_dir);
  if (!pgRestore) {
    throw new RestoreError(
      'this backup was made with pg_dump; install pg_restore (postgresql-client) to restore it',
    );
  }
  const conn = pgConnection(config.database.url!);
  const toc = await runTool(pgRestore, ['--list', dump], process.env);
  const list = toc
    .split('\n')
    .filter((line) => !/ SCHEMA - | COMMENT - SCHEMA /.test(line))
    .join('\n');
  const listFile = `${dump}.list`;
  await writeFile(listFile, list, { mode: 0o600 });
  const store = openStore(config.database.url!);
  try {
    const schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(store.db))
      .rows[0]!.s;
    if (m.pg_schema && m.pg_schema !== schema) {
      throw new RestoreError(
        `the dump is of schema "${m.pg_schema}" but the configured database uses "${schema}"; set search_path or restore with pg_restore by hand`,
      );
    }
    await runTool(
      pgRestore,
      [
        '--clean',
        '--if-exists',
        '--no-owner',
        '--no-privileges',
        '--single-transaction',
        '--exit-on-error',
        `--use-list=${listFile}`,
        `--dbname=${conn.url}`,
        dump,
      ],
      conn.env,
      conn.env.PGPASSWORD,
    );
    const extra = (await pgTables(store.db as unknown as Kysely<unknown>)).filter(
      (t) => m.tables[t] === undefined,
    );
    if (extra.length > 0) {
      await sql`DROP TABLE IF EXISTS ${sql.join(extra.map((t) => sql.table(t)))} CASCADE`.execute(
        store.db,
      );
    }
  } finally {
    await store.close();
  }
}

/**
 * PostgreSQL from a logical export: in one transaction, empty every table and load the rows,
 * then move identity sequences past the restored ids. Needs the same schema as the backup.
 */
async function restoreLogical(dir: string, m: Manifest, config: TradewatchConfig): Promise<void> {
  const store = openStore(config.database.url!);
  try {
    const db = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    const current = await tableCounts(store);
    if (JSON.stringify(current.migrations) !== JSON.stringify(m.migrations)) {
      throw new RestoreError(
        'a logical PostgreSQL backup restores only into a database at the same schema version; restore it with the tradewatch version that made it, or install pg_dump so backups use it',
      );
    }
    const tables = Object.keys(m.tables);
    const missing = tables.filter((t) => current.counts[t] === undefined);
    if (missing.length > 0)
      throw new RestoreError(`tables missing in the database: ${missing.join(', ')}`);
    await db.transaction().execute(async (trx) => {
      await sql`TRUNCATE ${sql.join(tables.map((t) => sql.table(t)))}`.execute(trx);
      for (const t of tables) {
        const lines = createInterface({
          input: createReadStream(path.join(dir, ARCHIVE_FILES.tablesDir, `${t}.jsonl`)),
          crlfDelay: Infinity,
        });
        let columns: string[] | null = null;
        let batch: Record<string, unknown>[] = [];
        let perBatch = 1000;
        const flush = async () => {
          if (batch.length === 0) return;
          await trx.insertInto(t).values(batch).execute();
          batch = [];
        };
        for await (const line of lines) {
          const value = JSON.parse(line) as unknown;
          if (columns === null) {
            columns = (value as { columns: string[] }).columns;
            perBatch = Math.max(1, Math.floor(maxParams('postgres') / Math.max(1, columns.length)));
            continue;
          }
          const row: Record<string, unknown> = {};
          (value as unknown[]).forEach((v, i) => (row[columns![i]!] = v));
          batch.push(row);
          if (batch.length >= perBatch) await flush();
        }
        await flush();
      }
      const serials = await sql<{ t: string; c: string; s: string }>`
        SELECT table_name AS t, column_name AS c,
               pg_get_serial_sequence(quote_ident(table_name), column_name) AS s
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'
      `.execute(trx);
      for (const r of serials.rows) {
        if (!r.s) continue;
        await sql`SELECT setval(${r.s}, COALESCE((SELECT max(${sql.ref(r.c)}) FROM ${sql.table(r.t)}), 0) + 1, false)`.execute(
          trx,
        );
      }
    });
  } finally {
    await store.close();
  }
}

/** After a restore: the live database against the manifest (counts, schema, integrity). */
async function checkRestored(config: TradewatchConfig, m: Manifest): Promise<VerifyCheck[]> {
  const checks: VerifyCheck[] = [];
  const file = sqliteFileOf(config.database.url!);
  if (file) {
    // The copy passed the full integrity_check before the swap; after the rename the quick
    // check (pages and records, not every index entry) confirms the file in place.
    const db = new SqliteDatabase(file, { readonly: true });
    try {
      const r = (db.pragma('quick_check') as { quick_check: string }[]).map((x) => x.quick_check);
      if (r.length !== 1 || r[0] !== 'ok') {
        throw new RestoreError(
          `the restored database fails PRAGMA quick_check: ${r.slice(0, 3).join('; ')}`,
        );
      }
      checks.push({ check: 'integrity', ok: true, detail: 'PRAGMA quick_check: ok' });
    } finally {
      db.close();
    }
  }
  const store = openStore(config.database.url!);
  try {
    const { counts, migrations } = await tableCounts(store);
    const wrong = Object.entries(m.tables).filter(([t, n]) => counts[t] !== n);
    if (wrong.length > 0) {
      throw new RestoreError(
        `after the restore ${wrong
          .slice(0, 5)
          .map(([t, n]) => `${t} has ${counts[t] ?? 'no'} rows (backup: ${n})`)
          .join('; ')}; the pre-restore backup holds the previous data`,
      );
    }
    if (JSON.stringify(migrations) !== JSON.stringify(m.migrations)) {
      throw new RestoreError('after the restore the schema version differs from the backup');
    }
    checks.push({ check: 'rows', ok: true, detail: 'every table has the rows the manifest lists' });
  } finally {
    await store.close();
  }
  return checks;
}

/** Appends a row to the core audit_log of the configured store. */
export async function recordAudit(
  config: TradewatchConfig,
  row: { ts: number; actor: string; action: string; target: string | null; details: string | null },
): Promise<void> {
  const store = openStore(config.database.url!);
  try {
    await store.db.insertInto('audit_log').values(row).execute();
  } finally {
    await store.close();
  }
}

export { VerifyError };
