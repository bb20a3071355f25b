import { randomUUID } from 'node:crypto';
import { isoUtc } from '@tradewatch/protocol';
import type { AlertSignal, AlertSink } from '../alert-sink.js';
import type { Hub } from '../hub.js';
import type { BatchChanges } from '../ingest/index.js';
import { decFromString, decToNumber, ZERO, type Dec } from '../ledger/index.js';
import { tradingDay } from '../time/index.js';
import type { AlertsConfig, RiskConfig } from './config.js';
import { AlertCore } from './engine/core.js';
import { coreSettingsFrom } from './engine/settings.js';
import { Effects, type Notification, type SilenceRecord } from './engine/types.js';
import {
  fingerprint,
  fullLabels,
  hashOf,
  type AlertRecord,
  type FireSignal,
  type Labels,
} from './model.js';
import { evaluateLimits, type LimitStatus } from './risk/evaluate.js';
import { buildSnapshots, type StopOrder } from './risk/snapshot.js';
import { builtinsFrom, RISK_ALERTS, type Builtins } from './rules/builtins.js';
import { eventSignals } from './rules/events.js';
import { botDownResolution, derived, livenessSignals } from './rules/liveness.js';
import { RuleEvaluator } from './rules/threshold.js';
import type { AlertsRepository, OutboxRow } from './store/repository.js';
import type { OrdersTable } from '../store/index.js';

const STOP_TYPES = new Set(['stop', 'stop_limit', 'trailing_stop']);
/** Resolved alerts stay in memory this long (for grouping and the API's recent list). */
const KEEP_RESOLVED_MS = 3_600_000;
const SEEN_EVENTS_MAX = 50_000;

export interface AlertServiceHooks {
  /** New outbox rows were committed (leased to `lease()`'s owner). */
  onOutbox(rows: OutboxRow[]): void;
  /** Who new outbox rows are leased to (this instance's dispatcher). */
  lease(now: number): { owner: string; until: number } | null;
  /** Alerts started firing (runbook actions). */
  onFired(alerts: AlertRecord[]): void;
  /** Open kill-switch commands past their acknowledgement timeout (KillSwitchUnacknowledged). */
  unacknowledged(now: number): FireSignal[];
}

/**
 * The alert engine's shell: feeds committed batches, the clock and other modules' signals to
 * the pure core and the rules, one step at a time, and writes each step (alert state, history,
 * groups, outbox rows) in one transaction before anything is sent.
 */
export class AlertService {
  readonly core: AlertCore;
  readonly builtins: Builtins;
  private readonly rules: RuleEvaluator;
  private queue: Promise<unknown> = Promise.resolve();
  private pendingChanges: BatchChanges[] = [];
  private evaluationQueued = false;
  private readonly stops = new Map<string, StopOrder>();
  private dayCache: {
    date: string;
    loadedAt: number;
    map: Map<string, { start: Dec; cashFlows: Dec }>;
  } | null = null;
  private dayDirty = true;
  private readonly seenEvents = new Map<string, true>();
  private lastPrune = 0;
  private lastRetention = 0;
  /** The latest evaluation of every configured limit (GET /api/v1/risk/limits). */
  limits: LimitStatus[] = [];
  hooks: AlertServiceHooks = {
    onOutbox: () => undefined,
    lease: () => null,
    onFired: () => undefined,
    unacknowledged: () => [],
  };

  constructor(
    private readonly hub: Hub,
    readonly config: AlertsConfig,
    private readonly risk: RiskConfig,
    readonly repo: AlertsRepository,
    externalUrl: string,
  ) {
    this.core = new AlertCore(
      coreSettingsFrom(config, { timezone: hub.config.timezone, externalUrl }),
    );
    this.builtins = builtinsFrom(config.builtin);
    this.rules = new RuleEvaluator(config.rules);
    // Account and bot scopes are built only when a limit or a rule looks at them.
    const accountLimits = Object.keys(risk.accounts).length > 0;
    const botLimits = Object.keys(risk.bots).length > 0;
    this.kinds = {
      account: accountLimits || config.rules.some((r) => r.scope === 'account'),
      bot: botLimits || config.rules.some((r) => r.scope === 'bot'),
    };
  }

