import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IngestEvent, IngestEventInput } from '@tradewatch/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema, type TradewatchConfig } from '../config/index.js';
import { validateIngestBody } from '../ingest/validate.js';
import { openStore, type Store } from '../store/index.js';
import { dialects, PG_URL, type TestDatabase } from '../testing/stores.js';
import { isolatedDatabase } from './isolated-db.test-util.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';
import { createBackup } from './backup.js';
import { compareStores, FACTS_AND_PROJECTIONS } from './compare.js';
import { hashFile } from './files.js';
import { knownMigrations } from './cli.js';
import { hubModules } from '../modules.js';
import { restoreBackup, verifyBackup } from './restore.js';
import { sampleBatches } from './sample-events.test-util.js';

const batches = sampleBatches({ batches: 40, perBatch: 150, start: T0 - 86_400_000 });

function valid(events: IngestEventInput[]): IngestEvent[] {
  const r = validateIngestBody({ events });
  if (!r.ok) throw new Error(r.message);
  return r.events;
}

/** Fact rows a prefix of the batches stores (marks are not fact rows). */
function factRows(n: number): number {
  return batches.slice(0, n).reduce((sum, b) => sum + b.filter((e) => e.type !== 'mark').length, 0);
}

const FACTS = [
  'fills',
  'order_events',
  'position_snapshots',
  'balances',
  'cash_flows',
  'signals',
  'heartbeats',
  'logs',
  'bot_metrics',
];

async function ingestAll(t: TestHub, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) await t.hub.ingest.ingest(valid(batches[i]!));
}

function restoreCtx(config: TradewatchConfig) {
  return {
    config,
    configFile: null,
    knownMigrations: knownMigrations(hubModules),
    now: T0 + 3_600_000,
    actor: 'test',
    force: false,
  };
}

