import { createHash } from 'node:crypto';
import { mul, mul3, mulDiv, type Dec } from './decimal.js';
import type {
  ApplyResult,
  Direction,
  FillEffect,
  KeyState,
  LedgerFill,
  LedgerKey,
  Lot,
  ReplayResult,
  Trip,
} from './types.js';

/**
 * Deterministic id of the round trip a fill opens, so rebuilding the projections from
 * the facts gives every trip the id it had before.
 */
export function tradeId(key: LedgerKey, openingFillId: string): string {
  const hash = createHash('sha256')
    .update(`${key.account}\u0000${key.bot}\u0000${key.symbol}\u0000${openingFillId}`)
    .digest('hex');
  return 'tr_' + hash.slice(0, 20);
}

export function emptyState(key: LedgerKey, multiplier: Dec): KeyState {
  if (multiplier <= 0n) throw new RangeError(`multiplier must be > 0 for ${describeKey(key)}`);
  return {
    key,
    multiplier,
    lots: [],
    trip: null,
    realizedGross: 0n,
    realizedNet: 0n,
    feesPaid: 0n,
    feesCharged: 0n,
    tradesClosed: 0,
    lastTs: null,
    lastSeq: null,
    lastPrice: null,
    lastPriceTs: null,
  };
}

function describeKey(key: LedgerKey): string {
  return `${key.account}/${key.bot}/${key.symbol}`;
}

/** (ts, seq) order: the order in which fills are matched. */
export function compareFills(a: LedgerFill, b: LedgerFill): number {
  return a.ts - b.ts || a.seq - b.seq;
}

function sortsBefore(ts: number, seq: number, otherTs: number, otherSeq: number): boolean {
  return ts < otherTs || (ts === otherTs && seq < otherSeq);
}

/** True when the fill sorts before the last applied fill by (ts, seq): apply it by replay. */
export function needsReplay(state: KeyState, fill: LedgerFill): boolean {
  if (state.lastTs === null || state.lastSeq === null) return false;
  return sortsBefore(fill.ts, fill.seq, state.lastTs, state.lastSeq);
}

function validateFill(fill: LedgerFill): void {
  const problem =
    fill.side !== 'buy' && fill.side !== 'sell'
      ? 'side must be buy or sell'
      : fill.qty <= 0n
        ? 'qty must be > 0'
        : fill.price <= 0n
          ? 'price must be > 0'
          : fill.fee < 0n
            ? 'fee must be >= 0'
            : !Number.isFinite(fill.ts) || !Number.isFinite(fill.seq)
              ? 'ts and seq must be finite'
              : null;
  if (problem !== null) throw new RangeError(`fill ${fill.id}: ${problem}`);
}

function openTrip(
  key: LedgerKey,
  fill: LedgerFill,
  direction: Direction,
  qty: Dec,
  fee: Dec,
): Trip {
  return {
    id: tradeId(key, fill.id),
    account: key.account,
    bot: key.bot,
    symbol: key.symbol,
    strategy: fill.strategy,
    direction,
    status: 'open',
    qty,
    openQty: qty,
    entryTs: fill.ts,
    exitTs: null,
    lastTs: fill.ts,
    entryValue: mul(fill.price, qty),
    exitQty: 0n,
    exitValue: 0n,
    gross: 0n,
    fees: fee,
    net: 0n,
    minPrice: fill.price,
    maxPrice: fill.price,
    fillCount: 1,
  };
}

function signedQty(trip: Trip | null): Dec {
  if (trip === null) return 0n;
  return trip.direction === 'long' ? trip.openQty : -trip.openQty;
}

/**
 * Applies one fill in (ts, seq) order and returns a new state; the input is never
 * mutated, so callers can keep it for rollback. Throws RangeError on an invalid fill,
 * on a fill that sorts before the last applied one (use `needsReplay`/`replay`), and on
 * the same (ts, seq) twice.
 */
export function applyFill(state: KeyState, fill: LedgerFill): ApplyResult {
  validateFill(fill);
  if (state.lastTs !== null && state.lastSeq !== null) {
    if (sortsBefore(fill.ts, fill.seq, state.lastTs, state.lastSeq)) {
      throw new RangeError(
        `fill ${fill.id} (ts ${fill.ts}, seq ${fill.seq}) sorts before the last applied fill of ${describeKey(state.key)}; replay instead`,
      );
    }
    if (fill.ts === state.lastTs && fill.seq === state.lastSeq) {
      throw new RangeError(`fill ${fill.id} (seq ${fill.seq}) is already applied`);
    }
  }
  const direction: Direction = fill.side === 'buy' ? 'long' : 'short';
  const trip = state.trip;
  if (trip === null || trip.direction === direction) return openOrAdd(state, fill, direction);
  return close(state, fill, trip);
}

function openOrAdd(state: KeyState, fill: LedgerFill, direction: Direction): ApplyResult {
  const lot: Lot = {
    fillId: fill.id,
    seq: fill.seq,
    ts: fill.ts,
    qty: fill.qty,
    price: fill.price,
    fee: fill.fee,
  };
  const before = state.trip;
  const trip: Trip =
    before === null
      ? openTrip(state.key, fill, direction, fill.qty, fill.fee)
      : {
          ...before,
          qty: before.qty + fill.qty,
          openQty: before.openQty + fill.qty,
          lastTs: fill.ts,
          entryValue: before.entryValue + mul(fill.price, fill.qty),
          fees: before.fees + fill.fee,
          minPrice: fill.price < before.minPrice ? fill.price : before.minPrice,
          maxPrice: fill.price > before.maxPrice ? fill.price : before.maxPrice,
          fillCount: before.fillCount + 1,
        };
  const lots = state.lots.slice();
  lots.push(lot);
  const effect: FillEffect = {
    fillId: fill.id,
    seq: fill.seq,
    realizedGross: 0n,
    realizedNet: 0n,
    feeCharged: 0n,
    positionAfter: signedQty(trip),
    tradeId: trip.id,
    nextTradeId: null,
  };
  return {
    state: {
      ...state,
      lots,
      trip,
      feesPaid: state.feesPaid + fill.fee,
      lastTs: fill.ts,
      lastSeq: fill.seq,
      lastPrice: fill.price,
      lastPriceTs: fill.ts,
    },
    effect,
    closed: null,
    opened: before === null ? trip : null,
  };
}

