import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Kysely, LogEvent } from 'kysely';
import type { AlertSignal } from '../alert-sink.js';
import type { Hub } from '../hub.js';
import type { BatchChanges } from '../ingest/batch.js';
import { ingestSettings } from '../ingest/settings.js';
import { dec, decToNumber } from '../ledger/index.js';
import { loadPortfolioState, PortfolioState } from '../portfolio/index.js';
import { rebuildProjections } from '../rebuild/rebuild.js';
import { lotTotals } from '../portfolio/valuation.js';
import type { Database } from '../store/index.js';
import { VERSION } from '../version.js';
import {
  botChecks,
  marksCheck,
  probeCheck,
  systemChecks,
  worst,
  type CheckStatus,
  type HealthCheck,
  type SystemMeasurements,
} from './checks/checks.js';
import {
  measureDatabase,
  measureDatadir,
  measureDisk,
  ResourceMeter,
  safeMessage,
} from './checks/measure.js';
import type { HealthConfig, ProbesConfig } from './config.js';
import { deriveEvents } from './events/derive.js';
import { EventStore } from './events/event-store.js';
import {
  FeedWatcher,
  firstFillLatencies,
  LatencyRecorder,
  RequestWindow,
  type BatchLatencies,
} from './latency.js';
import { RotatingLogFile, teeLoggerToFile } from './log-file.js';
import { HubMetrics } from './metrics.js';
import type { HealthTables } from './migrations.js';
import { orphanAlerts, scanOrphans, type OrphanScan } from './orphans.js';
import { defaultProbeFetch, ProbeState, type ProbeFetch } from './probes.js';
import {
  ledgerView,
  lastCashFlows,
  reconcile,
  SnapshotTracker,
  type ReconciliationItem,
} from './reconciliation.js';
import {
  detectUncleanStop,
  formatDuration,
  HubStateStore,
  type ProjectionVerification,
  type UncleanStop,
} from './recovery.js';
import { applyRetention } from './retention.js';
import { AlertTracker, thresholdAlerts } from './threshold-alerts.js';
import { Worker } from './worker.js';

/** A source of health checks another module contributes (outbox backlog, channel circuits …). */
export interface HealthCheckProvider {
  /** Used in logs when the provider fails. */
  name: string;
  checks(now: number): HealthCheck[] | Promise<HealthCheck[]>;
}

/** A background worker of another module that readiness should wait for. */
export interface WorkerStatus {
  name: string;
  running(): boolean;
}

export interface ReconciliationReport {
  asOf: number;
  items: ReconciliationItem[];
  orphans: OrphanScan;
}

const MINUTE = 60_000;
const QUERY_VERBS = new Set(['select', 'insert', 'update', 'delete', 'with']);
const HEALTH_ROUTES = new Set(['/livez', '/readyz', '/health', '/health/:component', '/metrics']);

/** The moving parts of the health module for one hub (see `healthOf`). */
export class HealthRuntime {
  readonly config: HealthConfig;
  readonly probesConfig: ProbesConfig;
  readonly db: Kysely<Database & HealthTables>;
  readonly instance: string;
  readonly events: EventStore;
  readonly meter = new ResourceMeter();
  readonly metrics: HubMetrics | null;
  readonly latency = new LatencyRecorder();
  readonly requests = new RequestWindow();
  readonly feed = new FeedWatcher();
  readonly thresholdTracker = new AlertTracker();
  readonly reconciliationTracker = new AlertTracker();
  readonly orphanTracker = new AlertTracker();
  readonly probes: ProbeState[];
  readonly snapshots: SnapshotTracker;
  readonly hubState: HubStateStore;
  readonly providers: HealthCheckProvider[] = [];
  readonly externalWorkers: WorkerStatus[] = [];
  readonly workers = new Map<string, Worker>();
  /** Tests replace the system measurements (and the probe transport). */
  measureOverride: (() => Promise<SystemMeasurements>) | null = null;
  probeFetch: ProbeFetch = defaultProbeFetch;
  started = false;
  startedAt: number | null = null;
  recovery:
    | (UncleanStop & {
        verification: ProjectionVerification | null;
        verificationError: string | null;
        reported?: boolean;
      })
    | null = null;
  private migrationsOk = false;
  private measured: { at: number | null; value: Promise<SystemMeasurements> } | null = null;
  private lastDisk: { usedPct: number; freeBytes: number } | null = null;
  private recoveredAlertUntil: number | null = null;
  private detachLogFile: (() => void) | null = null;

