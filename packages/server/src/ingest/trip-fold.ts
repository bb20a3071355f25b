import type { Dec, Trip } from '../ledger/index.js';
import { minuteOf } from '../time/index.js';

/**
 * MAE/MFE resolution is the one-minute mark bar: a trip's price extremes are its fill prices
 * plus the high/low of every bar from its entry minute to its exit minute. Live ingest and
 * `rebuild` both fold bars by this rule, so they agree.
 */
export function barCoversTrip(trip: Trip, minute: number): boolean {
  return (
    minute >= minuteOf(trip.entryTs) && (trip.exitTs === null || minute <= minuteOf(trip.exitTs))
  );
}

/** Widens a trip's extremes (open or closed); returns the same object when nothing changes. */
export function widenTrip(trip: Trip, low: Dec, high: Dec): Trip {
  if (low >= trip.minPrice && high <= trip.maxPrice) return trip;
  return {
    ...trip,
    minPrice: low < trip.minPrice ? low : trip.minPrice,
    maxPrice: high > trip.maxPrice ? high : trip.maxPrice,
  };
}
