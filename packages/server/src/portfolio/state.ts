import type { AccountMode } from '@tradewatch/protocol';
import type { Dec, KeyState, LedgerKey } from '../ledger/index.js';

export interface AccountInfo {
  id: string;
  name: string;
  broker: string | null;
  currency: string;
  mode: AccountMode;
  opening: Dec;
  /** Exact running sum of cash flows. */
  cashFlows: Dec;
  configured: boolean;
  createdAt: number;
}

export interface BotInfo {
  id: string;
  name: string;
  framework: string | null;
  account: string | null;
  heartbeatIntervalS: number | null;
  firstSeenAt: number;
  lastEventAt: number;
  lastHeartbeatAt: number | null;
  reportedStatus: string | null;
  version: string | null;
  connections: Record<string, 'up' | 'down'>;
  halted: boolean;
  updatedAt: number;
}

export interface BarInfo {
  minute: number;
  open: Dec;
  high: Dec;
  low: Dec;
  close: Dec;
  openTs: number;
  closeTs: number;
  count: number;
}

export interface MarkInfo {
  price: Dec;
  bid: Dec | null;
  ask: Dec | null;
  ts: number;
  bot: string;
  receivedAt: number;
  /** The most recent one-minute bar of this symbol. */
  bar: BarInfo | null;
}

export interface ReportedBalance {
  cash: Dec;
  equity: Dec | null;
  buyingPower: Dec | null;
  ts: number;
}

/**
 * The hub's in-memory copy of the projections it needs on every batch and every dashboard
 * query: ledger state per key, latest marks, accounts, bots. It is a cache of the database:
 * `version` is the ingest counter it reflects, and whenever the counter shows that someone
 * else (another hub instance) wrote, it is reloaded from the database.
 */
export class PortfolioState {
  version = 0;
  readonly accounts = new Map<string, AccountInfo>();
  readonly bots = new Map<string, BotInfo>();
  readonly keys = new Map<string, KeyState>();
  readonly marks = new Map<string, MarkInfo>();
  readonly balances = new Map<string, ReportedBalance>();
  /** Peak of cash-flow-adjusted equity per scope, for drawdown. */
  readonly peaks = new Map<string, Dec>();
  /** Last recorded equity point per scope (to record only changes). */
  readonly lastPoints = new Map<string, { ts: number; equity: Dec }>();
  /** Mark-bar extremes of open trips (MAE/MFE), by trade id. */
  readonly tripBars = new Map<string, { low: Dec; high: Dec } | null>();

  clear(): void {
    this.version = 0;
    this.accounts.clear();
    this.bots.clear();
    this.keys.clear();
    this.marks.clear();
    this.balances.clear();
    this.peaks.clear();
    this.lastPoints.clear();
    this.tripBars.clear();
  }
}

export function keyString(key: LedgerKey): string {
  return `${key.account}\u0000${key.bot}\u0000${key.symbol}`;
}

export type Scope = 'portfolio' | `account:${string}` | `bot:${string}`;

export function accountScope(account: string): Scope {
  return `account:${account}`;
}
export function botScope(bot: string): Scope {
  return `bot:${bot}`;
}