describe.each(dialects)('backup and restore (%s)', (kind) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  async function referenceOf(n: number): Promise<TestHub> {
    const db = await isolatedDatabase(kind);
    const ref = await startTestHub(kind, {}, db);
    cleanup.push(async () => {
      await ref.close();
      await db.drop();
    });
    await ingestAll(ref, 0, n);
    return ref;
  }

  it('a backup taken while ingesting at full speed restores to exactly the state it captured', async () => {
    const t = await startTestHub(kind, {}, await isolatedDatabase(kind));
    const outDir = mkdtempSync(path.join(tmpdir(), 'tw-backup-'));
    let next = 0;
    let stop = false;
    await ingestAll(t, 0, 5);
    next = 5;
    const ingesting = (async () => {
      while (!stop && next < batches.length) {
        await t.hub.ingest.ingest(valid(batches[next]!));
        next++;
      }
    })();
    const backup = await createBackup({
      store: t.hub.store,
      config: t.hub.config,
      configFile: null,
      outDir,
      now: T0,
    });
    stop = true;
    await ingesting;
    const writtenDuring = next;

    // The snapshot holds a whole number of batches: find which prefix.
    const total = FACTS.reduce((s, f) => s + backup.manifest.tables[f]!, 0);
    const prefix = Array.from({ length: batches.length + 1 }, (_, i) => i).find(
      (i) => factRows(i) === total,
    );
    expect(prefix, `snapshot of ${total} fact rows is a prefix of whole batches`).toBeDefined();
    expect(prefix!).toBeGreaterThanOrEqual(5);
    expect(prefix!).toBeLessThanOrEqual(writtenDuring);

    // More data after the backup: the restore must take it away again.
    await ingestAll(t, writtenDuring, batches.length);
    const config = t.hub.config;
    await t.hub.close();

    let target: TestDatabase = t.db;
    let targetConfig = config;
    if (kind === 'sqlite') {
      // Into a fresh data directory.
      target = await isolatedDatabase('sqlite');
      cleanup.push(() => target.drop());
      targetConfig = configSchema.parse({
        data_dir: target.dir,
        database: { url: target.url },
        log_level: 'silent',
      });
    }
    cleanup.push(() => t.db.drop());
    const result = await restoreBackup(backup.file, restoreCtx(targetConfig));
    expect(result.checks.map((c) => c.check)).toEqual(
      kind === 'sqlite' ? ['integrity', 'rows'] : ['rows'],
    );

    const ref = await referenceOf(prefix!);
    const restored = openStore(target.url);
    try {
      // Every column of every row of the hub's own tables. (Other modules' tables are written
      // after each commit, asynchronously, so a separately built reference need not match them.)
      const cmp = await compareStores(ref.hub.store, restored, ref.hub.config, T0, {
        exact: true,
        only: [
          ...FACTS_AND_PROJECTIONS,
          'equity_points',
          'scope_peaks',
          'counters',
          'accounts',
          'bots',
          'tokens',
        ],
      });
      expect(cmp.differences).toEqual([]);
      expect(cmp.rows.fills).toBe(backup.manifest.tables.fills);
    } finally {
      await restored.close();
    }
    // And the hub started on the restored data answers the same figures.
    const back = await startTestHub(kind, {}, target);
    try {
      expect(await back.hub.query.portfolio()).toEqual(await ref.hub.query.portfolio());
      const audit = await back.hub.store.db.selectFrom('audit_log').selectAll().execute();
      expect(audit.map((a) => [a.actor, a.action, a.target])).toContainEqual([
        'test',
        'backup.restore',
        path.basename(backup.file),
      ]);
    } finally {
      await back.hub.close();
    }
  });

  describe('a damaged backup is refused with a clear message and the current data is untouched', () => {
    let t: TestHub;
    let good: string;
    let work: string;

    async function fingerprint(): Promise<string> {
      if (kind === 'sqlite') return (await hashFile(t.db.url.slice('sqlite:'.length))).sha256;
      const store: Store = openStore(t.db.url);
      try {
        const counts = [];
        for (const f of FACTS) {
          const r = await store.db
            .selectFrom(f as 'fills')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          counts.push(Number(r.n));
        }
        return counts.join(',');
      } finally {
        await store.close();
      }
    }

    it('prepares a hub and a good backup', async () => {
      t = await startTestHub(kind, {}, await isolatedDatabase(kind));
      cleanup.push(async () => {
        await t.close();
        await t.db.drop();
      });
      await ingestAll(t, 0, 6);
      work = mkdtempSync(path.join(tmpdir(), 'tw-damaged-'));
      const b = await createBackup({
        store: t.hub.store,
        config: t.hub.config,
        configFile: null,
        outDir: work,
        now: T0,
      });
      good = b.file;
      await expect(verifyBackup(good, t.hub.config)).resolves.toMatchObject({
        manifest: { tables: { fills: b.manifest.tables.fills } },
      });
      // Data the restore would throw away, to see that it does not.
      await ingestAll(t, 6, 8);
      await t.hub.close();
    });

    function variant(
      name: string,
      change: (bytes: Buffer) => Buffer,
      sidecar: 'keep' | 'drop' | 'wrong',
    ) {
      const file = path.join(work, `tradewatch-backup-2026010${name}-000000.tar.gz`);
      writeFileSync(file, change(readFileSync(good)));
      if (sidecar === 'keep') copyFileSync(`${good}.sha256`, `${file}.sha256`);
      if (sidecar === 'wrong')
        writeFileSync(`${file}.sha256`, `${'0'.repeat(64)}  ${path.basename(file)}\n`);
      return file;
    }
    const flip = (b: Buffer) => {
      const c = Buffer.from(b);
      c[Math.floor(c.length / 2)]! ^= 0x40;
      return c;
    };
    const truncate = (b: Buffer) => b.subarray(0, Math.floor(b.length * 0.6));

    it.each([
      ['1', 'a flipped byte (checksum file present)', flip, 'keep', /checksum mismatch/],
      ['2', 'a flipped byte (no checksum file)', flip, 'drop', /damaged|corrupt|SHA-256/],
      ['3', 'a truncated archive (checksum file present)', truncate, 'keep', /checksum mismatch/],
      ['4', 'a truncated archive (no checksum file)', truncate, 'drop', /truncated/],
      ['5', 'a wrong checksum', (b: Buffer) => b, 'wrong', /checksum mismatch/],
    ] as const)('%s: %s', async (n, _what, change, sidecar, message) => {
      const before = await fingerprint();
      const file = variant(n, change, sidecar);
      const ctx = restoreCtx(t.hub.config);
      await expect(restoreBackup(file, ctx)).rejects.toThrow(message);
      await expect(restoreBackup(file, ctx)).rejects.toThrow(/nothing was restored/);
      expect(await fingerprint()).toBe(before);
      // No pre-restore backup was taken and no staging directory was left behind.
      const backups = path.join(t.hub.config.data_dir, 'backups');
      expect(
        existsSync(backups) ? readdirSync(backups).filter((f) => f.includes('pre-restore')) : [],
      ).toEqual([]);
      const dataDir = kind === 'sqlite' ? path.dirname(t.db.url.slice('sqlite:'.length)) : backups;
      if (existsSync(dataDir))
        expect(readdirSync(dataDir).filter((f) => f.startsWith('.verify-'))).toEqual([]);
    });

    it('refuses a member that does not match the manifest', async () => {
      const { create } = await import('tar');
      const { extract } = await import('tar');
      const dir = mkdtempSync(path.join(tmpdir(), 'tw-tamper-'));
      await extract({ file: good, cwd: dir });
      const member =
        kind === 'sqlite'
          ? 'database.sqlite'
          : (readdirSync(dir).find((f) => f.startsWith('database')) ?? 'tables');
      const target = path.join(dir, member);
      if (existsSync(target) && !member.startsWith('tables')) {
        const bytes = readFileSync(target);
        bytes[bytes.length - 1]! ^= 1;
        writeFileSync(target, bytes);
      } else {
        const f = path.join(dir, 'tables', 'fills.jsonl');
        writeFileSync(f, readFileSync(f, 'utf8') + '[]\n');
      }
      const members = readdirSync(dir).flatMap((f) =>
        f === 'tables' ? readdirSync(path.join(dir, 'tables')).map((x) => `tables/${x}`) : [f],
      );
      const file = path.join(work, 'tradewatch-backup-20260106-000000.tar.gz');
      await create({ gzip: true, file, cwd: dir, portable: true }, members);
      await expect(verifyBackup(file, t.hub.config)).rejects.toThrow(
        /does not match its SHA-256|has \d+ bytes/,
      );
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses to restore while the hub runs, unless forced', async () => {
      const running = await startTestHub(kind, { server: { port: 0 } }, t.db);
      try {
        await running.hub.listen();
        const before = await fingerprint();
        await expect(restoreBackup(good, restoreCtx(running.hub.config))).rejects.toThrow(
          /the hub is running/,
        );
        expect(await fingerprint()).toBe(before);
      } finally {
        await running.hub.close();
      }
      expect(existsSync(path.join(t.hub.config.data_dir, 'tradewatch.lock'))).toBe(false);
    });
  });
});

