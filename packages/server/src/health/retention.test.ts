import { describe, expect, it } from 'vitest';
import type { SampleRow } from './migrations.js';
import { downsample } from './retention.js';

const T = Date.UTC(2026, 0, 5, 14, 30);

const sample = (offsetS: number, cpu: number, lag: number): SampleRow => ({
  instance: 'h:1',
  bucket_s: 15,
  ts: T + offsetS * 1000,
  count: 1,
  cpu_pct: cpu,
  system_cpu_pct: null,
  memory_pct: 50,
  rss_bytes: 100,
  heap_used_bytes: 10,
  heap_total_bytes: 20,
  loop_lag_ms: lag,
  disk_pct: 40,
  disk_free_bytes: 1000,
});

describe('downsampling resource samples', () => {
  it('averages each 5-minute bucket, keeps the worst event-loop lag, counts the samples', () => {
    const rows = downsample([sample(0, 10, 5), sample(15, 30, 50), sample(300, 70, 1)], 300);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      ts: T,
      bucket_s: 300,
      count: 2,
      cpu_pct: 20,
      loop_lag_ms: 50,
      system_cpu_pct: null,
      memory_pct: 50,
    });
    expect(rows[1]).toMatchObject({ ts: T + 300_000, count: 1, cpu_pct: 70 });
  });
});
