import { rm } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { AlertSink } from '../alert-sink.js';
import type { TradewatchConfig } from '../config/index.js';
import type { EventRecorder } from '../events.js';
import type { Store } from '../store/index.js';
import { createBackup, defaultBackupDir, type BackupResult } from './backup.js';
import type { Progress } from './progress.js';
import { listBackups } from './restore.js';
import { backupsToDelete } from './retention.js';
import { S3Copy } from './s3.js';

/** Keys in the core `meta` table (the health module reads `backup.last_success_at`). */
export const META = {
  lastSuccessAt: 'backup.last_success_at',
  lastSuccessName: 'backup.last_success_name',
  lastFailureAt: 'backup.last_failure_at',
  lastError: 'backup.last_error',
} as const;

export interface BackupJobDeps {
  store: Store;
  config: TradewatchConfig;
  configFile: string | null;
  now(): number;
  alertSink?: AlertSink | undefined;
  events?: EventRecorder | undefined;
  logger?: Logger | undefined;
  progress?: Progress | undefined;
}

export interface BackupJobResult {
  backup: BackupResult;
  /** Local archives removed by retention. */
  deleted: string[];
  s3: { uploaded: boolean; deleted: string[]; error: string | null } | null;
}

/**
 * One backup as the scheduler and `tradewatch backup` run it: the archive, retention in the
 * configured directory, the optional S3 copy (and its retention), the success time in `meta`,
 * and BackupFailed raised or resolved.
 */
export async function runBackupJob(
  deps: BackupJobDeps,
  options: { outDir?: string | undefined } = {},
): Promise<BackupJobResult> {
  const { config } = deps;
  const configuredDir = defaultBackupDir(config);
  const outDir = path.resolve(options.outDir ?? configuredDir);
  const now = deps.now();
  let backup: BackupResult;
  try {
    backup = await createBackup({
      store: deps.store,
      config,
      configFile: deps.configFile,
      outDir,
      now,
      ...(deps.progress ? { progress: deps.progress } : {}),
    });
  } catch (error) {
    const message = (error as Error).message;
    await setMeta(deps.store, {
      [META.lastFailureAt]: String(now),
      [META.lastError]: message,
    }).catch(() => undefined);
    deps.logger?.error({ err: error }, 'backup failed');
    await deps.alertSink?.fire({
      name: 'BackupFailed',
      severity: 'critical',
      summary: `backup failed: ${message}`,
    });
    await deps.events?.record({
      type: 'SYSTEM',
      severity: 'error',
      message: `backup failed: ${message}`,
      actor: 'system',
    });
    throw error;
  }
  let deleted: string[] = [];
  if (outDir === configuredDir) deleted = await applyLocalRetention(config, deps.now());
  let s3: BackupJobResult['s3'] = null;
  if (config.backup.s3) {
    const copy = new S3Copy(config.backup.s3);
    s3 = { uploaded: false, deleted: [], error: null };
    try {
      await copy.upload(backup.file);
      s3.uploaded = true;
      if (config.backup.s3.apply_retention) {
        s3.deleted = await copy.applyRetention(policyOf(config), deps.now());
      }
      await deps.alertSink?.resolve('BackupFailed', { target: 's3' });
    } catch (error) {
      s3.error = (error as Error).message;
      deps.logger?.error({ err: error }, 'copying the backup to S3 failed');
      await deps.alertSink?.fire({
        name: 'BackupFailed',
        severity: 'warning',
        labels: { target: 's3' },
        summary: `the backup was written locally but copying it to S3 failed: ${s3.error}`,
      });
    } finally {
      copy.close();
    }
  }
  await setMeta(deps.store, {
    [META.lastSuccessAt]: String(now),
    [META.lastSuccessName]: backup.name,
  });
  await deps.alertSink?.resolve('BackupFailed');
  await deps.alertSink?.resolve('BackupStale');
  await deps.events?.record({
    type: 'SYSTEM',
    severity: 'info',
    message: `backup ${backup.name} written (${backup.size} bytes)`,
    actor: 'system',
    context: { file: backup.file, deleted, s3 },
  });
  return { backup, deleted, s3 };
}

export function policyOf(config: TradewatchConfig) {
  return { keepLast: config.backup.keep_last, keepDays: config.backup.keep_days };
}

/** Deletes the archives (and their .sha256) the policy no longer keeps in the backup dir. */
export async function applyLocalRetention(
  config: TradewatchConfig,
  now: number,
): Promise<string[]> {
  const dir = defaultBackupDir(config);
  const doomed = backupsToDelete(await listBackups(dir), policyOf(config), now);
  for (const b of doomed) {
    await rm(path.join(dir, b.name), { force: true });
    await rm(path.join(dir, `${b.name}.sha256`), { force: true });
  }
  return doomed.map((b) => b.name);
}

export async function setMeta(store: Store, values: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    await store.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}

export async function getMeta(store: Store, key: string): Promise<string | null> {
  const row = await store.db
    .selectFrom('meta')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value ?? null;
}

export interface BackupHealth {
  lastSuccessAt: number | null;
  /** Seconds since the last success (or since the hub started, if there was none). */
  ageS: number;
  stale: boolean;
}

/** Pure: is the newest backup too old? Before the first backup, age counts from `since`. */
export function backupHealth(
  lastSuccessAt: number | null,
  since: number,
  now: number,
  staleAfterHours: number,
): BackupHealth {
  const from = lastSuccessAt ?? since;
  const ageS = Math.max(0, (now - from) / 1000);
  return { lastSuccessAt, ageS, stale: ageS > staleAfterHours * 3600 };
}

/**
 * On PostgreSQL several hubs may share the database: the scheduled job runs where this
 * session-level advisory lock is free, so exactly one instance backs up.
 */
export async function withJobLock<T>(store: Store, fn: () => Promise<T>): Promise<T | null> {
  if (store.dialect !== 'postgres') return fn();
  return store.db.connection().execute(async (conn) => {
    const got = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(7301, 1) AS ok`.execute(
      conn,
    );
    if (!got.rows[0]?.ok) return null;
    try {
      return await fn();
    } finally {
      await sql`SELECT pg_advisory_unlock(7301, 1)`.execute(conn);
    }
  });
}
