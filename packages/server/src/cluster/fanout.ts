import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { BatchChanges } from '../ingest/index.js';
import type { IngestService } from '../ingest/index.js';
import { decFromString, type KeyState, type Trip } from '../ledger/index.js';
import {
  keyString,
  rowToKeyState,
  rowToTrip,
  type BotInfo,
  type PortfolioHolder,
} from '../portfolio/index.js';
import type { Database, FillsTable, LedgerPositionsTable, OrdersTable } from '../store/index.js';
import type { LiveStream } from '../stream/index.js';

export type RemoteCommitListener = (changes: BatchChanges) => void;

export interface FanoutDeps {
  db: Kysely<Database>;
  ingest: Pick<IngestService, 'refreshIfStale'>;
  holder: PortfolioHolder;
  stream: Pick<LiveStream, 'publish'>;
  logger: Logger;
  debounceMs: number;
}

/** Sequence numbers read per pass: a burst from another instance goes out in slices. */
const SPAN = 5_000;
/** Local commits remembered before a pass runs just to move the watermark past them. */
const LOCAL_LIMIT = 5_000;
/** Log, signal and cash-flow lines pushed per pass at most (a live feed, not an archive). */
const EVENT_LINES_PER_PASS = 500;
const CHUNK = 500;

/**
 * Pushes what other instances committed to this instance's WebSocket clients. Every fact row
 * carries `seq` (the shared ingest counter), so a pass reads the facts between the last
 * sequence number it handled and the counter, leaves out what this instance committed itself
 * (its stream already sent those), and publishes the rest exactly as a local commit would be:
 * fills, positions of their keys (as stored), round trips, orders, bots, log/signal/cash-flow
 * events and a portfolio snapshot (from the cache, refreshed with `refreshIfStale`). Passes
 * never overlap; notifications arriving during one fold into the next.
 */
export class RemoteFanout {
  private lastSeq: number;
  private readonly localFills = new Set<number>();
  /** Content keys of local log/signal/cash-flow lines → the local commit's seq. */
  private readonly localLines = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly listeners = new Set<RemoteCommitListener>();
  /** Passes that published something; remote fills pushed; the last error (GET /api/v1/cluster). */
  passes = 0;
  remoteFills = 0;
  lastError: string | null = null;
  /** Seconds each publishing pass took (refresh, reads, publish), for the histogram. */
  onPass: ((seconds: number) => void) | null = null;

  constructor(private readonly deps: FanoutDeps) {
    this.lastSeq = deps.holder.current.version;
  }

  get watermark(): number {
    return this.lastSeq;
  }

