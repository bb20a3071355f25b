import { describe, expect, it } from 'vitest';
import type { BotInfo } from '../../portfolio/state.js';
import { healthConfig } from '../config.js';
import {
  botChecks,
  healthDocument,
  httpStatusOf,
  levelStatus,
  marksCheck,
  probeCheck,
  systemChecks,
  worst,
  type SystemMeasurements,
} from './checks.js';

const NOW = Date.UTC(2026, 0, 5, 14, 30);
const t = healthConfig.parse({}).thresholds;
const GB = 1024 ** 3;

function measurements(over: Partial<SystemMeasurements> = {}): SystemMeasurements {
  return {
    database: { ok: true, ms: 3 },
    disk: { usedPct: 40, freeBytes: 50 * GB },
    memory: { usedPct: 30, rssBytes: 100e6 },
    cpu: { pct: 10 },
    eventLoop: { lagMs: 12 },
    datadir: { writable: true },
    ...over,
  };
}

const statusOf = (m: SystemMeasurements, key: string) =>
  systemChecks(m, t, NOW).find((c) => c.key === key)?.status;

describe('threshold levels', () => {
  it.each([
    [10, 'pass'],
    [84.9, 'pass'],
    [85, 'warn'],
    [94, 'warn'],
    [95, 'fail'],
  ] as const)('disk at %s %% is %s with the default 85/95 thresholds', (pct, status) => {
    expect(levelStatus(pct, t.disk_pct)).toBe(status);
  });

  it('a threshold without a fail level only warns', () => {
    expect(levelStatus(100, { warn: 90, fail: null })).toBe('warn');
  });
});

describe('system checks', () => {
  it('pass when every measurement is healthy, with IETF keys, units and times', () => {
    const checks = systemChecks(measurements(), t, NOW);
    expect(checks.map((c) => c.key)).toEqual([
      'database:responseTime',
      'disk:utilization',
      'memory:utilization',
      'cpu:utilization',
      'eventloop:lag',
      'datadir:writable',
    ]);
    expect(checks.every((c) => c.status === 'pass' && c.time === NOW)).toBe(true);
    expect(checks[0]).toMatchObject({ observedValue: 3, observedUnit: 'ms' });
  });

  it.each([
    ['database:responseTime', { database: { ok: true, ms: 300 } }, 'warn'],
    ['database:responseTime', { database: { ok: true, ms: 2500 } }, 'fail'],
    ['database:responseTime', { database: { ok: false, error: 'connection refused' } }, 'fail'],
    ['disk:utilization', { disk: { usedPct: 90, freeBytes: 50 * GB } }, 'warn'],
    ['disk:utilization', { disk: { usedPct: 96, freeBytes: 50 * GB } }, 'fail'],
    ['disk:utilization', { disk: { usedPct: 50, freeBytes: 0.5 * GB } }, 'fail'],
    ['memory:utilization', { memory: { usedPct: 85, rssBytes: 1 } }, 'warn'],
    ['memory:utilization', { memory: { usedPct: 97, rssBytes: 1 } }, 'fail'],
    ['cpu:utilization', { cpu: { pct: 95 } }, 'warn'],
    ['eventloop:lag', { eventLoop: { lagMs: 250 } }, 'warn'],
    ['eventloop:lag', { eventLoop: { lagMs: 1500 } }, 'fail'],
    ['datadir:writable', { datadir: { writable: false, error: 'EACCES' } }, 'fail'],
  ] as const)('%s is %s for %j', (key, over, status) => {
    const m = measurements(over);
    expect(statusOf(m, key)).toBe(status);
    const check = systemChecks(m, t, NOW).find((c) => c.key === key)!;
    expect(check.output).toBeTypeOf('string');
  });

  it('leaves out what the platform cannot measure', () => {
    const keys = systemChecks(measurements({ disk: null, cpu: null }), t, NOW).map((c) => c.key);
    expect(keys).not.toContain('disk:utilization');
    expect(keys).not.toContain('cpu:utilization');
  });
});

function bot(id: string, over: Partial<BotInfo> = {}): BotInfo {
  return {
    id,
    name: id,
    framework: null,
    account: null,
    heartbeatIntervalS: 30,
    firstSeenAt: NOW - 3_600_000,
    lastEventAt: NOW,
    lastHeartbeatAt: NOW - 10_000,
    reportedStatus: null,
    version: null,
    connections: {},
    halted: false,
    updatedAt: NOW,
    ...over,
  };
}

