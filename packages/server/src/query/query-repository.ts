import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import { ilike, type DialectName } from '../store/dialect.js';
import type { Database } from '../store/index.js';

type Db = Kysely<Database>;

export interface BaseFilters {
  bot?: string | undefined;
  account?: string | undefined;
  strategy?: string | undefined;
  symbol?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
}

/** Sortable trade columns: API name → SQL expression (with a null stand-in for keyset paging). */
export const TRADE_SORTS = {
  entry_at: 'entry_ts',
  exit_at: 'exit_ts',
  net_pnl: 'net_f',
  gross_pnl: 'gross_f',
  return_pct: 'return_pct',
  duration_s: 'duration_ms',
  symbol: 'symbol',
  bot: 'bot',
  account: 'account',
  strategy: 'strategy',
  direction: 'direction',
  fill_count: 'fill_count',
  status: 'status',
} as const;
export type TradeSort = keyof typeof TRADE_SORTS;
const TEXT_SORTS = new Set(['symbol', 'bot', 'account', 'strategy', 'direction', 'status']);
/** Sort columns that may be NULL (open trades have no exit, return or duration). */
const NULLABLE_SORTS = new Set(['exit_at', 'return_pct', 'duration_s', 'strategy']);
/** Nulls sort as this value, so keyset pagination has a total order. */
const NULL_NUMBER = Number.MIN_SAFE_INTEGER;

/** The keyset value of a trade row for a sort column (nulls replaced as in the ORDER BY). */
export function tradeSortKey(row: Database['trades'], sort: TradeSort): [string | number, string] {
  const v = (row as unknown as Record<string, string | number | null>)[TRADE_SORTS[sort]];
  return [v ?? (TEXT_SORTS.has(sort) ? '' : NULL_NUMBER), row.id];
}

export interface TradeFilters extends BaseFilters {
  status?: 'open' | 'closed' | undefined;
  direction?: 'long' | 'short' | undefined;
  outcome?: 'win' | 'loss' | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  sort: TradeSort;
  order: 'asc' | 'desc';
  after?: (string | number | null)[] | null;
}

