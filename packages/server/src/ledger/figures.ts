import { div, decToNumber, mul, mul3, type Dec } from './decimal.js';
import type { KeyState, PositionFigures, Trip, TripMetrics } from './types.js';

/**
 * Widens a trip's price extremes with a price seen while it is open (a mark, a
 * quote). A closed trip and a price inside the range return the trip itself, so a
 * caller can tell by identity whether anything changed; the input is never mutated.
 */
export function foldPrice(trip: Trip, price: Dec): Trip {
  if (trip.status === 'closed') return trip;
  if (price >= trip.minPrice && price <= trip.maxPrice) return trip;
  return {
    ...trip,
    minPrice: price < trip.minPrice ? price : trip.minPrice,
    maxPrice: price > trip.maxPrice ? price : trip.maxPrice,
  };
}

/**
 * The open position valued at `mark`; with no mark, at the last fill price. A
 * hand-built state with lots but no price at all is valued at its own average price.
 */
export function positionFigures(state: KeyState, mark: Dec | null): PositionFigures {
  const multiplier = state.multiplier;
  let qty = 0n;
  let value = 0n;
  let openFees = 0n;
  for (const lot of state.lots) {
    qty += lot.qty;
    value += mul(lot.price, lot.qty);
    openFees += lot.fee;
  }
  if (qty === 0n) {
    return { qty: 0n, avgPrice: 0n, costBasis: 0n, marketValue: 0n, unrealized: 0n, openFees };
  }
  const short = state.trip?.direction === 'short';
  const avgPrice = div(value, qty);
  const price = mark ?? state.lastPrice ?? avgPrice;
  const signed = short ? -qty : qty;
  const markValue = mul(price, qty);
  const move = short ? value - markValue : markValue - value;
  return {
    qty: signed,
    avgPrice,
    costBasis: mul(value, multiplier) + openFees,
    marketValue: mul3(signed, price, multiplier),
    unrealized: mul(move, multiplier) - openFees,
    openFees,
  };
}

function percent(part: Dec, whole: Dec): number {
  return decToNumber(div(part * 100n, whole));
}

export function tripMetrics(trip: Trip, multiplier: Dec): TripMetrics {
  const avgEntry = div(trip.entryValue, trip.qty);
  const avgExit = trip.exitQty === 0n ? null : div(trip.exitValue, trip.exitQty);
  const closed = trip.status === 'closed';
  const long = trip.direction === 'long';
  // avgEntry lies within the trip's entry prices, so these per-unit moves already
  // have the right signs; the clamps only guard hand-built trips.
  const adverse = long ? trip.minPrice - avgEntry : avgEntry - trip.maxPrice;
  const favourable = long ? trip.maxPrice - avgEntry : avgEntry - trip.minPrice;
  const maeUnit = adverse < 0n ? adverse : 0n;
  const mfeUnit = favourable > 0n ? favourable : 0n;
  return {
    avgEntry,
    avgExit,
    returnPct: closed ? percent(trip.net, mul(trip.entryValue, multiplier)) : null,
    durationS: trip.exitTs === null ? null : (trip.exitTs - trip.entryTs) / 1000,
    mae: mul3(maeUnit, trip.qty, multiplier),
    mfe: mul3(mfeUnit, trip.qty, multiplier),
    maePct: percent(maeUnit, avgEntry),
    mfePct: percent(mfeUnit, avgEntry),
  };
}