  constructor(readonly hub: Hub) {
    this.config = hub.config.health;
    this.probesConfig = hub.config.probes;
    this.db = hub.store.db.withTables<HealthTables>();
    // One installation = one host and data directory (stable across restarts and port changes).
    const dirHash = createHash('sha256').update(path.resolve(hub.config.data_dir)).digest('hex');
    this.instance = `${os.hostname()}-${dirHash.slice(0, 8)}`;
    this.events = new EventStore(this.db, hub.store.dialect, hub.clock);
    this.snapshots = new SnapshotTracker(hub.store.db);
    this.hubState = new HubStateStore(hub.store.db, this.instance);
    this.probes = this.probesConfig.map((p) => new ProbeState(p));
    this.metrics = this.config.metrics.enabled
      ? new HubMetrics(hub.metrics, {
          state: () => hub.holder.current,
          portfolio: () => hub.query.portfolio(),
          now: () => hub.clock.now(),
          defaultHeartbeatIntervalS: hub.config.default_heartbeat_interval_s,
          version: VERSION,
        })
      : null;
    if (this.metrics) {
      const m = this.metrics;
      this.events.onStored = (e) => m.eventsRecorded.inc({ type: e.type, severity: e.severity });
    }
    this.feed.prime(hub.holder.current);
    this.watchQueries();
  }

  /**
   * Times every database query when the store offers a query hook (`store.onQuery`, fed by
   * Kysely's `log` option); without it only the health module's own queries are timed.
   */
  private watchQueries(): void {
    const store = this.hub.store as typeof this.hub.store & {
      onQuery?: (listener: (event: LogEvent) => void) => () => void;
    };
    if (typeof store.onQuery !== 'function') return;
    store.onQuery((event) => {
      const verb = /^\s*(\w+)/.exec(event.query.sql)?.[1]?.toLowerCase() ?? 'other';
      const operation = QUERY_VERBS.has(verb) ? verb : 'other';
      this.metrics?.dbDuration.observe({ operation }, event.queryDurationMillis / 1000);
      this.latency.add('db_latency', null, event.queryDurationMillis, this.hub.clock.now());
    });
  }

  // ------------------------------------------------------------------ wiring

  attachLogFile(): void {
    const f = this.config.log_file;
    if (!f.path) return;
    const file = path.resolve(this.hub.config.data_dir, f.path);
    this.detachLogFile = teeLoggerToFile(
      this.hub.logger,
      new RotatingLogFile(file, f.max_size_mb * 1024 * 1024, f.keep),
    );
  }

  /** Runs after every committed batch: cheap, synchronous, no I/O. */
  onCommit(changes: BatchChanges): void {
    const now = this.hub.clock.now();
    const latencies: BatchLatencies = {
      order: firstFillLatencies(changes),
      feed: this.feed.newMarks(changes, this.hub.holder.current),
    };
    for (const l of latencies.order) this.latency.add('order_latency', l.bot, l.ms, now);
    for (const l of latencies.feed) this.latency.add('feed_latency', l.bot, l.ms, now);
    this.metrics?.onCommit(changes, latencies);
    if (this.config.events.derive)
      this.events.enqueue(deriveEvents(changes, { logMinLevel: this.config.events.log_min_level }));
  }

  onRequest(info: {
    method: string;
    route: string | null;
    statusCode: number;
    ms: number;
    upgrade: boolean;
  }): void {
    if (info.upgrade) return;
    const now = this.hub.clock.now();
    const route = info.route ?? 'unmatched';
    if (this.metrics) {
      const labels = { method: info.method, route, status_code: String(info.statusCode) };
      this.metrics.httpDuration.observe(labels, info.ms / 1000);
      if (info.statusCode >= 500) this.metrics.httpErrors.inc(labels);
    }
    // A 503 from /health or /readyz is an answer about health, not an API failure.
    if (HEALTH_ROUTES.has(route)) return;
    this.requests.add(info.statusCode, now);
    this.latency.add('api_latency', null, info.ms, now);
    if (route === '/api/v1/ingest' && info.statusCode === 200)
      this.latency.add('ingest_lag', null, info.ms, now);
  }

