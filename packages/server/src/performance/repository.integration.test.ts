import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, migrateToLatest, type Store } from '../store/index.js';
import { moduleMigrations } from '../hub.js';
import { createTestDatabase, dialects, type TestDatabase } from '../testing/stores.js';
import { ClosedTrades, sameTrades } from './closed-trades.js';
import { performanceModule } from './index.js';
import { PerformanceRepository } from './repository.js';

function row(id: string, exitTs: number, net: string, fillCount: number) {
  return {
    id,
    account: 'main',
    bot: 'alpha',
    symbol: 'BTC',
    strategy: null,
    direction: 'long',
    status: 'closed',
    qty: '1',
    open_qty: '0',
    entry_ts: exitTs - 1000,
    exit_ts: exitTs,
    last_ts: exitTs,
    entry_value: '100',
    exit_qty: '1',
    exit_value: '100',
    gross: net,
    fees: '0',
    net,
    min_price: '100',
    max_price: '100',
    fill_count: fillCount,
    entry_minute: 0,
    exit_minute: 0,
    net_f: Number(net),
    gross_f: Number(net),
    return_pct: null,
    duration_ms: 1000,
  };
}

describe.each(dialects)('performance repository on %s', (kind) => {
  let db: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    store = openStore(db.url);
    await migrateToLatest(store, moduleMigrations([performanceModule]));
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('fingerprints closed trades exactly even where Σ exit time passes 2^53', async () => {
    // Three closes far in the future: Σ exit_ts ≈ 1.2e16 > 2^53, and one before 1970.
    const rows = [
      row('a', -1_500_000, '-1.5', 2),
      row('b', 4_000_000_000_000_001, '0.1', 3),
      row('c', 4_000_000_000_000_003, '0.2', 4),
      row('d', 4_000_000_000_000_007, '12.34', 5),
    ];
    await store.db.insertInto('trades').values(rows).execute();
    await store.db
      .insertInto('trades')
      .values({ ...row('open', 10, '0', 1), status: 'open', exit_ts: null })
      .execute();
    const repo = new PerformanceRepository(store.db);
    const fromDb = await repo.tradesFingerprint(store.db);
    expect(fromDb.count).toBe(4);
    expect(fromDb.exitSum).toBe(
      -1_500_000n + 4_000_000_000_000_001n + 4_000_000_000_000_003n + 4_000_000_000_000_007n,
    );
    expect(fromDb.fillSum).toBe(14);

    const cache = new ClosedTrades('UTC');
    cache.append(await repo.closedTrades(store.db, null, null, 100));
    expect(sameTrades(cache.fingerprint(), fromDb, cache.netScale)).toBe(true);
    const tail = await repo.tradesFingerprint(store.db, 4_000_000_000_000_002);
    expect(tail.count).toBe(2);
    expect(cache.fingerprintFrom(cache.lowerBound(4_000_000_000_000_002))).toMatchObject({
      count: 2,
      exitSum: tail.exitSum,
      fillSum: tail.fillSum,
    });
  });
});
