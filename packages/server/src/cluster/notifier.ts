import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/**
 * Sends `NOTIFY <channel>, '<instance>:<seq>'` after commits, through the hub's pool. At most one
 * NOTIFY is in flight: commits that land meanwhile are folded into the next one (it carries the
 * highest sequence number), so a busy instance sends far fewer notifications than commits.
 */
export class CommitNotifier {
  private pending: number | null = null;
  private flushing: Promise<void> | null = null;
  sent = 0;
  failed = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly channel: string,
    private readonly instanceId: string,
  ) {}

  notify(seq: number): void {
    this.pending = Math.max(this.pending ?? 0, seq);
    this.flushing ??= this.flush().finally(() => (this.flushing = null));
  }

  private async flush(): Promise<void> {
    while (this.pending !== null) {
      const seq = this.pending;
      this.pending = null;
      try {
        await sql`select pg_notify(${this.channel}, ${`${this.instanceId}:${seq}`})`.execute(
          this.db,
        );
        this.sent += 1;
      } catch {
        // The database is away: other instances catch up when their LISTEN session reconnects.
        this.failed += 1;
      }
    }
  }

  /** Waits for the NOTIFY in flight (tests, shutdown). */
  async idle(): Promise<void> {
    await this.flushing;
  }
}

/** Parses `<instance>:<seq>`; null for anything else. */
export function parseNotification(payload: string): { instance: string; seq: number } | null {
  const at = payload.lastIndexOf(':');
  if (at <= 0) return null;
  const seq = Number(payload.slice(at + 1));
  if (!Number.isSafeInteger(seq)) return null;
  return { instance: payload.slice(0, at), seq };
}