describe.skipIf(!PG_URL)('PostgreSQL without pg_dump: the logical export', () => {
  it('backs up every table as JSON lines, verifies and restores them in one transaction', async () => {
    const db = await isolatedDatabase('postgres');
    const t = await startTestHub('postgres', { backup: { pg_dump: 'never' } }, db);
    try {
      await ingestAll(t, 0, 6);
      const outDir = mkdtempSync(path.join(tmpdir(), 'tw-logical-'));
      const backup = await createBackup({
        store: t.hub.store,
        config: t.hub.config,
        configFile: null,
        outDir,
        now: T0,
      });
      expect(backup.manifest.method).toBe('logical');
      expect(backup.manifest.files.map((f) => f.name)).toContain('tables/fills.jsonl');
      const verified = await verifyBackup(backup.file, t.hub.config);
      expect(verified.checks.find((c) => c.check === 'rows')?.ok).toBe(true);
      await ingestAll(t, 6, 9);
      const config = t.hub.config;
      await t.hub.close();
      await restoreBackup(backup.file, restoreCtx(config));
      const ref = await startTestHub('postgres', {}, await isolatedDatabase('postgres'));
      try {
        await ingestAll(ref, 0, 6);
        const restored = openStore(db.url);
        try {
          const cmp = await compareStores(ref.hub.store, restored, ref.hub.config, T0, {
            exact: true,
            only: [...FACTS_AND_PROJECTIONS, 'equity_points', 'scope_peaks', 'accounts', 'bots'],
          });
          expect(cmp.differences).toEqual([]);
          // The audit_log's id sequence moved past the restored rows.
          await restored.db
            .insertInto('audit_log')
            .values({ ts: T0, actor: 'x', action: 'y', target: null, details: null })
            .execute();
        } finally {
          await restored.close();
        }
      } finally {
        await ref.close();
        await ref.db.drop();
      }
    } finally {
      await t.close();
      await db.drop();
    }
  });
});
