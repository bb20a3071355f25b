import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import SqliteDatabase from 'better-sqlite3';
import { formatZodError } from '../config/index.js';
import { ArchiveError, unpackArchive } from './archive.js';
import { hashFile, parseSha256Line } from './files.js';
import { ARCHIVE_FILES, manifestSchema, type Manifest } from './manifest.js';
import { findExecutable, runTool } from './pg-tools.js';

export interface VerifyCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface VerifiedArchive {
  file: string;
  manifest: Manifest;
  checks: VerifyCheck[];
  /** Where the archive was extracted (only when `keep` was asked for; the caller removes it). */
  dir: string | null;
}

/** A backup that must not be restored; the message says what is wrong with it. */
export class VerifyError extends Error {
  override name = 'VerifyError';
  constructor(
    message: string,
    readonly checks: VerifyCheck[] = [],
  ) {
    super(message);
  }
}

const allowedMember = (name: string) =>
  name === ARCHIVE_FILES.manifest ||
  name === ARCHIVE_FILES.sqlite ||
  name === ARCHIVE_FILES.pgdump ||
  name === ARCHIVE_FILES.config ||
  /^tables\/[A-Za-z0-9_]+\.jsonl$/.test(name);

export interface VerifyOptions {
  /** Where to extract (a directory on the same file system as the database, for restore). */
  workDir: string;
  /** Keep the extracted files for a restore. */
  keep?: boolean;
  /** Directory with pg_restore (default: PATH). */
  pgBinDir?: string | undefined;
}

/**
 * Checks a backup without touching any live data: the archive's SHA-256 against its `.sha256`,
 * the gzip and tar structure, the manifest, every member's size and SHA-256, then the database
 * itself (`PRAGMA integrity_check` and row counts against the manifest for SQLite, the
 * dump's table of contents for pg_dump, every line for a logical export).
 */
