import type { Dec, Trip } from '../ledger/index.js';
import type { TradesTable } from '../store/index.js';
import { decFromString, decToString } from '../ledger/index.js';
import { minuteOf } from '../time/index.js';

/**
 * MAE/MFE resolution is the one-minute mark bar: a trip's price extremes are its fill prices
 * (kept by the ledger) plus the low/high of every bar from its entry minute to its exit minute
 * (kept here, apart, so a bar folded while the trip was open can be dropped when the trip
 * finally exits before it). Live ingest and `rebuild` both follow this rule, so they agree.
 */
export interface BarRange {
  low: Dec;
  high: Dec;
}

export interface BarPoint {
  minute: number;
  low: Dec;
  high: Dec;
}

export function barCoversTrip(trip: Trip, minute: number): boolean {
  return (
    minute >= minuteOf(trip.entryTs) && (trip.exitTs === null || minute <= minuteOf(trip.exitTs))
  );
}

/** Adds the bars that fall in the trip's span to `range`; returns `range` itself when nothing changes. */
export function foldBars(
  range: BarRange | null,
  trip: Trip,
  bars: Iterable<BarPoint> | undefined,
): BarRange | null {
  let out = range;
  for (const b of bars ?? []) {
    if (!barCoversTrip(trip, b.minute)) continue;
    if (out === null) out = { low: b.low, high: b.high };
    else if (b.low < out.low || b.high > out.high) {
      out = { low: b.low < out.low ? b.low : out.low, high: b.high > out.high ? b.high : out.high };
    }
  }
  return out;
}

export function groupBars<B extends BarPoint & { symbol: string }>(
  bars: Iterable<B>,
): Map<string, B[]> {
  const out = new Map<string, B[]>();
  for (const b of bars) {
    const list = out.get(b.symbol);
    if (list) list.push(b);
    else out.set(b.symbol, [b]);
  }
  return out;
}

export function barRangeOf(row: Pick<TradesTable, 'bar_low' | 'bar_high'>): BarRange | null {
  return row.bar_low === null || row.bar_high === null
    ? null
    : { low: decFromString(row.bar_low), high: decFromString(row.bar_high) };
}

export function barColumns(range: BarRange | null): Pick<TradesTable, 'bar_low' | 'bar_high'> {
  return range === null
    ? { bar_low: null, bar_high: null }
    : { bar_low: decToString(range.low), bar_high: decToString(range.high) };
}

/** The trip as shown: fill extremes widened by its mark-bar extremes (for MAE/MFE). */
export function withBars(trip: Trip, range: BarRange | null): Trip {
  if (range === null) return trip;
  return {
    ...trip,
    minPrice: range.low < trip.minPrice ? range.low : trip.minPrice,
    maxPrice: range.high > trip.maxPrice ? range.high : trip.maxPrice,
  };
}
