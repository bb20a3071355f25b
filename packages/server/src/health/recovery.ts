import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/** What the hub writes about itself in `meta` (its heartbeat and whether it stopped cleanly). */
export interface HubStateRecord {
  /** Last heartbeat (or the clean stop), epoch ms. */
  ts: number;
  /** The ingest counter at that moment: facts after it are the "recent tail". */
  seq: number;
  startedAt: number;
  pid: number;
  version: string;
  clean: boolean;
}

export interface UncleanStop {
  lastHeartbeat: number;
  /** Lower bound of the downtime: from the last heartbeat to now. */
  downtimeMs: number;
  lastSeq: number;
  previousStart: number;
}

/** Pure: an unclean stop is a state record that never said `clean`. */
export function detectUncleanStop(record: HubStateRecord | null, now: number): UncleanStop | null {
  if (!record || record.clean) return null;
  return {
    lastHeartbeat: record.ts,
    downtimeMs: Math.max(0, now - record.ts),
    lastSeq: record.seq,
    previousStart: record.startedAt,
  };
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

/** Reads and writes the hub state record of one instance in the core `meta` table. */
export class HubStateStore {
  readonly key: string;

  constructor(
    private readonly db: Kysely<Database>,
    instance: string,
  ) {
    this.key = `health.hub_state.${instance}`;
  }

  async read(): Promise<HubStateRecord | null> {
    const row = await this.db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', this.key)
      .executeTakeFirst();
    if (!row) return null;
    try {
      return JSON.parse(row.value) as HubStateRecord;
    } catch {
      return null;
    }
  }

  async write(record: HubStateRecord): Promise<void> {
    const value = JSON.stringify(record);
    await this.db
      .insertInto('meta')
      .values({ key: this.key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}

/** Result of verifying the recent projections against the facts after an unclean stop. */
export interface ProjectionVerification {
  /** Keys / rows compared. */
  checked: number;
  differences: number;
  repaired: number;
  /** A short human description of what differed. */
  details?: string;
}
