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

/**
 * Risk limits as the alerts module will publish them at `GET /api/v1/risk/limits`. Until it
 * answers, every gauge says "not configured". Each limit is optional.
 */
export interface RiskLimits {
  daily_loss_limit?: number | null;
  max_drawdown_pct?: number | null;
  max_gross_exposure_pct?: number | null;
  max_heat_pct?: number | null;
  currency?: string;
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
