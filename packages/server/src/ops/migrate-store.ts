import { rm } from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { TradewatchConfig } from '../config/index.js';
import { createLogger } from '../logger.js';
import type { HubModule } from '../module.js';
import { maxParams, migrateToLatest, openStore, type Store } from '../store/index.js';
import type { Clock } from '../time/index.js';
import { appendAudit } from './audit.js';
import {
  compareStores,
  FACTS_AND_PROJECTIONS,
  listTables,
  type StoreComparison,
} from './compare.js';
import { exportFacts, type ExportSummary } from './export.js';
import { FACT_TABLE_NAMES } from './facts.js';
import { hubTarget, importFacts, type ImportSummary } from './import.js';
import { silentProgress, type Progress } from './progress.js';

/** Tables the import rebuilds from the facts (compared after the import). */
const REBUILT = new Set<string>([
  ...FACT_TABLE_NAMES,
  'orders',
  'marks',
  'mark_bars',
  'ledger_positions',
  'trades',
  'counters',
  'kysely_migration',
  'kysely_migration_lock',
]);

/**
 * The recorded equity curve: equity points, high-water marks and the days' start and end
 * equity were valued when each batch arrived, so they depend on how the facts were batched.
 * They are history as the hub saw it: checked where they can be rebuilt (the days' trade
 * figures), then copied as they are, so peak equity and drawdown carry over unchanged.
 */
const RECORDED = ['equity_points', 'scope_peaks', 'daily_summaries'];

export class MigrateStoreError extends Error {
  override name = 'MigrateStoreError';
}

export interface MigrateStoreResult {
  exported: ExportSummary;
  imported: ImportSummary;
  /** Rows copied verbatim per table (tokens, journal notes, audit log, bots, other modules'). */
  copied: Record<string, number>;
  comparison: StoreComparison;
}

/** Feature modules reduced to their migrations: the import hub must not run alert rules. */
export function migrationOnlyModules(modules: HubModule[]): HubModule[] {
  return modules.map((m) => ({
    name: m.name,
    ...(m.migrations ? { migrations: m.migrations.bind(m) } : {}),
    register() {},
  }));
}

async function rowCount(store: Store, table: string): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(
    store.db,
  );
  return Number(r.rows[0]!.n);
}

/**
 * Moves a hub from one store to another (SQLite ⇄ PostgreSQL): exports every fact, imports it
 * into the empty target through the ingest path (which rebuilds every projection), copies the
 * tables that are not derived from facts, then compares the two stores and reports any
 * difference. The source is only read.
 */
export async function migrateStore(options: {
  fromUrl: string;
  toUrl: string;
  config: TradewatchConfig;
  modules: HubModule[];
  clock: Clock;
  workDir: string;
  batchSize?: number;
  progress?: Progress;
}): Promise<MigrateStoreResult> {
  const progress = options.progress ?? silentProgress;
  const source = openStore(options.fromUrl);
  const exportFile = path.join(options.workDir, `.tradewatch-migrate-${process.pid}.jsonl.gz`);
  try {
    const sourceTables = await listTables(source);
    if (!sourceTables.includes('fills')) {
      throw new MigrateStoreError(`${source.location} holds no tradewatch data (no fills table)`);
    }
    let target = openStore(options.toUrl, { sqliteSynchronous: 'normal' });
    try {
      for (const t of ['fills', 'tokens', 'order_events', 'cash_flows']) {
        if ((await listTables(target)).includes(t) && (await rowCount(target, t)) > 0) {
          throw new MigrateStoreError(
            `${target.location} already holds data (${t} is not empty); migrate-store moves a hub into an empty database`,
          );
        }
      }
      await migrateToLatest(
        target,
        options.modules.flatMap((m) => (m.migrations ? [m.migrations.bind(m)] : [])),
      );
    } finally {
      await target.close();
    }

    const exported = await exportFacts(source, exportFile, { now: options.clock.now(), progress });

    // Loaded here: hub.js imports the module list, which imports this module.
    const { createHub } = await import('../hub.js');
    const hub = await createHub({
      config: { ...options.config, database: { ...options.config.database, url: options.toUrl } },
      modules: migrationOnlyModules(options.modules),
      logger: createLogger('silent'),
      clock: options.clock,
    });
    let imported: ImportSummary;
    try {
      imported = await importFacts(exportFile, hubTarget(hub), {
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        progress,
      });
    } finally {
      await hub.close();
    }

    target = openStore(options.toUrl, { sqliteSynchronous: 'normal' });
    try {
      const targetTables = new Set(await listTables(target));
      progress.phase('compare the rebuilt projections');
      const rebuilt = await compareStores(source, target, options.config, options.clock.now(), {
        only: FACTS_AND_PROJECTIONS,
        portfolio: false,
      });
      const copied: Record<string, number> = {};
      progress.phase('copy other tables');
      for (const t of sourceTables) {
        if (REBUILT.has(t) || !targetTables.has(t)) continue;
        copied[t] = await copyTable(source, target, t);
      }
      progress.phase('compare');
      const final = await compareStores(source, target, options.config, options.clock.now(), {
        exactTables: RECORDED,
      });
      const comparison = {
        ...final,
        ok: rebuilt.ok && final.ok,
        differences: [...rebuilt.differences.map((d) => `rebuilt: ${d}`), ...final.differences],
      };
      await appendAudit(target, {
        ts: options.clock.now(),
        actor: process.env.USER ?? 'cli',
        action: 'store.migrate',
        target: target.location,
        details: { from: source.location, events: exported.events, identical: comparison.ok },
      });
      return { exported, imported: imported!, copied, comparison };
    } finally {
      await target.close();
    }
  } finally {
    progress.end();
    await source.close();
    await rm(exportFile, { force: true });
  }
}

/** Replaces a table's rows in the target with the source's, then moves id sequences on. */
async function copyTable(source: Store, target: Store, table: string): Promise<number> {
  const src = source.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const dst = target.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const rows = await src.selectFrom(table).selectAll().execute();
  await dst.transaction().execute(async (trx) => {
    await trx.deleteFrom(table).execute();
    if (rows.length === 0) return;
    const per = Math.max(1, Math.floor(maxParams(target.dialect) / Object.keys(rows[0]!).length));
    for (let i = 0; i < rows.length; i += per) {
      await trx
        .insertInto(table)
        .values(rows.slice(i, i + per))
        .execute();
    }
    if (target.dialect === 'postgres') {
      const serials = await sql<{ c: string; s: string | null }>`
        SELECT column_name AS c, pg_get_serial_sequence(quote_ident(${table}), column_name) AS s
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ${table} AND column_default LIKE 'nextval(%'
      `.execute(trx);
      for (const r of serials.rows) {
        if (!r.s) continue;
        await sql`SELECT setval(${r.s}, COALESCE((SELECT max(${sql.ref(r.c)}) FROM ${sql.table(table)}), 0) + 1, false)`.execute(
          trx,
        );
      }
    }
  });
  return rows.length;
}
