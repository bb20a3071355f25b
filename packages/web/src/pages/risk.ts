import type { PortfolioResponse } from '@tradewatch/protocol';
import type { RiskLimits } from '../api/types.js';

export interface Gauge {
  id: string;
  label: string;
  /** The current figure, as text the gauge shows. */
  value: { kind: 'money'; amount: number } | { kind: 'pct'; pct: number } | { kind: 'none' };
  /** Share of the limit used, 0…1+ (null when no limit is configured). */
  used: number | null;
  limitText: string | null;
}

function ratio(used: number, limit: number | null | undefined): number | null {
  return limit && limit > 0 ? Math.max(0, used) / limit : null;
}

/**
 * The Overview's four risk gauges. Figures the hub knows are always shown; the share of a
 * limit only when the alerts module publishes that limit.
 */
export function riskGauges(p: PortfolioResponse, limits: RiskLimits | null | undefined): Gauge[] {
  const l = limits ?? {};
  const exposurePct = p.equity > 0 ? (p.gross_exposure / p.equity) * 100 : 0;
  const heat = (l as { heat_pct?: number | null }).heat_pct;
  return [
    {
      id: 'day-loss',
      label: 'Day P&L vs daily loss limit',
      value: { kind: 'money', amount: p.day_pnl },
      used: ratio(-p.day_pnl, l.daily_loss_limit),
      limitText: l.daily_loss_limit ? `limit ${l.daily_loss_limit}` : null,
    },
    {
      id: 'heat',
      label: 'Portfolio heat',
      value: typeof heat === 'number' ? { kind: 'pct', pct: heat } : { kind: 'none' },
      used: typeof heat === 'number' ? ratio(heat, l.max_heat_pct) : null,
      limitText: l.max_heat_pct ? `limit ${l.max_heat_pct}%` : null,
    },
    {
      id: 'exposure',
      label: 'Gross exposure vs equity',
      value: { kind: 'pct', pct: exposurePct },
      used: ratio(exposurePct, l.max_gross_exposure_pct),
      limitText: l.max_gross_exposure_pct ? `limit ${l.max_gross_exposure_pct}%` : null,
    },
    {
      id: 'drawdown',
      label: 'Drawdown vs limit',
      value: { kind: 'pct', pct: p.drawdown_pct },
      used: ratio(p.drawdown_pct, l.max_drawdown_pct),
      limitText: l.max_drawdown_pct ? `limit ${l.max_drawdown_pct}%` : null,
    },
  ];
}

export function gaugeLevel(used: number | null): 'ok' | 'warn' | 'breach' | 'none' {
  if (used === null) return 'none';
  if (used >= 1) return 'breach';
  if (used >= 0.75) return 'warn';
  return 'ok';
}
