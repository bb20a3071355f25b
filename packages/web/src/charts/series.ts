import type { EquityPoint } from '@tradewatch/protocol';

/** Chart points: time in whole seconds, strictly increasing (the last point of a second wins). */
export interface ChartPoint {
  time: number;
  value: number;
}

export function toSeries(points: EquityPoint[], pick: (p: EquityPoint) => number): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const p of points) {
    const time = Math.floor(Date.parse(p.ts) / 1000);
    if (!Number.isFinite(time)) continue;
    const value = pick(p);
    const last = out[out.length - 1];
    if (last && last.time === time) last.value = value;
    else if (!last || time > last.time) out.push({ time, value });
  }
  return out;
}

/** Drawdown as a negative percentage, so the pane reads downwards. */
export function drawdownSeries(points: EquityPoint[]): ChartPoint[] {
  return toSeries(points, (p) => (p.drawdown_pct === 0 ? 0 : -p.drawdown_pct));
}
