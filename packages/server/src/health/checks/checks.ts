import { isoUtc } from '@tradewatch/protocol';
import type { BotInfo } from '../../portfolio/state.js';

/**
 * Health checks in the shape of the IETF draft "Health Check Response Format for HTTP APIs"
 * (draft-inadarei-api-health-check): each check is keyed `component:measurement` and carries an
 * observed value, its unit, a status and the time it was observed. Everything in this file is
 * pure: measurements and the clock come in as arguments.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheck {
  /** `component:measurement`, e.g. `database:responseTime`, `bot:alpha:heartbeatAge`. */
  key: string;
  componentId?: string;
  componentType?: string;
  observedValue: number | string | boolean | null;
  observedUnit?: string;
  status: CheckStatus;
  /** Epoch ms of the observation. */
  time: number;
  /** Why a check is not passing (human sentence; never secrets). */
  output?: string;
}

export interface Threshold {
  warn: number;
  fail: number | null;
}

export interface CheckThresholds {
  disk_pct: Threshold;
  disk_min_free_bytes: number;
  memory_pct: Threshold;
  cpu_pct: Threshold;
  event_loop_lag_ms: Threshold;
  database_ms: Threshold;
  marks_staleness_s: Threshold;
  bot_down: 'warn' | 'fail';
  connection_down: 'warn' | 'fail';
}

/** What the hub measured about itself at one instant (collected by `measure.ts`). */
export interface SystemMeasurements {
  database: { ok: true; ms: number } | { ok: false; error: string };
  /** Null when the platform cannot tell (no statfs). */
  disk: { usedPct: number; freeBytes: number } | null;
  memory: { usedPct: number; rssBytes: number } | null;
  cpu: { pct: number } | null;
  eventLoop: { lagMs: number } | null;
  datadir: { writable: true } | { writable: false; error: string };
}

const RANK: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** The worst of a list of statuses (pass when empty). */
export function worst(statuses: Iterable<CheckStatus>): CheckStatus {
  let out: CheckStatus = 'pass';
  for (const s of statuses) if (RANK[s] > RANK[out]) out = s;
  return out;
}

/** pass below warn, warn from warn, fail from fail (when the threshold has a fail level). */
export function levelStatus(value: number, t: Threshold): CheckStatus {
  if (t.fail !== null && value >= t.fail) return 'fail';
  if (value >= t.warn) return 'warn';
  return 'pass';
}

const round = (v: number, places = 1) => {
  const f = 10 ** places;
  return Math.round(v * f) / f;
};

function levelCheck(
  key: string,
  value: number,
  unit: string,
  t: Threshold,
  now: number,
  what: string,
  componentType = 'system',
): HealthCheck {
  const status = levelStatus(value, t);
  const check: HealthCheck = {
    key,
    componentType,
    observedValue: round(value),
    observedUnit: unit,
    status,
    time: now,
  };
  if (status !== 'pass') {
    const limit = status === 'fail' ? t.fail : t.warn;
    check.output = `${what} ${round(value)} ${unit} is at or above ${limit} ${unit}`;
  }
  return check;
}