  observeDb(operation: string, ms: number): void {
    this.metrics?.dbDuration.observe({ operation }, ms / 1000);
    this.latency.add('db_latency', null, ms, this.hub.clock.now());
  }

  // ------------------------------------------------------------------ checks

  /**
   * System measurements, shared by concurrent callers and reused for a second: /health is
   * public, and each measurement queries the database and writes a file.
   */
  async measure(): Promise<SystemMeasurements> {
    if (this.measureOverride) return this.measureOverride();
    const cached = this.measured;
    if (cached && (cached.at === null || performance.now() - cached.at < 1000)) return cached.value;
    const value = this.measureNow();
    this.measured = { at: null, value };
    try {
      const result = await value;
      this.measured = { at: performance.now(), value };
      return result;
    } catch (error) {
      this.measured = null;
      throw error;
    }
  }

  private async measureNow(): Promise<SystemMeasurements> {
    const database = await measureDatabase(this.hub.store.db);
    if (database.ok) this.observeDb('ping', database.ms);
    // CPU is a rate: it needs the sampler's window (a reading taken now would cover a few ms).
    const sampled = this.meter.latest();
    const live = this.meter.read(false);
    return {
      database,
      disk: await measureDisk(this.hub.config.data_dir),
      memory: { usedPct: live.memoryPct, rssBytes: live.rssBytes },
      cpu: sampled ? { pct: sampled.systemCpuPct } : null,
      eventLoop: { lagMs: sampled ? sampled.loopLagMs : live.loopLagMs },
      datadir: await measureDatadir(this.hub.config.data_dir),
    };
  }

  /** Every check: system, bots, marks, probes and those other modules contribute. */
  async checks(): Promise<HealthCheck[]> {
    const now = this.hub.clock.now();
    const state = this.hub.holder.current;
    const out = systemChecks(await this.measure(), this.config.thresholds, now);
    out.push(
      ...botChecks(
        state.bots.values(),
        now,
        this.hub.config.default_heartbeat_interval_s,
        this.config.thresholds,
      ),
    );
    const open: { symbol: string; markTs: number | null }[] = [];
    const seen = new Set<string>();
    for (const ks of state.keys.values()) {
      if (lotTotals(ks).qty === 0n || seen.has(ks.key.symbol)) continue;
      seen.add(ks.key.symbol);
      open.push({
        symbol: ks.key.symbol,
        markTs: state.marks.get(ks.key.symbol)?.ts ?? ks.lastPriceTs,
      });
    }
    out.push(marksCheck(open, now, this.config.thresholds.marks_staleness_s));
    for (const p of this.probes) out.push(probeCheck(p.result, now));
    for (const provider of this.providers) {
      try {
        out.push(...(await provider.checks(now)));
      } catch (error) {
        out.push({
          key: `${provider.name}:check`,
          observedValue: null,
          status: 'warn',
          time: now,
          output: `the check failed: ${safeMessage(error)}`,
        });
      }
    }
    this.metrics?.healthStatus.set({ pass: 0, warn: 1, fail: 2 }[worst(out.map((c) => c.status))]);
    return out;
  }

  /** Ready: not shutting down, database answers, migrations applied, workers running. */
  async readiness(): Promise<{ ready: boolean; reasons: string[] }> {
    const reasons: string[] = [];
    if (this.hub.shuttingDown) return { ready: false, reasons: ['the hub is shutting down'] };
    const db = await measureDatabase(this.hub.store.db, 2000);
    if (!db.ok) reasons.push('the database does not answer');
    else if (!this.migrationsOk) {
      try {
        const pending = await this.pendingMigrations();
        if (pending.length > 0) reasons.push(`${pending.length} database migrations are pending`);
        else this.migrationsOk = true;
      } catch {
        reasons.push('cannot read the migration state');
      }
    }
    if (!this.started) reasons.push('background workers have not started');
    else {
      for (const w of this.workers.values())
        if (!w.running) reasons.push(`worker ${w.name} is not running`);
      for (const w of this.externalWorkers)
        if (!w.running()) reasons.push(`worker ${w.name} is not running`);
    }
    if (this.hub.shuttingDown) return { ready: false, reasons: ['the hub is shutting down'] };
    return { ready: reasons.length === 0, reasons };
  }

