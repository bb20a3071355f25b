import type { EquityPoint } from '@tradewatch/protocol';
import { describe, expect, it } from 'vitest';
import { drawdownSeries, toSeries } from './series.js';

const point = (ts: string, equity: number, dd = 0): EquityPoint => ({
  ts,
  equity,
  realized_net: 0,
  unrealized: 0,
  cash_flows: 0,
  drawdown: 0,
  drawdown_pct: dd,
});

describe('chart series', () => {
  it('uses seconds, keeps the last point of a second, and drops out-of-order points', () => {
    const s = toSeries(
      [
        point('2026-01-05T14:30:00.100Z', 1),
        point('2026-01-05T14:30:00.900Z', 2),
        point('2026-01-05T14:29:00Z', 9),
        point('2026-01-05T14:31:00Z', 3),
      ],
      (p) => p.equity,
    );
    expect(s).toEqual([
      { time: 1767623400, value: 2 },
      { time: 1767623460, value: 3 },
    ]);
  });

  it('draws drawdown downwards', () => {
    expect(
      drawdownSeries([
        point('2026-01-05T00:00:00Z', 1, 2.5),
        point('2026-01-06T00:00:00Z', 1, 0),
      ]).map((p) => p.value),
    ).toEqual([-2.5, 0]);
  });
});
