import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from '../store/index.js';
import { ARCHIVE_FILES, type BackupMethod } from './manifest.js';
import { findExecutable, pgConnection, runTool, toolMajorVersion } from './pg-tools.js';
import type { Progress } from './progress.js';

export interface PgSnapshot {
  method: BackupMethod;
  /** Files written into the staging directory (relative names). */
  files: string[];
  counts: Record<string, number>;
  migrations: string[];
  schema: string;
  /** Why pg_dump was not used, when it was not. */
  note: string | null;
}

export interface PgSnapshotOptions {
  url: string;
  mode: 'auto' | 'always' | 'never';
  binDir?: string | undefined;
}

// Untyped access: the snapshot reads every table, including other modules' and Kysely's own.
type AnyDb = Kysely<Record<string, Record<string, unknown>>>;
type AnyTrx = Transaction<Record<string, Record<string, unknown>>>;

/** Tables of the current schema, by name. */
export async function pgTables(db: Kysely<unknown> | AnyTrx): Promise<string[]> {
  const r = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name
  `.execute(db);
  return r.rows.map((x) => x.name);
}

/**
 * A consistent snapshot of the PostgreSQL schema: one REPEATABLE READ transaction exports its
 * snapshot, pg_dump dumps exactly that snapshot (`--snapshot`) while the same transaction counts
 * the rows, so the manifest's counts describe the dump. Without a usable pg_dump, every table
 * is written as JSON lines from the same transaction.
 */
export async function snapshotPostgres(
  store: Store,
  stagingDir: string,
  options: PgSnapshotOptions,
  progress?: Progress,
): Promise<PgSnapshot> {
  const db = store.db as unknown as AnyDb;
  let pgDump: string | null = null;
  let note: string | null = null;
  if (options.mode !== 'never') {
    pgDump = findExecutable('pg_dump', options.binDir);
    if (!pgDump) {
      note = 'pg_dump is not installed';
    } else {
      const client = await toolMajorVersion(pgDump);
      const serverNum = await sql<{ v: string }>`SHOW server_version_num`.execute(db);
      const server = Math.floor(Number(serverNum.rows[0]?.v ?? 0) / 10_000);
      if (client === null || client < server) {
        note = `pg_dump ${client ?? '?'} is older than the server (${server})`;
        pgDump = null;
      }
    }
    if (!pgDump && options.mode === 'always') {
      throw new Error(`backup.pg_dump is "always" but ${note}`);
    }
  }

  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(trx)).rows[0]!
        .s;
      const tables = await pgTables(trx);
      const migrations = tables.includes('kysely_migration')
        ? (
            await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(
              trx,
            )
          ).rows.map((r) => r.name)
        : [];
      if (pgDump) {
        const snapshotId = (await sql<{ s: string }>`SELECT pg_export_snapshot() AS s`.execute(trx))
          .rows[0]!.s;
        const counts: Record<string, number> = {};
        for (const t of tables) {
          const r = await sql<{
            n: number;
          }>`SELECT count(*)::bigint AS n FROM ${sql.table(t)}`.execute(trx);
          counts[t] = Number(r.rows[0]!.n);
        }
        progress?.phase('pg_dump');
        const conn = pgConnection(options.url);
        await runTool(
          pgDump,
          [
            '--format=custom',
            '--no-owner',
            '--no-privileges',
            `--snapshot=${snapshotId}`,
            `--schema=${schema}`,
            `--file=${path.join(stagingDir, ARCHIVE_FILES.pgdump)}`,
            `--dbname=${conn.url}`,
          ],
          conn.env,
          conn.env.PGPASSWORD,
        );
        return {
          method: 'pg_dump',
          files: [ARCHIVE_FILES.pgdump],
          counts,
          migrations,
          schema,
          note,
        };
      }
      const counts = await exportTables(trx, tables, stagingDir, progress);
      return {
        method: 'logical',
        files: tables.map((t) => `${ARCHIVE_FILES.tablesDir}/${t}.jsonl`),
        counts,
        migrations,
        schema,
        note,
      };
    });
}

/**
 * The logical export: per table a JSON-lines file whose first line names the columns and each
 * further line is one row as an array. Read through a cursor, so memory stays flat.
 */
async function exportTables(
  trx: AnyTrx,
  tables: string[],
  stagingDir: string,
  progress?: Progress,
): Promise<Record<string, number>> {
  await mkdir(path.join(stagingDir, ARCHIVE_FILES.tablesDir), { recursive: true });
  const counts: Record<string, number> = {};
  progress?.phase('export tables', tables.length);
  let done = 0;
  for (const t of tables) {
    const file = path.join(stagingDir, ARCHIVE_FILES.tablesDir, `${t}.jsonl`);
    const out = createWriteStream(file, { mode: 0o600 });
    const cols = await sql<{ name: string }>`
      SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${t} ORDER BY ordinal_position
    `.execute(trx);
    const columns = cols.rows.map((c) => c.name);
    const write = async (line: string) => {
      if (!out.write(line)) await once(out, 'drain');
    };
    await write(JSON.stringify({ table: t, columns }) + '\n');
    await sql`DECLARE tw_export NO SCROLL CURSOR FOR SELECT ${sql.join(
      columns.map((c) => sql.ref(c)),
    )} FROM ${sql.table(t)}`.execute(trx);
    let n = 0;
    for (;;) {
      const page = await sql<Record<string, unknown>>`FETCH 2000 FROM tw_export`.execute(trx);
      if (page.rows.length === 0) break;
      let chunk = '';
      for (const row of page.rows) chunk += JSON.stringify(columns.map((c) => row[c])) + '\n';
      await write(chunk);
      n += page.rows.length;
    }
    await sql`CLOSE tw_export`.execute(trx);
    out.end();
    await once(out, 'close');
    counts[t] = n;
    progress?.update(++done);
  }
  return counts;
}