  private async pendingMigrations(): Promise<string[]> {
    // Imported here: modules.ts imports this module, so a static import would be a cycle.
    const [{ moduleMigrations }, { hubModules }, { pendingMigrations }] = await Promise.all([
      import('../hub.js'),
      import('../modules.js'),
      import('../store/index.js'),
    ]);
    return pendingMigrations(this.hub.store, moduleMigrations(hubModules));
  }

  // ------------------------------------------------------------------ lifecycle

  private addWorker(name: string, intervalS: number, job: () => Promise<void>): Worker {
    const w = new Worker(name, intervalS * 1000, job, this.hub.logger, () => this.hub.clock.now());
    this.workers.set(name, w);
    return w;
  }

  async start(): Promise<void> {
    if (this.started) return;
    const now = this.hub.clock.now();
    this.startedAt = now;
    await this.startRecovery(now);
    this.addWorker('events', this.config.events.flush_ms / 1000, () => this.flushEvents());
    this.addWorker('heartbeat', this.config.heartbeat_interval_s, () => this.heartbeat());
    this.addWorker('sampler', this.config.sampler.interval_s, () => this.tick());
    this.addWorker('retention', this.config.retention.interval_s, () => this.retention());
    if (this.config.reconciliation.enabled)
      this.addWorker('reconciliation', this.config.reconciliation.interval_s, async () => {
        await this.reconcileAndAlert();
      });
    for (const p of this.probes)
      this.addWorker(`probe:${p.probe.name}`, p.probe.interval, () => this.runProbe(p));
    if (this.hub.config.self_heartbeat_url)
      this.addWorker('self-heartbeat', this.config.self_heartbeat_interval_s, () =>
        this.selfHeartbeat(),
      );
    for (const w of this.workers.values()) {
      // The sampler runs on its timer only when enabled; readiness still sees it running.
      if (w.name === 'sampler' && !this.config.sampler.enabled) {
        w.start();
        continue;
      }
      w.start({ runImmediately: w.name.startsWith('probe:') || w.name === 'self-heartbeat' });
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.meter.close();
    const now = this.hub.clock.now();
    try {
      await this.events.record({
        type: 'SYSTEM',
        severity: 'info',
        message: 'hub stopped cleanly',
        actor: 'system',
        ts: now,
      });
      await this.flushEvents();
      await this.storeLatency(true);
      if (this.started) {
        await this.hubState.write({
          ts: now,
          seq: this.hub.holder.current.version,
          startedAt: this.startedAt ?? now,
          pid: process.pid,
          version: VERSION,
          clean: true,
        });
      }
    } finally {
      this.started = false;
      this.detachLogFile?.();
      this.detachLogFile = null;
    }
  }

  /**
   * Runs at registration, before the hub listens: after an unclean stop, verifies (and repairs)
   * the projections of the facts received since the last heartbeat while nothing else writes.
   */
  async prepareRecovery(): Promise<void> {
    const now = this.hub.clock.now();
    const unclean = detectUncleanStop(await this.hubState.read(), now);
    if (!unclean) return;
    let verification: ProjectionVerification | null = null;
    let verifyError: string | null = null;
    try {
      verification = await this.verifyProjections({ sinceSeq: unclean.lastSeq });
    } catch (error) {
      verifyError = safeMessage(error);
      this.hub.logger.error({ err: error }, 'projection verification after an unclean stop failed');
    }
    this.recovery = { ...unclean, verification, verificationError: verifyError };
  }

  /**
   * The default verification: recomputes, from the facts, the ledger keys the recent tail
   * touched (plus orders, cash-flow sums and daily trade figures), repairs what differs and
   * reloads the in-memory projections.
   */
  async verifyProjections(options: { sinceSeq: number }): Promise<ProjectionVerification> {
    const db = this.hub.store.db;
    const keys = await db
      .selectFrom('fills')
      .select(['account', 'bot', 'symbol'])
      .distinct()
      .where('seq', '>', options.sinceSeq)
      .execute();
    const report = await rebuildProjections(db, ingestSettings(this.hub.config), {
      fix: true,
      keys,
      now: this.hub.clock.now(),
    });
    const differences = Object.values(report.counts).reduce((a, b) => a + b, 0);
    if (report.fixed) {
      // Other instances see the counter move and reload; this one reloads now.
      await db
        .updateTable('counters')
        .set((eb) => ({ value: eb('value', '+', 1) }))
        .where('name', '=', 'ingest')
        .execute();
      const fresh = new PortfolioState();
      await loadPortfolioState(db, fresh);
      this.hub.holder.current = fresh;
    }
    return {
      checked: report.keys,
      differences,
      repaired: report.fixed ? differences : 0,
      details:
        differences === 0
          ? undefined
          : Object.entries(report.counts)
              .map(([table, n]) => `${table} ${n}`)
              .join(', '),
    };
  }

  /** At start: writes the running state and reports a recovery found at registration. */
  private async startRecovery(now: number): Promise<void> {
    await this.hubState.write({
      ts: now,
      seq: this.hub.holder.current.version,
      startedAt: now,
      pid: process.pid,
      version: VERSION,
      clean: false,
    });
    await this.events.record({
      type: 'SYSTEM',
      severity: 'info',
      message: `hub started (version ${VERSION})`,
      actor: 'system',
      ts: now,
      context: { version: VERSION, instance: this.instance },
    });
    const r = this.recovery;
    if (!r || r.reported) return;
    r.reported = true;
    const { verification, verificationError } = r;
    const downtimeMs = Math.max(r.downtimeMs, now - r.lastHeartbeat);
    const down = formatDuration(downtimeMs);
    const verified = verification
      ? `; projections since seq ${r.lastSeq} verified: ${verification.checked} checked, ${verification.differences} differences, ${verification.repaired} repaired${verification.details ? ` (${verification.details})` : ''}`
      : `; projection verification failed: ${verificationError ?? 'unknown error'}`;
    await this.events.record({
      type: 'SYSTEM',
      severity: verification && verification.differences === 0 ? 'warning' : 'error',
      message: `recovered from an unclean stop: down for at least ${down} (last heartbeat ${new Date(r.lastHeartbeat).toISOString()})${verified}`,
      actor: 'system',
      ts: now,
      context: {
        recovery: true,
        last_heartbeat: r.lastHeartbeat,
        downtime_ms: downtimeMs,
        last_seq: r.lastSeq,
        verification,
        verification_error: verificationError,
      },
    });
    await this.hub.alertSink.fire({
      name: 'HubRecovered',
      severity: verification && verification.differences === 0 ? 'warning' : 'critical',
      summary: `the hub restarted after an unclean stop (down for at least ${down})`,
      description: `Last heartbeat ${new Date(r.lastHeartbeat).toISOString()}${verified}.`,
    });
    this.recoveredAlertUntil = now + this.config.recovered_alert_hold_s * 1000;
  }

  // ------------------------------------------------------------------ jobs

  async flushEvents(): Promise<void> {
    if (this.events.pending === 0) return;
    const start = performance.now();
    await this.events.flush();
    this.observeDb('events_insert', performance.now() - start);
    this.metrics?.eventsDropped.set(this.events.dropped);
  }

  async heartbeat(): Promise<void> {
    const now = this.hub.clock.now();
    await this.hubState.write({
      ts: now,
      seq: this.hub.holder.current.version,
      startedAt: this.startedAt ?? now,
      pid: process.pid,
      version: VERSION,
      clean: false,
    });
    if (this.recoveredAlertUntil !== null && now >= this.recoveredAlertUntil) {
      this.recoveredAlertUntil = null;
      await this.hub.alertSink.resolve('HubRecovered');
    }
  }

  /** One sampler period: resource sample, latency percentiles, threshold alerts. */
  async tick(): Promise<void> {
    const now = this.hub.clock.now();
    let levels = {
      cpuPct: null as number | null,
      memoryPct: null as number | null,
      diskPct: null as number | null,
      diskFreeBytes: null as number | null,
      loopLagMs: null as number | null,
    };
    if (this.measureOverride) {
      const m = await this.measureOverride();
      levels = {
        cpuPct: m.cpu?.pct ?? null,
        memoryPct: m.memory?.usedPct ?? null,
        diskPct: m.disk?.usedPct ?? null,
        diskFreeBytes: m.disk?.freeBytes ?? null,
        loopLagMs: m.eventLoop?.lagMs ?? null,
      };
    } else if (this.config.sampler.enabled) {
      const reading = this.meter.read(true);
      const db = await measureDatabase(this.hub.store.db);
      if (db.ok) this.observeDb('ping', db.ms);
      this.lastDisk = await measureDisk(this.hub.config.data_dir);
      levels = {
        cpuPct: reading.systemCpuPct,
        memoryPct: reading.memoryPct,
        diskPct: this.lastDisk?.usedPct ?? null,
        diskFreeBytes: this.lastDisk?.freeBytes ?? null,
        loopLagMs: reading.loopLagMs,
      };
      const start = performance.now();
      await this.db
        .insertInto('health_samples')
        .values({
          instance: this.instance,
          bucket_s: Math.round(this.config.sampler.interval_s),
          ts: now,
          count: 1,
          cpu_pct: reading.processCpuPct,
          system_cpu_pct: reading.systemCpuPct,
          memory_pct: reading.memoryPct,
          rss_bytes: reading.rssBytes,
          heap_used_bytes: reading.heapUsedBytes,
          heap_total_bytes: reading.heapTotalBytes,
          loop_lag_ms: reading.loopLagMs,
          disk_pct: this.lastDisk?.usedPct ?? null,
          disk_free_bytes: this.lastDisk?.freeBytes ?? null,
        })
        .onConflict((oc) => oc.columns(['instance', 'bucket_s', 'ts']).doNothing())
        .execute();
      this.observeDb('samples_insert', performance.now() - start);
    }
    await this.storeLatency(false);
    const desired = thresholdAlerts({
      now,
      alerts: this.config.alerts,
      checks: this.config.thresholds,
      latency: this.latency,
      requests: this.requests,
      resources: levels,
    });
    await this.applyTransitions(this.thresholdTracker, desired);
    const keep = this.config.alerts.window_minutes + 2;
    this.latency.prune(now, keep);
    this.requests.prune(now, keep);
  }

  /** Writes the per-minute percentiles of completed minutes (all of them when stopping). */
  private async storeLatency(final: boolean): Promise<void> {
    const now = this.hub.clock.now();
    const rows = this.latency.drain(final ? now + MINUTE : now);
    if (rows.length === 0) return;
    const values = rows.map((r) => ({ ...r, instance: this.instance }));
    for (let i = 0; i < values.length; i += 500) {
      await this.db
        .insertInto('health_latency')
        .values(values.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['instance', 'metric', 'bot', 'minute']).doNothing())
        .execute();
    }
  }