/** database, disk, memory, cpu, event loop and data directory checks. */
export function systemChecks(
  m: SystemMeasurements,
  t: CheckThresholds,
  now: number,
): HealthCheck[] {
  const out: HealthCheck[] = [];
  if (m.database.ok) {
    out.push(
      levelCheck(
        'database:responseTime',
        m.database.ms,
        'ms',
        t.database_ms,
        now,
        'database round trip',
        'datastore',
      ),
    );
  } else {
    out.push({
      key: 'database:responseTime',
      componentType: 'datastore',
      observedValue: null,
      observedUnit: 'ms',
      status: 'fail',
      time: now,
      output: `database does not answer: ${m.database.error}`,
    });
  }
  if (m.disk) {
    const c = levelCheck(
      'disk:utilization',
      m.disk.usedPct,
      'percent',
      t.disk_pct,
      now,
      'disk use',
    );
    if (m.disk.freeBytes < t.disk_min_free_bytes) {
      c.status = 'fail';
      c.output = `only ${round(m.disk.freeBytes / 1024 ** 3, 2)} GB free on the data directory's disk (minimum ${round(t.disk_min_free_bytes / 1024 ** 3, 2)} GB)`;
    }
    out.push(c);
  }
  if (m.memory) {
    out.push(
      levelCheck(
        'memory:utilization',
        m.memory.usedPct,
        'percent',
        t.memory_pct,
        now,
        'memory use',
      ),
    );
  }
  if (m.cpu) {
    out.push(levelCheck('cpu:utilization', m.cpu.pct, 'percent', t.cpu_pct, now, 'CPU use'));
  }
  if (m.eventLoop) {
    out.push(
      levelCheck(
        'eventloop:lag',
        m.eventLoop.lagMs,
        'ms',
        t.event_loop_lag_ms,
        now,
        'event-loop lag',
      ),
    );
  }
  out.push(
    m.datadir.writable
      ? {
          key: 'datadir:writable',
          componentType: 'system',
          observedValue: true,
          status: 'pass',
          time: now,
        }
      : {
          key: 'datadir:writable',
          componentType: 'system',
          observedValue: false,
          status: 'fail',
          time: now,
          output: `the data directory is not writable: ${m.datadir.error}`,
        },
  );
  return out;
}

/**
 * One heartbeat-age check per bot (down after two missed intervals, as the bot list shows it)
 * and one check per connection the bot reports.
 */
export function botChecks(
  bots: Iterable<BotInfo>,
  now: number,
  defaultIntervalS: number,
  t: Pick<CheckThresholds, 'bot_down' | 'connection_down'>,
): HealthCheck[] {
  const out: HealthCheck[] = [];
  const sorted = [...bots].sort((a, b) => a.id.localeCompare(b.id));
  for (const b of sorted) {
    const interval = b.heartbeatIntervalS ?? defaultIntervalS;
    if (b.lastHeartbeatAt === null) {
      out.push({
        key: `bot:${b.id}:heartbeatAge`,
        componentId: b.id,
        componentType: 'bot',
        observedValue: null,
        observedUnit: 's',
        status: 'pass',
        time: now,
        output: 'no heartbeat received yet: liveness unknown',
      });
    } else {
      const age = Math.max(0, (now - b.lastHeartbeatAt) / 1000);
      const down = age > 2 * interval;
      const check: HealthCheck = {
        key: `bot:${b.id}:heartbeatAge`,
        componentId: b.id,
        componentType: 'bot',
        observedValue: round(age),
        observedUnit: 's',
        status: down ? t.bot_down : 'pass',
        time: now,
      };
      if (down)
        check.output = `no heartbeat for ${round(age)} s (expected every ${interval} s): the bot is down`;
      out.push(check);
    }
    for (const [name, state] of Object.entries(b.connections).sort(([x], [y]) =>
      x.localeCompare(y),
    )) {
      const check: HealthCheck = {
        key: `bot:${b.id}:connection:${name}`,
        componentId: b.id,
        componentType: 'bot',
        observedValue: state,
        status: state === 'up' ? 'pass' : t.connection_down,
        time: now,
      };
      if (state !== 'up') check.output = `bot ${b.id} reports its ${name} connection down`;
      out.push(check);
    }
  }
  return out;
}

