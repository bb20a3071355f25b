import { performance } from 'node:perf_hooks';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleAll,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { Logger } from 'pino';
import type { Clock } from '../../time/index.js';
import type { Channel } from '../channels/channel.js';
import { DeliveryError } from '../channels/channel.js';
import type { AlertsConfig } from '../config.js';
import type { Notification } from '../engine/types.js';
import type { AlertsRepository, NewDelivery, OutboxRow } from '../store/repository.js';
import type { Renderer } from '../templates/render.js';
import { backoffMs } from './backoff.js';

export interface DispatcherDeps {
  repo: AlertsRepository;
  channels: Map<string, Channel>;
  /** Channel → the channel that takes over while it keeps failing. */
  failover: Map<string, string>;
  renderer: Renderer;
  clock: Clock;
  logger: Logger;
  settings: AlertsConfig['delivery'];
  /** Everything goes to this channel instead (alerts.dry_run). */
  dryRun: Channel | null;
  /** This instance's name in outbox leases. */
  owner: string;
  random?: () => number;
  /** A channel started or stopped failing (DeliveryFailing). */
  onHealth(channel: string, failing: boolean, error: string | null): void;
  onAttempt?(channel: string, outcome: 'sent' | 'failed' | 'skipped', seconds: number): void;
}

export interface ChannelHealth {
  channel: string;
  type: string;
  breaker: 'closed' | 'open' | 'half_open' | 'isolated';
  consecutive_failures: number;
  failing: boolean;
  last_error: string | null;
  failover: string | null;
}

type Outcome =
  | { kind: 'sent'; via: string; deliveries: NewDelivery[] }
  | { kind: 'skipped'; reason: string; deliveries: NewDelivery[] }
  | { kind: 'failed'; error: string; nextAttemptAt: number; deliveries: NewDelivery[] };

const BATCH = 100;
/** Delivered rows are marked sent in batches this often (a crash in between re-sends them: at-least-once). */
const SETTLE_DELAY_MS = 50;

/**
 * Delivers the outbox: per channel, oldest first, never past a row that is not delivered yet
 * (order is kept), exponential backoff with jitter between attempts, one circuit breaker per
 * channel, an optional failover channel, and a row marked sent only after the channel accepted
 * it (at-least-once: a crash between the send and the mark sends it again, with the same dedup
 * key). Rows are claimed with a lease so two instances never deliver the same row at once.
 */
export class Dispatcher {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly failures = new Map<string, number>();
  private readonly lastError = new Map<string, string>();
  private readonly failing = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  /** Rows this instance just wrote (leased to it), per channel, in id order. */
  private readonly queued = new Map<string, OutboxRow[]>();
  /** Channels whose stored queue holds nothing older than `queued` (they skip the claim query). */
  private readonly clean = new Set<string>();
  private readonly needClaim = new Set<string>();
  private settleBuffer: {
    sent: { id: number; via: string; at: number }[];
    skipped: { id: number; reason: string }[];
    deliveries: NewDelivery[];
  } = { sent: [], skipped: [], deliveries: [] };
  private settling: Promise<void> | null = null;
  private settleTimer: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private kicked = false;
  private started = false;
  private stopped = false;
  private draining: Promise<void> | null = null;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Timer mode (the running hub): drains on kicks and when the next retry is due. */
  start(): void {
    this.started = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    this.timer = null;
    await Promise.allSettled([...this.running.values()]);
    await this.draining?.catch(() => undefined);
    await this.flushSettles();
  }

