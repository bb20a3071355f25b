import type { PortfolioResponse } from '@tradewatch/protocol';
import type { RiskLimitItem, RiskLimits } from '../api/types.js';

export interface Gauge {
  id: string;
  label: string;
  /** The current figure. */
  value: { kind: 'money'; amount: number } | { kind: 'pct'; pct: number } | { kind: 'none' };
  /** Share of the limit used, 0…1+ (null when no limit is configured). */
  used: number | null;
  /** The limit, and where it applies when that is not the whole portfolio. */
  limit: { threshold: number; unit: RiskLimitItem['unit']; scope: string } | null;
  breached: boolean;
}

/** The limit a gauge shows: the portfolio's, else the most used one of any account or bot. */
function pick(items: RiskLimitItem[], alert: string): RiskLimitItem | undefined {
  const mine = items.filter((i) => i.alert === alert && i.symbol === null && i.threshold !== null);
  return (
    mine.find((i) => i.scope === 'portfolio') ??
    [...mine].sort((a, b) => (b.utilization_pct ?? 0) - (a.utilization_pct ?? 0))[0]
  );
}

/**
 * The Overview's four risk gauges. The hub's own figures are always shown; the share of a
 * limit once the alerts module publishes limits (`GET /api/v1/risk/limits`).
 */
export function riskGauges(p: PortfolioResponse, limits: RiskLimits | null | undefined): Gauge[] {
  const items = limits?.items ?? [];
  const exposurePct = p.equity > 0 ? (p.gross_exposure / p.equity) * 100 : 0;
  const gauge = (
    id: string,
    label: string,
    alert: string,
    own: Gauge['value'],
    fromLimit: (i: RiskLimitItem) => Gauge['value'],
  ): Gauge => {
    const item = pick(items, alert);
    if (!item) return { id, label, value: own, used: null, limit: null, breached: false };
    const sameScope = item.scope === 'portfolio';
    return {
      id,
      label,
      value: sameScope && item.current !== null ? fromLimit(item) : own,
      used: item.utilization_pct === null ? null : item.utilization_pct / 100,
      limit: { threshold: item.threshold!, unit: item.unit, scope: item.scope },
      breached: item.breached,
    };
  };
  return [
    gauge(
      'day-loss',
      'Day P&L vs daily loss limit',
      'DailyLossLimit',
      { kind: 'money', amount: p.day_pnl },
      () => ({ kind: 'money', amount: p.day_pnl }),
    ),
    gauge('heat', 'Portfolio heat', 'PortfolioHeat', { kind: 'none' }, (i) => ({
      kind: 'pct',
      pct: i.current!,
    })),
    gauge(
      'exposure',
      'Gross exposure vs equity',
      'ExposureLimit',
      { kind: 'pct', pct: exposurePct },
      (i) => ({ kind: 'pct', pct: i.current! }),
    ),
    gauge(
      'drawdown',
      'Drawdown vs limit',
      'MaxDrawdown',
      { kind: 'pct', pct: p.drawdown_pct },
      (i) => ({ kind: 'pct', pct: i.current! }),
    ),
  ];
}

export function gaugeLevel(g: Pick<Gauge, 'used' | 'breached'>): 'ok' | 'warn' | 'breach' | 'none' {
  if (g.used === null) return g.breached ? 'breach' : 'none';
  if (g.breached || g.used >= 1) return 'breach';
  if (g.used >= 0.75) return 'warn';
  return 'ok';
}
