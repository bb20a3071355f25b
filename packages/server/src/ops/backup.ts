import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TradewatchConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { VERSION } from '../version.js';
import { packArchive } from './archive.js';
import { hashFile, sha256Line, writeFileAtomic } from './files.js';
import { ARCHIVE_FILES, type Manifest } from './manifest.js';
import { backupFileName } from './names.js';
import { snapshotPostgres } from './pg-snapshot.js';
import { silentProgress, type Progress } from './progress.js';
import { snapshotSqlite } from './sqlite-snapshot.js';

export interface BackupOptions {
  store: Store;
  config: TradewatchConfig;
  /** The configuration file the hub was started with (copied into the archive if allowed). */
  configFile: string | null;
  /** Directory the archive goes to (created with mode 0700 if missing). */
  outDir: string;
  /** Creation time (the injected clock), which also names the file. */
  now: number;
  /** `pre-restore` and the like; appended to the name. */
  label?: string;
  progress?: Progress;
}

export interface BackupResult {
  file: string;
  name: string;
  size: number;
  sha256: string;
  manifest: Manifest;
}

/** The directory scheduled and CLI backups go to by default. */
export function defaultBackupDir(config: TradewatchConfig): string {
  return path.resolve(config.data_dir, config.backup.dir ?? 'backups');
}

/** `sqlite:PATH` → the absolute path; null for PostgreSQL. */
export function sqliteFileOf(url: string): string | null {
  if (!url.startsWith('sqlite:')) return null;
  const file = url.slice('sqlite:'.length);
  if (file === '' || file === ':memory:') {
    throw new Error('an in-memory SQLite database cannot be backed up or restored');
  }
  return path.resolve(file);
}

/**
 * Writes `tradewatch-backup-YYYYMMDD-HHMMSS.tar.gz` and its `.sha256` into `outDir`: a
 * consistent snapshot of the database (taken while the hub keeps ingesting), the configuration
 * file, and `manifest.json` (version, schema, every file's size and SHA-256, rows per table).
 */
export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const { store, config } = options;
  const progress = options.progress ?? silentProgress;
  const started = performance.now();
  await mkdir(options.outDir, { recursive: true, mode: 0o700 });
  const staging = await mkdtemp(path.join(options.outDir, '.staging-'));
  try {
    let files: string[];
    let counts: Record<string, number>;
    let migrations: string[];
    let method: Manifest['method'];
    let pgSchema: string | null = null;
    const sqliteFile = sqliteFileOf(config.database.url!);
    if (store.dialect === 'sqlite' && sqliteFile) {
      const snap = await snapshotSqlite(
        sqliteFile,
        path.join(staging, ARCHIVE_FILES.sqlite),
        progress,
      );
      files = [ARCHIVE_FILES.sqlite];
      counts = snap.counts;
      migrations = snap.migrations;
      method = 'sqlite-backup';
    } else {
      const snap = await snapshotPostgres(
        store,
        staging,
        {
          url: config.database.url!,
          mode: config.backup.pg_dump,
          binDir: config.backup.pg_bin_dir,
        },
        progress,
      );
      files = snap.files;
      counts = snap.counts;
      migrations = snap.migrations;
      method = snap.method;
      pgSchema = snap.schema;
    }
    let configFile: string | null = null;
    if (config.backup.include_config && options.configFile && existsSync(options.configFile)) {
      await copyFile(options.configFile, path.join(staging, ARCHIVE_FILES.config));
      files.push(ARCHIVE_FILES.config);
      configFile = options.configFile;
    }
    progress.phase('checksums');
    const entries: Manifest['files'] = [];
    for (const f of files) entries.push({ name: f, ...(await hashFile(path.join(staging, f))) });
    const manifest: Manifest = {
      format: 'tradewatch-backup',
      format_version: 1,
      tool_version: VERSION,
      created_at: new Date(options.now).toISOString(),
      dialect: store.dialect,
      method,
      source: store.location,
      pg_schema: pgSchema,
      migrations,
      files: entries,
      tables: counts,
      config_file: configFile,
      duration_s: Math.round(performance.now() - started) / 1000,
    };
    await writeFileAtomic(
      path.join(staging, ARCHIVE_FILES.manifest),
      JSON.stringify(manifest, null, 2) + '\n',
    );

    const name = freeName(options.outDir, options.now, options.label);
    const file = path.join(options.outDir, name);
    const packed = await packArchive(staging, [ARCHIVE_FILES.manifest, ...files], file, {
      level: config.backup.compression_level,
      progress,
    });
    await writeFileAtomic(`${file}.sha256`, sha256Line(packed.sha256, name));
    progress.end();
    return { file, name, size: (await stat(file)).size, sha256: packed.sha256, manifest };
  } finally {
    progress.end();
    await rm(staging, { recursive: true, force: true });
  }
}

/** The archive name for `now`, with `-2`, `-3` … when one already exists for that second. */
function freeName(dir: string, now: number, label?: string): string {
  let name = backupFileName(now, label);
  for (let i = 2; existsSync(path.join(dir, name)); i++) {
    name = backupFileName(now, label ? `${label}-${i}` : String(i));
  }
  return name;
}
