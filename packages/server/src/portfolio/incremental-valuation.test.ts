import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFill, dec, emptyState, ONE, ZERO, type KeyState } from '../ledger/index.js';
import { IncrementalValuation } from './incremental-valuation.js';
import { keyString, PortfolioState } from './state.js';
import { valueAll } from './valuation.js';

const op = fc.oneof(
  fc.record({
    kind: fc.constant('fill' as const),
    account: fc.constantFrom('a1', 'a2'),
    bot: fc.constantFrom('b1', 'b2', 'b3'),
    symbol: fc.constantFrom('X', 'Y', 'Z'),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    qty: fc.integer({ min: 1, max: 9 }),
    price: fc.integer({ min: 50, max: 150 }),
    fee: fc.constantFrom(0, 0.5, 1),
  }),
  fc.record({
    kind: fc.constant('mark' as const),
    symbol: fc.constantFrom('X', 'Y', 'Z'),
    price: fc.integer({ min: 40, max: 160 }),
  }),
  fc.record({
    kind: fc.constant('cash' as const),
    account: fc.constantFrom('a1', 'a2', 'a3'),
    amount: fc.integer({ min: -500, max: 500 }),
  }),
);

describe('incremental valuation', () => {
  it('gives exactly the figures of valueAll after any sequence of fills, marks and cash flows', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.integer({ min: 0, max: 30 }),
        (ops, startAt) => {
          const state = new PortfolioState();
          state.accounts.set('a1', {
            id: 'a1',
            name: 'a1',
            broker: null,
            currency: 'USD',
            mode: 'live',
            opening: dec(1000),
            cashFlows: ZERO,
            configured: true,
            createdAt: 0,
          });
          let seq = 0;
          let inc: IncrementalValuation | null = null;
          ops.forEach((o, i) => {
            if (i === startAt) inc = new IncrementalValuation(state);
            const v = inc;
            switch (o.kind) {
              case 'fill': {
                if (!state.accounts.has(o.account)) {
                  state.accounts.set(o.account, {
                    id: o.account,
                    name: o.account,
                    broker: null,
                    currency: 'USD',
                    mode: 'live',
                    opening: ZERO,
                    cashFlows: ZERO,
                    configured: false,
                    createdAt: 0,
                  });
                  v?.accountChanged(o.account);
                }
                const key = { account: o.account, bot: o.bot, symbol: o.symbol };
                const k = keyString(key);
                const before: KeyState = state.keys.get(k) ?? emptyState(key, ONE);
                seq++;
                const r = applyFill(before, {
                  seq,
                  id: `f${seq}`,
                  ts: seq,
                  side: o.side,
                  qty: dec(o.qty),
                  price: dec(o.price),
                  fee: dec(o.fee),
                  strategy: null,
                });
                state.keys.set(k, r.state);
                v?.keyChanged(r.state);
                break;
              }
              case 'mark':
                state.marks.set(o.symbol, {
                  price: dec(o.price),
                  bid: null,
                  ask: null,
                  ts: 0,
                  bot: 'm',
                  receivedAt: 0,
                  bar: null,
                });
                v?.markChanged(o.symbol);
                break;
              case 'cash': {
                const a = state.accounts.get(o.account) ?? {
                  id: o.account,
                  name: o.account,
                  broker: null,
                  currency: 'USD',
                  mode: 'live' as const,
                  opening: ZERO,
                  cashFlows: ZERO,
                  configured: false,
                  createdAt: 0,
                };
                state.accounts.set(o.account, { ...a, cashFlows: a.cashFlows + dec(o.amount) });
                v?.accountChanged(o.account);
                break;
              }
            }
          });
          const incremental = (inc ?? new IncrementalValuation(state));
          const expected = valueAll(state);
          const got = incremental.current();
          expect(got.portfolio).toEqual(expected.portfolio);
          for (const [id, f] of expected.accounts) expect(got.accounts.get(id), id).toEqual(f);
          for (const [id, f] of expected.bots) expect(got.bots.get(id), id).toEqual(f);
        },
      ),
      { numRuns: 300 },
    );
  });
});