describe('bot checks', () => {
  it('a bot inside two intervals passes; past them it is down (warn by default, fail if configured)', () => {
    const checks = botChecks(
      [bot('beta', { lastHeartbeatAt: NOW - 61_000 }), bot('alpha')],
      NOW,
      30,
      t,
    );
    expect(checks.map((c) => [c.key, c.status, c.observedValue])).toEqual([
      ['bot:alpha:heartbeatAge', 'pass', 10],
      ['bot:beta:heartbeatAge', 'warn', 61],
    ]);
    const strict = botChecks([bot('beta', { lastHeartbeatAt: NOW - 61_000 })], NOW, 30, {
      ...t,
      bot_down: 'fail',
    });
    expect(strict[0]!.status).toBe('fail');
  });

  it('a bot that never sent a heartbeat is unknown, not failing', () => {
    const [c] = botChecks([bot('x', { lastHeartbeatAt: null })], NOW, 30, t);
    expect(c).toMatchObject({ status: 'pass', observedValue: null });
  });

  it('one check per reported connection', () => {
    const checks = botChecks(
      [bot('alpha', { connections: { broker: 'up', feed: 'down' } })],
      NOW,
      30,
      t,
    );
    expect(checks.slice(1).map((c) => [c.key, c.status])).toEqual([
      ['bot:alpha:connection:broker', 'pass'],
      ['bot:alpha:connection:feed', 'warn'],
    ]);
  });
});

describe('marks staleness', () => {
  const th = { warn: 900, fail: 3600 };
  it('passes without open positions', () => {
    expect(marksCheck([], NOW, th).status).toBe('pass');
  });
  it.each([
    [60, 'pass'],
    [1000, 'warn'],
    [4000, 'fail'],
  ] as const)('the oldest mark %s s old is %s', (age, status) => {
    const c = marksCheck(
      [
        { symbol: 'A', markTs: NOW - 5_000 },
        { symbol: 'B', markTs: NOW - age * 1000 },
      ],
      NOW,
      th,
    );
    expect(c.status).toBe(status);
    expect(c.observedValue).toBe(Math.max(age, 5));
  });
  it('a position without any price warns', () => {
    expect(marksCheck([{ symbol: 'A', markTs: null }], NOW, { warn: 900, fail: null }).status).toBe(
      'warn',
    );
  });
});

describe('probe checks', () => {
  const base = { name: 'broker', responseMs: 80, statusCode: 200, error: null, slow: false };
  it.each([
    [{ ...base, at: NOW, ok: true }, 'pass'],
    [{ ...base, at: NOW, ok: true, slow: true }, 'warn'],
    [{ ...base, at: NOW, ok: false, statusCode: 500, error: 'answered 500' }, 'fail'],
    [{ ...base, at: null, ok: true }, 'pass'],
  ] as const)('%j is %s', (result, status) => {
    const c = probeCheck(result, NOW);
    expect(c.key).toBe('probe:broker:responseTime');
    expect(c.status).toBe(status);
  });
});

describe('the health+json document', () => {
  const checks = systemChecks(measurements({ cpu: { pct: 95 } }), t, NOW);

  it('is the worst status of its checks; 200 for pass and warn, 503 for fail', () => {
    expect(worst(['pass', 'warn', 'pass'])).toBe('warn');
    expect(worst(['warn', 'fail'])).toBe('fail');
    expect(worst([])).toBe('pass');
    expect([httpStatusOf('pass'), httpStatusOf('warn'), httpStatusOf('fail')]).toEqual([
      200, 200, 503,
    ]);
  });

  it('shows only the status when not detailed', () => {
    expect(healthDocument(checks, { version: '0', releaseId: '0.1.0', detailed: false })).toEqual({
      status: 'warn',
    });
  });

  it('groups checks by key with observedValue, observedUnit, status and an ISO time', () => {
    const doc = healthDocument(checks, { version: '0', releaseId: '0.1.0', detailed: true });
    expect(doc).toMatchObject({ status: 'warn', version: '0', releaseId: '0.1.0' });
    expect(doc.checks!['cpu:utilization']).toEqual([
      {
        componentType: 'system',
        observedValue: 95,
        observedUnit: 'percent',
        status: 'warn',
        time: new Date(NOW).toISOString(),
        output: 'CPU use 95 percent is at or above 90 percent',
      },
    ]);
  });
});