/** Staleness of the latest marks of symbols with open positions (the oldest one counts). */
export function marksCheck(
  openSymbols: { symbol: string; markTs: number | null }[],
  now: number,
  t: Threshold,
): HealthCheck {
  if (openSymbols.length === 0) {
    return {
      key: 'marks:staleness',
      componentType: 'datafeed',
      observedValue: 0,
      observedUnit: 's',
      status: 'pass',
      time: now,
      output: 'no open positions',
    };
  }
  let oldest = openSymbols[0]!;
  for (const s of openSymbols) {
    if (s.markTs === null || (oldest.markTs !== null && s.markTs < oldest.markTs)) oldest = s;
  }
  if (oldest.markTs === null) {
    return {
      key: 'marks:staleness',
      componentType: 'datafeed',
      observedValue: null,
      observedUnit: 's',
      status: t.fail === null ? 'warn' : 'fail',
      time: now,
      output: `no price at all for ${oldest.symbol}, which has an open position`,
    };
  }
  const age = Math.max(0, (now - oldest.markTs) / 1000);
  const c = levelCheck(
    'marks:staleness',
    age,
    's',
    t,
    now,
    `latest price of ${oldest.symbol}`,
    'datafeed',
  );
  if (c.status !== 'pass') c.output = `the latest price of ${oldest.symbol} is ${round(age)} s old`;
  return c;
}

/** A probe's last result as a check. */
export interface ProbeResult {
  name: string;
  /** Null until the first check ran. */
  at: number | null;
  ok: boolean;
  responseMs: number | null;
  statusCode: number | null;
  error: string | null;
  slow: boolean;
}

export function probeCheck(r: ProbeResult, now: number): HealthCheck {
  if (r.at === null) {
    return {
      key: `probe:${r.name}:responseTime`,
      componentId: r.name,
      componentType: 'probe',
      observedValue: null,
      observedUnit: 'ms',
      status: 'pass',
      time: now,
      output: 'not checked yet',
    };
  }
  const check: HealthCheck = {
    key: `probe:${r.name}:responseTime`,
    componentId: r.name,
    componentType: 'probe',
    observedValue: r.responseMs === null ? null : round(r.responseMs),
    observedUnit: 'ms',
    status: !r.ok ? 'fail' : r.slow ? 'warn' : 'pass',
    time: r.at,
  };
  if (!r.ok) check.output = r.error ?? `unexpected status ${r.statusCode}`;
  else if (r.slow) check.output = 'slower than its warn_ms';
  return check;
}

/** Component names `GET /health/{component}` accepts, and the check-key prefix each selects. */
export const COMPONENTS: Record<string, string> = {
  database: 'database',
  bots: 'bot',
  scheduler: 'scheduler',
  disk: 'disk',
  channels: 'channel',
  probes: 'probe',
  memory: 'memory',
  cpu: 'cpu',
  eventloop: 'eventloop',
  outbox: 'outbox',
  backup: 'backup',
  marks: 'marks',
  datadir: 'datadir',
};

export function prefixOf(key: string): string {
  const i = key.indexOf(':');
  return i < 0 ? key : key.slice(0, i);
}

export interface HealthResponse {
  status: CheckStatus;
  version?: string;
  releaseId?: string;
  serviceId?: string;
  description?: string;
  output?: string;
  checks?: Record<string, Record<string, unknown>[]>;
}

/** The health+json document; `detailed` false keeps only the top-level status. */
export function healthDocument(
  checks: HealthCheck[],
  options: { version: string; releaseId: string; detailed: boolean; description?: string },
): HealthResponse {
  const status = worst(checks.map((c) => c.status));
  if (!options.detailed) return { status };
  const grouped: Record<string, Record<string, unknown>[]> = {};
  for (const c of checks) {
    const entry: Record<string, unknown> = {};
    if (c.componentId !== undefined) entry.componentId = c.componentId;
    if (c.componentType !== undefined) entry.componentType = c.componentType;
    entry.observedValue = c.observedValue;
    if (c.observedUnit !== undefined) entry.observedUnit = c.observedUnit;
    entry.status = c.status;
    entry.time = isoUtc(c.time);
    if (c.output !== undefined) entry.output = c.output;
    (grouped[c.key] ??= []).push(entry);
  }
  return {
    status,
    version: options.version,
    releaseId: options.releaseId,
    serviceId: 'tradewatch',
    description: options.description ?? 'Tradewatch hub',
    checks: grouped,
  };
}

/** HTTP status for a health status: 200 for pass and warn, 503 for fail. */
export function httpStatusOf(status: CheckStatus): 200 | 503 {
  return status === 'fail' ? 503 : 200;
}