export async function verifyArchive(
  file: string,
  options: VerifyOptions,
): Promise<VerifiedArchive> {
  const checks: VerifyCheck[] = [];
  const name = path.basename(file);
  const fail = (check: string, detail: string): never => {
    checks.push({ check, ok: false, detail });
    throw new VerifyError(`${name}: ${detail}; nothing was restored`, checks);
  };
  if (!existsSync(file)) throw new VerifyError(`backup ${file} does not exist`);

  const sidecar = `${file}.sha256`;
  if (existsSync(sidecar)) {
    const expected = parseSha256Line(await readFile(sidecar, 'utf8'));
    if (!expected) fail('checksum', `${path.basename(sidecar)} is not a sha256sum line`);
    const actual = await hashFile(file);
    if (actual.sha256 !== expected!.sha256) {
      fail(
        'checksum',
        `checksum mismatch: the archive's SHA-256 is ${actual.sha256} but ${path.basename(sidecar)} says ${expected!.sha256} (the file is corrupt, truncated or was changed)`,
      );
    }
    checks.push({ check: 'checksum', ok: true, detail: `SHA-256 ${actual.sha256}` });
  } else {
    checks.push({
      check: 'checksum',
      ok: true,
      detail: `no ${path.basename(sidecar)} beside the archive; relying on the manifest's checksums`,
    });
  }

  const dir = await mkdtemp(path.join(options.workDir, '.verify-'));
  let keep = false;
  try {
    let members: string[] = [];
    try {
      members = await unpackArchive(file, dir, allowedMember);
    } catch (error) {
      if (error instanceof ArchiveError) fail('archive', error.message.replace(`${name} `, ''));
      throw error;
    }
    checks.push({
      check: 'archive',
      ok: true,
      detail: `${members.length} files, gzip and tar intact`,
    });

    if (!members.includes(ARCHIVE_FILES.manifest))
      fail('manifest', 'the archive has no manifest.json');
    let manifest: Manifest;
    try {
      const parsed = manifestSchema.safeParse(
        JSON.parse(await readFile(path.join(dir, ARCHIVE_FILES.manifest), 'utf8')),
      );
      if (!parsed.success) fail('manifest', formatZodError(parsed.error, 'manifest'));
      manifest = parsed.data!;
    } catch (error) {
      if (error instanceof VerifyError) throw error;
      fail('manifest', `manifest.json is not valid JSON (${(error as Error).message})`);
    }
    manifest = manifest!;
    checks.push({
      check: 'manifest',
      ok: true,
      detail: `${manifest.dialect} ${manifest.method} backup made ${manifest.created_at} by tradewatch ${manifest.tool_version}`,
    });

    const listed = new Set(manifest.files.map((f) => f.name));
    const extra = members.filter((m) => m !== ARCHIVE_FILES.manifest && !listed.has(m));
    if (extra.length > 0) fail('files', `files not in the manifest: ${extra.join(', ')}`);
    for (const f of manifest.files) {
      if (!members.includes(f.name))
        fail('files', `${f.name} is listed in the manifest but missing`);
      const actual = await hashFile(path.join(dir, f.name));
      if (actual.size !== f.size) {
        fail('files', `${f.name} has ${actual.size} bytes, the manifest says ${f.size}`);
      }
      if (actual.sha256 !== f.sha256) {
        fail('files', `${f.name} does not match its SHA-256 in the manifest (corrupt)`);
      }
    }
    checks.push({ check: 'files', ok: true, detail: 'every file matches its size and SHA-256' });

    if (manifest.method === 'sqlite-backup') {
      verifySqlite(path.join(dir, ARCHIVE_FILES.sqlite), manifest, checks, fail);
    } else if (manifest.method === 'pg_dump') {
      const pgRestore = findExecutable('pg_restore', options.pgBinDir);
      if (!pgRestore) {
        checks.push({
          check: 'database',
          ok: true,
          detail: 'pg_restore is not installed; dump not inspected',
        });
      } else {
        try {
          await runTool(pgRestore, ['--list', path.join(dir, ARCHIVE_FILES.pgdump)], process.env);
        } catch (error) {
          fail('database', `the PostgreSQL dump is unreadable: ${(error as Error).message}`);
        }
        checks.push({ check: 'database', ok: true, detail: 'pg_restore reads the dump' });
      }
    } else {
      await verifyLogical(dir, manifest, checks, fail);
    }
    keep = options.keep ?? false;
    return { file, manifest, checks, dir: keep ? dir : null };
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

function verifySqlite(
  dbFile: string,
  manifest: Manifest,
  checks: VerifyCheck[],
  fail: (check: string, detail: string) => never,
): void {
  let db: SqliteDatabase.Database;
  try {
    db = new SqliteDatabase(dbFile, { readonly: true, fileMustExist: true });
  } catch (error) {
    fail('database', `the database cannot be opened: ${(error as Error).message}`);
  }
  try {
    let result: string[] = [];
    try {
      result = (db.pragma('integrity_check') as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      );
    } catch (error) {
      fail('integrity', `PRAGMA integrity_check failed: ${(error as Error).message}`);
    }
    if (result.length !== 1 || result[0] !== 'ok') {
      fail('integrity', `PRAGMA integrity_check: ${result.slice(0, 3).join('; ')}`);
    }
    checks.push({ check: 'integrity', ok: true, detail: 'PRAGMA integrity_check: ok' });
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    const counts: Record<string, number> = {};
    for (const t of tables) {
      counts[t] = db
        .prepare(`SELECT count(*) FROM "${t.replaceAll('"', '""')}"`)
        .pluck()
        .get() as number;
    }
    compareCounts(counts, manifest, checks, fail);
    const migrations = tables.includes('kysely_migration')
      ? (db.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all() as string[])
      : [];
    if (JSON.stringify(migrations) !== JSON.stringify(manifest.migrations)) {
      fail('schema', "the database's migrations differ from the manifest");
    }
  } finally {
    db.close();
  }
}

function compareCounts(
  counts: Record<string, number>,
  manifest: Manifest,
  checks: VerifyCheck[],
  fail: (check: string, detail: string) => never,
): void {
  const problems: string[] = [];
  for (const [t, n] of Object.entries(manifest.tables)) {
    if (counts[t] === undefined) problems.push(`table ${t} is missing`);
    else if (counts[t] !== n) problems.push(`${t} has ${counts[t]} rows, the manifest says ${n}`);
  }
  for (const t of Object.keys(counts)) {
    if (manifest.tables[t] === undefined) problems.push(`table ${t} is not in the manifest`);
  }
  if (problems.length > 0) fail('rows', problems.slice(0, 5).join('; '));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  checks.push({
    check: 'rows',
    ok: true,
    detail: `${Object.keys(counts).length} tables, ${total.toLocaleString('en-US')} rows, as in the manifest`,
  });
}

async function verifyLogical(
  dir: string,
  manifest: Manifest,
  checks: VerifyCheck[],
  fail: (check: string, detail: string) => never,
): Promise<void> {
  const counts: Record<string, number> = {};
  for (const f of manifest.files) {
    const m = /^tables\/([A-Za-z0-9_]+)\.jsonl$/.exec(f.name);
    if (!m) continue;
    const table = m[1]!;
    let n = -1;
    let columns = 0;
    const lines = createInterface({
      input: createReadStream(path.join(dir, f.name)),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        fail('rows', `${f.name} line ${n + 2} is not JSON`);
      }
      if (n === -1) {
        const header = value as { table?: unknown; columns?: unknown };
        if (header.table !== table || !Array.isArray(header.columns)) {
          fail('rows', `${f.name} does not start with its table header`);
        }
        columns = (header.columns as unknown[]).length;
      } else if (!Array.isArray(value) || value.length !== columns) {
        fail('rows', `${f.name} line ${n + 2} does not have ${columns} values`);
      }
      n++;
    }
    counts[table] = Math.max(0, n);
  }
  compareCounts(counts, manifest, checks, fail);
}
