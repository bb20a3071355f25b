import type {
  BotRow,
  FillRow,
  OrderRow,
  Page,
  PortfolioResponse,
  PositionRow,
  TradeRow,
} from '@tradewatch/protocol';
import { notifyManager, type QueryClient, type QueryKey } from '@tanstack/react-query';
import type { KeyFilters } from '../api/keys.js';
import { keys } from '../api/keys.js';
import type { FeedItem } from '../api/types.js';
import {
  coalesce,
  feedItem,
  patchBots,
  patchFills,
  patchOrders,
  patchPositions,
  patchTradeDetail,
  patchTradeNotes,
  patchTrades,
  pushFeed,
  type LiveMessage,
  type TradeNotesMessage,
} from './patch.js';

/** Queries that cannot be patched row by row are refetched, at most this often. */
export const REFRESH_EVERY_MS = {
  equity: 30_000,
  daily: 30_000,
  aggregate: 10_000,
  logs: 2_000,
  trades: 2_000,
} as const;

/**
 * Applies bursts of stream messages to the TanStack Query cache: rows are patched in place in
 * every query that shows them; series that are computed on the hub are refetched, throttled.
 */
export class CacheUpdater {
  private readonly refreshedAt = new Map<string, number>();
  private readonly pending = new Set<string>();

  constructor(
    private readonly qc: QueryClient,
    private readonly now: () => number,
    private readonly schedule: (fn: () => void, ms: number) => void = (fn, ms) => {
      setTimeout(fn, ms);
    },
  ) {
    // The page has just loaded these: the first refresh waits for its interval (trailing).
    const loadedAt = this.now();
    for (const name of Object.keys(REFRESH_EVERY_MS)) this.refreshedAt.set(name, loadedAt);
  }

  apply(batch: LiveMessage[]): void {
    const messages = coalesce(batch);
    const fills: FillRow[] = [];
    const positions: PositionRow[] = [];
    const orders: OrderRow[] = [];
    const trades: TradeRow[] = [];
    const bots: BotRow[] = [];
    const notes: TradeNotesMessage['data'][] = [];
    const feed: FeedItem[] = [];
    let portfolio: PortfolioResponse | null = null;
    let logs = false;
    for (const m of messages) {
      switch (m.type) {
        case 'fill':
          fills.push(m.data);
          break;
        case 'position':
          positions.push(m.data);
          break;
        case 'order':
          orders.push(m.data);
          break;
        case 'trade':
          trades.push(m.data);
          break;
        case 'bot':
          bots.push(m.data);
          break;
        case 'portfolio':
          portfolio = m.data;
          break;
        case 'trade_notes':
          notes.push(m.data);
          break;
        case 'event':
          if (m.data.kind.startsWith('log.')) logs = true;
          break;
        case 'hello':
          break;
      }
      const item = feedItem(m);
      if (item) feed.push(item);
    }

    notifyManager.batch(() => {
      if (portfolio) {
        this.qc.setQueryData(keys.portfolio, portfolio);
        this.refresh('equity', ['equity']);
        this.refresh('daily', ['daily']);
      }
      if (positions.length > 0) {
        this.each<Page<PositionRow>>('positions', (old, f) =>
          patchPositions(old, positions, f as KeyFilters),
        );
      }
      if (fills.length > 0) {
        this.each<Page<FillRow>>('fills', (old, f) =>
          (f as { cursor?: string }).cursor ? old : patchFills(old, fills, f as KeyFilters),
        );
      }
      if (orders.length > 0) {
        this.each<Page<OrderRow>>('orders', (old, f) =>
          patchOrders(old, orders, f as KeyFilters & { status?: 'open' | 'closed' }),
        );
      }
      if (trades.length > 0 || notes.length > 0) {
        let stale = false;
        this.each<Page<TradeRow>>('trades', (old, query) => {
          let page = old;
          for (const n of notes) page = patchTradeNotes(page, n);
          if (trades.length === 0) return page;
          const r = patchTrades(page, trades, query as string);
          stale ||= r.stale;
          return r.page;
        });
        if (stale) this.refresh('trades', ['trades']);
        if (trades.length > 0) this.refresh('aggregate', ['aggregate']);
      }
      if (trades.length > 0 || fills.length > 0 || notes.length > 0) {
        for (const q of this.qc.getQueryCache().findAll({ queryKey: ['trade'] })) {
          const id = q.queryKey[1] as string;
          this.qc.setQueryData<TradeRow & { fills: FillRow[] }>(q.queryKey, (old) => {
            if (!old) return old;
            let next = old;
            const t = trades.find((x) => x.id === id);
            if (t || fills.length > 0) next = patchTradeDetail(next, t ?? next, fills);
            const n = notes.find((x) => x.id === id);
            if (n) next = { ...next, notes: n.notes, tags: n.tags };
            return next;
          });
        }
      }
      if (bots.length > 0) {
        this.qc.setQueryData<{ items: BotRow[] }>(keys.bots, (old) =>
          old ? patchBots(old, bots) : old,
        );
        for (const b of bots) {
          if (this.qc.getQueryData(keys.bot(b.id))) this.qc.setQueryData(keys.bot(b.id), b);
        }
      }
      if (feed.length > 0) {
        this.qc.setQueryData<FeedItem[]>(keys.feed, (old) => (old ? pushFeed(old, feed) : old));
      }
      if (logs) this.refresh('logs', ['logs']);
    });
  }

  /** Patches every cached query named `name` with its own parameters. */
  private each<T>(name: string, patch: (old: T, params: unknown) => T): void {
    for (const q of this.qc.getQueryCache().findAll({ queryKey: [name] })) {
      this.qc.setQueryData<T>(q.queryKey, (old) =>
        old === undefined ? old : patch(old, q.queryKey[1]),
      );
    }
  }

  /**
   * Refetches the queries under `key` at most once per its interval; a change inside the
   * interval is picked up by one trailing refetch at its end, so none is missed.
   */
  private refresh(name: keyof typeof REFRESH_EVERY_MS, key: QueryKey): void {
    const now = this.now();
    const last = this.refreshedAt.get(name);
    const every = REFRESH_EVERY_MS[name];
    if (last === undefined || now - last >= every) {
      this.refreshedAt.set(name, now);
      void this.qc.invalidateQueries({ queryKey: key });
      return;
    }
    if (this.pending.has(name)) return;
    this.pending.add(name);
    this.schedule(
      () => {
        this.pending.delete(name);
        this.refreshedAt.set(name, this.now());
        void this.qc.invalidateQueries({ queryKey: key });
      },
      last + every - now,
    );
  }
}
