import type { StreamMessage } from '@tradewatch/protocol';
import { isoUtc } from '@tradewatch/protocol';
import type { WebSocket } from 'ws';
import type { BatchChanges } from '../ingest/index.js';
import type { QueryService } from '../query/query-service.js';
import { decToNumber } from '../ledger/index.js';

/** A client whose send buffer grows past this is too slow to keep; it is closed and must reconnect. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Portfolio snapshots go out at most this often (the rest are coalesced into the next one). */
const PORTFOLIO_INTERVAL_MS = 250;

/**
 * Fans committed changes out to WebSocket clients as typed messages, synchronously on commit
 * (well inside the 100 ms promise), with portfolio snapshots coalesced.
 */
export class LiveStream {
  private readonly clients = new Set<WebSocket>();
  private seq = 0;
  private portfolioTimer: NodeJS.Timeout | null = null;
  private lastPortfolioAt = 0;

  constructor(
    private readonly query: QueryService,
    private readonly now: () => number,
  ) {}

  get clientCount(): number {
    return this.clients.size;
  }

  add(socket: WebSocket): void {
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    this.sendTo(socket, { type: 'hello', seq: this.seq, server_time: isoUtc(this.now()) });
  }

  close(): void {
    if (this.portfolioTimer) clearTimeout(this.portfolioTimer);
    for (const c of this.clients) c.close(1001, 'hub shutting down');
    this.clients.clear();
  }

  /** Called by ingest after each commit. */
  publish(changes: BatchChanges): void {
    this.seq = changes.seq;
    if (this.clients.size === 0) return;
    const q = this.query;
    const seq = changes.seq;
    const state = q.state();
    for (const f of changes.fills) {
      this.broadcast({
        type: 'fill',
        seq,
        data: q.views.fill(f, q.views.currencyOf(state, f.account)),
      });
    }
    for (const k of changes.keys) {
      this.broadcast({ type: 'position', seq, data: q.views.position(state, k, this.now()) });
    }
    for (const t of changes.trades) {
      const data = q.views.trade(
        t,
        q.multiplier(t.symbol),
        q.views.currencyOf(state, t.account),
        null,
      );
      this.broadcast({ type: 'trade', seq, data });
    }
    for (const o of changes.orders) this.broadcast({ type: 'order', seq, data: q.views.order(o) });
    for (const b of changes.bots) {
      const row = q.bot(b.id);
      if (row) this.broadcast({ type: 'bot', seq, data: row });
    }
    for (const l of changes.logs) {
      this.broadcast({
        type: 'event',
        seq,
        data: {
          kind: `log.${l.level}`,
          bot: l.bot,
          ts: isoUtc(l.ts),
          summary: l.message.slice(0, 500),
        },
      });
    }
    for (const s of changes.signals) {
      this.broadcast({
        type: 'event',
        seq,
        data: {
          kind: 'signal',
          bot: s.bot,
          ts: isoUtc(s.ts),
          summary: `${s.direction} ${s.symbol}`,
        },
      });
    }
    for (const c of changes.cashFlows) {
      this.broadcast({
        type: 'event',
        seq,
        data: {
          kind: `cash_flow.${c.kind}`,
          bot: null,
          ts: isoUtc(c.ts),
          summary: `${c.kind} ${decToNumber(c.amount, 2)} on ${c.account}`,
        },
      });
    }
    if (changes.valuationChanged) this.schedulePortfolio();
  }

  /** Sends a message of another module (alerts, commands) to every client. */
  broadcast(message: StreamMessage | { type: string; seq: number; data: unknown }): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const c of this.clients) this.sendRaw(c, text);
  }

  private schedulePortfolio(): void {
    if (this.portfolioTimer) return;
    const wait = Math.max(0, this.lastPortfolioAt + PORTFOLIO_INTERVAL_MS - this.now());
    this.portfolioTimer = setTimeout(() => {
      this.portfolioTimer = null;
      this.lastPortfolioAt = this.now();
      this.query
        .portfolio()
        .then((data) => this.broadcast({ type: 'portfolio', seq: this.seq, data }))
        .catch(() => undefined);
    }, wait);
  }

  private sendTo(socket: WebSocket, message: StreamMessage): void {
    this.sendRaw(socket, JSON.stringify(message));
  }

  private sendRaw(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(1013, 'client too slow; reconnect and refetch');
      this.clients.delete(socket);
      return;
    }
    socket.send(text);
  }
}
