import {
  decFromString,
  decToString,
  type Dec,
  type KeyState,
  type Lot,
  type Trip,
} from '../ledger/index.js';
import { minuteOf } from '../time/index.js';
import type { LedgerPositionsTable, TradesTable } from '../store/index.js';
import { tripMetrics } from '../ledger/index.js';
import { decToNumber } from '../ledger/index.js';
import { barColumns, type BarRange } from '../ingest/trip-fold.js';

/** Ledger state ↔ `ledger_positions` row. Lots are stored as compact JSON tuples. */
type LotTuple = [fillId: string, seq: number, ts: number, qty: string, price: string, fee: string];

export function keyStateToRow(
  state: KeyState,
  trip: Trip | null,
  now: number,
): LedgerPositionsTable {
  const qty = state.lots.reduce((s, l) => s + l.qty, 0n) * (trip?.direction === 'short' ? -1n : 1n);
  return {
    account: state.key.account,
    bot: state.key.bot,
    symbol: state.key.symbol,
    multiplier: decToString(state.multiplier),
    qty: decToString(qty),
    lots: JSON.stringify(
      state.lots.map((l): LotTuple => [
        l.fillId,
        l.seq,
        l.ts,
        decToString(l.qty),
        decToString(l.price),
        decToString(l.fee),
      ]),
    ),
    trade_id: trip?.id ?? null,
    realized_gross: decToString(state.realizedGross),
    realized_net: decToString(state.realizedNet),
    fees_paid: decToString(state.feesPaid),
    fees_charged: decToString(state.feesCharged),
    trades_closed: state.tradesClosed,
    last_ts: state.lastTs,
    last_seq: state.lastSeq,
    last_price: state.lastPrice === null ? null : decToString(state.lastPrice),
    last_price_ts: state.lastPriceTs,
    opened_at: trip?.entryTs ?? null,
    updated_at: now,
  };
}

export function rowToKeyState(row: LedgerPositionsTable, trip: Trip | null): KeyState {
  const lots = (JSON.parse(row.lots) as LotTuple[]).map(
    ([fillId, seq, ts, qty, price, fee]): Lot => ({
      fillId,
      seq,
      ts,
      qty: decFromString(qty),
      price: decFromString(price),
      fee: decFromString(fee),
    }),
  );
  return {
    key: { account: row.account, bot: row.bot, symbol: row.symbol },
    multiplier: decFromString(row.multiplier),
    lots,
    trip,
    realizedGross: decFromString(row.realized_gross),
    realizedNet: decFromString(row.realized_net),
    feesPaid: decFromString(row.fees_paid),
    feesCharged: decFromString(row.fees_charged),
    tradesClosed: row.trades_closed,
    lastTs: row.last_ts,
    lastSeq: row.last_seq,
    lastPrice: row.last_price === null ? null : decFromString(row.last_price),
    lastPriceTs: row.last_price_ts,
  };
}

export function tripToRow(trip: Trip, multiplier: Dec, bars: BarRange | null): TradesTable {
  const m = tripMetrics(trip, multiplier);
  return {
    id: trip.id,
    account: trip.account,
    bot: trip.bot,
    symbol: trip.symbol,
    strategy: trip.strategy,
    direction: trip.direction,
    status: trip.status,
    qty: decToString(trip.qty),
    open_qty: decToString(trip.openQty),
    entry_ts: trip.entryTs,
    exit_ts: trip.exitTs,
    last_ts: trip.lastTs,
    entry_value: decToString(trip.entryValue),
    exit_qty: decToString(trip.exitQty),
    exit_value: decToString(trip.exitValue),
    gross: decToString(trip.gross),
    fees: decToString(trip.fees),
    net: decToString(trip.net),
    min_price: decToString(trip.minPrice),
    max_price: decToString(trip.maxPrice),
    ...barColumns(bars),
    fill_count: trip.fillCount,
    entry_minute: minuteOf(trip.entryTs),
    exit_minute: trip.exitTs === null ? null : minuteOf(trip.exitTs),
    net_f: decToNumber(trip.net),
    gross_f: decToNumber(trip.gross),
    return_pct: m.returnPct,
    duration_ms: trip.exitTs === null ? null : trip.exitTs - trip.entryTs,
  };
}

export function rowToTrip(row: TradesTable): Trip {
  return {
    id: row.id,
    account: row.account,
    bot: row.bot,
    symbol: row.symbol,
    strategy: row.strategy,
    direction: row.direction === 'short' ? 'short' : 'long',
    status: row.status === 'closed' ? 'closed' : 'open',
    qty: decFromString(row.qty),
    openQty: decFromString(row.open_qty),
    entryTs: row.entry_ts,
    exitTs: row.exit_ts,
    lastTs: row.last_ts,
    entryValue: decFromString(row.entry_value),
    exitQty: decFromString(row.exit_qty),
    exitValue: decFromString(row.exit_value),
    gross: decFromString(row.gross),
    fees: decFromString(row.fees),
    net: decFromString(row.net),
    minPrice: decFromString(row.min_price),
    maxPrice: decFromString(row.max_price),
    fillCount: row.fill_count,
  };
}
