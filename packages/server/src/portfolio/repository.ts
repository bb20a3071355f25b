import type { AccountMode } from '@tradewatch/protocol';
import type { Kysely } from 'kysely';
import { decFromString, type Trip } from '../ledger/index.js';
import type { Database } from '../store/index.js';
import { barRangeOf } from '../ingest/trip-fold.js';
import { rowToKeyState, rowToTrip } from './codec.js';
import { keyString, type BotInfo, type PortfolioState } from './state.js';

type Db = Kysely<Database>;

export function rowToBotInfo(row: Database['bots']): BotInfo {
  return {
    id: row.id,
    name: row.name,
    framework: row.framework,
    account: row.account,
    heartbeatIntervalS: row.heartbeat_interval_s,
    firstSeenAt: row.first_seen_at,
    lastEventAt: row.last_event_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    reportedStatus: row.reported_status,
    version: row.version,
    connections: JSON.parse(row.connections) as Record<string, 'up' | 'down'>,
    halted: row.halted === 1,
    updatedAt: row.updated_at,
  };
}

/** Loads the whole in-memory portfolio cache from the database (start-up, or after another instance wrote). */
export async function loadPortfolioState(db: Db, state: PortfolioState): Promise<void> {
  state.clear();
  const counter = await db
    .selectFrom('counters')
    .select('value')
    .where('name', '=', 'ingest')
    .executeTakeFirst();
  state.version = counter?.value ?? 0;

  for (const a of await db.selectFrom('accounts').selectAll().execute()) {
    state.accounts.set(a.id, {
      id: a.id,
      name: a.name,
      broker: a.broker,
      currency: a.currency,
      mode: a.mode as AccountMode,
      opening: decFromString(a.opening_balance),
      cashFlows: decFromString(a.cash_flows),
      configured: a.configured === 1,
      createdAt: a.created_at,
    });
  }
  for (const b of await db.selectFrom('bots').selectAll().execute())
    state.bots.set(b.id, rowToBotInfo(b));

  const openTrips = new Map<string, Trip>();
  for (const t of await db
    .selectFrom('trades')
    .selectAll()
    .where('status', '=', 'open')
    .execute()) {
    openTrips.set(t.id, rowToTrip(t));
    state.tripBars.set(t.id, barRangeOf(t));
  }
  for (const row of await db.selectFrom('ledger_positions').selectAll().execute()) {
    const trip = row.trade_id === null ? null : (openTrips.get(row.trade_id) ?? null);
    const ks = rowToKeyState(row, trip);
    state.keys.set(keyString(ks.key), ks);
  }

  const bars = await db
    .selectFrom('mark_bars as b')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('mark_bars')
          .select(['symbol'])
          .select((e) => e.fn.max('minute').as('minute'))
          .groupBy('symbol')
          .as('m'),
      (join) => join.onRef('m.symbol', '=', 'b.symbol').onRef('m.minute', '=', 'b.minute'),
    )
    .selectAll('b')
    .execute();
  const barBySymbol = new Map(bars.map((b) => [b.symbol, b]));
  for (const m of await db.selectFrom('marks').selectAll().execute()) {
    const b = barBySymbol.get(m.symbol);
    state.marks.set(m.symbol, {
      price: decFromString(m.price),
      bid: m.bid === null ? null : decFromString(m.bid),
      ask: m.ask === null ? null : decFromString(m.ask),
      ts: m.ts,
      bot: m.bot,
      receivedAt: m.received_at,
      bar: b
        ? {
            minute: b.minute,
            open: decFromString(b.open),
            high: decFromString(b.high),
            low: decFromString(b.low),
            close: decFromString(b.close),
            openTs: b.open_ts,
            closeTs: b.close_ts,
            count: b.count,
          }
        : null,
    });
  }

  const latestBalances = await db
    .selectFrom('balances as b')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('balances')
          .select(['account'])
          .select((e) => e.fn.max('ts').as('ts'))
          .groupBy('account')
          .as('l'),
      (join) => join.onRef('l.account', '=', 'b.account').onRef('l.ts', '=', 'b.ts'),
    )
    .selectAll('b')
    .orderBy('b.seq')
    .execute();
  // Latest by event time; among equal times the later arrival wins (rows come in seq order).
  for (const b of latestBalances) {
    state.balances.set(b.account, {
      cash: decFromString(b.cash),
      equity: b.equity === null ? null : decFromString(b.equity),
      buyingPower: b.buying_power === null ? null : decFromString(b.buying_power),
      ts: b.ts,
    });
  }

  for (const p of await db.selectFrom('scope_peaks').selectAll().execute()) {
    state.peaks.set(p.scope, decFromString(p.peak));
  }
  const lastPoints = await db
    .selectFrom('equity_points as e')
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('equity_points')
          .select(['scope'])
          .select((e) => e.fn.max('ts').as('ts'))
          .groupBy('scope')
          .as('l'),
      (join) => join.onRef('l.scope', '=', 'e.scope').onRef('l.ts', '=', 'e.ts'),
    )
    .select(['e.scope', 'e.ts', 'e.equity'])
    .execute();
  for (const p of lastPoints)
    state.lastPoints.set(p.scope, { ts: p.ts, equity: decFromString(p.equity) });
}
