import type { BatchChanges } from '../../ingest/batch.js';
import type { HubEvent, HubEventSeverity } from '../../events.js';
import { decToNumber, decToString } from '../../ledger/index.js';

const LEVEL_RANK: Record<string, number> = {
  debug: 0,
  info: 1,
  warning: 2,
  error: 3,
  critical: 4,
};

export interface DeriveOptions {
  /** Bot log lines at or above this level become LOG events. */
  logMinLevel: HubEventSeverity;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : String(Math.round(n * 1e8) / 1e8));

/**
 * The TRADE, ORDER, SIGNAL and LOG events a committed batch implies: a round trip opened or
 * closed, an order's state, a signal, a bot's log line at or above the configured level.
 * Pure: the same batch always yields the same events.
 */
export function deriveEvents(changes: BatchChanges, options: DeriveOptions): HubEvent[] {
  const out: HubEvent[] = [];
  // A trip opened in this batch when the batch holds its opening fill (the one at its entry time).
  const opened = new Set<string>();
  for (const f of changes.fills) {
    if (f.trade_id !== null) opened.add(`${f.trade_id}\u0000${f.ts}`);
    if (f.next_trade_id !== null) opened.add(`${f.next_trade_id}\u0000${f.ts}`);
  }
  for (const trip of changes.trades) {
    const qty = fmt(decToNumber(trip.qty));
    if (opened.has(`${trip.id}\u0000${trip.entryTs}`)) {
      out.push({
        type: 'TRADE',
        severity: 'info',
        ts: trip.entryTs,
        message: `opened ${trip.direction} ${qty} ${trip.symbol}`,
        bot: trip.bot,
        strategy: trip.strategy,
        tradeId: trip.id,
        context: {
          action: 'opened',
          account: trip.account,
          symbol: trip.symbol,
          direction: trip.direction,
          qty: decToString(trip.qty),
        },
      });
    }
    if (trip.status === 'closed') {
      const net = decToNumber(trip.net, 2);
      out.push({
        type: 'TRADE',
        severity: 'info',
        ts: trip.exitTs ?? trip.lastTs,
        message: `closed ${trip.direction} ${qty} ${trip.symbol}: net ${net.toFixed(2)}`,
        bot: trip.bot,
        strategy: trip.strategy,
        tradeId: trip.id,
        context: {
          action: 'closed',
          account: trip.account,
          symbol: trip.symbol,
          direction: trip.direction,
          qty: decToString(trip.qty),
          gross: decToString(trip.gross),
          fees: decToString(trip.fees),
          net: decToString(trip.net),
          entry_ts: trip.entryTs,
          exit_ts: trip.exitTs,
        },
      });
    }
  }
  for (const o of changes.orders) {
    out.push({
      type: 'ORDER',
      severity: o.status === 'rejected' ? 'warning' : 'info',
      ts: o.updated_at,
      message: `order ${o.order_id} ${o.side} ${o.qty} ${o.symbol} ${o.status}${o.reason ? `: ${o.reason}` : ''}`,
      bot: o.bot,
      strategy: o.strategy,
      context: {
        order_id: o.order_id,
        account: o.account,
        symbol: o.symbol,
        side: o.side,
        qty: o.qty,
        status: o.status,
        filled_qty: o.filled_qty,
      },
    });
  }
  for (const s of changes.signals) {
    out.push({
      type: 'SIGNAL',
      severity: 'info',
      ts: s.ts,
      message: `signal ${s.direction} ${s.symbol}`,
      bot: s.bot,
      context: { symbol: s.symbol, direction: s.direction },
    });
  }
  const min = LEVEL_RANK[options.logMinLevel] ?? 2;
  for (const l of changes.logs) {
    if ((LEVEL_RANK[l.level] ?? 0) < min) continue;
    out.push({
      type: 'LOG',
      severity: l.level as HubEventSeverity,
      ts: l.ts,
      message: l.message,
      bot: l.bot,
    });
  }
  return out;
}
