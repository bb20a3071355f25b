import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestSettings } from '../ingest/settings.js';
import { dialects } from '../testing/stores.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';
import { rebuildProjections } from './rebuild.js';

const MIN = 60_000;

/** A random but valid stream of batches: fills (some late), marks, orders and cash flows. */
const batchArb = (bots: string[], symbols: string[]) =>
  fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('fill' as const),
          bot: fc.constantFrom(...bots),
          symbol: fc.constantFrom(...symbols),
          side: fc.constantFrom('buy', 'sell'),
          qty: fc.integer({ min: 1, max: 5 }),
          price: fc.integer({ min: 90, max: 110 }),
          fee: fc.constantFrom(0, 0.1, 0.25, 1),
          minute: fc.integer({ min: 0, max: 30 }),
          withOrder: fc.boolean(),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('mark' as const),
          symbol: fc.constantFrom(...symbols),
          price: fc.integer({ min: 80, max: 120 }),
          minute: fc.integer({ min: 0, max: 30 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('cash' as const),
          amount: fc.integer({ min: -500, max: 1000 }).filter((a) => a !== 0),
          minute: fc.integer({ min: 0, max: 30 }),
        }),
      },
    ),
    { minLength: 1, maxLength: 25 },
  );

describe.each(dialects)('rebuild on %s', (kind) => {
  let t: TestHub;
  let n = 0;
  beforeAll(async () => {
    t = await startTestHub(kind, { instruments: [{ symbol: 'ES', multiplier: 50 }] }, undefined, {
      modules: [],
    });
  });
  afterAll(async () => t.close());

  const toEvents = (
    items: ReturnType<typeof batchArb> extends fc.Arbitrary<infer U> ? U : never,
    run: number,
  ) =>
    items.flatMap((item): Record<string, unknown>[] => {
      const ts = T0 + (run % 7) * 40 * MIN + item.minute * MIN + (n % 1000);
      const id = `e${n++}`;
      // Each property run trades its own bots and account, so a counterexample stands alone.
      const bot = `${'bot' in item ? item.bot : 'x'}${run}`;
      const account = `acct${run}`;
      switch (item.kind) {
        case 'fill':
          return [
            ...(item.withOrder
              ? [
                  {
                    type: 'order',
                    id: `${id}o`,
                    bot,
                    account,
                    ts,
                    order_id: `o${id}`,
                    symbol: item.symbol,
                    side: item.side,
                    qty: item.qty,
                    order_type: 'market',
                    status: 'filled',
                  },
                ]
              : []),
            {
              type: 'fill',
              id,
              bot,
              account,
              ts,
              symbol: item.symbol,
              side: item.side,
              qty: item.qty,
              price: item.price,
              fee: item.fee,
              ...(item.withOrder ? { order_id: `o${id}` } : {}),
            },
          ];
        case 'mark':
          return [{ type: 'mark', bot: `feed${run}`, ts, symbol: item.symbol, price: item.price }];
        case 'cash':
          return [
            {
              type: 'cash_flow',
              id,
              bot: `treasury${run}`,
              account,
              ts,
              amount: item.amount,
              kind: item.amount > 0 ? 'deposit' : 'withdrawal',
            },
          ];
      }
    });

  it('reproduces every projection from the facts, whatever the order batches arrive in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchArb(['a', 'b'], ['AAPL', 'ES']), { minLength: 1, maxLength: 6 }),
        async (batches) => {
          const run = n;
          for (const items of batches) {
            const res = await t.ingest(toEvents(items, run % 7));
            expect(res.status).toBe(200);
          }
          const report = await rebuildProjections(t.hub.store.db, ingestSettings(t.hub.config));
          expect(report.differences).toEqual([]);
        },
      ),
      { numRuns: kind === 'sqlite' ? 25 : 8 },
    );
  });

  it('finds a corrupted projection, names it, and repairs it with fix', async () => {
    await t.ingest([
      { type: 'fill', id: 'c1', bot: 'c', ts: T0, symbol: 'X', side: 'buy', qty: 1, price: 10 },
      {
        type: 'fill',
        id: 'c2',
        bot: 'c',
        ts: T0 + MIN,
        symbol: 'X',
        side: 'sell',
        qty: 1,
        price: 12,
      },
    ]);
    const trade = await t.hub.store.db
      .selectFrom('trades')
      .select('id')
      .where('bot', '=', 'c')
      .executeTakeFirstOrThrow();
    await t.hub.store.db
      .updateTable('trades')
      .set({ net: '999' })
      .where('id', '=', trade.id)
      .execute();
    await t.hub.store.db
      .updateTable('fills')
      .set({ realized_gross: '5' })
      .where('id', '=', 'c2')
      .execute();
    const settings = ingestSettings(t.hub.config);
    const found = await rebuildProjections(t.hub.store.db, settings);
    expect(found.counts).toEqual({ trades: 1, fills: 1 });
    expect(found.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          table: 'trades',
          key: trade.id,
          column: 'net',
          stored: '999',
          rebuilt: '2',
        }),
        expect.objectContaining({
          table: 'fills',
          key: 'c/c2',
          column: 'realized_gross',
          stored: '5',
          rebuilt: '2',
        }),
      ]),
    );
    const fixed = await rebuildProjections(t.hub.store.db, settings, { fix: true });
    expect(fixed.fixed).toBe(true);
    expect((await rebuildProjections(t.hub.store.db, settings)).differences).toEqual([]);
  });
});
