import { TERMINAL_ORDER_STATUSES } from '@tradewatch/protocol';
import type { Kysely } from 'kysely';
import { keyStateToRow, tripToRow } from '../portfolio/codec.js';
import {
  add,
  decFromString,
  decToString,
  emptyState,
  mul,
  replay,
  ZERO,
  type Dec,
  type LedgerFill,
  type LedgerKey,
  type Trip,
} from '../ledger/index.js';
import { foldBars, type BarRange } from '../ingest/trip-fold.js';
import type { IngestSettings } from '../ingest/settings.js';
import type { Database, FillsTable, OrdersTable } from '../store/index.js';
import { tradingDay } from '../time/index.js';

type Db = Kysely<Database>;

/** One projection row that differs between what is stored and what the facts give. */
export interface Difference {
  table: string;
  key: string;
  column: string;
  stored: unknown;
  rebuilt: unknown;
}

export interface RebuildReport {
  keys: number;
  fills: number;
  trades: number;
  orders: number;
  differences: Difference[];
  /** Differences by table (all of them; `differences` keeps the first few hundred). */
  counts: Record<string, number>;
  fixed: boolean;
}

export interface RebuildOptions {
  /** Write the recomputed projections where they differ. */
  fix?: boolean;
  /** Only these ledger keys (crash recovery verifies the keys the recent tail touched). */
  keys?: LedgerKey[];
  /** Keep at most this many differences in the report. */
  maxDifferences?: number;
  now?: number;
}

const FILL_EFFECT_COLUMNS = [
  'realized_gross',
  'realized_net',
  'fee_charged',
  'position_after',
  'trade_id',
  'next_trade_id',
] as const;
const POSITION_COLUMNS = [
  'multiplier',
  'qty',
  'lots',
  'trade_id',
  'realized_gross',
  'realized_net',
  'fees_paid',
  'fees_charged',
  'trades_closed',
  'last_ts',
  'last_seq',
  'last_price',
  'last_price_ts',
  'opened_at',
] as const;
const TRADE_COLUMNS = [
  'account',
  'bot',
  'symbol',
  'strategy',
  'direction',
  'status',
  'qty',
  'open_qty',
  'entry_ts',
  'exit_ts',
  'last_ts',
  'entry_value',
  'exit_qty',
  'exit_value',
  'gross',
  'fees',
  'net',
  'min_price',
  'max_price',
  'bar_low',
  'bar_high',
  'fill_count',
] as const;
const ORDER_COLUMNS = [
  'status',
  'is_open',
  'filled_qty',
  'filled_value',
  'first_fill_at',
  'created_at',
  'updated_at',
] as const;
const DAILY_COLUMNS = ['trades', 'wins', 'losses', 'gross', 'fees', 'net', 'cash_flows'] as const;

/**
 * Recomputes every projection that is a pure function of the stored facts — fills' realized
 * P&L, ledger positions and lots, round trips (with MAE/MFE from the stored minute bars),
 * orders, accounts' cash-flow sums and the trade and cash-flow figures of daily summaries — and
 * compares them with what is stored. Equity points and start/end-of-day equity are records of
 * the live valuation (they depend on when marks arrived) and are not re-derived.
 */