  async retention(): Promise<void> {
    const result = await applyRetention(
      this.db,
      this.instance,
      this.config.retention,
      this.hub.clock.now(),
    );
    const total =
      result.events +
      result.samples +
      result.downsampled +
      result.latency +
      result.logs +
      result.heartbeats;
    if (total > 0) this.hub.logger.info({ retention: result }, 'retention: old rows removed');
  }

  /** Compares broker snapshots with the ledger (no alerts; the API and the job share it). */
  async reconciliation(): Promise<ReconciliationReport> {
    const r = this.config.reconciliation;
    const now = this.hub.clock.now();
    await this.snapshots.refresh();
    const view = ledgerView(this.hub.holder.current, await lastCashFlows(this.hub.store.db));
    const items = reconcile(
      this.snapshots.positions.values(),
      this.snapshots.balances.values(),
      view.positions,
      view.accounts,
      {
        qty: dec(r.qty_tolerance),
        money: dec(r.money_tolerance),
        moneyPct: r.money_tolerance_pct,
        balances: r.balances,
      },
    );
    const orphans = await scanOrphans(this.hub.store.db, now, {
      orphanAfterMs: r.orphan_after_minutes * MINUTE,
      graceMs: r.unknown_order_grace_minutes * MINUTE,
      lookbackMs: r.unknown_order_lookback_hours * 60 * MINUTE,
    });
    return { asOf: now, items, orphans };
  }