  /**
   * Rows the engine just committed, leased to this instance: delivered without a round trip to
   * the database when their channel has no older rows waiting.
   */
  offer(rows: OutboxRow[]): void {
    if (this.stopped || rows.length === 0) return;
    const channels = new Set<string>();
    for (const r of rows) {
      const list = this.queued.get(r.channel) ?? [];
      list.push(r);
      this.queued.set(r.channel, list);
      channels.add(r.channel);
    }
    for (const c of channels) {
      void this.drainChannel(c, false).catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'alert dispatcher failed; retrying');
        this.schedule(1_000);
      });
    }
  }

  /** New rows were written: deliver soon. */
  kick(): void {
    if (this.stopped || this.kicked) return;
    this.kicked = true;
    queueMicrotask(() => {
      this.kicked = false;
      void this.drain().catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'alert dispatcher failed; retrying');
        this.schedule(1_000);
      });
    });
  }

  /** Delivers everything that is due now (tests call this directly on a manual clock). */
  async drain(): Promise<void> {
    if (this.stopped) return;
    const run = (async () => {
      const channels = await this.deps.repo.pendingChannels();
      await Promise.all(channels.map((c) => this.drainChannel(c, true)));
    })();
    this.draining = run;
    await run;
    await this.flushSettles();
    if (this.started && !this.stopped) {
      const next = await this.deps.repo.nextAttemptAt();
      if (next !== null) this.schedule(Math.max(10, next - this.deps.clock.now()));
    }
  }

  /** Wakes the dispatcher in `ms` (real time) unless an earlier wake-up is already set. */
  private schedule(ms: number): void {
    if (!this.started || this.stopped) return;
    const wait = Math.min(ms, 60_000);
    const at = performance.now() + wait;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, wait);
    this.timer.unref();
  }

  /**
   * Runs a channel's delivery loop (one per channel at a time). `claim`: also look in the
   * database (a drain, a retry); otherwise only rows this instance just wrote are taken.
   */
  private drainChannel(channel: string, claim: boolean): Promise<void> {
    if (claim) this.needClaim.add(channel);
    const current = this.running.get(channel);
    if (current) {
      this.dirty.add(channel);
      return current;
    }
    const run = (async () => {
      do {
        this.dirty.delete(channel);
        await this.processChannel(channel, this.needClaim.delete(channel));
      } while (this.dirty.has(channel) && !this.stopped);
    })().finally(() => this.running.delete(channel));
    this.running.set(channel, run);
    return run;
  }

  /** Marks delivered rows sent, many per transaction, without holding up the next delivery. */
  private flushSettles(): Promise<void> {
    if (this.settling) return this.settling.then(() => this.flushSettles());
    const buf = this.settleBuffer;
    if (buf.sent.length + buf.skipped.length + buf.deliveries.length === 0)
      return Promise.resolve();
    this.settleBuffer = { sent: [], skipped: [], deliveries: [] };
    this.settling = this.deps.repo
      .settle(buf.sent, [], buf.skipped, buf.deliveries, this.deps.owner)
      .catch((error: unknown) =>
        this.deps.logger.error(
          { err: error },
          'delivered alerts could not be marked sent; they may be sent again',
        ),
      )
      .finally(() => {
        this.settling = null;
      });
    return this.settling;
  }

  private async processChannel(channel: string, claimFirst: boolean): Promise<void> {
    const { repo, owner, settings } = this.deps;
    let claim = claimFirst || !this.clean.has(channel);
    for (;;) {
      let rows: OutboxRow[];
      const mem = this.queued.get(channel) ?? [];
      if (!claim && this.clean.has(channel) && mem.length > 0) {
        rows = mem.splice(0, BATCH);
      } else if (claim) {
        // Rows delivered but not yet marked sent would look pending: mark them first.
        await this.flushSettles();
        const claimed = await repo.claim(
          channel,
          owner,
          this.deps.clock.now(),
          settings.lease,
          BATCH,
        );
        rows = claimed.rows;
        const exhausted = claimed.exhausted;
        claim = !exhausted;
        // What the claim returned is no longer waiting in memory.
        if (mem.length > 0) {
          const ids = new Set(rows.map((r) => r.id));
          this.queued.set(
            channel,
            mem.filter((r) => !ids.has(r.id)),
          );
        }
        if (exhausted) this.clean.add(channel);
        if (rows.length === 0) {
          if (exhausted && (this.queued.get(channel)?.length ?? 0) > 0) continue;
          return;
        }
      } else {
        return;
      }
      // A healthy channel may have a few messages in flight (started in order); one that is
      // catching up after failures gets its backlog strictly one at a time, oldest first.
      const window = this.clean.has(channel) ? Math.max(1, settings.concurrency) : 1;
      const inflight = new Set<Promise<void>>();
      const failures: { row: OutboxRow; outcome: Extract<Outcome, { kind: 'failed' }> }[] = [];
      let next = 0;
      while (next < rows.length && failures.length === 0 && !this.stopped) {
        if (inflight.size >= window) {
          await Promise.race(inflight);
          continue;
        }
        const row = rows[next++]!;
        const p: Promise<void> = this.attempt(row)
          .then((outcome) => {
            if (outcome.kind === 'failed') {
              failures.push({ row, outcome });
              return;
            }
            const buf = this.settleBuffer;
            buf.deliveries.push(...outcome.deliveries);
            if (outcome.kind === 'sent')
              buf.sent.push({ id: row.id, via: outcome.via, at: this.deps.clock.now() });
            else buf.skipped.push({ id: row.id, reason: outcome.reason });
          })
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await Promise.all(inflight);
      this.scheduleSettle();
      if (failures.length === 0 && !this.stopped) continue;
      // Nothing behind a failed row goes first: the rest stay in the database (leased to us
      // until the lease ends) and come back by claim once the failed one is through.
      await repo.release(
        rows.slice(next).map((r) => r.id),
        owner,
      );
      if (failures.length === 0) return;
      this.clean.delete(channel);
      this.queued.delete(channel);
      await this.flushSettles();
      await repo.settle(
        [],
        failures.map(({ row, outcome }) => ({
          id: row.id,
          attempts: row.attempts + 1,
          nextAttemptAt: outcome.nextAttemptAt,
          error: outcome.error,
        })),
        [],
        failures.flatMap((f) => f.outcome.deliveries),
        owner,
      );
      const due = Math.min(...failures.map((f) => f.outcome.nextAttemptAt));
      this.schedule(Math.max(10, due - this.deps.clock.now()));
      return;
    }
  }

  /** Marks delivered rows sent a little later, many per transaction (one fsync, not one per message). */
  private scheduleSettle(): void {
    if (this.settleTimer || this.stopped) return;
    const buf = this.settleBuffer;
    if (buf.sent.length + buf.skipped.length + buf.deliveries.length === 0) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      void this.flushSettles();
    }, SETTLE_DELAY_MS);
    this.settleTimer.unref();
  }

  private breaker(channel: string): CircuitBreakerPolicy {
    let b = this.breakers.get(channel);
    if (!b) {
      b = circuitBreaker(handleAll, {
        halfOpenAfter: this.deps.settings.breaker_half_open_after,
        breaker: new ConsecutiveBreaker(this.deps.settings.breaker_failures),
      });
      this.breakers.set(channel, b);
    }
    return b;
  }

  /** One try through one channel; records the attempt. */
  private async tryChannel(
    row: OutboxRow,
    notification: Notification,
    via: string,
    channel: Channel,
  ): Promise<
    | { ok: true; skipped?: string; delivery: NewDelivery }
    | { ok: false; error: string; open: boolean; delivery: NewDelivery }
  > {
    const started = performance.now();
    const base = {
      outbox_id: row.id,
      channel: row.channel,
      via,
      kind: row.kind,
      ts: this.deps.clock.now(),
      attempt: row.attempts + 1,
    };
    const breaker = this.breaker(via);
    try {
      const result = await breaker.execute(({ signal }) =>
        channel.send(notification, {
          dedupKey: row.dedup_key,
          outboxId: row.id,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.deps.settings.timeout)]),
          renderer: this.deps.renderer,
        }),
      );
      const ms = performance.now() - started;
      this.deps.onAttempt?.(via, result.skipped ? 'skipped' : 'sent', ms / 1000);
      this.healthy(via);
      return {
        ok: true,
        ...(result.skipped ? { skipped: result.skipped } : {}),
        delivery: {
          ...base,
          ok: 1,
          status_code: result.statusCode ?? null,
          error: result.skipped ?? null,
          duration_ms: Math.round(ms),
        },
      };
    } catch (error) {
      const ms = performance.now() - started;
      const open = error instanceof BrokenCircuitError;
      const message = open
        ? 'circuit open: the channel failed too often; waiting before the next try'
        : error instanceof DeliveryError
          ? error.message
          : 'failed';
      if (!open && !(error instanceof DeliveryError)) {
        this.deps.logger.warn(
          { channel: via, err: { name: (error as Error).name } },
          'alert channel threw an unexpected error',
        );
      }
      this.deps.onAttempt?.(via, 'failed', ms / 1000);
      this.unhealthy(via, message);
      return {
        ok: false,
        error: message,
        open,
        delivery: {
          ...base,
          ok: 0,
          status_code: error instanceof DeliveryError ? (error.statusCode ?? null) : null,
          error: message,
          duration_ms: Math.round(ms),
        },
      };
    }
  }

  private async attempt(row: OutboxRow): Promise<Outcome> {
    const { channels, failover, dryRun, settings, clock } = this.deps;
    const channel = dryRun ?? channels.get(row.channel);
    if (!channel) {
      return {
        kind: 'skipped',
        reason: `channel "${row.channel}" is no longer configured`,
        deliveries: [],
      };
    }
    let notification: Notification;
    try {
      notification = JSON.parse(row.payload) as Notification;
    } catch {
      return { kind: 'skipped', reason: 'unreadable payload', deliveries: [] };
    }
    const via = dryRun ? `${row.channel} (dry run)` : row.channel;
    const first = await this.tryChannel(row, notification, via, channel);
    if (first.ok) {
      return first.skipped
        ? { kind: 'skipped', reason: first.skipped, deliveries: [first.delivery] }
        : { kind: 'sent', via, deliveries: [first.delivery] };
    }
    const deliveries = [first.delivery];
    const backup = dryRun ? undefined : failover.get(row.channel);
    const backupChannel = backup === undefined ? undefined : channels.get(backup);
    if (
      backup !== undefined &&
      backupChannel &&
      (first.open || (this.failures.get(row.channel) ?? 0) >= settings.failing_after)
    ) {
      const second = await this.tryChannel(
        row,
        { ...notification, receiver: backup },
        backup,
        backupChannel,
      );
      deliveries.push(second.delivery);
      if (second.ok) return { kind: 'sent', via: backup, deliveries };
    }
    const wait = first.open
      ? settings.breaker_half_open_after
      : backoffMs(
          row.attempts + 1,
          settings.backoff_initial,
          settings.backoff_max,
          this.deps.random ?? Math.random,
        );
    return { kind: 'failed', error: first.error, nextAttemptAt: clock.now() + wait, deliveries };
  }

  private healthy(channel: string): void {
    this.failures.set(channel, 0);
    this.lastError.delete(channel);
    if (this.failing.delete(channel)) this.deps.onHealth(channel, false, null);
  }

  private unhealthy(channel: string, error: string): void {
    const n = (this.failures.get(channel) ?? 0) + 1;
    this.failures.set(channel, n);
    this.lastError.set(channel, error);
    if (n >= this.deps.settings.failing_after && !this.failing.has(channel)) {
      this.failing.add(channel);
      this.deps.onHealth(channel, true, error);
    }
  }

  health(): ChannelHealth[] {
    return [...this.deps.channels.values()].map((c) => {
      const state = this.breakers.get(c.name)?.state ?? CircuitState.Closed;
      return {
        channel: c.name,
        type: c.type,
        breaker:
          state === CircuitState.Open
            ? 'open'
            : state === CircuitState.HalfOpen
              ? 'half_open'
              : state === CircuitState.Isolated
                ? 'isolated'
                : 'closed',
        consecutive_failures: this.failures.get(c.name) ?? 0,
        failing: this.failing.has(c.name),
        last_error: this.lastError.get(c.name) ?? null,
        failover: this.deps.failover.get(c.name) ?? null,
      };
    });
  }
}
