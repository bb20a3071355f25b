import type { PortfolioResponse } from '@tradewatch/protocol';
import { describe, expect, it } from 'vitest';
import type { RiskLimitItem } from '../api/types.js';
import { gaugeLevel, riskGauges } from './risk.js';

const p = {
  equity: 10_000,
  day_pnl: -300,
  gross_exposure: 15_000,
  drawdown_pct: 4,
} as PortfolioResponse;

const item = (over: Partial<RiskLimitItem>): RiskLimitItem => ({
  alert: 'DailyLossLimit',
  limit: 'daily_loss_limit',
  scope: 'portfolio',
  symbol: null,
  configured: '600',
  threshold: 600,
  current: 300,
  unit: 'currency',
  utilization_pct: 50,
  breached: false,
  summary: '',
  ...over,
});

describe('risk gauges', () => {
  it('show the hub’s figures but no share of a limit until limits exist', () => {
    const g = riskGauges(p, null);
    expect(g.map((x) => x.used)).toEqual([null, null, null, null]);
    expect(g.find((x) => x.id === 'exposure')!.value).toEqual({ kind: 'pct', pct: 150 });
    expect(g.find((x) => x.id === 'heat')!.value).toEqual({ kind: 'none' });
    expect(g.every((x) => x.limit === null)).toBe(true);
  });

  it('read each limit’s use from the alerts module, the portfolio’s first', () => {
    const g = riskGauges(p, {
      as_of: '',
      items: [
        item({ scope: 'account:main', utilization_pct: 90 }),
        item({}),
        item({
          alert: 'PortfolioHeat',
          unit: 'percent',
          threshold: 6,
          current: 3.06,
          utilization_pct: 51,
        }),
        item({
          alert: 'MaxDrawdown',
          unit: 'percent',
          threshold: 10,
          current: 4,
          utilization_pct: 40,
        }),
      ],
    });
    expect(g.map((x) => x.used)).toEqual([0.5, 0.51, null, 0.4]);
    expect(g[0]!.limit).toEqual({ threshold: 600, unit: 'currency', scope: 'portfolio' });
    expect(g[1]!.value).toEqual({ kind: 'pct', pct: 3.06 });
  });

  it('fall back to the most used limit of an account or bot, saying where it applies', () => {
    const g = riskGauges(p, {
      as_of: '',
      items: [
        item({
          alert: 'ExposureLimit',
          scope: 'bot:a',
          unit: 'percent',
          threshold: 200,
          current: 80,
          utilization_pct: 40,
        }),
        item({
          alert: 'ExposureLimit',
          scope: 'bot:b',
          unit: 'percent',
          threshold: 100,
          current: 120,
          utilization_pct: 120,
          breached: true,
        }),
      ],
    });
    const exposure = g.find((x) => x.id === 'exposure')!;
    expect(exposure.limit!.scope).toBe('bot:b');
    expect(exposure.value).toEqual({ kind: 'pct', pct: 150 }); // the portfolio's own figure
    expect(gaugeLevel(exposure)).toBe('breach');
  });

  it('grade the share', () => {
    expect([null, 0.2, 0.8, 1.1].map((used) => gaugeLevel({ used, breached: false }))).toEqual([
      'none',
      'ok',
      'warn',
      'breach',
    ]);
  });
});
