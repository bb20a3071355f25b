import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { IngestEvent, IngestEventInput } from '@tradewatch/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateIngestBody } from '../ingest/validate.js';
import { hubModules } from '../modules.js';
import { openStore } from '../store/index.js';
import { dialects, PG_URL } from '../testing/stores.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';
import { ManualClock } from '../time/index.js';
import { compareStores, FACTS_AND_PROJECTIONS } from './compare.js';
import { exportFacts } from './export.js';
import { hubTarget, importFacts } from './import.js';
import { isolatedDatabase } from './isolated-db.test-util.js';
import { migrateStore } from './migrate-store.js';
import { sampleBatches } from './sample-events.test-util.js';

const batches = sampleBatches({ batches: 12, perBatch: 120, start: T0 - 3 * 86_400_000, seed: 11 });

function valid(events: IngestEventInput[]): IngestEvent[] {
  const r = validateIngestBody({ events });
  if (!r.ok) throw new Error(r.message);
  return r.events;
}

/** A hub with every kind of fact, a token, a journal note and an audit entry. */
async function populated(kind: 'sqlite' | 'postgres'): Promise<TestHub> {
  const t = await startTestHub(
    kind,
    { accounts: [{ id: 'acc-b', opening_balance: 25_000 }] },
    await isolatedDatabase(kind),
  );
  // Small batches, as bots send them: the recorded equity curve then differs from any re-import's.
  for (const b of batches) {
    for (let i = 0; i < b.length; i += 25) await t.hub.ingest.ingest(valid(b.slice(i, i + 25)));
  }
  await t.hub.bots.upsert('beta', { name: 'Beta bot', framework: 'freqtrade' });
  await t.hub.bots.setHalted('gamma', true);
  await t.hub.tokens.create({ name: 'grafana', scopes: ['read'] });
  const trade = await t.hub.store.db
    .selectFrom('trades')
    .select('id')
    .limit(1)
    .executeTakeFirstOrThrow();
  await t.hub.store.db
    .insertInto('trade_notes')
    .values({
      trade_id: trade.id,
      notes: 'late entry',
      tags: '["fomo"]',
      updated_at: T0,
      updated_by: 'admin',
    })
    .execute();
  await t.hub.events.record({
    type: 'AUDIT',
    severity: 'info',
    message: 'token created',
    actor: 'admin',
  });
  return t;
}

