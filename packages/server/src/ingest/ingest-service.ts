import type { IngestEvent, IngestResponse, ProblemDetail } from '@tradewatch/protocol';
import type { Principal } from '../auth/index.js';
import { loadPortfolioState, PortfolioState, type PortfolioHolder } from '../portfolio/index.js';
import type { Store } from '../store/index.js';
import type { Clock } from '../time/index.js';
import { Batch, type BatchChanges, type SequencedEvent } from './batch.js';
import { IngestConflictError, IngestForbiddenError } from './errors.js';
import { factTableOf, prepareEvents, type PreparedEvent } from './identity.js';
import { IngestRepository, type FactTable, type Trx } from './ingest-repository.js';
import type { IngestSettings } from './settings.js';

export type BatchListener = (changes: BatchChanges) => void;

/**
 * The ingest path: one transaction per batch that stores the facts and updates the
 * projections, answered only after commit. Replays are duplicates; an id reused with other
 * content is a conflict and nothing of the batch is stored.
 */
export class IngestService {
  private readonly repo: IngestRepository;
  private readonly listeners = new Set<BatchListener>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly holder: PortfolioHolder,
    private readonly settings: IngestSettings,
    private readonly clock: Clock,
  ) {
    this.repo = new IngestRepository(store.dialect, store.sqlite);
  }

  onCommit(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rejects events a bot-bound token may not write (before anything is touched). */
  static checkPrincipal(events: IngestEvent[], principal: Principal | null): void {
    if (!principal?.bot) return;
    const details: ProblemDetail[] = [];
    events.forEach((e, index) => {
      if (e.bot !== principal.bot) {
        details.push({
          index,
          path: 'bot',
          message: `this token is bound to bot "${principal.bot}" and may not write as "${e.bot}"`,
        });
      }
    });
    if (details.length > 0) throw new IngestForbiddenError(details);
  }

  /**
   * Batches run one after another in this process (the database serialises across processes).
   * Batches that queue up while a transaction runs are committed together in the next one
   * (group commit: one fsync, one projection write per touched row); each is still answered
   * only after the commit that holds it, and a batch that fails (a conflict) is retried alone
   * so it never takes the others down with it.
   */
  async ingest(events: IngestEvent[]): Promise<IngestResponse> {
    return new Promise<IngestResponse>((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (this.pending.length === 1) void this.serialised(() => this.drainPending());
    });
  }

  private readonly pending: {
    events: IngestEvent[];
    resolve: (r: IngestResponse) => void;
    reject: (e: unknown) => void;
  }[] = [];

  /** Events at most in one group commit. */
  private static readonly GROUP_LIMIT = 20_000;

  private async drainPending(): Promise<void> {
    while (this.pending.length > 0) {
      const group: typeof this.pending = [];
      let size = 0;
      while (this.pending.length > 0) {
        const next = this.pending[0]!;
        if (group.length > 0 && size + next.events.length > IngestService.GROUP_LIMIT) break;
        group.push(this.pending.shift()!);
        size += next.events.length;
      }
      try {
        const results = await this.ingestNow(group.map((g) => g.events));
        group.forEach((g, i) => g.resolve(results[i]!));
      } catch (error) {
        if (group.length === 1) {
          group[0]!.reject(error);
          continue;
        }
        for (const g of group) {
          try {
            g.resolve((await this.ingestNow([g.events]))[0]!);
          } catch (e) {
            g.reject(e);
          }
        }
      }
    }
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Changes projections outside a batch (a bot's settings, a halt flag) under the same write
   * lock as ingest, so a concurrent batch never overwrites them with its older copy.
   */
  async mutate<T>(fn: (trx: Trx, draft: PortfolioState) => Promise<T>): Promise<T> {
    return this.serialised(async () => {
      let draft: PortfolioState | null = null;
      const result = await this.store.db.transaction().execute(async (trx) => {
        const end = await this.repo.bumpCounter(trx, 1);
        if (this.holder.current.version !== end - 1) {
          const fresh = new PortfolioState();
          await loadPortfolioState(trx, fresh);
          fresh.version = end - 1;
          this.holder.current = fresh;
        }
        draft = this.holder.draft();
        draft.version = end;
        return fn(trx, draft);
      });
      this.holder.current = draft!;
      return result;
    });
  }

  /** Reloads the cache when another writer moved the counter (reads on a second instance). */
  async refreshIfStale(): Promise<void> {
    const row = await this.store.db
      .selectFrom('counters')
      .select('value')
      .where('name', '=', 'ingest')
      .executeTakeFirst();
    if (row && Number(row.value) !== this.holder.current.version) {
      await this.serialised(async () => {
        const fresh = new PortfolioState();
        await loadPortfolioState(this.store.db, fresh);
        this.holder.current = fresh;
      });
    }
  }

  private async ingestNow(batches: IngestEvent[][]): Promise<IngestResponse[]> {
    const prepared: PreparedEvent[] = [];
    const batchOf: number[] = [];
    batches.forEach((events, b) => {
      for (const p of prepareEvents(events)) {
        // Indexes run across the group; conflicts are reported per batch below.
        prepared.push({ ...p, index: prepared.length });
        batchOf.push(b);
      }
    });
    const accepted = batches.map(() => 0);
    if (prepared.length === 0) return batches.map(() => ({ accepted: 0, duplicates: 0 }));
    const now = this.clock.now();
    let draft: PortfolioState | null = null;
    let changes: BatchChanges | null = null;
    await this.store.db.transaction().execute(async (trx) => {
      const end = await this.repo.bumpCounter(trx, prepared.length);
      const start = end - prepared.length;
      if (this.holder.current.version !== start) {
        // Someone else (another hub instance, a CLI import) wrote since our cache was filled.
        const fresh = new PortfolioState();
        await loadPortfolioState(trx, fresh);
        fresh.version = start;
        this.holder.current = fresh;
      }
      // A conflict aborts the transaction; in a group, drainPending retries each batch alone.
      const fresh = await this.filterDuplicates(trx, prepared);
      for (const p of fresh) accepted[batchOf[p.index]!]! += 1;
      draft = this.holder.draft();
      draft.version = end;
      const sequenced: SequencedEvent<IngestEvent>[] = fresh.map((p) => ({
        prep: p,
        event: p.event,
        seq: start + 1 + p.index,
      }));
      const batch = new Batch(trx, this.repo, draft, this.settings, now);
      changes = await batch.apply(sequenced);
    });
    this.holder.current = draft!;
    const committed = changes as BatchChanges | null;
    if (committed) for (const l of this.listeners) l(committed);
    return batches.map((events, b) => ({
      accepted: accepted[b]!,
      duplicates: events.length - accepted[b]!,
    }));
  }

  /** Drops replays (same id, same content); throws on ids reused with different content. */
  private async filterDuplicates(
    trx: Parameters<IngestRepository['existingHashes']>[0],
    prepared: PreparedEvent[],
  ): Promise<PreparedEvent[]> {
    const groups = new Map<string, { table: FactTable; bot: string; items: PreparedEvent[] }>();
    for (const p of prepared) {
      const table = factTableOf(p.event.type);
      if (!table) continue;
      const k = `${table}\u0000${p.event.bot}`;
      let g = groups.get(k);
      if (!g) {
        g = { table, bot: p.event.bot, items: [] };
        groups.set(k, g);
      }
      g.items.push(p);
    }
    const drop = new Set<number>();
    const conflicts: ProblemDetail[] = [];
    for (const g of groups.values()) {
      const existing = await this.repo.existingHashes(
        trx,
        g.table,
        g.bot,
        g.items.map((p) => p.id),
      );
      const seen = new Map<string, string>();
      for (const p of g.items) {
        const prior = existing.get(p.id) ?? seen.get(p.id);
        if (prior === undefined) {
          seen.set(p.id, p.hash);
        } else if (prior === p.hash) {
          drop.add(p.index);
        } else {
          conflicts.push({
            index: p.index,
            path: 'id',
            message: `${p.event.type} id "${p.id}" of bot "${p.event.bot}" was already used with different content`,
          });
        }
      }
    }
    if (conflicts.length > 0) throw new IngestConflictError(conflicts);
    return prepared.filter((p) => !drop.has(p.index));
  }
}
