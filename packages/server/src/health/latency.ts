import type { BatchChanges } from '../ingest/batch.js';
import type { MarkInfo, PortfolioState } from '../portfolio/state.js';

export const LATENCY_METRICS = [
  'order_latency',
  'feed_latency',
  'ingest_lag',
  'db_latency',
  'api_latency',
] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

export interface BatchLatencies {
  order: { bot: string; ms: number }[];
  feed: { bot: string; ms: number }[];
}

/** Orders whose first fill arrived in this batch: (bot, submitted → first fill in ms, event times). */
export function firstFillLatencies(changes: BatchChanges): { bot: string; ms: number }[] {
  if (changes.orders.length === 0 || changes.fills.length === 0) return [];
  const firstFills = new Set<string>();
  for (const f of changes.fills) {
    if (f.order_id !== null) firstFills.add(`${f.bot}\u0000${f.order_id}\u0000${f.ts}`);
  }
  const out: { bot: string; ms: number }[] = [];
  for (const o of changes.orders) {
    if (o.first_fill_at === null) continue;
    if (!firstFills.has(`${o.bot}\u0000${o.order_id}\u0000${o.first_fill_at}`)) continue;
    out.push({ bot: o.bot, ms: Math.max(0, o.first_fill_at - o.created_at) });
  }
  return out;
}

/**
 * Feed latency (mark time → receipt) of the marks a batch made current. The portfolio keeps the
 * latest mark per symbol as a new object on every change, so a mark not seen before is new.
 */
export class FeedWatcher {
  private readonly seen = new Map<string, MarkInfo>();

  newMarks(changes: BatchChanges, state: PortfolioState): { bot: string; ms: number }[] {
    if ((changes.eventCounts.mark ?? 0) === 0) return [];
    const out: { bot: string; ms: number }[] = [];
    for (const [symbol, mark] of state.marks) {
      if (this.seen.get(symbol) === mark) continue;
      this.seen.set(symbol, mark);
      out.push({ bot: mark.bot, ms: Math.max(0, mark.receivedAt - mark.ts) });
    }
    return out;
  }

  /** Marks already present at start are not new. */
  prime(state: PortfolioState): void {
    for (const [symbol, mark] of state.marks) this.seen.set(symbol, mark);
  }
}

const MINUTE = 60_000;
const RESERVOIR = 2048;

/** A bounded uniform sample of one minute's observations (Algorithm R, deterministic PRNG). */
class Reservoir {
  readonly values: number[] = [];
  count = 0;
  max = 0;
  private seed = 0x9e3779b9;

  add(v: number): void {
    this.count += 1;
    if (v > this.max) this.max = v;
    if (this.values.length < RESERVOIR) {
      this.values.push(v);
      return;
    }
    this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0;
    const j = this.seed % this.count;
    if (j < RESERVOIR) this.values[j] = v;
  }
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface MinuteLatency {
  metric: LatencyMetric;
  /** '' for every bot together. */
  bot: string;
  minute: number;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Per-minute percentiles of latencies (milliseconds). Observations land in the minute of the
 * injected clock; completed minutes are drained for storage and kept a while for the rolling
 * windows the threshold alerts look at.
 */
export class LatencyRecorder {
  private readonly minutes = new Map<number, Map<string, Reservoir>>();
  private drainedUpTo = -Infinity;

  add(metric: LatencyMetric, bot: string | null, ms: number, now: number): void {
    const minute = Math.floor(now / MINUTE) * MINUTE;
    let m = this.minutes.get(minute);
    if (!m) {
      m = new Map();
      this.minutes.set(minute, m);
    }
    const keys = bot ? [`${metric}\u0000`, `${metric}\u0000${bot}`] : [`${metric}\u0000`];
    for (const key of keys) {
      let r = m.get(key);
      if (!r) {
        r = new Reservoir();
        m.set(key, r);
      }
      r.add(ms);
    }
  }

  /** Percentile rows of the minutes completed since the last drain (oldest first). */
  drain(now: number): MinuteLatency[] {
    const current = Math.floor(now / MINUTE) * MINUTE;
    const out: MinuteLatency[] = [];
    for (const minute of [...this.minutes.keys()].sort((a, b) => a - b)) {
      if (minute >= current || minute <= this.drainedUpTo) continue;
      for (const [key, r] of this.minutes.get(minute)!) {
        const [metric, bot] = key.split('\u0000') as [LatencyMetric, string];
        const sorted = [...r.values].sort((a, b) => a - b);
        out.push({
          metric,
          bot,
          minute,
          count: r.count,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
          max: r.max,
        });
      }
      this.drainedUpTo = minute;
    }
    return out;
  }

  /** Count and p95 over the last `minutes` minutes (the current one included). */
  window(
    metric: LatencyMetric,
    bot: string | null,
    now: number,
    minutes: number,
  ): { count: number; p95: number } {
    const current = Math.floor(now / MINUTE) * MINUTE;
    const key = `${metric}\u0000${bot ?? ''}`;
    const values: number[] = [];
    let count = 0;
    for (let m = current - (minutes - 1) * MINUTE; m <= current; m += MINUTE) {
      const r = this.minutes.get(m)?.get(key);
      if (!r) continue;
      count += r.count;
      for (const v of r.values) values.push(v);
    }
    values.sort((a, b) => a - b);
    return { count, p95: percentile(values, 95) };
  }

  /** Bots with observations of `metric` in the last `minutes` minutes. */
  botsOf(metric: LatencyMetric, now: number, minutes: number): string[] {
    const current = Math.floor(now / MINUTE) * MINUTE;
    const bots = new Set<string>();
    const prefix = `${metric}\u0000`;
    for (let m = current - (minutes - 1) * MINUTE; m <= current; m += MINUTE) {
      for (const key of this.minutes.get(m)?.keys() ?? []) {
        if (key.startsWith(prefix) && key.length > prefix.length)
          bots.add(key.slice(prefix.length));
      }
    }
    return [...bots].sort();
  }

  /** Forgets minutes older than `keepMinutes` (that have been drained). */
  prune(now: number, keepMinutes: number): void {
    const oldest = Math.floor(now / MINUTE) * MINUTE - keepMinutes * MINUTE;
    for (const minute of this.minutes.keys()) {
      if (minute < oldest && minute <= this.drainedUpTo) this.minutes.delete(minute);
    }
  }
}

/** HTTP answers and 5xx errors per minute, for the error-rate alert. */
export class RequestWindow {
  private readonly minutes = new Map<number, { total: number; errors: number }>();

  add(statusCode: number, now: number): void {
    const minute = Math.floor(now / MINUTE) * MINUTE;
    let m = this.minutes.get(minute);
    if (!m) {
      m = { total: 0, errors: 0 };
      this.minutes.set(minute, m);
    }
    m.total += 1;
    if (statusCode >= 500) m.errors += 1;
  }

  window(now: number, minutes: number): { total: number; errors: number } {
    const current = Math.floor(now / MINUTE) * MINUTE;
    let total = 0;
    let errors = 0;
    for (let m = current - (minutes - 1) * MINUTE; m <= current; m += MINUTE) {
      const v = this.minutes.get(m);
      if (v) {
        total += v.total;
        errors += v.errors;
      }
    }
    return { total, errors };
  }

  prune(now: number, keepMinutes: number): void {
    const oldest = Math.floor(now / MINUTE) * MINUTE - keepMinutes * MINUTE;
    for (const minute of this.minutes.keys()) if (minute < oldest) this.minutes.delete(minute);
  }
}
