import type { Logger } from 'pino';
import type pg from 'pg';
import type { Leadership } from '../leadership.js';
import { closeSession, openSession, type SessionOptions } from './pg-session.js';

/**
 * The lock key: one per database and schema, so hubs sharing a server but not a schema (tests,
 * staging beside production) elect separately. Computed by the server (64-bit hash) so it never
 * passes through a JavaScript number.
 */
export const LOCK_KEY_SQL = `hashtextextended('tradewatch.leader:' || current_database() || '.' || coalesce(current_schema(), 'public'), 0)`;

export interface ElectionOptions {
  session: SessionOptions;
  intervalMs: number;
  logger: Logger;
  now: () => number;
}

/**
 * Leader election with a session-level advisory lock (`pg_try_advisory_lock`) held on a
 * dedicated connection. Whoever holds the lock leads; PostgreSQL releases it when that session
 * ends (a killed process's socket closes at once; a vanished host's after the TCP keepalives),
 * and a follower takes it on its next attempt. The leader pings its session on the same
 * interval and steps down as soon as the session fails, before anyone else can have the lock
 * for longer than one interval.
 *
 * Jobs that must run on one instance check `isLeader()` on each tick, or start and stop with
 * `onChange`:
 *
 * ```ts
 * hub.leader.onChange((leading) => (leading ? poller.start() : void poller.stop()));
 * setInterval(() => { if (hub.leader.isLeader()) void evaluate(); }, 1_000);
 * ```
 */
export class AdvisoryLockElection implements Leadership {
  private leader = false;
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<boolean> | null = null;
  private stopped = false;
  private readonly listeners = new Set<(leader: boolean) => void>();
  /** When this instance last became leader (epoch ms), null while following. */
  leaderSince: number | null = null;
  /** How many times the state changed (metrics). */
  transitions = 0;
  lastError: string | null = null;

  constructor(private readonly options: ElectionOptions) {}

  isLeader(): boolean {
    return this.leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs the first attempt (so modules started after this see the outcome), then keeps trying. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt().finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /**
   * One round: open the session if needed, then take the lock (follower) or check the session
   * is alive (leader). Returns whether this instance leads afterwards.
   */
  attempt(): Promise<boolean> {
    if (this.round) return this.round;
    this.round = this.runRound().finally(() => (this.round = null));
    return this.round;
  }

  private async runRound(): Promise<boolean> {
    if (this.stopped) return this.leader;
    try {
      if (!this.client) {
        const opened: pg.Client = await openSession(this.options.session, (error) =>
          this.lost(opened, error),
        );
        if (this.stopped) {
          await closeSession(opened);
          return false;
        }
        this.client = opened;
      }
      const client = this.client;
      if (this.leader) {
        await client.query('select 1');
      } else {
        const r = await client.query<{ ok: boolean }>(
          `select pg_try_advisory_lock(${LOCK_KEY_SQL}) as ok`,
        );
        if (r.rows[0]?.ok === true && this.client === client && !this.stopped) this.set(true);
      }
      this.lastError = null;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      if (this.client) this.lost(this.client, error instanceof Error ? error : null);
    }
    return this.leader;
  }

  /** The session failed or ended: whatever it held is gone with it. */
  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    void closeSession(client);
    if (this.leader) {
      this.options.logger.warn(
        { err: error ? { message: error.message } : undefined },
        'cluster: lost the leader session; stepping down',
      );
      this.set(false);
    }
  }

  private set(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.leaderSince = leader ? this.options.now() : null;
    this.transitions += 1;
    this.options.logger.info(
      { leader },
      leader ? 'cluster: this instance leads' : 'cluster: this instance follows',
    );
    for (const l of [...this.listeners]) {
      try {
        l(leader);
      } catch (error) {
        this.options.logger.error({ err: error }, 'cluster: a leadership listener failed');
      }
    }
  }

  /** Steps down (releasing the lock at once so a follower need not wait) and closes the session. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    if (client && this.leader) {
      await client.query(`select pg_advisory_unlock(${LOCK_KEY_SQL})`).catch(() => undefined);
    }
    this.set(false);
    await closeSession(client);
  }
}
