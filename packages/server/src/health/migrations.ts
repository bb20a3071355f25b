import type { Generated, Kysely, Migration } from 'kysely';
import { addAutoIdColumn, FLOAT, type DialectName } from '../store/dialect.js';

// Frozen: never edit a landed migration; add a new one.
function initial(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const s = db.schema;
      await addAutoIdColumn(dialect, s.createTable('health_events'), 'id')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('bot', 'text')
        .addColumn('strategy', 'text')
        .addColumn('trade_id', 'text')
        .addColumn('actor', 'text')
        .addColumn('context', 'text')
        .execute();
      await s.createIndex('health_events_ts').on('health_events').columns(['ts', 'id']).execute();
      await s
        .createIndex('health_events_type_ts')
        .on('health_events')
        .columns(['type', 'ts'])
        .execute();
      await s
        .createIndex('health_events_bot_ts')
        .on('health_events')
        .columns(['bot', 'ts'])
        .execute();
      await s.createIndex('health_events_trade').on('health_events').column('trade_id').execute();

      await s
        .createTable('health_samples')
        .addColumn('instance', 'text', (c) => c.notNull())
        .addColumn('bucket_s', 'integer', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('cpu_pct', FLOAT)
        .addColumn('system_cpu_pct', FLOAT)
        .addColumn('memory_pct', FLOAT)
        .addColumn('rss_bytes', FLOAT)
        .addColumn('heap_used_bytes', FLOAT)
        .addColumn('heap_total_bytes', FLOAT)
        .addColumn('loop_lag_ms', FLOAT)
        .addColumn('disk_pct', FLOAT)
        .addColumn('disk_free_bytes', FLOAT)
        .addPrimaryKeyConstraint('health_samples_pk', ['instance', 'bucket_s', 'ts'])
        .execute();
      await s.createIndex('health_samples_ts').on('health_samples').column('ts').execute();

      await s
        .createTable('health_latency')
        .addColumn('instance', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('bot', 'text', (c) => c.notNull())
        .addColumn('minute', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('p50', FLOAT, (c) => c.notNull())
        .addColumn('p95', FLOAT, (c) => c.notNull())
        .addColumn('p99', FLOAT, (c) => c.notNull())
        .addColumn('max', FLOAT, (c) => c.notNull())
        .addPrimaryKeyConstraint('health_latency_pk', ['instance', 'metric', 'bot', 'minute'])
        .execute();
      await s
        .createIndex('health_latency_metric_minute')
        .on('health_latency')
        .columns(['metric', 'minute'])
        .execute();
    },
  };
}

export function healthMigrations(dialect: DialectName): Record<string, Migration> {
  return { health_001_initial: initial(dialect) };
}

/** Row types of the health module's tables. */
// A type alias (not an interface) so Kysely's `withTables` accepts it.
export type HealthTables = {
  health_events: {
    id: Generated<number>;
    ts: number;
    type: string;
    severity: string;
    message: string;
    bot: string | null;
    strategy: string | null;
    trade_id: string | null;
    actor: string | null;
    context: string | null;
  };
  health_samples: SampleRow;
  health_latency: LatencyRow;
};

export interface SampleRow {
  instance: string;
  bucket_s: number;
  ts: number;
  count: number;
  cpu_pct: number | null;
  system_cpu_pct: number | null;
  memory_pct: number | null;
  rss_bytes: number | null;
  heap_used_bytes: number | null;
  heap_total_bytes: number | null;
  loop_lag_ms: number | null;
  disk_pct: number | null;
  disk_free_bytes: number | null;
}

export interface LatencyRow {
  instance: string;
  metric: string;
  bot: string;
  minute: number;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