  onRemoteCommit(listener: RemoteCommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Remembers what a local commit carried so the next pass does not send it twice. */
  noteLocal(changes: BatchChanges): void {
    if (changes.seq <= this.lastSeq) return;
    for (const f of changes.fills) this.localFills.add(f.seq);
    for (const l of changes.logs) this.localLines.set(logKey(l), changes.seq);
    for (const s of changes.signals) this.localLines.set(signalKey(s), changes.seq);
    for (const c of changes.cashFlows)
      this.localLines.set(cashKey(c.account, c.ts, c.amount.toString(), c.kind), changes.seq);
    if (this.localFills.size + this.localLines.size > LOCAL_LIMIT) this.schedule();
  }

  /** Another instance committed: run a pass soon (debounced). */
  schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pass();
    }, this.deps.debounceMs);
    this.timer.unref();
  }

  /** Runs passes until this instance has handled everything up to the counter. */
  pass(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.catchUp();
          this.lastError = null;
        } catch (error) {
          // The database is down or restarting: the listener reconnects and asks again.
          this.lastError = error instanceof Error ? error.message : String(error);
          this.deps.logger.debug({ err: error }, 'cluster: fan-out pass failed');
          break;
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
    return this.running;
  }

  /**
   * The cache refresh runs behind this instance's own ingest queue, which under a steady local
   * load is never empty (and local batches reload the cache themselves when another instance
   * wrote): a pass starts it but never waits for it, and reads positions from the database.
   */
  private refreshing: Promise<void> | null = null;

  private refresh(): void {
    this.refreshing ??= this.deps.ingest
      .refreshIfStale()
      .catch(() => undefined)
      .finally(() => (this.refreshing = null));
  }

  private async catchUp(): Promise<void> {
    this.refresh();
    const row = await this.deps.db
      .selectFrom('counters')
      .select('value')
      .where('name', '=', 'ingest')
      .executeTakeFirst();
    const top = Number(row?.value ?? 0);
    while (this.lastSeq < top && !this.stopped) {
      const started = performance.now();
      const lo = this.lastSeq;
      const hi = Math.min(top, lo + SPAN);
      const changes = await this.read(lo, hi);
      this.lastSeq = hi;
      this.forgetLocal(hi);
      this.passes += 1;
      this.remoteFills += changes.fills.length;
      this.deps.stream.publish(changes);
      if (!isEmpty(changes)) {
        for (const l of [...this.listeners]) {
          try {
            l(changes);
          } catch (error) {
            this.deps.logger.error({ err: error }, 'cluster: a remote-commit listener failed');
          }
        }
      }
      this.onPass?.((performance.now() - started) / 1000);
    }
  }

  private forgetLocal(upTo: number): void {
    for (const seq of this.localFills) if (seq <= upTo) this.localFills.delete(seq);
    for (const [k, seq] of this.localLines) if (seq <= upTo) this.localLines.delete(k);
  }

  /** The remote part of the facts with lo < seq ≤ hi, as the change set of one commit. */
  private async read(lo: number, hi: number): Promise<BatchChanges> {
    const db = this.deps.db;
    const fills: FillsTable[] = (
      await db
        .selectFrom('fills')
        .selectAll()
        .where('seq', '>', lo)
        .where('seq', '<=', hi)
        .orderBy('seq')
        .execute()
    ).filter((f) => !this.localFills.has(Number(f.seq)));
    const orderKeys = await db
      .selectFrom('order_events')
      .select(['bot', 'order_id'])
      .distinct()
      .where('seq', '>', lo)
      .where('seq', '<=', hi)
      .execute();
    const heartbeatBots = await db
      .selectFrom('heartbeats')
      .select('bot')
      .distinct()
      .where('seq', '>', lo)
      .where('seq', '<=', hi)
      .execute();
    const logs = (
      await db
        .selectFrom('logs')
        .select(['bot', 'ts', 'level', 'message'])
        .where('seq', '>', lo)
        .where('seq', '<=', hi)
        .orderBy('seq')
        .limit(EVENT_LINES_PER_PASS)
        .execute()
    ).filter((l) => !this.localLines.has(logKey(l)));
    const signals = (
      await db
        .selectFrom('signals')
        .select(['bot', 'ts', 'symbol', 'direction'])
        .where('seq', '>', lo)
        .where('seq', '<=', hi)
        .orderBy('seq')
        .limit(EVENT_LINES_PER_PASS)
        .execute()
    ).filter((s) => !this.localLines.has(signalKey(s)));
    const cashFlows = (
      await db
        .selectFrom('cash_flows')
        .select(['account', 'ts', 'amount', 'kind'])
        .where('seq', '>', lo)
        .where('seq', '<=', hi)
        .orderBy('seq')
        .limit(EVENT_LINES_PER_PASS)
        .execute()
    )
      .map((c) => ({ account: c.account, ts: c.ts, amount: decFromString(c.amount), kind: c.kind }))
      .filter((c) => !this.localLines.has(cashKey(c.account, c.ts, c.amount.toString(), c.kind)));

    const state = this.deps.holder.current;
    const keyOf = new Map<string, { account: string; bot: string; symbol: string }>();
    const tradeIds = new Set<string>();
    const botIds = new Set<string>();
    for (const f of fills) {
      const key = { account: f.account, bot: f.bot, symbol: f.symbol };
      keyOf.set(keyString(key), key);
      if (f.trade_id) tradeIds.add(f.trade_id);
      if (f.next_trade_id) tradeIds.add(f.next_trade_id);
      botIds.add(f.bot);
    }
    // Positions as committed (the cache may still be catching up).
    const positionRows: LedgerPositionsTable[] = [];
    for (const part of chunks([...keyOf.values()])) {
      positionRows.push(
        ...(await db
          .selectFrom('ledger_positions')
          .selectAll()
          .where((eb) =>
            eb.or(
              part.map((k) =>
                eb.and([
                  eb('account', '=', k.account),
                  eb('bot', '=', k.bot),
                  eb('symbol', '=', k.symbol),
                ]),
              ),
            ),
          )
          .execute()),
      );
    }
    for (const p of positionRows) if (p.trade_id) tradeIds.add(p.trade_id);
    for (const o of orderKeys) botIds.add(o.bot);
    for (const h of heartbeatBots) botIds.add(h.bot);
    for (const l of logs) botIds.add(l.bot);
    for (const s of signals) botIds.add(s.bot);

    const trips = new Map<string, Trip>();
    for (const ids of chunks([...tradeIds])) {
      for (const t of await db.selectFrom('trades').selectAll().where('id', 'in', ids).execute())
        trips.set(t.id, rowToTrip(t));
    }
    const keys: KeyState[] = positionRows.map((p) =>
      rowToKeyState(p, p.trade_id === null ? null : (trips.get(p.trade_id) ?? null)),
    );
    // Round trips the fills touched (a position's open trip is sent with the position).
    const fillTrips = new Set(fills.flatMap((f) => [f.trade_id, f.next_trade_id]));
    const trades = [...trips.values()].filter((t) => fillTrips.has(t.id));
    const orders: OrdersTable[] = [];
    for (const part of chunks(orderKeys)) {
      const rows = await db
        .selectFrom('orders')
        .selectAll()
        .where((eb) =>
          eb.or(part.map((o) => eb.and([eb('bot', '=', o.bot), eb('order_id', '=', o.order_id)]))),
        )
        .execute();
      orders.push(...rows);
    }
    const bots: BotInfo[] = [];
    for (const id of botIds) {
      const b = state.bots.get(id);
      if (b) bots.push(b);
    }
    return {
      seq: hi,
      fills,
      keys,
      trades,
      orders,
      bots,
      eventCounts: {},
      logs,
      signals,
      cashFlows,
      // Marks and balances have no line of their own but move valuations: the stream sends a
      // (coalesced) portfolio snapshot whenever the counter moved.
      valuationChanged: true,
    };
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.running ?? Promise.resolve();
  }
}

function isEmpty(c: BatchChanges): boolean {
  return (
    c.fills.length === 0 &&
    c.orders.length === 0 &&
    c.bots.length === 0 &&
    c.logs.length === 0 &&
    c.signals.length === 0 &&
    c.cashFlows.length === 0
  );
}

function logKey(l: { bot: string; ts: number; level: string; message: string }): string {
  return `log\u0000${l.bot}\u0000${l.ts}\u0000${l.level}\u0000${l.message}`;
}

function signalKey(s: { bot: string; ts: number; symbol: string; direction: string }): string {
  return `signal\u0000${s.bot}\u0000${s.ts}\u0000${s.symbol}\u0000${s.direction}`;
}

function cashKey(account: string, ts: number, amount: string, kind: string): string {
  return `cash\u0000${account}\u0000${ts}\u0000${amount}\u0000${kind}`;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