function close(state: KeyState, fill: LedgerFill, trip: Trip): ApplyResult {
  const multiplier = state.multiplier;
  const price = fill.price;
  const position = trip.openQty;
  const closeQty = fill.qty < position ? fill.qty : position;
  const remainder = fill.qty - closeQty;
  // A flipping fill splits its own fee closed:opened by quantity; the opened part is
  // the remainder so the two parts always add up to the fee exactly.
  const closeFee = remainder === 0n ? fill.fee : mulDiv(fill.fee, closeQty, fill.qty);
  const openFee = fill.fee - closeFee;
  const long = trip.direction === 'long';

  const lots = state.lots;
  let gross = 0n;
  let lotFees = 0n;
  let toClose = closeQty;
  let consumed = 0;
  let head: Lot | null = null;
  while (toClose > 0n) {
    const lot = lots[consumed];
    if (lot === undefined) {
      throw new Error(`ledger state of ${describeKey(state.key)} is corrupt: lots < position`);
    }
    let take: Dec;
    let charge: Dec;
    if (lot.qty <= toClose) {
      // A lot that closes fully is charged its whole remaining fee, so pro-rata
      // rounding never leaves dust behind and fees are conserved exactly.
      take = lot.qty;
      charge = lot.fee;
      consumed++;
    } else {
      take = toClose;
      charge = mulDiv(lot.fee, take, lot.qty);
      head = { ...lot, qty: lot.qty - take, fee: lot.fee - charge };
    }
    gross += mul3(long ? price - lot.price : lot.price - price, take, multiplier);
    lotFees += charge;
    toClose -= take;
  }

  const feeCharged = closeFee + lotFees;
  const net = gross - feeCharged;
  const flat = closeQty === position;
  const ended: Trip = {
    ...trip,
    status: flat ? 'closed' : 'open',
    openQty: position - closeQty,
    exitTs: flat ? fill.ts : null,
    lastTs: fill.ts,
    exitQty: trip.exitQty + closeQty,
    exitValue: trip.exitValue + mul(price, closeQty),
    gross: trip.gross + gross,
    fees: trip.fees + closeFee,
    net: trip.net + net,
    minPrice: price < trip.minPrice ? price : trip.minPrice,
    maxPrice: price > trip.maxPrice ? price : trip.maxPrice,
    fillCount: trip.fillCount + 1,
  };

  let nextLots: Lot[];
  let nextTrip: Trip | null;
  let opened: Trip | null = null;
  if (remainder > 0n) {
    opened = openTrip(state.key, fill, long ? 'short' : 'long', remainder, openFee);
    nextTrip = opened;
    nextLots = [
      { fillId: fill.id, seq: fill.seq, ts: fill.ts, qty: remainder, price, fee: openFee },
    ];
  } else if (flat) {
    nextTrip = null;
    nextLots = [];
  } else {
    nextTrip = ended;
    nextLots = lots.slice(head === null ? consumed : consumed + 1);
    if (head !== null) nextLots.unshift(head);
  }

  const effect: FillEffect = {
    fillId: fill.id,
    seq: fill.seq,
    realizedGross: gross,
    realizedNet: net,
    feeCharged,
    positionAfter: signedQty(nextTrip),
    tradeId: trip.id,
    nextTradeId: opened === null ? null : opened.id,
  };
  return {
    state: {
      ...state,
      lots: nextLots,
      trip: nextTrip,
      realizedGross: state.realizedGross + gross,
      realizedNet: state.realizedNet + net,
      feesPaid: state.feesPaid + fill.fee,
      feesCharged: state.feesCharged + feeCharged,
      tradesClosed: state.tradesClosed + (flat ? 1 : 0),
      lastTs: fill.ts,
      lastSeq: fill.seq,
      lastPrice: price,
      lastPriceTs: fill.ts,
    },
    effect,
    closed: flat ? ended : null,
    opened,
  };
}

/**
 * Rebuilds by applying `fills` in (ts, seq) order on top of `from` (default: an empty
 * state). The input array is not reordered.
 */
export function replay(
  key: LedgerKey,
  multiplier: Dec,
  fills: LedgerFill[],
  from?: KeyState,
): ReplayResult {
  if (from !== undefined) {
    const k = from.key;
    if (k.account !== key.account || k.bot !== key.bot || k.symbol !== key.symbol) {
      throw new RangeError(`replay of ${describeKey(key)} from the state of ${describeKey(k)}`);
    }
    if (from.multiplier !== multiplier) {
      throw new RangeError(`replay of ${describeKey(key)} with a different multiplier`);
    }
  }
  let state = from ?? emptyState(key, multiplier);
  const sorted = fills.slice().sort(compareFills);
  const effects: FillEffect[] = [];
  const trips: Trip[] = [];
  for (const fill of sorted) {
    const result = applyFill(state, fill);
    state = result.state;
    effects.push(result.effect);
    if (result.closed !== null) trips.push(result.closed);
  }
  if (sorted.length > 0 && state.trip !== null) trips.push(state.trip);
  return { state, effects, trips };
}