  /** The reconciliation job: ReconciliationMismatch and OrphanedOrder fire and resolve. */
  async reconcileAndAlert(): Promise<ReconciliationReport> {
    const report = await this.reconciliation();
    const state = this.hub.holder.current;
    const previous = new Map(
      this.reconciliationTracker.active.map((s) => [JSON.stringify(s.labels ?? {}), s]),
    );
    const desired: AlertSignal[] = [];
    for (const item of report.items) {
      const labels: Record<string, string> = { account: item.account, kind: item.kind };
      if (item.symbol !== null) labels.symbol = item.symbol;
      if (item.status === 'stale') {
        // Not comparable until the broker reports again: keep whatever state it had.
        const prior = previous.get(JSON.stringify(labels));
        if (prior) desired.push(prior);
        continue;
      }
      if (item.status !== 'mismatch') continue;
      const currency = this.hub.query.views.currencyOf(state, item.account);
      const fmt = (v: bigint) =>
        item.kind === 'position'
          ? String(decToNumber(v))
          : `${this.hub.query.money.money(v, currency)} ${currency}`;
      desired.push({
        name: 'ReconciliationMismatch',
        severity: 'warning',
        labels,
        summary:
          item.kind === 'position'
            ? `${item.account} ${item.symbol}: broker position ${fmt(item.broker)}, ledger ${fmt(item.ledger)}`
            : `${item.account} ${item.kind}: broker ${fmt(item.broker)}, ledger ${fmt(item.ledger)}`,
        description: `Difference ${fmt(item.difference)} (broker minus ledger), reported by ${item.bot} at ${new Date(item.brokerTs).toISOString()}.`,
      });
    }
    await this.applyTransitions(this.reconciliationTracker, desired);
    await this.applyTransitions(
      this.orphanTracker,
      orphanAlerts(report.orphans, this.config.reconciliation.orphan_after_minutes),
    );
    if (this.metrics) {
      const m = this.metrics;
      m.reconciliationMismatches.reset();
      for (const kind of ['position', 'cash', 'equity'] as const)
        m.reconciliationMismatches.set(
          { kind },
          report.items.filter((i) => i.kind === kind && i.status === 'mismatch').length,
        );
      m.orphanedOrders.set({ kind: 'stale_open' }, report.orphans.staleOpen.length);
      m.orphanedOrders.set({ kind: 'unknown_order' }, report.orphans.unknownOrders.length);
    }
    return report;
  }

