import type { Kysely } from 'kysely';
import type { EventRecorder, HubEvent, HubEventSeverity, HubEventType } from '../../events.js';
import { ilike, maxParams, type DialectName } from '../../store/dialect.js';
import type { Clock } from '../../time/index.js';
import type { HealthTables } from '../migrations.js';

export interface EventFilters {
  types?: HubEventType[] | undefined;
  severities?: HubEventSeverity[] | undefined;
  bot?: string | undefined;
  strategy?: string | undefined;
  tradeId?: string | undefined;
  q?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
}

export interface EventRow {
  id: number;
  ts: number;
  type: string;
  severity: string;
  message: string;
  bot: string | null;
  strategy: string | null;
  trade_id: string | null;
  actor: string | null;
  context: string | null;
}

export interface EventSummary {
  total: number;
  byType: Record<string, number>;
  bySeverity: Record<string, number>;
  byBot: { bot: string | null; count: number }[];
}

const COLUMNS = 9;
/** Past this many buffered events the oldest are dropped (and counted), so memory stays bounded. */
const MAX_BUFFER = 100_000;
const MAX_MESSAGE = 10_000;

/**
 * The stored event log. `record` (other modules: AUDIT, ALERT, SYSTEM …) writes at once;
 * events derived from ingested batches are buffered and written in one multi-row insert per
 * flush, off the ingest commit path.
 */
export class EventStore implements EventRecorder {
  private buffer: HubEvent[] = [];
  private flushing: Promise<void> | null = null;
  dropped = 0;
  /** Called with each stored event (metrics). */
  onStored: ((event: HubEvent) => void) | null = null;

  constructor(
    private readonly db: Kysely<HealthTables>,
    private readonly dialect: DialectName,
    private readonly clock: Clock,
  ) {}

  async record(event: HubEvent): Promise<void> {
    await this.insert([event]);
  }

  /** Queues events for the next flush. */
  enqueue(events: HubEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) this.buffer.push(e);
    if (this.buffer.length > MAX_BUFFER) {
      const excess = this.buffer.length - MAX_BUFFER;
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Writes every queued event; concurrent calls share one write. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.insert(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async insert(events: HubEvent[]): Promise<void> {
    const now = this.clock.now();
    const rows = events.map((e) => ({
      ts: e.ts ?? now,
      type: e.type,
      severity: e.severity,
      message: e.message.length > MAX_MESSAGE ? e.message.slice(0, MAX_MESSAGE) : e.message,
      bot: e.bot ?? null,
      strategy: e.strategy ?? null,
      trade_id: e.tradeId ?? null,
      actor: e.actor ?? null,
      context: e.context ? JSON.stringify(e.context) : null,
    }));
    const chunk = Math.floor(maxParams(this.dialect) / COLUMNS);
    for (let i = 0; i < rows.length; i += chunk) {
      await this.db
        .insertInto('health_events')
        .values(rows.slice(i, i + chunk))
        .execute();
    }
    if (this.onStored) for (const e of events) this.onStored(e);
  }

  async list(f: EventFilters, after: (string | number | null)[] | null): Promise<EventRow[]> {
    let q = this.db.selectFrom('health_events').selectAll();
    if (f.types && f.types.length > 0) q = q.where('type', 'in', f.types);
    if (f.severities && f.severities.length > 0) q = q.where('severity', 'in', f.severities);
    if (f.bot) q = q.where('bot', '=', f.bot);
    if (f.strategy) q = q.where('strategy', '=', f.strategy);
    if (f.tradeId) q = q.where('trade_id', '=', f.tradeId);
    if (f.q) q = q.where('message', ilike(this.dialect), `%${f.q.replace(/[%_\\]/g, '')}%`);
    if (f.from !== undefined) q = q.where('ts', '>=', f.from);
    if (f.to !== undefined) q = q.where('ts', '<', f.to);
    if (after) {
      const [ts, id] = after as [number, number];
      q = q.where((eb) =>
        eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('id', '<', id)])]),
      );
    }
    const rows = await q
      .orderBy('ts', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .execute();
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  async summary(from: number, to: number): Promise<EventSummary> {
    const rows = await this.db
      .selectFrom('health_events')
      .select(['type', 'severity', 'bot', (eb) => eb.fn.countAll<number>().as('n')])
      .where('ts', '>=', from)
      .where('ts', '<', to)
      .groupBy(['type', 'severity', 'bot'])
      .execute();
    const byType: Record<string, number> = {};
    const bySeverity: Record<string, number> = {};
    const byBot = new Map<string | null, number>();
    let total = 0;
    for (const r of rows) {
      const n = Number(r.n);
      total += n;
      byType[r.type] = (byType[r.type] ?? 0) + n;
      bySeverity[r.severity] = (bySeverity[r.severity] ?? 0) + n;
      byBot.set(r.bot, (byBot.get(r.bot) ?? 0) + n);
    }
    return {
      total,
      byType,
      bySeverity,
      byBot: [...byBot]
        .map(([bot, count]) => ({ bot, count }))
        .sort((a, b) => b.count - a.count || String(a.bot).localeCompare(String(b.bot))),
    };
  }

  /** Deletes events older than `before`; returns how many. */
  async prune(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('health_events')
      .where('ts', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
