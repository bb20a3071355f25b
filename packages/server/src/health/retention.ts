import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import type { HealthTables, SampleRow } from './migrations.js';

const DAY = 86_400_000;
const DOWNSAMPLED_S = 300;
const CHUNK = 5000;

export interface RetentionSettings {
  events_days: number;
  samples_days: number;
  downsample_after_days: number;
  latency_days: number;
  logs_days: number;
  heartbeats_days: number;
}

export interface RetentionResult {
  events: number;
  samples: number;
  downsampled: number;
  latency: number;
  logs: number;
  heartbeats: number;
}

type Db = Kysely<Database & HealthTables>;

/**
 * Deletes what is past its retention and downsamples old resource samples to 5 minutes.
 * Facts that feed projections are never touched; bot log lines and raw heartbeats are pruned by
 * arrival time (`received_at`), oldest first, in chunks so no statement holds the lock for long.
 */
export async function applyRetention(
  db: Db,
  instance: string,
  r: RetentionSettings,
  now: number,
): Promise<RetentionResult> {
  const out: RetentionResult = {
    events: 0,
    samples: 0,
    downsampled: 0,
    latency: 0,
    logs: 0,
    heartbeats: 0,
  };
  if (r.events_days > 0) {
    const res = await db
      .deleteFrom('health_events')
      .where('ts', '<', now - r.events_days * DAY)
      .executeTakeFirst();
    out.events = Number(res.numDeletedRows);
  }
  out.downsampled = await downsampleSamples(db, instance, now - r.downsample_after_days * DAY);
  if (r.samples_days > 0) {
    const res = await db
      .deleteFrom('health_samples')
      .where('ts', '<', now - r.samples_days * DAY)
      .executeTakeFirst();
    out.samples = Number(res.numDeletedRows);
  }
  if (r.latency_days > 0) {
    const res = await db
      .deleteFrom('health_latency')
      .where('minute', '<', now - r.latency_days * DAY)
      .executeTakeFirst();
    out.latency = Number(res.numDeletedRows);
  }
  if (r.logs_days > 0) out.logs = await pruneFacts(db, 'logs', now - r.logs_days * DAY);
  if (r.heartbeats_days > 0)
    out.heartbeats = await pruneFacts(db, 'heartbeats', now - r.heartbeats_days * DAY);
  return out;
}

/**
 * Deletes the oldest rows (by sequence) received before `cutoff`. Walking the primary key keeps
 * this cheap when there is nothing to delete: one row is read.
 */
async function pruneFacts(db: Db, table: 'logs' | 'heartbeats', cutoff: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = await db
      .selectFrom(table)
      .select(['seq', 'received_at'])
      .orderBy('seq')
      .limit(CHUNK)
      .execute();
    let last: number | null = null;
    for (const row of rows) {
      if (Number(row.received_at) >= cutoff) break;
      last = Number(row.seq);
    }
    if (last === null) return deleted;
    const res = await db
      .deleteFrom(table)
      .where('seq', '<=', last)
      .where('received_at', '<', cutoff)
      .executeTakeFirst();
    deleted += Number(res.numDeletedRows);
    if (rows.length < CHUNK || last !== Number(rows[rows.length - 1]!.seq)) return deleted;
  }
}

type Numeric = Exclude<keyof SampleRow, 'instance' | 'bucket_s' | 'ts' | 'count'>;
const AVERAGED: Numeric[] = [
  'cpu_pct',
  'system_cpu_pct',
  'memory_pct',
  'rss_bytes',
  'heap_used_bytes',
  'heap_total_bytes',
  'disk_pct',
  'disk_free_bytes',
];

/** Merges samples into one row per bucket: averages, except event-loop lag (the maximum). Pure. */
export function downsample(rows: SampleRow[], bucketS: number): SampleRow[] {
  const buckets = new Map<number, SampleRow[]>();
  for (const r of rows) {
    const b = Math.floor(r.ts / (bucketS * 1000)) * bucketS * 1000;
    buckets.set(b, [...(buckets.get(b) ?? []), r]);
  }
  const out: SampleRow[] = [];
  for (const [ts, group] of [...buckets].sort(([a], [b]) => a - b)) {
    const merged: SampleRow = {
      instance: group[0]!.instance,
      bucket_s: bucketS,
      ts,
      count: group.reduce((n, r) => n + r.count, 0),
      cpu_pct: null,
      system_cpu_pct: null,
      memory_pct: null,
      rss_bytes: null,
      heap_used_bytes: null,
      heap_total_bytes: null,
      loop_lag_ms: null,
      disk_pct: null,
      disk_free_bytes: null,
    };
    for (const field of AVERAGED) {
      let sum = 0;
      let weight = 0;
      for (const r of group) {
        const v = r[field];
        if (v === null) continue;
        sum += Number(v) * r.count;
        weight += r.count;
      }
      merged[field] = weight > 0 ? sum / weight : null;
    }
    const lags = group.map((r) => r.loop_lag_ms).filter((v): v is number => v !== null);
    merged.loop_lag_ms = lags.length > 0 ? Math.max(...lags.map(Number)) : null;
    out.push(merged);
  }
  return out;
}

async function downsampleSamples(db: Db, instance: string, before: number): Promise<number> {
  const cutoff = Math.floor(before / (DOWNSAMPLED_S * 1000)) * DOWNSAMPLED_S * 1000;
  const raw = await db
    .selectFrom('health_samples')
    .selectAll()
    .where('instance', '=', instance)
    .where('bucket_s', '<', DOWNSAMPLED_S)
    .where('ts', '<', cutoff)
    .orderBy('ts')
    .limit(20_000)
    .execute();
  const bucketMs = DOWNSAMPLED_S * 1000;
  let rows = raw.map((r) => ({ ...r, ts: Number(r.ts) }));
  // A full page may end inside a bucket: leave that bucket whole for the next run.
  let end = cutoff;
  if (raw.length === 20_000) {
    end = Math.floor(rows[rows.length - 1]!.ts / bucketMs) * bucketMs;
    rows = rows.filter((r) => r.ts < end);
  }
  if (rows.length === 0) return 0;
  const merged = downsample(rows, DOWNSAMPLED_S);
  await db.transaction().execute(async (trx) => {
    for (const row of merged) {
      await trx
        .insertInto('health_samples')
        .values(row)
        .onConflict((oc) => oc.columns(['instance', 'bucket_s', 'ts']).doNothing())
        .execute();
    }
    await trx
      .deleteFrom('health_samples')
      .where('instance', '=', instance)
      .where('bucket_s', '<', DOWNSAMPLED_S)
      .where('ts', '<', end)
      .execute();
  });
  return rows.length;
}