  private async applyTransitions(tracker: AlertTracker, desired: AlertSignal[]): Promise<void> {
    const { fire, resolve } = tracker.update(desired);
    for (const s of fire) await this.hub.alertSink.fire(s);
    for (const r of resolve) await this.hub.alertSink.resolve(r.name, r.labels);
  }

  async runProbe(p: ProbeState): Promise<void> {
    const t = await p.check(this.probeFetch, () => this.hub.clock.now());
    if (this.metrics) {
      this.metrics.probeUp.set({ probe: p.probe.name }, p.result.ok ? 1 : 0);
      if (p.result.responseMs !== null)
        this.metrics.probeDuration.set({ probe: p.probe.name }, p.result.responseMs / 1000);
    }
    if (t.fire) await this.hub.alertSink.fire(t.fire);
    if (t.resolve) await this.hub.alertSink.resolve('ProbeFailed', { probe: p.probe.name });
  }

  /** Pings the outside heartbeat URL while the hub is ready (so a sick hub goes quiet). */
  async selfHeartbeat(): Promise<void> {
    const url = this.hub.config.self_heartbeat_url;
    if (!url) return;
    const { ready } = await this.readiness();
    if (!ready) return;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) this.hub.logger.warn({ status: res.status }, 'self heartbeat ping was refused');
    } catch (error) {
      this.hub.logger.warn({ error: safeMessage(error) }, 'self heartbeat ping failed');
    }
  }

  /** Overall status now (used by metrics and the CLI). */
  async status(): Promise<CheckStatus> {
    return worst((await this.checks()).map((c) => c.status));
  }
}
