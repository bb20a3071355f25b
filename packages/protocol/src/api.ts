import { z } from 'zod';

/**
 * Response shapes of the query API. Money is a JSON number rounded to the account currency's
 * precision (the hub computes it exactly); quantities and prices are JSON numbers; times are
 * ISO 8601 UTC strings.
 */
const money = z.number();
const iso = z.string();
const isoOrNull = z.string().nullable();

export const TOKEN_SCOPES = ['ingest', 'read', 'journal', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
export const ACCOUNT_MODES = ['paper', 'live'] as const;
export type AccountMode = (typeof ACCOUNT_MODES)[number];

/** Every list endpoint answers a page and the cursor of the next one (null at the end). */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const pnlFigures = {
  equity: money,
  cash: money,
  realized_gross: money,
  realized_net: money,
  fees: money,
  unrealized: money,
  day_pnl: money,
  total_pnl: money,
  gross_exposure: money,
  net_exposure: money,
  open_positions: z.number().int(),
  peak_equity: money,
  drawdown: money,
  drawdown_pct: z.number(),
};

export const accountSummary = z.object({
  account: z.string(),
  name: z.string(),
  broker: z.string().nullable(),
  currency: z.string(),
  mode: z.enum(ACCOUNT_MODES),
  opening_balance: money,
  cash_flows: money,
  ...pnlFigures,
  /** The broker's own figures from the latest `balance` event, if any. */
  reported: z
    .object({ cash: money, equity: money.nullable(), buying_power: money.nullable(), ts: iso })
    .nullable(),
});
export type AccountSummary = z.output<typeof accountSummary>;

export const botPnlSummary = z.object({
  bot: z.string(),
  account: z.string().nullable(),
  realized_gross: money,
  realized_net: money,
  fees: money,
  unrealized: money,
  day_pnl: money,
  total_pnl: money,
  gross_exposure: money,
  net_exposure: money,
  open_positions: z.number().int(),
});
export type BotPnlSummary = z.output<typeof botPnlSummary>;

export const portfolioResponse = z.object({
  as_of: iso,
  currency: z.string(),
  trading_day: z.string(),
  ...pnlFigures,
  cash_flows: money,
  opening_balance: money,
  accounts: z.array(accountSummary),
  bots: z.array(botPnlSummary),
});
export type PortfolioResponse = z.output<typeof portfolioResponse>;

export const positionRow = z.object({
  account: z.string(),
  bot: z.string(),
  symbol: z.string(),
  side: z.enum(['long', 'short']),
  qty: z.number(),
  avg_price: z.number(),
  last_price: z.number(),
  last_price_at: isoOrNull,
  multiplier: z.number(),
  currency: z.string(),
  market_value: money,
  cost_basis: money,
  unrealized_pnl: money,
  realized_pnl: money,
  trade_id: z.string().nullable(),
  opened_at: isoOrNull,
  updated_at: iso,
});
export type PositionRow = z.output<typeof positionRow>;

export const fillRow = z.object({
  id: z.string(),
  bot: z.string(),
  account: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: z.number(),
  price: z.number(),
  fee: money,
  fee_currency: z.string().nullable(),
  strategy: z.string().nullable(),
  order_id: z.string().nullable(),
  tags: z.array(z.string()),
  ts: iso,
  received_at: iso,
  realized_pnl_gross: money,
  realized_pnl: money,
  position_after: z.number(),
  trade_id: z.string().nullable(),
  next_trade_id: z.string().nullable(),
});
export type FillRow = z.output<typeof fillRow>;

export const orderRow = z.object({
  order_id: z.string(),
  bot: z.string(),
  account: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  qty: z.number(),
  order_type: z.string(),
  limit_price: z.number().nullable(),
  stop_price: z.number().nullable(),
  status: z.string(),
  open: z.boolean(),
  reason: z.string().nullable(),
  strategy: z.string().nullable(),
  filled_qty: z.number(),
  avg_fill_price: z.number().nullable(),
  created_at: iso,
  updated_at: iso,
  first_fill_at: isoOrNull,
  last_event_id: z.string(),
});
export type OrderRow = z.output<typeof orderRow>;

export const tradeRow = z.object({
  id: z.string(),
  account: z.string(),
  bot: z.string(),
  symbol: z.string(),
  strategy: z.string().nullable(),
  direction: z.enum(['long', 'short']),
  status: z.enum(['open', 'closed']),
  qty: z.number(),
  open_qty: z.number(),
  entry_at: iso,
  exit_at: isoOrNull,
  avg_entry_price: z.number(),
  avg_exit_price: z.number().nullable(),
  gross_pnl: money,
  fees: money,
  net_pnl: money,
  return_pct: z.number().nullable(),
  duration_s: z.number().nullable(),
  mae: money,
  mfe: money,
  mae_pct: z.number(),
  mfe_pct: z.number(),
  fill_count: z.number().int(),
  notes: z.string().nullable(),
  tags: z.array(z.string()),
});
export type TradeRow = z.output<typeof tradeRow>;

export const equityPoint = z.object({
  ts: iso,
  equity: money,
  realized_net: money,
  unrealized: money,
  cash_flows: money,
  drawdown: money,
  drawdown_pct: z.number(),
});
export type EquityPoint = z.output<typeof equityPoint>;
export const equityResponse = z.object({ scope: z.string(), points: z.array(equityPoint) });
export type EquityResponse = z.output<typeof equityResponse>;

export const dailyRow = z.object({
  scope: z.string(),
  date: z.string(),
  trades: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  gross: money,
  fees: money,
  net: money,
  cash_flows: money,
  start_equity: money,
  end_equity: money,
  return_pct: z.number().nullable(),
});
export type DailyRow = z.output<typeof dailyRow>;

export const BOT_STATUSES = ['up', 'down', 'unknown'] as const;
export type BotStatus = (typeof BOT_STATUSES)[number];

export const botRow = z.object({
  id: z.string(),
  name: z.string(),
  framework: z.string().nullable(),
  account: z.string().nullable(),
  heartbeat_interval_s: z.number(),
  status: z.enum(BOT_STATUSES),
  reported_status: z.string().nullable(),
  version: z.string().nullable(),
  connections: z.record(z.string(), z.enum(['up', 'down'])),
  first_seen_at: iso,
  last_event_at: iso,
  last_heartbeat_at: isoOrNull,
  heartbeat_age_s: z.number().nullable(),
  halted: z.boolean(),
});
export type BotRow = z.output<typeof botRow>;

export const signalRow = z.object({
  id: z.string(),
  bot: z.string(),
  ts: iso,
  strategy: z.string().nullable(),
  symbol: z.string(),
  direction: z.enum(['long', 'short', 'flat']),
  strength: z.number().nullable(),
  note: z.string().nullable(),
});
export type SignalRow = z.output<typeof signalRow>;

export const logRow = z.object({
  id: z.string(),
  bot: z.string(),
  ts: iso,
  level: z.enum(['debug', 'info', 'warning', 'error', 'critical']),
  message: z.string(),
  context: z.record(z.string(), z.unknown()).nullable(),
});
export type LogRow = z.output<typeof logRow>;

export const markRow = z.object({
  symbol: z.string(),
  price: z.number(),
  bid: z.number().nullable(),
  ask: z.number().nullable(),
  ts: iso,
  bot: z.string(),
});
export type MarkRow = z.output<typeof markRow>;

export const tokenRow = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  bot: z.string().nullable(),
  created_at: iso,
  last_used_at: isoOrNull,
  revoked_at: isoOrNull,
});
export type TokenRow = z.output<typeof tokenRow>;

/** Kill-switch commands (halt / resume / flatten) and their acknowledgement by bots. */
export const COMMAND_ACTIONS = ['halt', 'resume', 'flatten'] as const;
export type CommandAction = (typeof COMMAND_ACTIONS)[number];

/** What a bot receives on `GET /api/v1/commands?bot=ID` (long-poll) and on the stream. */
export const botCommand = z.object({
  id: z.string(),
  action: z.enum(COMMAND_ACTIONS),
  /** `all`, `bot:ID` or `account:ID` as issued. */
  scope: z.string(),
  reason: z.string().nullable(),
  created_at: iso,
});
export type BotCommand = z.output<typeof botCommand>;

/** Body of `POST /api/v1/commands/{id}/ack`. */
export const commandAck = z.object({
  bot: z.string().min(1).max(64),
  status: z.enum(['ok', 'error']).default('ok'),
  message: z.string().max(2000).optional(),
});
export type CommandAck = z.input<typeof commandAck>;
