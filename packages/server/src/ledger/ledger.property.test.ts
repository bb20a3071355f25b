import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyFill,
  compareFills,
  decFromString,
  emptyState,
  foldPrice,
  mul,
  needsReplay,
  positionFigures,
  replay,
  tripMetrics,
  type Dec,
  type FillEffect,
  type KeyState,
  type LedgerFill,
  type LedgerKey,
  type Side,
} from './index.js';

const key: LedgerKey = { account: 'acc', bot: 'bot', symbol: 'SYM' };

// Quantities with 4 decimals, prices with 2, fees with 6 or 18 (so pro-rata fee shares round),
// multipliers with up to 3: every price × qty × multiplier fits in 18 decimals, so the
// ledger's totals can be compared exactly with totals computed independently.
const qtyArb = fc.integer({ min: 1, max: 1_000_000 }).map((n) => BigInt(n) * 10n ** 14n);
const priceArb = fc.integer({ min: 1, max: 10_000_000 }).map((n) => BigInt(n) * 10n ** 16n);
const feeArb = fc.oneof(
  fc.constant(0n),
  fc.bigInt({ min: 1n, max: 9n }), // a few units of 1e-18: every pro-rata share rounds
  fc.integer({ min: 0, max: 100_000_000 }).map((n) => BigInt(n) * 10n ** 12n),
);
const multiplierArb = fc.constantFrom('1', '50', '0.1', '0.001', '100000').map(decFromString);
const sideArb = fc.constantFrom<Side>('buy', 'sell');

interface RawFill {
  side: Side;
  qty: Dec;
  price: Dec;
  fee: Dec;
  ts: number;
}

const rawFillArb: fc.Arbitrary<RawFill> = fc.record({
  side: sideArb,
  qty: qtyArb,
  price: priceArb,
  fee: feeArb,
  // Few distinct timestamps, so ties broken by seq are common.
  ts: fc.integer({ min: 0, max: 15 }).map((n) => n * 1_000),
});

function toFills(raw: RawFill[]): LedgerFill[] {
  return raw.map((r, i) => ({ ...r, seq: i + 1, id: `f${i + 1}`, strategy: null }));
}

const sorted = (fills: LedgerFill[]): LedgerFill[] => fills.slice().sort(compareFills);

const signedQty = (f: LedgerFill): Dec => (f.side === 'buy' ? f.qty : -f.qty);

/** Appends the fill that makes the (ts, seq)-ordered sequence flat, when it is not already. */
function endFlat(fills: LedgerFill[], price: Dec, fee: Dec): LedgerFill[] {
  const position = fills.reduce((p, f) => p + signedQty(f), 0n);
  if (position === 0n) return fills;
  const last = fills.reduce((t, f) => Math.max(t, f.ts), 0);
  return [
    ...fills,
    {
      seq: fills.length + 1,
      id: `f${fills.length + 1}`,
      ts: last + 1_000,
      side: position > 0n ? 'sell' : 'buy',
      qty: position > 0n ? position : -position,
      price,
      fee,
      strategy: null,
    },
  ];
}

const fillsArb = fc.array(rawFillArb, { minLength: 1, maxLength: 30 }).map(toFills);
const flatFillsArb = fc
  .tuple(fillsArb, priceArb, feeArb)
  .map(([fills, price, fee]) => endFlat(fills, price, fee));

function applyAll(
  multiplier: Dec,
  fills: LedgerFill[],
): { state: KeyState; effects: FillEffect[] } {
  let state = emptyState(key, multiplier);
  const effects: FillEffect[] = [];
  for (const fill of fills) {
    const r = applyFill(state, fill);
    state = r.state;
    effects.push(r.effect);
  }
  return { state, effects };
}

const sum = (xs: Dec[]): Dec => xs.reduce((a, b) => a + b, 0n);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Splits `total` into parts at the given fractions (per mille); every part > 0. */
function split(total: bigint, cuts: number[]): bigint[] {
  const points = [...new Set(cuts.map((c) => (total * BigInt(c)) / 1000n))]
    .filter((p) => p > 0n && p < total)
    .sort((a, b) => (a < b ? -1 : 1));
  const parts: bigint[] = [];
  let prev = 0n;
  for (const p of [...points, total]) {
    parts.push(p - prev);
    prev = p;
  }
  return parts;
}