export async function rebuildProjections(
  db: Db,
  settings: IngestSettings,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const max = options.maxDifferences ?? 200;
  const report: RebuildReport = {
    keys: 0,
    fills: 0,
    trades: 0,
    orders: 0,
    differences: [],
    counts: {},
    fixed: false,
  };
  const diff = (d: Difference) => {
    report.counts[d.table] = (report.counts[d.table] ?? 0) + 1;
    if (report.differences.length < max) report.differences.push(d);
  };
  const now = options.now ?? Date.now();
  const keys =
    options.keys ??
    (await db.selectFrom('fills').select(['account', 'bot', 'symbol']).distinct().execute()).map(
      (k) => ({
        account: k.account,
        bot: k.bot,
        symbol: k.symbol,
      }),
    );
  const allClosed: Trip[] = [];

  for (const key of keys) {
    report.keys++;
    const rows = await db
      .selectFrom('fills')
      .selectAll()
      .where('account', '=', key.account)
      .where('bot', '=', key.bot)
      .where('symbol', '=', key.symbol)
      .orderBy('ts')
      .orderBy('seq')
      .execute();
    if (rows.length === 0) continue;
    report.fills += rows.length;
    const multiplier = settings.multiplier(key.symbol);
    const fills: LedgerFill[] = rows.map(toLedgerFill);
    const result = replay(key, multiplier, fills, emptyState(key, multiplier));
    const trips = result.trips;
    const bars = await storedBarRanges(db, trips);
    const openTrip = result.state.trip;
    const state = result.state;
    report.trades += trips.length;
    allClosed.push(...trips.filter((t) => t.status === 'closed'));

    // Fills' effects.
    const effects = new Map(result.effects.map((e) => [e.seq, e]));
    const fillFixes: { seq: number; set: Partial<FillsTable> }[] = [];
    for (const row of rows) {
      const e = effects.get(row.seq)!;
      const rebuilt = {
        realized_gross: decToString(e.realizedGross),
        realized_net: decToString(e.realizedNet),
        fee_charged: decToString(e.feeCharged),
        position_after: decToString(e.positionAfter),
        trade_id: e.tradeId,
        next_trade_id: e.nextTradeId,
      };
      const set: Partial<FillsTable> = {};
      for (const c of FILL_EFFECT_COLUMNS) {
        if (rebuilt[c] !== row[c]) {
          diff({
            table: 'fills',
            key: `${row.bot}/${row.id}`,
            column: c,
            stored: row[c],
            rebuilt: rebuilt[c],
          });
          (set as Record<string, unknown>)[c] = rebuilt[c];
        }
      }
      if (Object.keys(set).length > 0) fillFixes.push({ seq: row.seq, set });
    }

    // Ledger position.
    const stored = await db
      .selectFrom('ledger_positions')
      .selectAll()
      .where('account', '=', key.account)
      .where('bot', '=', key.bot)
      .where('symbol', '=', key.symbol)
      .executeTakeFirst();
    const positionRow = keyStateToRow(state, openTrip, stored?.updated_at ?? now);
    let positionDiffers = !stored;
    if (!stored) {
      diff({
        table: 'ledger_positions',
        key: keyLabel(key),
        column: '(row)',
        stored: null,
        rebuilt: positionRow.qty,
      });
    } else {
      for (const c of POSITION_COLUMNS) {
        if (positionRow[c] !== stored[c]) {
          positionDiffers = true;
          diff({
            table: 'ledger_positions',
            key: keyLabel(key),
            column: c,
            stored: stored[c],
            rebuilt: positionRow[c],
          });
        }
      }
    }

    // Round trips of this key.
    const storedTrades = await db
      .selectFrom('trades')
      .selectAll()
      .where('account', '=', key.account)
      .where('bot', '=', key.bot)
      .where('symbol', '=', key.symbol)
      .execute();
    const storedById = new Map(storedTrades.map((t) => [t.id, t]));
    const rebuiltRows = trips.map((t) => tripToRow(t, multiplier, bars.get(t.id) ?? null));
    const rebuiltIds = new Set(rebuiltRows.map((t) => t.id));
    const tradeFixes: typeof rebuiltRows = [];
    for (const t of rebuiltRows) {
      const s = storedById.get(t.id);
      if (!s) {
        diff({ table: 'trades', key: t.id, column: '(row)', stored: null, rebuilt: t.status });
        tradeFixes.push(t);
        continue;
      }
      let differs = false;
      for (const c of TRADE_COLUMNS) {
        if (t[c] !== s[c]) {
          differs = true;
          diff({ table: 'trades', key: t.id, column: c, stored: s[c], rebuilt: t[c] });
        }
      }
      if (differs) tradeFixes.push(t);
    }
    const extraTrades = storedTrades.filter((t) => !rebuiltIds.has(t.id)).map((t) => t.id);
    for (const id of extraTrades)
      diff({ table: 'trades', key: id, column: '(row)', stored: 'present', rebuilt: null });

    if (
      options.fix &&
      (fillFixes.length > 0 || positionDiffers || tradeFixes.length > 0 || extraTrades.length > 0)
    ) {
      await db.transaction().execute(async (trx) => {
        for (const f of fillFixes)
          await trx.updateTable('fills').set(f.set).where('seq', '=', f.seq).execute();
        if (positionDiffers) {
          const { account: _a, bot: _b, symbol: _s, ...rest } = positionRow;
          await trx
            .insertInto('ledger_positions')
            .values(positionRow)
            .onConflict((oc) => oc.columns(['account', 'bot', 'symbol']).doUpdateSet(rest))
            .execute();
        }
        if (extraTrades.length > 0)
          await trx.deleteFrom('trades').where('id', 'in', extraTrades).execute();
        for (const t of tradeFixes) {
          const { id: _id, ...rest } = t;
          await trx
            .insertInto('trades')
            .values(t)
            .onConflict((oc) => oc.column('id').doUpdateSet(rest))
            .execute();
        }
      });
    }
  }

  // Orders, accounts and daily summaries are global: only on a full rebuild.
  if (!options.keys) {
    report.orders = await rebuildOrders(db, diff, options.fix ?? false);
    await rebuildCashFlows(db, diff, options.fix ?? false);
    await rebuildDaily(db, settings, allClosed, diff, options.fix ?? false);
  }
  report.fixed = (options.fix ?? false) && Object.keys(report.counts).length > 0;
  return report;
}

