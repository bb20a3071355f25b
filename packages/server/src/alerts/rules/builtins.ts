import type { Severity } from '../model.js';

/** The built-in alerts (exact names), their default severity and whether they are on by default. */
export const BUILTIN_ALERTS = {
  BotDown: { severity: 'critical', enabled: true },
  ConnectionLost: { severity: 'warning', enabled: true },
  DailyLossLimit: { severity: 'critical', enabled: true },
  MaxDrawdown: { severity: 'critical', enabled: true },
  PortfolioHeat: { severity: 'warning', enabled: true },
  ExposureLimit: { severity: 'warning', enabled: true },
  PositionLimit: { severity: 'warning', enabled: true },
  MaxOpenPositions: { severity: 'warning', enabled: true },
  LowBalance: { severity: 'warning', enabled: true },
  StaleMarketData: { severity: 'warning', enabled: true },
  OrderRejected: { severity: 'warning', enabled: true },
  OrderLatencyHigh: { severity: 'warning', enabled: true },
  StopLossHit: { severity: 'warning', enabled: true },
  KillSwitchActivated: { severity: 'critical', enabled: true },
  KillSwitchUnacknowledged: { severity: 'critical', enabled: true },
  TradeClosed: { severity: 'info', enabled: true },
  PositionOpened: { severity: 'info', enabled: true },
  TradeExecuted: { severity: 'info', enabled: false },
  SignalReceived: { severity: 'info', enabled: false },
  DeliveryFailing: { severity: 'warning', enabled: true },
} as const satisfies Record<string, { severity: Severity; enabled: boolean }>;

export type BuiltinAlert = keyof typeof BUILTIN_ALERTS;
export const BUILTIN_NAMES = Object.keys(BUILTIN_ALERTS) as [BuiltinAlert, ...BuiltinAlert[]];

/** Alerts derived from risk limits (re-evaluated on every commit and tick). */
export const RISK_ALERTS: readonly BuiltinAlert[] = [
  'DailyLossLimit',
  'MaxDrawdown',
  'PortfolioHeat',
  'ExposureLimit',
  'PositionLimit',
  'MaxOpenPositions',
  'LowBalance',
];

/** Whether each built-in alert is on and at what severity (`alerts.builtin` overrides). */
export interface Builtins {
  enabled(name: BuiltinAlert): boolean;
  severity(name: BuiltinAlert): Severity;
}

export function builtinsFrom(
  overrides: Partial<
    Record<BuiltinAlert, { enabled?: boolean | undefined; severity?: Severity | undefined }>
  >,
): Builtins {
  return {
    enabled: (name) => overrides[name]?.enabled ?? BUILTIN_ALERTS[name].enabled,
    severity: (name) => overrides[name]?.severity ?? BUILTIN_ALERTS[name].severity,
  };
}
