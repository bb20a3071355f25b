import type { Generated } from 'kysely';

/**
 * Table types. Conventions (DESIGN.md): snake_case, TEXT ids, epoch-ms integer times, money as
 * exact decimal TEXT. Columns ending in `_f` are float shadows of money kept only for ORDER BY
 * and range filters; the TEXT column beside each is the figure of record.
 */
export interface Database {
  meta: MetaTable;
  counters: CountersTable;
  tokens: TokensTable;
  accounts: AccountsTable;
  bots: BotsTable;
  fills: FillsTable;
  order_events: OrderEventsTable;
  orders: OrdersTable;
  position_snapshots: PositionSnapshotsTable;
  balances: BalancesTable;
  cash_flows: CashFlowsTable;
  marks: MarksTable;
  mark_bars: MarkBarsTable;
  signals: SignalsTable;
  heartbeats: HeartbeatsTable;
  logs: LogsTable;
  bot_metrics: BotMetricsTable;
  ledger_positions: LedgerPositionsTable;
  trades: TradesTable;
  trade_notes: TradeNotesTable;
  equity_points: EquityPointsTable;
  daily_summaries: DailySummariesTable;
  scope_peaks: ScopePeaksTable;
  audit_log: AuditLogTable;
}

export interface MetaTable {
  key: string;
  value: string;
}

/** Named monotonic counters; the `ingest` row doubles as the ingest write lock on PostgreSQL. */
export interface CountersTable {
  name: string;
  value: number;
}