describe.each(dialects)('export and import (%s)', (kind) => {
  let source: TestHub;
  let work: string;
  let file: string;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    source = await populated(kind);
    closers.push(async () => {
      await source.close();
      await source.db.drop();
    });
    work = mkdtempSync(path.join(tmpdir(), 'tw-export-'));
    file = path.join(work, 'export.jsonl.gz');
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  async function freshHub(): Promise<TestHub> {
    const t = await startTestHub(
      kind,
      { accounts: [{ id: 'acc-b', opening_balance: 25_000 }] },
      await isolatedDatabase(kind),
    );
    closers.push(async () => {
      await t.close();
      await t.db.drop();
    });
    return t;
  }

  it('writes every fact in arrival order, rebuilt exactly as the bots sent it', async () => {
    const summary = await exportFacts(source.hub.store, file, { now: T0 });
    const lines = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
    const header = JSON.parse(lines[0]!) as {
      tradewatch_export: number;
      bots: { id: string; halted: boolean }[];
      counts: Record<string, number>;
    };
    expect(header.tradewatch_export).toBe(1);
    expect(header.bots.find((b) => b.id === 'gamma')?.halted).toBe(true);
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({
      tradewatch_export_end: true,
      events: summary.events,
    });
    const facts = batches.flat().filter((e) => e.type !== 'mark').length;
    expect(summary.events - (summary.byType.mark ?? 0)).toBe(facts);
    expect(summary.inexact).toBe(0);
    // Facts keep their client ids; the fills come in the order they arrived.
    const fills = lines
      .slice(1, -1)
      .map((l) => JSON.parse(l) as { type: string; id?: string })
      .filter((e) => e.type === 'fill');
    expect(fills.map((f) => f.id)).toEqual(
      batches
        .flat()
        .filter((e) => e.type === 'fill')
        .map((e) => e.id),
    );
  });

  it('imports into an empty hub: every fact, trade and P&L figure matches', async () => {
    const target = await freshHub();
    const r = await importFacts(file, hubTarget(target.hub));
    expect(r.duplicates).toBe(0);
    expect(r.botsCreated.sort()).toEqual(['alpha', 'beta', 'gamma']);
    const cmp = await compareStores(
      source.hub.store,
      target.hub.store,
      source.hub.config,
      T0 + 86_400_000,
      { only: FACTS_AND_PROJECTIONS, portfolio: false },
    );
    expect(cmp.differences).toEqual([]);
    // Every P&L figure of the portfolio; the high-water mark (peak equity, drawdown) and the
    // day's start equity are the recorded curve, which an import re-records (migrate-store
    // carries it over).
    const RECORDED = new Set(['as_of', 'peak_equity', 'drawdown', 'drawdown_pct', 'day_pnl']);
    const figures = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(figures)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .filter(([k]) => !RECORDED.has(k))
                .map(([k, v]) => [k, figures(v)]),
            )
          : value;
    expect(figures(await target.hub.query.portfolio())).toEqual(
      figures(await source.hub.query.portfolio()),
    );
    expect(cmp.rows.fills).toBeGreaterThan(100);
    expect(cmp.rows.trades).toBeGreaterThan(10);
    expect(target.hub.holder.current.bots.get('gamma')?.halted).toBe(true);
  });

  it('importing the same file again stores nothing new', async () => {
    const target = await freshHub();
    const first = await importFacts(file, hubTarget(target.hub));
    const again = await importFacts(file, hubTarget(target.hub));
    expect(again.duplicates).toBe(first.accepted - again.accepted);
    const facts = batches.flat().filter((e) => e.type !== 'mark').length;
    expect(again.duplicates).toBe(facts);
  });

  it('importing an export into its own source is all duplicates (the hashes are the originals)', async () => {
    const r = await importFacts(file, hubTarget(source.hub));
    const facts = batches.flat().filter((e) => e.type !== 'mark').length;
    expect(r.duplicates).toBe(facts);
  });

  it('refuses a truncated or invalid file before anything is imported', async () => {
    const target = await freshHub();
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    const lines = text.trim().split('\n');
    const truncated = path.join(work, 'truncated.jsonl');
    writeFileSync(truncated, lines.slice(0, -5).join('\n') + '\n');
    await expect(importFacts(truncated, hubTarget(target.hub))).rejects.toThrow(
      /truncated; nothing was imported/,
    );
    const cut = path.join(work, 'cut.jsonl.gz');
    const gz = gzipSync(text);
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    await expect(importFacts(cut, hubTarget(target.hub))).rejects.toThrow(/nothing was imported/);
    const bad = path.join(work, 'bad.jsonl');
    const broken = [...lines];
    broken[7] = JSON.stringify({ ...(JSON.parse(broken[7]!) as object), ts: 'yesterday' });
    writeFileSync(bad, broken.join('\n') + '\n');
    await expect(importFacts(bad, hubTarget(target.hub))).rejects.toThrow(/^line 8: field "ts"/);
    const count = await target.hub.store.db
      .selectFrom('fills')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });
});

describe.skipIf(!PG_URL)('migrate-store', () => {
  it('SQLite → PostgreSQL → SQLite: every count and P&L figure identical at each step', async () => {
    const source = await populated('sqlite');
    const pgDb = await isolatedDatabase('postgres');
    const back = await isolatedDatabase('sqlite');
    const clock = new ManualClock(T0 + 86_400_000);
    const config = source.hub.config;
    await source.hub.close();
    try {
      const there = await migrateStore({
        fromUrl: source.db.url,
        toUrl: pgDb.url,
        config,
        modules: hubModules,
        clock,
        workDir: source.db.dir,
      });
      expect(there.comparison.differences).toEqual([]);
      expect(there.copied).toMatchObject({ tokens: 1, trade_notes: 1 });
      const home = await migrateStore({
        fromUrl: pgDb.url,
        toUrl: back.url,
        config,
        modules: hubModules,
        clock,
        workDir: source.db.dir,
      });
      expect(home.comparison.differences).toEqual([]);
      // The round trip: the last store against the first, table by table and the portfolio.
      const a = openStore(source.db.url);
      const b = openStore(back.url);
      try {
        const cmp = await compareStores(a, b, config, clock.now(), { skip: ['audit_log'] });
        expect(cmp.differences).toEqual([]);
        expect(cmp.portfolio).toEqual(there.comparison.portfolio);
      } finally {
        await a.close();
        await b.close();
      }
      // A non-empty target is refused.
      await expect(
        migrateStore({
          fromUrl: source.db.url,
          toUrl: back.url,
          config,
          modules: hubModules,
          clock,
          workDir: source.db.dir,
        }),
      ).rejects.toThrow(/already holds data/);
    } finally {
      await source.db.drop();
      await pgDb.drop();
      await back.drop();
    }
  });
});
