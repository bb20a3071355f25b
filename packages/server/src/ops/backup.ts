import { copyFile, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TradewatchConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { VERSION } from '../version.js';
import { packArchive } from './archive.js';
import { fsyncDir, sha256Line, writeFileAtomic } from './files.js';
import { hashFilesInWorker, runWorkerTask, WorkerTaskError, workerPaths } from './worker-tasks.js';
import { ARCHIVE_FILES, type Manifest } from './manifest.js';
import { backupFileName } from './names.js';
import { snapshotPostgres } from './pg-snapshot.js';
import { silentProgress, type Progress } from './progress.js';
import { SnapshotError } from './sqlite-snapshot.js';

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
    const configFile =
      config.backup.include_config && options.configFile && existsSync(options.configFile)
        ? options.configFile
        : null;
    const base = {
      format: 'tradewatch-backup' as const,
      format_version: 1 as const,
      tool_version: VERSION,
      created_at: new Date(options.now).toISOString(),
      dialect: store.dialect,
      source: store.location,
      config_file: configFile,
    };
    const name = freeName(options.outDir, options.now, options.label);
    const file = path.join(options.outDir, name);
    const sqliteFile = sqliteFileOf(config.database.url!);
    if (store.dialect === 'sqlite' && sqliteFile) {
      return await sqliteBackup(
        sqliteFile,
        staging,
        file,
        name,
        { ...base, method: 'sqlite-backup', pg_schema: null },
        configFile,
        config.backup.compression_level,
        progress,
      );
    }
    const snap = await snapshotPostgres(
      store,
      staging,
      { url: config.database.url!, mode: config.backup.pg_dump, binDir: config.backup.pg_bin_dir },
      progress,
    );
    const files = [...snap.files];
    if (configFile) {
      await copyFile(configFile, path.join(staging, ARCHIVE_FILES.config));
      files.push(ARCHIVE_FILES.config);
    }
    progress.phase('checksums');
    const hashes = await hashFilesInWorker(files.map((f) => path.join(staging, f)));
    const manifest: Manifest = {
      ...base,
      method: snap.method,
      pg_schema: snap.schema,
      migrations: snap.migrations,
      files: files.map((f, i) => ({ name: f, ...hashes[i]! })),
      tables: snap.counts,
      duration_s: Math.round(performance.now() - started) / 1000,
    };
    await writeFileAtomic(
      path.join(staging, ARCHIVE_FILES.manifest),
      JSON.stringify(manifest, null, 2) + '\n',
    );
    const packed = await packArchive(staging, [ARCHIVE_FILES.manifest, ...files], file, {
      level: config.backup.compression_level,
      progress,
    });
    await writeFileAtomic(`${file}.sha256`, sha256Line(packed.sha256, name));
    progress.end();
    return { file, name, size: packed.size, sha256: packed.sha256, manifest };
  } finally {
    progress.end();
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * SQLite: the whole backup in one worker task (see worker-tasks.ts); the main thread only
 * renames the finished archive and checksum file into place.
 */
async function sqliteBackup(
  sqliteFile: string,
  staging: string,
  file: string,
  name: string,
  base: Omit<Manifest, 'migrations' | 'files' | 'tables' | 'duration_s'>,
  configFile: string | null,
  level: number,
  progress: Progress,
): Promise<BackupResult> {
  const archiveTmp = path.join(path.dirname(file), `.${name}.${process.pid}.tmp`);
  const sidecarTmp = `${archiveTmp}.sha256`;
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = await runWorkerTask<{ manifest: Manifest; size: number; sha256: string }>(
      'sqlite-backup',
      {
        src: sqliteFile,
        staging,
        archiveTmp,
        sidecarTmp,
        name,
        manifest: base,
        config: configFile,
        level,
        driver: workerPaths.driver(),
        tar: workerPaths.tar(),
      },
      (m) => {
        if (m.kind === 'size') {
          progress.phase('snapshot', m.bytes as number);
          const dest = path.join(staging, ARCHIVE_FILES.sqlite);
          timer = setInterval(() => {
            stat(dest).then(
              (s) => progress.update(s.size),
              () => undefined,
            );
          }, 200);
        } else if (m.kind === 'phase') {
          if (timer) clearInterval(timer);
          timer = undefined;
          progress.phase(String(m.name));
        }
      },
    );
    await rename(archiveTmp, file);
    await rename(sidecarTmp, `${file}.sha256`);
    await fsyncDir(path.dirname(file));
    progress.end();
    return { file, name, size: r.size, sha256: r.sha256, manifest: r.manifest };
  } catch (error) {
    await rm(archiveTmp, { force: true });
    await rm(sidecarTmp, { force: true });
    if (error instanceof WorkerTaskError) {
      throw new SnapshotError(`backup of ${sqliteFile} failed: ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    if (timer) clearInterval(timer);
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
