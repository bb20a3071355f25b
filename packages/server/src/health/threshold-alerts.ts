import type { AlertSignal } from '../alert-sink.js';
import { levelStatus, type CheckThresholds } from './checks/checks.js';
import type { LatencyRecorder, RequestWindow } from './latency.js';

export interface AlertThresholds {
  order_latency_p95_s: number;
  feed_latency_p95_s: number;
  api_error_rate_pct: number;
  api_latency_p95_s: number;
  api_min_requests: number;
  latency_min_samples: number;
  window_minutes: number;
}

export interface ResourceLevels {
  cpuPct: number | null;
  memoryPct: number | null;
  diskPct: number | null;
  diskFreeBytes: number | null;
  loopLagMs: number | null;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/**
 * The threshold alerts that should be firing now: OrderLatencyHigh and FeedLatencyHigh per bot,
 * ApiErrorRateHigh, ApiLatencyHigh, and ResourceHigh per resource. Pure over its inputs.
 */
export function thresholdAlerts(input: {
  now: number;
  alerts: AlertThresholds;
  checks: CheckThresholds;
  latency: LatencyRecorder;
  requests: RequestWindow;
  resources: ResourceLevels;
}): AlertSignal[] {
  const { now, alerts: t, latency } = input;
  const w = t.window_minutes;
  const out: AlertSignal[] = [];
  for (const [metric, name, limitS, what] of [
    ['order_latency', 'OrderLatencyHigh', t.order_latency_p95_s, 'submitted → first fill'],
    ['feed_latency', 'FeedLatencyHigh', t.feed_latency_p95_s, 'mark time → receipt'],
  ] as const) {
    for (const bot of latency.botsOf(metric, now, w)) {
      const s = latency.window(metric, bot, now, w);
      if (s.count < t.latency_min_samples || s.p95 / 1000 <= limitS) continue;
      out.push({
        name,
        severity: 'warning',
        labels: { bot },
        summary: `${bot}: p95 ${what} is ${r1(s.p95 / 1000)} s over the last ${w} min (limit ${limitS} s)`,
        description: `${s.count} observations in the window.`,
      });
    }
  }
  const req = input.requests.window(now, w);
  if (req.total >= t.api_min_requests && req.total > 0) {
    const rate = (req.errors / req.total) * 100;
    if (rate > t.api_error_rate_pct) {
      out.push({
        name: 'ApiErrorRateHigh',
        severity: 'warning',
        summary: `${r1(rate)} % of API requests failed with a 5xx in the last ${w} min (limit ${t.api_error_rate_pct} %)`,
        description: `${req.errors} of ${req.total} requests.`,
      });
    }
  }
  const api = latency.window('api_latency', null, now, w);
  if (api.count >= t.api_min_requests && api.p95 / 1000 > t.api_latency_p95_s) {
    out.push({
      name: 'ApiLatencyHigh',
      severity: 'warning',
      summary: `API p95 answer time is ${r1(api.p95)} ms over the last ${w} min (limit ${t.api_latency_p95_s * 1000} ms)`,
    });
  }
  const c = input.checks;
  const res = input.resources;
  const resource = (
    key: string,
    value: number | null,
    level: ReturnType<typeof levelStatus>,
    text: string,
  ) => {
    if (value === null || level === 'pass') return;
    out.push({
      name: 'ResourceHigh',
      severity: level === 'fail' ? 'critical' : 'warning',
      labels: { resource: key },
      summary: text,
    });
  };
  if (res.cpuPct !== null)
    resource(
      'cpu',
      res.cpuPct,
      levelStatus(res.cpuPct, c.cpu_pct),
      `CPU use is ${r1(res.cpuPct)} %`,
    );
  if (res.memoryPct !== null)
    resource(
      'memory',
      res.memoryPct,
      levelStatus(res.memoryPct, c.memory_pct),
      `memory use is ${r1(res.memoryPct)} %`,
    );
  if (res.diskPct !== null) {
    let level = levelStatus(res.diskPct, c.disk_pct);
    if (res.diskFreeBytes !== null && res.diskFreeBytes < c.disk_min_free_bytes) level = 'fail';
    resource(
      'disk',
      res.diskPct,
      level,
      `the data directory's disk is ${r1(res.diskPct)} % full${res.diskFreeBytes === null ? '' : ` (${r1(res.diskFreeBytes / 1024 ** 3)} GB free)`}`,
    );
  }
  if (res.loopLagMs !== null)
    resource(
      'eventloop',
      res.loopLagMs,
      levelStatus(res.loopLagMs, c.event_loop_lag_ms),
      `event-loop lag is ${r1(res.loopLagMs)} ms`,
    );
  return out;
}

export function alertKey(name: string, labels: Record<string, string> | undefined): string {
  const parts = Object.entries(labels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return `${name}{${parts.join(',')}}`;
}

/**
 * Turns "what should fire now" into transitions for the alert sink: fire what is new (or changed
 * severity), resolve what stopped. One tracker per family of alert names it owns.
 */
export class AlertTracker {
  private readonly firing = new Map<string, AlertSignal>();

  update(desired: AlertSignal[]): {
    fire: AlertSignal[];
    resolve: { name: string; labels: Record<string, string> | undefined }[];
  } {
    const next = new Map(desired.map((s) => [alertKey(s.name, s.labels), s]));
    const fire: AlertSignal[] = [];
    const resolve: { name: string; labels: Record<string, string> | undefined }[] = [];
    for (const [key, s] of next) {
      const prior = this.firing.get(key);
      if (!prior || prior.severity !== s.severity) fire.push(s);
      this.firing.set(key, s);
    }
    for (const [key, s] of [...this.firing]) {
      if (next.has(key)) continue;
      this.firing.delete(key);
      resolve.push({ name: s.name, labels: s.labels });
    }
    return { fire, resolve };
  }

  get active(): AlertSignal[] {
    return [...this.firing.values()];
  }
}