  private readonly kinds: { account: boolean; bot: boolean };

  /** Restores the engine from the database and loads open protective orders. */
  async load(): Promise<void> {
    const now = this.hub.clock.now();
    this.core.restore(await this.repo.loadEngineState(now, KEEP_RESOLVED_MS));
    let after: (string | number | null)[] | null = null;
    for (;;) {
      const rows: OrdersTable[] = await this.hub.query.repo.orders(
        { status: 'open', limit: 1_000 },
        after,
      );
      for (const o of rows.slice(0, 1_000)) this.noteOrder(o);
      if (rows.length <= 1_000) break;
      const last = rows[999]!;
      after = [last.updated_at, last.bot, last.order_id];
    }
  }

  // ---------------------------------------------------------------- the serialised step

  /**
   * Runs `fn` on the engine after every earlier step, flushes groups now due and persists what
   * changed in one transaction. If the write fails the engine reloads from the database.
   */
  step<T>(fn: (fx: Effects, now: number) => T | Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      // SQLite calls are synchronous: yield to I/O between steps so deliveries keep flowing.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const fx = new Effects();
      const now = this.hub.clock.now();
      const result = await fn(fx, now);
      this.core.flushDue(now, fx);
      let outbox: OutboxRow[];
      try {
        outbox = await this.repo.persist(this.core, fx, this.hooks.lease(now));
      } catch (error) {
        this.hub.logger.error({ err: error }, 'alert state could not be written; reloading it');
        await this.reload().catch(() => undefined);
        throw error;
      }
      this.afterCommit(fx, now, outbox);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for every queued step (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  /** Reloads the engine from the database (after a failed write, or on becoming the leader). */
  reloadState(): Promise<void> {
    return this.step(async () => {
      await this.reload();
    });
  }

  private async reload(): Promise<void> {
    this.core.clear();
    this.core.restore(await this.repo.loadEngineState(this.hub.clock.now(), KEEP_RESOLVED_MS));
  }

  private afterCommit(fx: Effects, now: number, outbox: OutboxRow[]): void {
    if (outbox.length > 0) this.hooks.onOutbox(outbox);
    if (fx.fired.length > 0) this.hooks.onFired(fx.fired);
    for (const fp of fx.alerts) {
      const a = this.core.alerts.get(fp);
      if (a) this.hub.stream.broadcast({ type: 'alert', seq: 0, data: this.row(a, now) });
    }
    // Critical alerts also go to the event log (the alert history API has every alert); the
    // event log writes one row per record, which would double the writes of a busy engine.
    for (const a of fx.fired) if (a.severity === 'critical') this.record(a, true);
    for (const a of fx.resolved) if (a.severity === 'critical' && !a.oneshot) this.record(a, false);
  }

  private record(a: AlertRecord, firing: boolean): void {
    const risk = (RISK_ALERTS as readonly string[]).includes(a.name);
    void this.hub.events
      .record({
        type: risk ? 'RISK' : 'ALERT',
        severity: firing ? (a.severity === 'info' ? 'info' : a.severity) : 'info',
        message: firing
          ? `${a.name}: ${a.annotations.summary ?? ''}`
          : `${a.name} resolved: ${a.annotations.resolved ?? a.annotations.summary ?? ''}`,
        bot: a.labels.bot ?? null,
        strategy: a.labels.strategy ?? null,
        tradeId: a.labels.trade_id ?? null,
        actor: 'system',
        context: {
          alertname: a.name,
          fingerprint: a.fingerprint,
          status: a.status,
          labels: a.labels,
        },
        ts: firing ? a.startsAt : (a.endsAt ?? a.updatedAt),
      })
      .catch(() => undefined);
  }

  // ---------------------------------------------------------------- inputs

  /**
   * Called for every committed ingest batch; evaluations coalesce while a step runs. Every
   * instance tracks protective orders (the risk gauges); only the leader evaluates.
   */
  onCommit(changes: BatchChanges, evaluate = true): void {
    for (const o of changes.orders) this.noteOrder(o);
    if (!this.config.enabled || !evaluate) return;
    this.pendingChanges.push(changes);
    if (changes.cashFlows.length > 0) this.dayDirty = true;
    if (this.evaluationQueued) return;
    this.evaluationQueued = true;
    void this.step((fx, now) => {
      this.evaluationQueued = false;
      const batch = this.pendingChanges;
      this.pendingChanges = [];
      return this.evaluateCommits(batch, fx, now);
    }).catch((error: unknown) => this.hub.logger.error({ err: error }, 'alert evaluation failed'));
  }

  /** The alert sink other modules use (health probes, backups …). */
  sink(): AlertSink {
    return {
      fire: async (signal: AlertSignal) => {
        await this.step((fx, now) => {
          this.core.fire(
            {
              name: signal.name,
              severity: signal.severity,
              labels: signal.labels ?? {},
              annotations: {
                summary: signal.summary,
                ...(signal.description ? { description: signal.description } : {}),
              },
              source: 'sink',
            },
            now,
            fx,
          );
        });
      },
      resolve: async (name: string, labels?: Record<string, string>) => {
        await this.step((fx, now) => {
          this.core.resolve(fingerprint(name, labels ?? {}), now, fx);
        });
      },
    };
  }

  fireSignals(signals: FireSignal[]): Promise<void> {
    return this.step((fx, now) => {
      for (const s of signals) this.core.fire(s, now, fx);
    });
  }

  resolveWhere(name: string, labels: Labels): Promise<boolean> {
    return this.step((fx, now) => this.core.resolve(fingerprint(name, labels), now, fx));
  }

  /** Time passed: the dead-man's switch, limits, rules, kill-switch acknowledgements, group timers. */
  tick(): Promise<void> {
    return this.step(async (fx, now) => {
      if (this.config.enabled) {
        this.evaluateLiveness(fx, now);
        await this.evaluateRisk(fx, now);
        const unacked = this.hooks.unacknowledged(now);
        for (const s of unacked) this.core.fire(s, now, fx);
        this.core.sweep('command', derived(unacked).fingerprints, now, fx, {
          names: new Set(['KillSwitchUnacknowledged']),
        });
      }
      this.core.tick(now, fx);
      if (now - this.lastPrune > 60_000) {
        this.lastPrune = now;
        this.core.prune(now, KEEP_RESOLVED_MS);
      }
      if (now - this.lastRetention > 3_600_000) {
        this.lastRetention = now;
        await this.repo.prune(now - this.config.delivery.history_retention);
      }
    });
  }

  // ---------------------------------------------------------------- evaluation

  private noteOrder(o: OrdersTable): void {
    const key = `${o.bot}\u0000${o.order_id}`;
    if (o.is_open === 1 && STOP_TYPES.has(o.order_type)) {
      this.stops.set(key, {
        bot: o.bot,
        account: o.account,
        symbol: o.symbol,
        side: o.side,
        qty: decFromString(o.qty),
        filledQty: decFromString(o.filled_qty),
        stopPrice: o.stop_price === null ? null : decFromString(o.stop_price),
      });
    } else {
      this.stops.delete(key);
    }
  }

  private async evaluateCommits(batches: BatchChanges[], fx: Effects, now: number): Promise<void> {
    const input = {
      fills: batches.flatMap((b) => b.fills),
      orders: batches.flatMap((b) => b.orders),
      trades: batches.flatMap((b) => b.trades),
      signals: batches.flatMap((b) => b.signals),
    };
    const money = this.hub.query.money;
    const state = this.hub.holder.current;
    const events = eventSignals(
      input,
      {
        orderLatencyMs: this.risk.order_latency_ms,
        money: (v, account) => {
          const currency = state.accounts.get(account)?.currency ?? this.hub.config.base_currency;
          const places = money.places(currency);
          return `${decToNumber(v, places).toFixed(places)} ${currency}`;
        },
      },
      this.builtins,
    );
    for (const s of events) {
      const key = `${s.name}\u0000${fingerprint(s.name, fullLabels(s.name, s.severity, s.labels))}`;
      if (this.seenEvents.has(key)) continue;
      this.seenEvents.set(key, true);
      if (this.seenEvents.size > SEEN_EVENTS_MAX) {
        const oldest = this.seenEvents.keys().next().value;
        if (oldest !== undefined) this.seenEvents.delete(oldest);
      }
      this.core.fire(s, now, fx);
    }
    if (batches.some((b) => b.bots.length > 0)) this.evaluateLiveness(fx, now);
    if (
      batches.some(
        (b) => b.valuationChanged || b.orders.length > 0 || b.keys.length > 0 || b.bots.length > 0,
      )
    ) {
      await this.evaluateRisk(fx, now);
    }
  }

  private evaluateLiveness(fx: Effects, now: number): void {
    const state = this.hub.holder.current;
    const live = livenessSignals(
      state,
      now,
      {
        defaultIntervalS: this.hub.config.default_heartbeat_interval_s,
        staleMarketDataS: this.risk.stale_market_data_s ?? null,
      },
      this.builtins,
    );
    for (const s of live.signals) this.core.fire(s, now, fx);
    this.core.sweep('liveness', live.fingerprints, now, fx, {
      annotate: (a) => botDownResolution(a, state),
    });
  }

  private async dayStarts(now: number): Promise<Map<string, { start: Dec; cashFlows: Dec }>> {
    const date = tradingDay(now, this.hub.config.timezone);
    const state = this.hub.holder.current;
    const stale =
      this.dayDirty ||
      this.dayCache === null ||
      this.dayCache.date !== date ||
      now - this.dayCache.loadedAt > 60_000 ||
      [...state.bots.keys()].some((b) => !this.dayCache!.map.has(`bot:${b}`)) ||
      [...state.accounts.keys()].some((a) => !this.dayCache!.map.has(`account:${a}`));
    if (!stale) return this.dayCache!.map;
    const { today, previous } = await this.hub.query.repo.dayRows(date);
    const map = new Map<string, { start: Dec; cashFlows: Dec }>();
    for (const r of previous)
      map.set(r.scope, { start: decFromString(r.end_equity), cashFlows: ZERO });
    for (const r of today)
      map.set(r.scope, {
        start: decFromString(r.start_equity),
        cashFlows: decFromString(r.cash_flows),
      });
    this.dayCache = { date, loadedAt: now, map };
    this.dayDirty = false;
    return map;
  }

  private async snapshots(now: number) {
    const state = this.hub.holder.current;
    return buildSnapshots({
      state,
      day: await this.dayStarts(now),
      stops: this.stops.values(),
      now,
      kinds: this.kinds,
    });
  }

  /** Every limit evaluated now (read-only: alerts change on the next commit or tick). */
  async currentLimits(now: number): Promise<LimitStatus[]> {
    return evaluateLimits(this.risk, await this.snapshots(now));
  }

  fingerprintOf(l: LimitStatus): string {
    return fingerprint(l.alert, l.labels);
  }

  private async evaluateRisk(fx: Effects, now: number): Promise<void> {
    const snapshots = await this.snapshots(now);
    this.limits = evaluateLimits(this.risk, snapshots);
    // A breach that is already firing keeps the words it fired with (GET /api/v1/risk/limits
    // has the live figures): only new breaches are described and fired.
    const breached = new Set<string>();
    for (const l of this.limits) {
      if (!l.breached || !this.builtins.enabled(l.alert)) continue;
      const fp = fingerprint(l.alert, l.labels);
      breached.add(fp);
      if (this.core.alerts.get(fp)?.status === 'firing') continue;
      this.core.fire(
        {
          name: l.alert,
          severity: this.builtins.severity(l.alert),
          labels: l.labels,
          annotations: { summary: l.summary(), limit: l.configured },
          source: 'risk',
        },
        now,
        fx,
      );
    }
    this.core.sweep('risk', breached, now, fx);
    const ruled = new Set<string>();
    for (const s of this.rules.evaluate(snapshots, now)) {
      const fp = fingerprint(s.name, s.labels);
      ruled.add(fp);
      if (this.core.alerts.get(fp)?.status !== 'firing') this.core.fire(s, now, fx);
    }
    this.core.sweep('rule', ruled, now, fx);
  }

  // ---------------------------------------------------------------- actions from the API

  async ack(fp: string, actor: string, comment?: string): Promise<AlertRecord | null> {
    const before = this.core.alerts.get(fp)?.ackedAt ?? null;
    const a = await this.step((fx, now) => this.core.ack(fp, actor, now, fx, comment));
    if (a && before === null && a.ackedAt !== null) {
      await this.hub.events
        .record({
          type: 'AUDIT',
          severity: 'info',
          message: `alert ${a.name} (${a.fingerprint.slice(0, 8)}) acknowledged${comment ? `: ${comment}` : ''}`,
          actor,
          bot: a.labels.bot ?? null,
          context: { fingerprint: a.fingerprint, alertname: a.name },
        })
        .catch(() => undefined);
    }
    return a;
  }

  putSilence(s: Omit<SilenceRecord, 'compiled'>): Promise<SilenceRecord> {
    return this.step((fx, now) => this.core.putSilence(s, now, fx));
  }

  expireSilence(id: string): Promise<SilenceRecord | null> {
    return this.step((fx, now) => this.core.expireSilence(id, now, fx));
  }

  /** Queues a message outside the alert flow (test, daily summary) on the given channels. */
  enqueue(
    kind: 'test' | 'summary',
    channels: string[],
    build: (channel: string, now: number) => { payload: Notification; dedupKey: string },
  ): Promise<void> {
    return this.step((fx, now) => {
      for (const channel of channels) {
        const { payload, dedupKey } = build(channel, now);
        fx.outbox.push({ channel, kind, groupKey: null, dedupKey, payload, createdAt: now });
      }
    });
  }

  testNotification(
    channel: string,
    now: number,
    message: string,
  ): { payload: Notification; dedupKey: string } {
    const payload = this.core.blank(
      'test',
      channel,
      { id: 'test' } as never,
      `test:${channel}`,
      now,
    );
    payload.message = message;
    payload.status = 'firing';
    return { payload, dedupKey: hashOf(['test', channel, String(now), randomUUID()]) };
  }

  // ---------------------------------------------------------------- views

  row(a: AlertRecord, now: number) {
    const silencedBy = a.status === 'firing' ? this.core.silencesOf(a, now) : [];
    return {
      id: a.fingerprint,
      fingerprint: a.fingerprint,
      name: a.name,
      severity: a.severity,
      state:
        this.core.alerts.get(a.fingerprint) === a ? this.core.effectiveState(a, now) : a.status,
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      summary: a.annotations.summary ?? a.name,
      source: a.source,
      starts_at: isoUtc(a.startsAt),
      ends_at: a.endsAt === null ? null : isoUtc(a.endsAt),
      updated_at: isoUtc(a.updatedAt),
      acknowledged_at: a.ackedAt === null ? null : isoUtc(a.ackedAt),
      acknowledged_by: a.ackedBy,
      escalated_at: a.escalatedAt === null ? null : isoUtc(a.escalatedAt),
      silenced_by: silencedBy,
      inhibited: a.status === 'firing' && this.core.isInhibited(a),
      generator_url: this.core.view(a).generatorURL,
    };
  }
}

export type AlertRow = ReturnType<AlertService['row']>;