/** Read-side SQL of the query API. */
export class QueryRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
  ) {}

  async fills(
    f: BaseFilters & { orderId?: string | undefined; tradeId?: string | undefined },
    after: (string | number | null)[] | null,
  ) {
    let q = this.db.selectFrom('fills').selectAll();
    q = applyKeyFilters(q, f);
    if (f.from !== undefined) q = q.where('ts', '>=', f.from);
    if (f.to !== undefined) q = q.where('ts', '<', f.to);
    if (f.orderId) q = q.where('order_id', '=', f.orderId);
    if (f.tradeId) {
      const id = f.tradeId;
      q = q.where((eb) => eb.or([eb('trade_id', '=', id), eb('next_trade_id', '=', id)]));
    }
    if (after) {
      const [ts, seq] = after as [number, number];
      q = q.where((eb) =>
        eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('seq', '<', seq)])]),
      );
    }
    return q
      .orderBy('ts', 'desc')
      .orderBy('seq', 'desc')
      .limit(f.limit + 1)
      .execute();
  }

  async orders(
    f: BaseFilters & { status?: 'open' | 'closed' | undefined },
    after: (string | number | null)[] | null,
  ) {
    let q = this.db.selectFrom('orders').selectAll();
    q = applyKeyFilters(q, f);
    if (f.status === 'open') q = q.where('is_open', '=', 1);
    if (f.status === 'closed') q = q.where('is_open', '=', 0);
    if (f.from !== undefined) q = q.where('updated_at', '>=', f.from);
    if (f.to !== undefined) q = q.where('updated_at', '<', f.to);
    if (after) {
      const [ts, bot, id] = after as [number, string, string];
      q = q.where((eb) =>
        eb.or([
          eb('updated_at', '<', ts),
          eb.and([eb('updated_at', '=', ts), eb('bot', '<', bot)]),
          eb.and([eb('updated_at', '=', ts), eb('bot', '=', bot), eb('order_id', '<', id)]),
        ]),
      );
    }
    return q
      .orderBy('updated_at', 'desc')
      .orderBy('bot', 'desc')
      .orderBy('order_id', 'desc')
      .limit(f.limit + 1)
      .execute();
  }

  private tradesBase(f: TradeFilters) {
    let q = this.db
      .selectFrom('trades as t')
      .leftJoin('trade_notes as n', 'n.trade_id', 't.id')
      .selectAll('t')
      .select(['n.notes as notes', 'n.tags as note_tags']);
    if (f.bot) q = q.where('t.bot', '=', f.bot);
    if (f.account) q = q.where('t.account', '=', f.account);
    if (f.strategy) q = q.where('t.strategy', '=', f.strategy);
    if (f.symbol) q = q.where('t.symbol', '=', f.symbol);
    if (f.status) q = q.where('t.status', '=', f.status);
    if (f.direction) q = q.where('t.direction', '=', f.direction);
    if (f.outcome === 'win') q = q.where('t.net_f', '>', 0).where('t.status', '=', 'closed');
    if (f.outcome === 'loss') q = q.where('t.net_f', '<', 0).where('t.status', '=', 'closed');
    // A date range selects trades by when they were opened.
    if (f.from !== undefined) q = q.where('t.entry_ts', '>=', f.from);
    if (f.to !== undefined) q = q.where('t.entry_ts', '<', f.to);
    if (f.tag) q = q.where('n.tags', 'like', `%${JSON.stringify(f.tag).replace(/[%_]/g, '')}%`);
    if (f.q) q = q.where('n.notes', ilike(this.dialect), `%${f.q.replace(/[%_\\]/g, '')}%`);
    return q;
  }

  async trades(f: TradeFilters) {
    const column = `t.${TRADE_SORTS[f.sort]}` as const;
    const isText = TEXT_SORTS.has(f.sort);
    const nullValue = isText ? '' : NULL_NUMBER;
    let q = this.tradesBase(f);
    const nullable = NULLABLE_SORTS.has(f.sort);
    const expr = (eb: ExpressionBuilder<Database & { t: Database['trades'] }, 't'>) =>
      nullable
        ? eb.fn.coalesce(eb.ref(column as 't.entry_ts'), eb.val(nullValue as number))
        : eb.ref(column as 't.entry_ts');
    if (f.after) {
      const [v, id] = f.after as [string | number, string];
      const cmp = f.order === 'desc' ? '<' : '>';
      q = q.where((eb) =>
        eb.or([
          eb(expr(eb), cmp, v as number),
          eb.and([eb(expr(eb), '=', v as number), eb('t.id', cmp, id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy((eb) => expr(eb), f.order)
      .orderBy('t.id', f.order)
      .limit(f.limit + 1)
      .execute();
    return rows;
  }

  /** Every trade matching the filters, in pages of `batch`, for streaming exports. */
  async *tradesAll(f: Omit<TradeFilters, 'limit' | 'after'>, batch = 2_000) {
    let after: (string | number | null)[] | null = null;
    for (;;) {
      const rows = await this.trades({ ...f, limit: batch, after });
      const page = rows.slice(0, batch);
      if (page.length > 0) yield page;
      if (rows.length <= batch) return;
      after = tradeSortKey(page[page.length - 1]!, f.sort);
    }
  }

  async tradeById(id: string) {
    return this.db
      .selectFrom('trades as t')
      .leftJoin('trade_notes as n', 'n.trade_id', 't.id')
      .selectAll('t')
      .select(['n.notes as notes', 'n.tags as note_tags'])
      .where('t.id', '=', id)
      .executeTakeFirst();
  }

  async upsertTradeNotes(row: Database['trade_notes']) {
    await this.db
      .insertInto('trade_notes')
      .values(row)
      .onConflict((oc) =>
        oc.column('trade_id').doUpdateSet({
          notes: row.notes,
          tags: row.tags,
          updated_at: row.updated_at,
          updated_by: row.updated_by,
        }),
      )
      .execute();
  }

  async equityPoints(
    scope: string,
    from: number | undefined,
    to: number | undefined,
    limit: number,
  ) {
    let q = this.db.selectFrom('equity_points').selectAll().where('scope', '=', scope);
    if (from !== undefined) q = q.where('ts', '>=', from);
    if (to !== undefined) q = q.where('ts', '<', to);
    // The most recent `limit` points, returned oldest first.
    const rows = await q.orderBy('ts', 'desc').limit(limit).execute();
    return rows.reverse();
  }

  async daily(scope: string, from: string | undefined, to: string | undefined, limit: number) {
    let q = this.db.selectFrom('daily_summaries').selectAll().where('scope', '=', scope);
    if (from) q = q.where('date', '>=', from);
    if (to) q = q.where('date', '<=', to);
    const rows = await q.orderBy('date', 'desc').limit(limit).execute();
    return rows.reverse();
  }

  /** Each scope's summary row for `date`, and its latest row before it (for start-of-day equity). */
  async dayRows(date: string) {
    const today = await this.db
      .selectFrom('daily_summaries')
      .selectAll()
      .where('date', '=', date)
      .execute();
    const previous = await this.db
      .selectFrom('daily_summaries as d')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('daily_summaries')
            .select(['scope'])
            .select((e) => e.fn.max('date').as('date'))
            .where('date', '<', date)
            .groupBy('scope')
            .as('l'),
        (join) => join.onRef('l.scope', '=', 'd.scope').onRef('l.date', '=', 'd.date'),
      )
      .select(['d.scope', 'd.end_equity'])
      .execute();
    return { today, previous };
  }

  async signals(f: BaseFilters, after: (string | number | null)[] | null) {
    let q = this.db.selectFrom('signals').selectAll();
    if (f.bot) q = q.where('bot', '=', f.bot);
    if (f.strategy) q = q.where('strategy', '=', f.strategy);
    if (f.symbol) q = q.where('symbol', '=', f.symbol);
    if (f.from !== undefined) q = q.where('ts', '>=', f.from);
    if (f.to !== undefined) q = q.where('ts', '<', f.to);
    if (after) {
      const [ts, seq] = after as [number, number];
      q = q.where((eb) =>
        eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('seq', '<', seq)])]),
      );
    }
    return q
      .orderBy('ts', 'desc')
      .orderBy('seq', 'desc')
      .limit(f.limit + 1)
      .execute();
  }

  async logs(
    f: BaseFilters & { level?: string[] | undefined; q?: string | undefined },
    after: (string | number | null)[] | null,
  ) {
    let q = this.db.selectFrom('logs').selectAll();
    if (f.bot) q = q.where('bot', '=', f.bot);
    if (f.level && f.level.length > 0) q = q.where('level', 'in', f.level);
    if (f.q) q = q.where('message', ilike(this.dialect), `%${f.q.replace(/[%_\\]/g, '')}%`);
    if (f.from !== undefined) q = q.where('ts', '>=', f.from);
    if (f.to !== undefined) q = q.where('ts', '<', f.to);
    if (after) {
      const [ts, seq] = after as [number, number];
      q = q.where((eb) =>
        eb.or([eb('ts', '<', ts), eb.and([eb('ts', '=', ts), eb('seq', '<', seq)])]),
      );
    }
    return q
      .orderBy('ts', 'desc')
      .orderBy('seq', 'desc')
      .limit(f.limit + 1)
      .execute();
  }
}

function applyKeyFilters<T extends 'fills' | 'orders', O>(
  q: SelectQueryBuilder<Database, T, O>,
  f: BaseFilters,
): SelectQueryBuilder<Database, T, O> {
  const eb = q as unknown as SelectQueryBuilder<Database, 'fills', O>;
  let r = eb;
  if (f.bot) r = r.where('bot', '=', f.bot);
  if (f.account) r = r.where('account', '=', f.account);
  if (f.strategy) r = r.where('strategy', '=', f.strategy);
  if (f.symbol) r = r.where('symbol', '=', f.symbol);
  return r as unknown as SelectQueryBuilder<Database, T, O>;
}
