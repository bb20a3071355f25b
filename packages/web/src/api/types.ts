import type { TokenScope } from '@tradewatch/protocol';

/** Shapes of dashboard-specific routes (web and journal modules); the rest come from the protocol. */
export interface SessionInfo {
  name: string;
  token_id: string;
  scopes: TokenScope[];
  bot: string | null;
  via: 'session' | 'token';
  expires_at: string | null;
}

export interface CreatedToken {
  id: string;
  token: string;
  name: string;
  scopes: TokenScope[];
  bot: string | null;
}

export interface VersionInfo {
  version: string;
  node: string;
  database: string;
}

export interface AggregateRow {
  date: string;
  end_date: string;
  currency: string;
  trades: number;
  wins: number;
  losses: number;
  win_rate: number | null;
  gross_pnl: number;
  fees: number;
  net_pnl: number;
  best: number;
  worst: number;
  cumulative_net_pnl: number;
}

/** One configured limit with its current value (`GET /api/v1/risk/limits`, alerts module). */
export interface RiskLimitItem {
  /** DailyLossLimit, MaxDrawdown, ExposureLimit, PortfolioHeat, MaxOpenPositions, LowBalance, PositionLimit. */
  alert: string;
  limit: string;
  /** `portfolio`, `account:ID` or `bot:ID`. */
  scope: string;
  symbol: string | null;
  configured: string;
  threshold: number | null;
  current: number | null;
  unit: 'currency' | 'percent' | 'count' | 'qty';
  utilization_pct: number | null;
  breached: boolean;
  firing?: boolean;
  summary: string;
}

export interface RiskLimits {
  as_of: string;
  items: RiskLimitItem[];
}

/** A row of the Overview's live feed (fills, logs, signals, cash flows). */
export interface FeedItem {
  key: string;
  ts: string;
  kind: string;
  bot: string | null;
  summary: string;
  level?: 'debug' | 'info' | 'warning' | 'error' | 'critical';
}

export type { TokenScope };

/** `GET /api/v1/dashboard`: which optional routes (of other modules) this hub has. */
export interface DashboardInfo {
  version: string;
  capabilities: Partial<Record<'risk_limits' | 'alerts' | 'performance' | 'events', boolean>>;
}

/** A row of the hub's own event log (`GET /api/v1/events`, health module). */
export interface HubEventRow {
  id: string;
  ts: string;
  type: string;
  severity: 'debug' | 'info' | 'warning' | 'error' | 'critical';
  message: string;
  bot: string | null;
  strategy: string | null;
  trade_id: string | null;
  actor: string | null;
  context: Record<string, unknown> | null;
}
