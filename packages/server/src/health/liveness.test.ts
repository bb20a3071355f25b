import { describe, expect, it } from 'vitest';
import { livenessSegments } from './liveness.js';

const S = 1000;

describe('bot liveness timeline', () => {
  it('heartbeats keep a bot up for two intervals; gaps are down', () => {
    const beats = [0, 30, 60, 200, 230].map((s) => s * S);
    expect(livenessSegments(beats, 30, 0, 400 * S, 0)).toEqual([
      { from: 0, to: 120 * S, status: 'up' },
      { from: 120 * S, to: 200 * S, status: 'down' },
      { from: 200 * S, to: 290 * S, status: 'up' },
      { from: 290 * S, to: 400 * S, status: 'down' },
    ]);
  });

  it('before the first heartbeat ever the state is unknown', () => {
    expect(livenessSegments([100 * S], 30, 0, 200 * S, 100 * S)).toEqual([
      { from: 0, to: 100 * S, status: 'unknown' },
      { from: 100 * S, to: 160 * S, status: 'up' },
      { from: 160 * S, to: 200 * S, status: 'down' },
    ]);
    expect(livenessSegments([], 30, 0, 100 * S, null)).toEqual([
      { from: 0, to: 100 * S, status: 'unknown' },
    ]);
  });

  it('a heartbeat just before the window covers its start', () => {
    expect(livenessSegments([-10 * S], 30, 0, 100 * S, -10 * S)).toEqual([
      { from: 0, to: 50 * S, status: 'up' },
      { from: 50 * S, to: 100 * S, status: 'down' },
    ]);
  });
});
