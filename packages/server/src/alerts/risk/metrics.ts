/**
 * Metrics a user rule may compare (`metric:`): the fields of the portfolio / account / bot
 * summary plus a few derived ones. Money metrics are exact decimals; the rest are plain numbers.
 */
export const RULE_METRICS = [
  'equity',
  'cash',
  'opening_balance',
  'cash_flows',
  'realized_gross',
  'realized_net',
  'fees',
  'unrealized',
  'day_pnl',
  'day_pnl_pct',
  'total_pnl',
  'gross_exposure',
  'gross_exposure_pct',
  'net_exposure',
  'net_exposure_pct',
  'open_positions',
  'peak_equity',
  'drawdown',
  'drawdown_pct',
  'heat',
  'heat_pct',
  'unprotected_positions',
  'heartbeat_age_s',
] as const;
export type RuleMetric = (typeof RULE_METRICS)[number];

export const RULE_OPS = ['<', '<=', '>', '>='] as const;
export type RuleOp = (typeof RULE_OPS)[number];