describe('ledger: properties', () => {
  it('conserves P&L: once flat, gross is (sells − buys) × multiplier and net is gross − all fees', () => {
    fc.assert(
      fc.property(flatFillsArb, multiplierArb, (fills, multiplier) => {
        const { state, effects } = applyAll(multiplier, sorted(fills));
        expect(state.trip).toBeNull();
        expect(state.lots).toEqual([]);

        const sells = sum(fills.filter((f) => f.side === 'sell').map((f) => mul(f.price, f.qty)));
        const buys = sum(fills.filter((f) => f.side === 'buy').map((f) => mul(f.price, f.qty)));
        const fees = sum(fills.map((f) => f.fee));
        expect(state.realizedGross).toBe(mul(sells - buys, multiplier));
        expect(state.realizedNet).toBe(state.realizedGross - fees);
        expect(state.feesPaid).toBe(fees);
        expect(state.feesCharged).toBe(fees);
        expect(sum(effects.map((e) => e.feeCharged))).toBe(fees);
        expect(sum(effects.map((e) => e.realizedGross))).toBe(state.realizedGross);
        expect(sum(effects.map((e) => e.realizedNet))).toBe(state.realizedNet);

        // The closed trips partition the history.
        const trips = replay(key, multiplier, fills).trips;
        expect(trips.every((t) => t.status === 'closed')).toBe(true);
        expect(trips).toHaveLength(state.tradesClosed);
        expect(sum(trips.map((t) => t.gross))).toBe(state.realizedGross);
        expect(sum(trips.map((t) => t.fees))).toBe(fees);
        expect(sum(trips.map((t) => t.net))).toBe(state.realizedNet);
        for (const t of trips) {
          expect(t.net).toBe(t.gross - t.fees);
          expect(t.exitQty).toBe(t.qty);
          const sign = t.direction === 'long' ? 1n : -1n;
          expect(t.gross).toBe(mul(sign * (t.exitValue - t.entryValue), multiplier));
          const m = tripMetrics(t, multiplier);
          expect(m.mae <= 0n && m.mfe >= 0n).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reaches the same totals once flat however the closing quantity is split into partial closes', () => {
    const caseArb = fc.record({
      direction: sideArb,
      opens: fc.array(fc.record({ qty: qtyArb, price: priceArb, fee: feeArb }), {
        minLength: 1,
        maxLength: 6,
      }),
      closePrice: priceArb,
      closeFee: feeArb,
      cutsA: fc.array(fc.integer({ min: 1, max: 999 }), { maxLength: 8 }),
      cutsB: fc.array(fc.integer({ min: 1, max: 999 }), { maxLength: 8 }),
      feeCuts: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 8 }),
      multiplier: multiplierArb,
    });
    fc.assert(
      fc.property(caseArb, (c) => {
        const closeSide: Side = c.direction === 'buy' ? 'sell' : 'buy';
        const total = sum(c.opens.map((o) => o.qty));
        const opening: LedgerFill[] = c.opens.map((o, i) => ({
          ...o,
          side: c.direction,
          seq: i + 1,
          id: `o${i}`,
          ts: i,
          strategy: null,
        }));
        const closing = (cuts: number[]): LedgerFill[] => {
          const parts = split(total, cuts);
          // The closing fee is split across the parts too (any split, same total).
          const fees = split(c.closeFee, c.feeCuts).slice(0, parts.length);
          fees[fees.length - 1]! += c.closeFee - sum(fees);
          return parts.map((qty, i) => ({
            seq: 100 + i,
            id: `c${i}`,
            ts: 100 + i,
            side: closeSide,
            qty,
            price: c.closePrice,
            fee: fees[i] ?? 0n,
            strategy: null,
          }));
        };
        const outcome = (cuts: number[]) => {
          const r = replay(key, c.multiplier, [...opening, ...closing(cuts)]);
          const trip = r.trips[0]!;
          return {
            flat: r.state.trip === null,
            gross: r.state.realizedGross,
            net: r.state.realizedNet,
            charged: r.state.feesCharged,
            trips: r.trips.length,
            trip: { ...trip, exitTs: 0, lastTs: 0, fillCount: 0 },
          };
        };
        const whole = outcome([]);
        expect(whole.flat).toBe(true);
        expect(whole.trips).toBe(1);
        expect(outcome(c.cutsA)).toEqual(whole);
        expect(outcome(c.cutsB)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same state and effects whether fills are applied one by one or replayed in any arrival order', () => {
    const caseArb = fillsArb.chain((fills) =>
      fc.tuple(
        fc.constant(fills),
        fc.shuffledSubarray(fills, { minLength: fills.length, maxLength: fills.length }),
        multiplierArb,
      ),
    );
    fc.assert(
      fc.property(caseArb, ([fills, arrival, multiplier]) => {
        const inOrder = applyAll(multiplier, sorted(fills));
        const replayed = replay(key, multiplier, arrival);
        expect(replayed.state).toEqual(inOrder.state);
        expect(replayed.effects).toEqual(inOrder.effects);

        // What the ingest pipeline does: apply when it can, replay when a fill is late.
        let state = emptyState(key, multiplier);
        const seen: LedgerFill[] = [];
        for (const fill of arrival) {
          seen.push(fill);
          state = needsReplay(state, fill)
            ? replay(key, multiplier, seen).state
            : applyFill(state, fill).state;
        }
        expect(state).toEqual(inOrder.state);

        // And resuming from a checkpoint gives the same as replaying everything.
        const order = sorted(fills);
        const cut = Math.floor(order.length / 2);
        const head = replay(key, multiplier, order.slice(0, cut)).state;
        expect(replay(key, multiplier, order.slice(cut), head).state).toEqual(inOrder.state);
      }),
      { numRuns: 200 },
    );
  });

  it('never mutates its inputs', () => {
    fc.assert(
      fc.property(fillsArb, multiplierArb, priceArb, (fills, multiplier, mark) => {
        deepFreeze(fills);
        let state = deepFreeze(emptyState(key, multiplier));
        for (const fill of sorted(fills)) {
          const snapshot = structuredClone(state);
          const r = applyFill(state, fill);
          expect(state).toEqual(snapshot);
          if (state.trip !== null) {
            foldPrice(state.trip, mark);
            tripMetrics(state.trip, multiplier);
          }
          positionFigures(state, mark);
          expect(state).toEqual(snapshot);
          state = deepFreeze(r.state);
        }
        const before = fills.map((f) => f.id);
        replay(key, multiplier, fills, undefined);
        expect(fills.map((f) => f.id)).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the position equal to the signed sum of quantities after every fill', () => {
    fc.assert(
      fc.property(fillsArb, multiplierArb, (fills, multiplier) => {
        let state = emptyState(key, multiplier);
        let position = 0n;
        for (const fill of sorted(fills)) {
          const { state: next, effect } = applyFill(state, fill);
          position += signedQty(fill);
          expect(effect.positionAfter).toBe(position);
          state = next;

          const lotSum = sum(state.lots.map((l) => l.qty));
          expect(lotSum).toBe(position < 0n ? -position : position);
          expect(state.lots.every((l) => l.qty > 0n && l.fee >= 0n)).toBe(true);
          expect(positionFigures(state, null).qty).toBe(position);
          if (position === 0n) {
            expect(state.trip).toBeNull();
            expect(state.feesCharged).toBe(state.feesPaid);
          } else {
            expect(state.trip!.openQty).toBe(lotSum);
            expect(state.trip!.direction).toBe(position > 0n ? 'long' : 'short');
            // Fees not yet charged are exactly the ones still sitting in lots.
            const openFees = sum(state.lots.map((l) => l.fee));
            expect(state.feesPaid - state.feesCharged).toBe(openFees);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
