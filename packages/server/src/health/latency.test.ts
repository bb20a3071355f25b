import { describe, expect, it } from 'vitest';
import type { BatchChanges } from '../ingest/batch.js';
import type { FillsTable, OrdersTable } from '../store/index.js';
import { firstFillLatencies, LatencyRecorder, percentile, RequestWindow } from './latency.js';

const T = Date.UTC(2026, 0, 5, 14, 30);
const MIN = 60_000;

describe('percentiles per minute', () => {
  it('nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(v, 50), percentile(v, 95), percentile(v, 99), percentile(v, 100)]).toEqual([
      50, 95, 99, 100,
    ]);
    expect(percentile([], 95)).toBe(0);
  });

  it('drains completed minutes only, once, overall and per bot', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) r.add('order_latency', i % 2 ? 'a' : 'b', i, T + 100);
    r.add('order_latency', 'a', 7, T + MIN + 5);
    expect(r.drain(T + 30_000)).toEqual([]);
    const rows = r.drain(T + MIN + 10);
    const all = rows.find((x) => x.bot === '')!;
    expect(all).toMatchObject({
      metric: 'order_latency',
      minute: T,
      count: 100,
      p50: 50,
      p95: 95,
      max: 100,
    });
    expect(rows.map((x) => x.bot).sort()).toEqual(['', 'a', 'b']);
    expect(r.drain(T + MIN + 20)).toEqual([]);
    expect(r.drain(T + 2 * MIN).map((x) => [x.minute, x.count])).toEqual([
      [T + MIN, 1],
      [T + MIN, 1],
    ]);
  });

  it('keeps a bounded sample of a busy minute but counts everything', () => {
    const r = new LatencyRecorder();
    for (let i = 0; i < 10_000; i++) r.add('api_latency', null, i % 100, T);
    const [row] = r.drain(T + MIN);
    expect(row!.count).toBe(10_000);
    expect(row!.max).toBe(99);
    expect(row!.p50).toBeGreaterThan(30);
    expect(row!.p50).toBeLessThan(70);
  });

  it('rolling windows cover the last N minutes, current included', () => {
    const r = new LatencyRecorder();
    r.add('feed_latency', 'x', 100, T - 10 * MIN);
    r.add('feed_latency', 'x', 5000, T - 2 * MIN);
    r.add('feed_latency', 'x', 6000, T);
    expect(r.window('feed_latency', 'x', T, 5)).toEqual({ count: 2, p95: 6000 });
    expect(r.botsOf('feed_latency', T, 5)).toEqual(['x']);
    expect(r.botsOf('order_latency', T, 5)).toEqual([]);
  });
});

describe('request window', () => {
  it('counts answers and 5xx per minute', () => {
    const w = new RequestWindow();
    w.add(200, T - 6 * MIN);
    w.add(500, T - 6 * MIN);
    w.add(200, T - MIN);
    w.add(503, T);
    w.add(404, T);
    expect(w.window(T, 5)).toEqual({ total: 3, errors: 1 });
    w.prune(T, 2);
    expect(w.window(T, 10)).toEqual({ total: 3, errors: 1 });
  });
});

describe('order latency', () => {
  const order = (over: Partial<OrdersTable>): OrdersTable =>
    ({ bot: 'a', order_id: 'o1', created_at: T, first_fill_at: null, ...over }) as OrdersTable;
  const fill = (over: Partial<FillsTable>): FillsTable =>
    ({ bot: 'a', order_id: 'o1', ts: T + 250, ...over }) as FillsTable;
  const changes = (orders: OrdersTable[], fills: FillsTable[]) =>
    ({ orders, fills }) as unknown as BatchChanges;

  it('is submitted → first fill, observed in the batch that brings the first fill', () => {
    expect(firstFillLatencies(changes([order({ first_fill_at: T + 250 })], [fill({})]))).toEqual([
      { bot: 'a', ms: 250 },
    ]);
  });

  it('is not observed again for later fills of the same order', () => {
    expect(
      firstFillLatencies(changes([order({ first_fill_at: T + 250 })], [fill({ ts: T + 900 })])),
    ).toEqual([]);
  });
});
