import { describe, expect, it } from 'vitest';
import { detectUncleanStop, formatDuration, type HubStateRecord } from './recovery.js';

const T = Date.UTC(2026, 0, 5, 14, 30);
const record = (clean: boolean): HubStateRecord => ({
  ts: T,
  seq: 42,
  startedAt: T - 3_600_000,
  pid: 1,
  version: '0.1.0',
  clean,
});

describe('crash detection', () => {
  it('a first start and a clean stop are not unclean', () => {
    expect(detectUncleanStop(null, T)).toBeNull();
    expect(detectUncleanStop(record(true), T + 1000)).toBeNull();
  });

  it('a record never marked clean is an unclean stop; downtime counts from the last heartbeat', () => {
    expect(detectUncleanStop(record(false), T + 90_000)).toEqual({
      lastHeartbeat: T,
      downtimeMs: 90_000,
      lastSeq: 42,
      previousStart: T - 3_600_000,
    });
  });

  it('durations read naturally', () => {
    expect([
      formatDuration(42_000),
      formatDuration(600_000),
      formatDuration(4 * 3_600_000 + 60_000),
    ]).toEqual(['42 s', '10 min', '4 h 1 min']);
  });
});