export interface TokensTable {
  id: string;
  name: string;
  /** SHA-256 of the token; the token itself is never stored. */
  hash: string;
  /** Comma-separated scopes. */
  scopes: string;
  bot: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AccountsTable {
  id: string;
  name: string;
  broker: string | null;
  currency: string;
  opening_balance: string;
  mode: string;
  /** Exact running sum of cash flows. */
  cash_flows: string;
  configured: number;
  created_at: number;
}

export interface BotsTable {
  id: string;
  name: string;
  framework: string | null;
  account: string | null;
  heartbeat_interval_s: number | null;
  first_seen_at: number;
  last_event_at: number;
  last_heartbeat_at: number | null;
  reported_status: string | null;
  version: string | null;
  /** JSON object name → up|down. */
  connections: string;
  halted: number;
  updated_at: number;
}

interface FactColumns {
  /** Arrival order across the hub (from the `ingest` counter). */
  seq: number;
  bot: string;
  /** The client's id (or one derived from the content when the event had none). */
  id: string;
  ts: number;
  received_at: number;
  /** Hash of the canonical event: the same id with other content is a conflict. */
  hash: string;
}

export interface FillsTable extends FactColumns {
  account: string;
  symbol: string;
  side: string;
  qty: string;
  price: string;
  fee: string;
  fee_currency: string | null;
  strategy: string | null;
  order_id: string | null;
  tags: string | null;
  realized_gross: string;
  realized_net: string;
  fee_charged: string;
  position_after: string;
  trade_id: string | null;
  next_trade_id: string | null;
}

export interface OrderEventsTable extends FactColumns {
  order_id: string;
  account: string;
  symbol: string;
  side: string;
  qty: string;
  order_type: string;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  reason: string | null;
  strategy: string | null;
}

export interface OrdersTable {
  bot: string;
  order_id: string;
  account: string;
  symbol: string;
  side: string;
  qty: string;
  order_type: string;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  is_open: number;
  reason: string | null;
  strategy: string | null;
  filled_qty: string;
  filled_value: string;
  created_at: number;
  updated_at: number;
  /** (ts, seq) of the event that set the current status: later events win. */
  status_ts: number;
  status_seq: number;
  first_fill_at: number | null;
  last_event_id: string;
}

export interface PositionSnapshotsTable extends FactColumns {
  account: string;
  symbol: string;
  qty: string;
  avg_price: string | null;
}

export interface BalancesTable extends FactColumns {
  account: string;
  cash: string;
  equity: string | null;
  buying_power: string | null;
  currency: string | null;
}

export interface CashFlowsTable extends FactColumns {
  account: string;
  amount: string;
  kind: string;
  note: string | null;
}

/** The latest mark per symbol (by event time). */
export interface MarksTable {
  symbol: string;
  price: string;
  bid: string | null;
  ask: string | null;
  ts: number;
  bot: string;
  received_at: number;
}

/** One-minute OHLC bars of marks. */
export interface MarkBarsTable {
  symbol: string;
  minute: number;
  open: string;
  high: string;
  low: string;
  close: string;
  /** Event time of the mark that set open / close (first and last by time). */
  open_ts: number;
  close_ts: number;
  count: number;
}

export interface SignalsTable extends FactColumns {
  strategy: string | null;
  symbol: string;
  direction: string;
  strength: number | null;
  note: string | null;
}

export interface HeartbeatsTable extends FactColumns {
  interval_s: number | null;
  status: string | null;
  version: string | null;
  connections: string | null;
}

export interface LogsTable extends FactColumns {
  level: string;
  message: string;
  context: string | null;
}

export interface BotMetricsTable extends FactColumns {
  name: string;
  value: number;
  labels: string | null;
}

/** Ledger state per (account, bot, symbol): the FIFO lots and running totals. */
export interface LedgerPositionsTable {
  account: string;
  bot: string;
  symbol: string;
  multiplier: string;
  qty: string;
  /** JSON array of open lots. */
  lots: string;
  trade_id: string | null;
  realized_gross: string;
  realized_net: string;
  fees_paid: string;
  fees_charged: string;
  trades_closed: number;
  last_ts: number | null;
  last_seq: number | null;
  last_price: string | null;
  last_price_ts: number | null;
  opened_at: number | null;
  updated_at: number;
}

export interface TradesTable {
  id: string;
  account: string;
  bot: string;
  symbol: string;
  strategy: string | null;
  direction: string;
  status: string;
  qty: string;
  open_qty: string;
  entry_ts: number;
  exit_ts: number | null;
  last_ts: number;
  entry_value: string;
  exit_qty: string;
  exit_value: string;
  gross: string;
  fees: string;
  net: string;
  /** Extremes of the trip's fill prices. */
  min_price: string;
  max_price: string;
  /** Extremes of the mark bars in the trip's span (null when none); MAE/MFE use both. */
  bar_low: string | null;
  bar_high: string | null;
  fill_count: number;
  /** Minute buckets of entry / exit, for folding mark bars into MAE/MFE. */
  entry_minute: number;
  exit_minute: number | null;
  net_f: number;
  gross_f: number;
  return_pct: number | null;
  duration_ms: number | null;
}

/** Journal annotations: kept apart from the projection so a rebuild never loses them. */
export interface TradeNotesTable {
  trade_id: string;
  notes: string | null;
  /** JSON array of tags. */
  tags: string;
  updated_at: number;
  updated_by: string;
}

export interface EquityPointsTable {
  /** `portfolio`, `account:ID` or `bot:ID`. */
  scope: string;
  /** Minute bucket (epoch ms) of the event time. */
  ts: number;
  equity: string;
  realized_net: string;
  unrealized: string;
  cash_flows: string;
  peak: string;
}

export interface DailySummariesTable {
  scope: string;
  /** Trading day YYYY-MM-DD in the configured time zone. */
  date: string;
  trades: number;
  wins: number;
  losses: number;
  gross: string;
  fees: string;
  net: string;
  cash_flows: string;
  start_equity: string;
  end_equity: string;
  updated_at: number;
}

export interface ScopePeaksTable {
  scope: string;
  /** Highest cash-flow-adjusted equity seen (opening balance + total P&L). */
  peak: string;
  updated_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  ts: number;
  actor: string;
  action: string;
  target: string | null;
  details: string | null;
}
