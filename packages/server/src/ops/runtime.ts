import { existsSync } from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { Counter, Gauge } from 'prom-client';
import type { Hub } from '../hub.js';
import type { HealthCheck } from '../health/index.js';
import { VERSION } from '../version.js';
import { removeLock, writeLock } from './hub-lock.js';
import {
  backupHealth,
  getMeta,
  META,
  runBackupJob,
  withJobLock,
  type BackupJobResult,
} from './jobs.js';

/**
 * The configuration file the hub runs with, for the copy inside each backup: TRADEWATCH_CONFIG,
 * `--config`/`-c` on the command line, or ./tradewatch.yaml.
 */
export function guessConfigFile(
  argv = process.argv,
  env = process.env,
  cwd = process.cwd(),
): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '--config' || a === '-c') && argv[i + 1]) return path.resolve(cwd, argv[i + 1]!);
    if (a.startsWith('--config=')) return path.resolve(cwd, a.slice('--config='.length));
  }
  if (env.TRADEWATCH_CONFIG) return path.resolve(cwd, env.TRADEWATCH_CONFIG);
  const local = path.resolve(cwd, 'tradewatch.yaml');
  return existsSync(local) ? local : null;
}

/** Scheduled backups, the staleness watch, metrics and the lock file of one hub. */
export class OpsRuntime {
  private cron: Cron | null = null;
  private staleTimer: NodeJS.Timeout | null = null;
  startedAt: number;
  lastRunAt: number | null = null;
  lastRunOk: boolean | null = null;
  lastResult: BackupJobResult | null = null;
  running = false;
  configFile: string | null;
  private readonly lastSuccess: Gauge;
  private readonly lastSize: Gauge;
  private readonly lastDuration: Gauge;
  private readonly failures: Counter;

  constructor(private readonly hub: Hub) {
    this.startedAt = hub.clock.now();
    // The hub knows the file it was started with; in-process hubs (tests) fall back to a guess.
    this.configFile = hub.configFile ?? guessConfigFile();
    const registers = [hub.metrics];
    this.lastSuccess = new Gauge({
      name: 'tradewatch_backup_last_success_timestamp_seconds',
      help: 'Time of the last successful backup (0: none yet)',
      registers,
    });
    this.lastSize = new Gauge({
      name: 'tradewatch_backup_last_size_bytes',
      help: 'Size of the last backup archive',
      registers,
    });
    this.lastDuration = new Gauge({
      name: 'tradewatch_backup_last_duration_seconds',
      help: 'How long the last backup took',
      registers,
    });
    this.failures = new Counter({
      name: 'tradewatch_backup_failures_total',
      help: 'Backups that failed',
      registers,
    });
  }

  /** Runs one backup now (the schedule, POST /api/v1/backups); never two at once. */
  async backupNow(): Promise<BackupJobResult | null> {
    if (this.running) throw new Error('a backup is already running');
    this.running = true;
    const hub = this.hub;
    const started = performance.now();
    this.lastRunAt = hub.clock.now();
    try {
      const result = await withJobLock(hub.store, () =>
        runBackupJob({
          store: hub.store,
          config: hub.config,
          configFile: this.configFile,
          now: () => hub.clock.now(),
          alertSink: hub.alertSink,
          events: hub.events,
          logger: hub.logger,
        }),
      );
      this.lastRunOk = true;
      if (result) {
        this.lastResult = result;
        this.lastSuccess.set(Math.floor(hub.clock.now() / 1000));
        this.lastSize.set(result.backup.size);
        this.lastDuration.set((performance.now() - started) / 1000);
      }
      return result;
    } catch (error) {
      this.lastRunOk = false;
      this.failures.inc();
      throw error;
    } finally {
      this.running = false;
    }
  }