function keyLabel(k: LedgerKey): string {
  return `${k.account}/${k.bot}/${k.symbol}`;
}

export function toLedgerFill(f: FillsTable): LedgerFill {
  return {
    seq: f.seq,
    id: f.id,
    ts: f.ts,
    side: f.side === 'sell' ? 'sell' : 'buy',
    qty: decFromString(f.qty),
    price: decFromString(f.price),
    fee: decFromString(f.fee),
    strategy: f.strategy,
  };
}

/** Mark-bar extremes of each trip over its span, from the stored one-minute bars (ingest/trip-fold.ts). */
async function storedBarRanges(db: Db, trips: Trip[]): Promise<Map<string, BarRange | null>> {
  const out = new Map<string, BarRange | null>();
  if (trips.length === 0) return out;
  const symbol = trips[0]!.symbol;
  const from = Math.min(...trips.map((t) => Math.floor(t.entryTs / 60_000) * 60_000));
  const bars = (
    await db
      .selectFrom('mark_bars')
      .select(['minute', 'low', 'high'])
      .where('symbol', '=', symbol)
      .where('minute', '>=', from)
      .execute()
  ).map((b) => ({ minute: b.minute, low: decFromString(b.low), high: decFromString(b.high) }));
  for (const t of trips) out.set(t.id, foldBars(null, t, bars));
  return out;
}

const TERMINAL = new Set<string>(TERMINAL_ORDER_STATUSES);

async function rebuildOrders(db: Db, diff: (d: Difference) => void, fix: boolean): Promise<number> {
  const events = await db
    .selectFrom('order_events')
    .selectAll()
    .orderBy('bot')
    .orderBy('order_id')
    .execute();
  const byOrder = new Map<string, typeof events>();
  for (const e of events) {
    const k = `${e.bot}\u0000${e.order_id}`;
    const list = byOrder.get(k) ?? [];
    list.push(e);
    byOrder.set(k, list);
  }
  let count = 0;
  for (const [k, list] of byOrder) {
    count++;
    const [bot, orderId] = k.split('\u0000') as [string, string];
    list.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    const last = list[list.length - 1]!;
    const fills = await db
      .selectFrom('fills')
      .select(['qty', 'price', 'ts'])
      .where('bot', '=', bot)
      .where('order_id', '=', orderId)
      .execute();
    let filledQty: Dec = ZERO;
    let filledValue: Dec = ZERO;
    let firstFill: number | null = null;
    for (const f of fills) {
      const q = decFromString(f.qty);
      filledQty = add(filledQty, q);
      filledValue = add(filledValue, mul(q, decFromString(f.price)));
      firstFill = firstFill === null ? f.ts : Math.min(firstFill, f.ts);
    }
    const rebuilt: Pick<OrdersTable, (typeof ORDER_COLUMNS)[number]> = {
      status: last.status,
      is_open: TERMINAL.has(last.status) ? 0 : 1,
      filled_qty: decToString(filledQty),
      filled_value: decToString(filledValue),
      first_fill_at: firstFill,
      created_at: list[0]!.ts,
      updated_at: last.ts,
    };
    const stored = await db
      .selectFrom('orders')
      .selectAll()
      .where('bot', '=', bot)
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    if (!stored) {
      diff({
        table: 'orders',
        key: `${bot}/${orderId}`,
        column: '(row)',
        stored: null,
        rebuilt: rebuilt.status,
      });
      continue;
    }
    let differs = false;
    for (const c of ORDER_COLUMNS) {
      if (rebuilt[c] !== stored[c]) {
        differs = true;
        diff({
          table: 'orders',
          key: `${bot}/${orderId}`,
          column: c,
          stored: stored[c],
          rebuilt: rebuilt[c],
        });
      }
    }
    if (differs && fix) {
      await db
        .updateTable('orders')
        .set(rebuilt)
        .where('bot', '=', bot)
        .where('order_id', '=', orderId)
        .execute();
    }
  }
  return count;
}

