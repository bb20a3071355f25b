import { describe, expect, it } from 'vitest';
import { healthConfig } from './config.js';
import { LatencyRecorder, RequestWindow } from './latency.js';
import { AlertTracker, thresholdAlerts, type ResourceLevels } from './threshold-alerts.js';

const T = Date.UTC(2026, 0, 5, 14, 30);
const cfg = healthConfig.parse({});
const calm: ResourceLevels = {
  cpuPct: 10,
  memoryPct: 20,
  diskPct: 30,
  diskFreeBytes: 100 * 1024 ** 3,
  loopLagMs: 5,
};

function evaluate(
  setup: (l: LatencyRecorder, r: RequestWindow) => void,
  resources: ResourceLevels = calm,
) {
  const latency = new LatencyRecorder();
  const requests = new RequestWindow();
  setup(latency, requests);
  return thresholdAlerts({
    now: T,
    alerts: cfg.alerts,
    checks: cfg.thresholds,
    latency,
    requests,
    resources,
  });
}

describe('threshold alerts', () => {
  it('nothing fires on a calm hub', () => {
    expect(evaluate(() => undefined)).toEqual([]);
  });

  it('OrderLatencyHigh per bot when p95 passes the limit with enough samples', () => {
    const alerts = evaluate((l) => {
      for (let i = 0; i < 10; i++) l.add('order_latency', 'slow', 8000, T);
      for (let i = 0; i < 10; i++) l.add('order_latency', 'fast', 100, T);
      for (let i = 0; i < 3; i++) l.add('order_latency', 'few', 9000, T);
    });
    expect(alerts.map((a) => [a.name, a.labels])).toEqual([['OrderLatencyHigh', { bot: 'slow' }]]);
  });

  it('FeedLatencyHigh per bot', () => {
    const alerts = evaluate((l) => {
      for (let i = 0; i < 10; i++) l.add('feed_latency', 'feeder', 20_000, T);
    });
    expect(alerts.map((a) => a.name)).toEqual(['FeedLatencyHigh']);
  });

  it('ApiErrorRateHigh above 5 % of at least 20 requests in the window', () => {
    const rate = (errors: number, total: number) =>
      evaluate((_l, r) => {
        for (let i = 0; i < total; i++) r.add(i < errors ? 500 : 200, T);
      }).map((a) => a.name);
    expect(rate(2, 100)).toEqual([]);
    expect(rate(6, 100)).toEqual(['ApiErrorRateHigh']);
    expect(rate(5, 10)).toEqual([]);
  });

  it('ApiLatencyHigh when the p95 answer time passes 1 s', () => {
    const alerts = evaluate((l) => {
      for (let i = 0; i < 30; i++) l.add('api_latency', null, 1500, T);
    });
    expect(alerts.map((a) => a.name)).toEqual(['ApiLatencyHigh']);
  });

  it('ResourceHigh per resource: warning from the warn level, critical from the fail level', () => {
    const alerts = evaluate(() => undefined, {
      cpuPct: 95,
      memoryPct: 97,
      diskPct: 50,
      diskFreeBytes: 0.2 * 1024 ** 3,
      loopLagMs: 5,
    });
    expect(alerts.map((a) => [a.labels!.resource, a.severity])).toEqual([
      ['cpu', 'warning'],
      ['memory', 'critical'],
      ['disk', 'critical'],
    ]);
  });
});

describe('alert tracker', () => {
  it('fires what is new, re-fires on a severity change, resolves what stopped', () => {
    const t = new AlertTracker();
    const a = {
      name: 'ResourceHigh',
      severity: 'warning' as const,
      labels: { resource: 'cpu' },
      summary: 'x',
    };
    expect(t.update([a]).fire).toEqual([a]);
    expect(t.update([a])).toEqual({ fire: [], resolve: [] });
    const critical = { ...a, severity: 'critical' as const };
    expect(t.update([critical]).fire).toEqual([critical]);
    expect(t.update([])).toEqual({
      fire: [],
      resolve: [{ name: 'ResourceHigh', labels: { resource: 'cpu' } }],
    });
    expect(t.active).toEqual([]);
  });
});