  /** BackupStale fires when the newest backup is older than `stale_after_hours`. */
  async checkStale(): Promise<boolean> {
    const hub = this.hub;
    if (!hub.config.backup.schedule) return false;
    const last = await getMeta(hub.store, META.lastSuccessAt);
    const h = backupHealth(
      last === null ? null : Number(last),
      this.startedAt,
      hub.clock.now(),
      hub.config.backup.stale_after_hours,
    );
    if (h.stale) {
      await hub.alertSink.fire({
        name: 'BackupStale',
        severity: 'warning',
        summary:
          h.lastSuccessAt === null
            ? `no backup has succeeded in the ${Math.round(h.ageS / 3600)} h since the hub started`
            : `the last successful backup is ${Math.round(h.ageS / 3600)} h old (limit ${hub.config.backup.stale_after_hours} h)`,
      });
    } else {
      await hub.alertSink.resolve('BackupStale');
    }
    return h.stale;
  }

  /** `backup:age` and `scheduler:lastRun` for /health. */
  async healthChecks(now: number): Promise<HealthCheck[]> {
    const cfg = this.hub.config.backup;
    const last = await getMeta(this.hub.store, META.lastSuccessAt);
    const h = backupHealth(
      last === null ? null : Number(last),
      this.startedAt,
      now,
      cfg.stale_after_hours,
    );
    const lastFailure = await getMeta(this.hub.store, META.lastFailureAt);
    const failedSince =
      lastFailure !== null && (last === null || Number(lastFailure) > Number(last));
    const checks: HealthCheck[] = [
      {
        key: 'backup:age',
        componentType: 'datastore',
        observedValue: last === null ? null : Math.round(h.ageS),
        observedUnit: 's',
        status: !cfg.schedule ? 'pass' : failedSince ? 'fail' : h.stale ? 'warn' : 'pass',
        time: now,
        ...(!cfg.schedule
          ? { output: 'scheduled backups are off (backup.schedule: null)' }
          : failedSince
            ? {
                output: `the last backup failed: ${(await getMeta(this.hub.store, META.lastError)) ?? ''}`,
              }
            : h.stale
              ? { output: `no successful backup for ${Math.round(h.ageS / 3600)} h` }
              : {}),
      },
    ];
    if (cfg.schedule) {
      checks.push({
        key: 'scheduler:lastRun',
        componentType: 'component',
        observedValue: this.lastRunAt === null ? null : new Date(this.lastRunAt).toISOString(),
        status: this.lastRunOk === false ? 'warn' : 'pass',
        time: now,
        ...(this.cron ? {} : { output: 'the scheduler is not running' }),
      });
    }
    return checks;
  }

  nextRun(): Date | null {
    return this.cron?.nextRun() ?? null;
  }

  start(): void {
    const hub = this.hub;
    const address = hub.app.server.address();
    const port = typeof address === 'object' && address ? address.port : hub.config.server.port;
    const host = ['0.0.0.0', '::'].includes(hub.config.server.host)
      ? '127.0.0.1'
      : hub.config.server.host;
    writeLock(hub.config, {
      pid: process.pid,
      url: `${hub.config.security.tls.cert ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
      started_at: new Date(hub.clock.now()).toISOString(),
      version: VERSION,
    });
    const schedule = hub.config.backup.schedule;
    if (schedule) {
      this.cron = new Cron(schedule, { timezone: hub.config.timezone, protect: true }, async () => {
        try {
          await this.backupNow();
        } catch (error) {
          hub.logger.error({ err: error }, 'scheduled backup failed');
        }
      });
      // The first check waits one interval: a hub that just started has nothing to report yet.
      this.staleTimer = setInterval(() => {
        void this.checkStale().catch((error: unknown) =>
          hub.logger.error({ err: error }, 'checking backup age failed'),
        );
      }, 5 * 60_000);
      this.staleTimer.unref();
    }
  }

  stop(): void {
    this.cron?.stop();
    this.cron = null;
    if (this.staleTimer) clearInterval(this.staleTimer);
    this.staleTimer = null;
    removeLock(this.hub.config);
  }
}
