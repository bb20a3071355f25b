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
  private timer: NodeJS.Timeout | null = null;
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
    this.timer = null;
    await Promise.allSettled([...this.running.values()]);
    await this.draining?.catch(() => undefined);
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
      await Promise.all(channels.map((c) => this.drainChannel(c)));
    })();
    this.draining = run;
    await run;
    if (this.started && !this.stopped) {
      const next = await this.deps.repo.nextAttemptAt();
      if (next !== null) this.schedule(Math.max(10, next - this.deps.clock.now()));
    }
  }

  private schedule(ms: number): void {
    if (!this.started || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.kick();
      },
      Math.min(ms, 60_000),
    );
    this.timer.unref();
  }

  private drainChannel(channel: string): Promise<void> {
    const current = this.running.get(channel);
    if (current) {
      this.dirty.add(channel);
      return current;
    }
    const run = (async () => {
      do {
        this.dirty.delete(channel);
        await this.processChannel(channel);
      } while (this.dirty.has(channel) && !this.stopped);
    })().finally(() => this.running.delete(channel));
    this.running.set(channel, run);
    return run;
  }

  private async processChannel(channel: string): Promise<void> {
    const { repo, owner, settings } = this.deps;
    for (;;) {
      const rows = await repo.claim(channel, owner, this.deps.clock.now(), settings.lease, BATCH);
      if (rows.length === 0) return;
      const sent: { id: number; via: string; at: number }[] = [];
      const failed: { id: number; attempts: number; nextAttemptAt: number; error: string }[] = [];
      const skipped: { id: number; reason: string }[] = [];
      const deliveries: NewDelivery[] = [];
      let halted = false;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (this.stopped) {
          await repo.release(
            rows.slice(i).map((r) => r.id),
            owner,
          );
          halted = true;
          break;
        }
        const outcome = await this.attempt(row);
        deliveries.push(...outcome.deliveries);
        if (outcome.kind === 'sent')
          sent.push({ id: row.id, via: outcome.via, at: this.deps.clock.now() });
        else if (outcome.kind === 'skipped') skipped.push({ id: row.id, reason: outcome.reason });
        else {
          failed.push({
            id: row.id,
            attempts: row.attempts + 1,
            nextAttemptAt: outcome.nextAttemptAt,
            error: outcome.error,
          });
          // Order per channel: nothing behind a row that failed goes first.
          await repo.release(
            rows.slice(i + 1).map((r) => r.id),
            owner,
          );
          halted = true;
          break;
        }
      }
      await repo.settle(sent, failed, skipped, deliveries, owner);
      if (halted) return;
    }
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