async function rebuildCashFlows(
  db: Db,
  diff: (d: Difference) => void,
  fix: boolean,
): Promise<void> {
  const flows = await db.selectFrom('cash_flows').select(['account', 'amount']).execute();
  const sums = new Map<string, Dec>();
  for (const f of flows)
    sums.set(f.account, add(sums.get(f.account) ?? ZERO, decFromString(f.amount)));
  for (const a of await db.selectFrom('accounts').select(['id', 'cash_flows']).execute()) {
    const rebuilt = decToString(sums.get(a.id) ?? ZERO);
    if (rebuilt !== a.cash_flows) {
      diff({ table: 'accounts', key: a.id, column: 'cash_flows', stored: a.cash_flows, rebuilt });
      if (fix)
        await db
          .updateTable('accounts')
          .set({ cash_flows: rebuilt })
          .where('id', '=', a.id)
          .execute();
    }
  }
}

async function rebuildDaily(
  db: Db,
  settings: IngestSettings,
  closed: Trip[],
  diff: (d: Difference) => void,
  fix: boolean,
): Promise<void> {
  type Figures = {
    trades: number;
    wins: number;
    losses: number;
    gross: Dec;
    fees: Dec;
    net: Dec;
    cash_flows: Dec;
  };
  const rows = new Map<string, Figures>();
  const get = (scope: string, date: string) => {
    const k = `${scope}\u0000${date}`;
    let r = rows.get(k);
    if (!r) {
      r = { trades: 0, wins: 0, losses: 0, gross: ZERO, fees: ZERO, net: ZERO, cash_flows: ZERO };
      rows.set(k, r);
    }
    return r;
  };
  for (const t of closed) {
    const date = tradingDay(t.exitTs!, settings.timezone);
    for (const scope of ['portfolio', `account:${t.account}`, `bot:${t.bot}`]) {
      const r = get(scope, date);
      r.trades++;
      if (t.net > ZERO) r.wins++;
      if (t.net < ZERO) r.losses++;
      r.gross = add(r.gross, t.gross);
      r.fees = add(r.fees, t.fees);
      r.net = add(r.net, t.net);
    }
  }
  for (const f of await db.selectFrom('cash_flows').select(['account', 'amount', 'ts']).execute()) {
    const date = tradingDay(f.ts, settings.timezone);
    for (const scope of ['portfolio', `account:${f.account}`]) {
      const r = get(scope, date);
      r.cash_flows = add(r.cash_flows, decFromString(f.amount));
    }
  }
  const stored = await db.selectFrom('daily_summaries').selectAll().execute();
  const seen = new Set<string>();
  for (const s of stored) {
    const k = `${s.scope}\u0000${s.date}`;
    seen.add(k);
    const r = rows.get(k) ?? {
      trades: 0,
      wins: 0,
      losses: 0,
      gross: ZERO,
      fees: ZERO,
      net: ZERO,
      cash_flows: ZERO,
    };
    const rebuilt = {
      trades: r.trades,
      wins: r.wins,
      losses: r.losses,
      gross: decToString(r.gross),
      fees: decToString(r.fees),
      net: decToString(r.net),
      cash_flows: decToString(r.cash_flows),
    };
    let differs = false;
    for (const c of DAILY_COLUMNS) {
      if (rebuilt[c] !== s[c]) {
        differs = true;
        diff({
          table: 'daily_summaries',
          key: `${s.scope}/${s.date}`,
          column: c,
          stored: s[c],
          rebuilt: rebuilt[c],
        });
      }
    }
    if (differs && fix) {
      await db
        .updateTable('daily_summaries')
        .set(rebuilt)
        .where('scope', '=', s.scope)
        .where('date', '=', s.date)
        .execute();
    }
  }
  for (const [k, r] of rows) {
    if (seen.has(k) || (r.trades === 0 && r.cash_flows === ZERO)) continue;
    const [scope, date] = k.split('\u0000') as [string, string];
    diff({
      table: 'daily_summaries',
      key: `${scope}/${date}`,
      column: '(row)',
      stored: null,
      rebuilt: r.trades,
    });
  }
}
