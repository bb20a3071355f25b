import type { PortfolioResponse } from '@tradewatch/protocol';
import { describe, expect, it } from 'vitest';
import { gaugeLevel, riskGauges } from './risk.js';

const p = {
  equity: 10_000,
  day_pnl: -300,
  gross_exposure: 15_000,
  drawdown_pct: 4,
} as PortfolioResponse;

describe('risk gauges', () => {
  it('show the figures but no share of a limit until limits exist', () => {
    const g = riskGauges(p, null);
    expect(g.map((x) => x.used)).toEqual([null, null, null, null]);
    expect(g.find((x) => x.id === 'exposure')!.value).toEqual({ kind: 'pct', pct: 150 });
    expect(g.find((x) => x.id === 'heat')!.value).toEqual({ kind: 'none' });
  });

  it('measure the share of each configured limit; a day profit uses none of the loss limit', () => {
    const g = riskGauges(p, {
      daily_loss_limit: 600,
      max_drawdown_pct: 10,
      max_gross_exposure_pct: 200,
    });
    expect(g.map((x) => x.used)).toEqual([0.5, null, 0.75, 0.4]);
    expect(riskGauges({ ...p, day_pnl: 50 }, { daily_loss_limit: 600 })[0]!.used).toBe(0);
  });

  it('grade the share', () => {
    expect([null, 0.2, 0.8, 1.1].map(gaugeLevel)).toEqual(['none', 'ok', 'warn', 'breach']);
  });
});
