import type { TradeRow } from '@tradewatch/protocol';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useAggregate, useBots, usePortfolio, useTrades } from '../api/hooks.js';
import type { AggregateRow } from '../api/types.js';
import { LazyPnlBars } from '../charts/index.js';
import { Pct, Pnl, Qty, Side, Sym, Time } from '../components/format.js';
import { Empty, QueryView, Section, TableWrap } from '../components/states.js';
import { botHref, tradeHref } from '../components/tables.js';
import { formatDate, formatDuration, formatNumber } from '../format/format.js';
import {
  activeFilterCount,
  DEFAULT_FILTERS,
  journalSearch,
  PAGE_SIZES,
  parseJournalSearch,
  toggleSort,
  tradesApiQuery,
  withFilter,
  type JournalFilters,
  type JournalView,
  type TradeSort,
} from '../state/journal-filters.js';
import { currencyLookup } from './Overview.js';

/** The journal's last query string, so a trade's page can link back to the same view. */
export const LAST_JOURNAL_KEY = 'tradewatch.journal.last';

const COLUMNS: { key: TradeSort | null; label: string; className?: string }[] = [
  { key: 'entry_at', label: 'Entry' },
  { key: 'symbol', label: 'Symbol' },
  { key: 'bot', label: 'Bot', className: 'hide-sm' },
  { key: 'account', label: 'Account', className: 'hide-md' },
  { key: 'strategy', label: 'Strategy', className: 'hide-md' },
  { key: 'direction', label: 'Dir', className: 'hide-sm' },
  { key: 'status', label: 'Status', className: 'hide-md' },
  { key: null, label: 'Qty', className: 'r hide-sm' },
  { key: null, label: 'Entry / exit price', className: 'r hide-sm' },
  { key: 'net_pnl', label: 'Net P&L', className: 'r' },
  { key: 'return_pct', label: 'Return', className: 'r hide-sm' },
  { key: 'duration_s', label: 'Duration', className: 'r hide-sm' },
  { key: null, label: 'MAE / MFE', className: 'r hide-md' },
  { key: 'fill_count', label: 'Fills', className: 'r hide-md' },
  { key: null, label: 'Tags & notes', className: 'hide-sm' },
];

function SortHeader({
  col,
  f,
  onSort,
}: {
  col: (typeof COLUMNS)[number];
  f: JournalFilters;
  onSort: (s: TradeSort) => void;
}) {
  if (!col.key) {
    return (
      <th scope="col" className={col.className}>
        {col.label}
      </th>
    );
  }
  const active = f.sort === col.key;
  const dir = active ? (f.order === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th scope="col" className={col.className} aria-sort={dir}>
      <button
        type="button"
        className={`sort ${active ? 'on' : ''}`}
        onClick={() => onSort(col.key!)}
      >
        {col.label}
        <span aria-hidden="true" className="sort-arrow">
          {active ? (f.order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

function TradesTable({
  rows,
  f,
  onSort,
  currencyOf,
}: {
  rows: TradeRow[];
  f: JournalFilters;
  onSort: (s: TradeSort) => void;
  currencyOf: (a: string) => string;
}) {
  return (
    <TableWrap label="Trades">
      <table className="table journal">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <SortHeader key={c.label} col={c} f={f} onSort={onSort} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => {
            const c = currencyOf(t.account);
            return (
              <tr key={t.id}>
                <td className="nowrap">
                  <Link
                    href={tradeHref(t.id)}
                    aria-label={`Trade ${t.symbol} opened ${t.entry_at}`}
                  >
                    <Time iso={t.entry_at} />
                  </Link>
                </td>
                <td>
                  <Link href={tradeHref(t.id)}>
                    <Sym symbol={t.symbol} />
                  </Link>
                </td>
                <td className="nowrap hide-sm">
                  <Link href={botHref(t.bot)}>{t.bot}</Link>
                </td>
                <td className="hide-md">{t.account}</td>
                <td className="hide-md">{t.strategy ?? <span className="muted">—</span>}</td>
                <td className="hide-sm">
                  <Side side={t.direction} />
                </td>
                <td className="hide-md">{t.status}</td>
                <td className="r hide-sm">
                  <Qty value={t.qty} />
                </td>
                <td className="r hide-sm nowrap">
                  <Qty value={t.avg_entry_price} /> →{' '}
                  {t.avg_exit_price === null ? (
                    <span className="muted">open</span>
                  ) : (
                    <Qty value={t.avg_exit_price} />
                  )}
                </td>
                <td className="r">
                  <Pnl value={t.net_pnl} currency={c} />
                </td>
                <td className="r hide-sm">
                  <Pct value={t.return_pct} />
                </td>
                <td className="r hide-sm">{formatDuration(t.duration_s)}</td>
                <td className="r hide-md nowrap">
                  <Pnl value={t.mae} currency={c} compact /> /{' '}
                  <Pnl value={t.mfe} currency={c} compact />
                </td>
                <td className="r hide-md">{t.fill_count}</td>
                <td className="hide-sm notes-cell">
                  {t.tags.map((tag) => (
                    <span key={tag} className="tag">
                      {tag}
                    </span>
                  ))}
                  {t.notes ? (
                    <span className="note-snippet">
                      {t.notes.length > 80 ? `${t.notes.slice(0, 80)}…` : t.notes}
                    </span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

function AggregateView({ rows, period }: { rows: AggregateRow[]; period: 'day' | 'week' }) {
  const currencies = [...new Set(rows.map((r) => r.currency))];
  return (
    <>
      {currencies.map((currency) => {
        const mine = rows.filter((r) => r.currency === currency);
        return (
          <div key={currency} className="agg">
            {currencies.length > 1 ? <h3>{currency}</h3> : null}
            <LazyPnlBars
              bars={mine.map((r) => ({
                date: r.date,
                net: r.net_pnl,
                cumulative: r.cumulative_net_pnl,
              }))}
              currency={currency}
            />
            <TableWrap label={period === 'day' ? 'Daily P&L' : 'Weekly P&L'}>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{period === 'day' ? 'Day' : 'Week of'}</th>
                    <th scope="col" className="r">
                      Trades
                    </th>
                    <th scope="col" className="r hide-sm">
                      Won / lost
                    </th>
                    <th scope="col" className="r">
                      Win rate
                    </th>
                    <th scope="col" className="r hide-sm">
                      Gross
                    </th>
                    <th scope="col" className="r hide-sm">
                      Fees
                    </th>
                    <th scope="col" className="r">
                      Net
                    </th>
                    <th scope="col" className="r hide-sm">
                      Best / worst
                    </th>
                    <th scope="col" className="r">
                      Cumulative
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...mine].reverse().map((r) => (
                    <tr key={r.date}>
                      <td className="nowrap">{formatDate(r.date)}</td>
                      <td className="r">{r.trades}</td>
                      <td className="r hide-sm">
                        {r.wins} / {r.losses}
                      </td>
                      <td className="r">
                        {r.win_rate === null ? '—' : `${formatNumber(r.win_rate * 100, 0)}%`}
                      </td>
                      <td className="r hide-sm">
                        <Pnl value={r.gross_pnl} currency={currency} compact />
                      </td>
                      <td className="r hide-sm">
                        <Pnl value={-r.fees} currency={currency} compact />
                      </td>
                      <td className="r">
                        <Pnl value={r.net_pnl} currency={currency} />
                      </td>
                      <td className="r hide-sm nowrap">
                        <Pnl value={r.best} currency={currency} compact /> /{' '}
                        <Pnl value={r.worst} currency={currency} compact />
                      </td>
                      <td className="r">
                        <Pnl value={r.cumulative_net_pnl} currency={currency} compact />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </div>
        );
      })}
    </>
  );
}

/** Text filters apply on Enter or when the field is left; lists and dates at once. */
function FilterForm({
  f,
  onChange,
}: {
  f: JournalFilters;
  onChange: (next: JournalFilters) => void;
}) {
  const bots = useBots();
  const portfolio = usePortfolio();
  const [text, setText] = useState({
    strategy: f.strategy ?? '',
    symbol: f.symbol ?? '',
    tag: f.tag ?? '',
    q: f.q ?? '',
  });
  useEffect(
    () =>
      setText({
        strategy: f.strategy ?? '',
        symbol: f.symbol ?? '',
        tag: f.tag ?? '',
        q: f.q ?? '',
      }),
    [f.strategy, f.symbol, f.tag, f.q],
  );
  const commitText = () => {
    const change: Partial<JournalFilters> = {};
    for (const k of ['strategy', 'symbol', 'tag', 'q'] as const) {
      const v = text[k].trim();
      if ((f[k] ?? '') !== v) change[k] = v || undefined;
    }
    if (Object.keys(change).length > 0) onChange(withFilter(f, change));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    commitText();
  };
  const select = <K extends keyof JournalFilters>(k: K, v: string) =>
    onChange(withFilter(f, { [k]: v || undefined }));
  const count = activeFilterCount(f);
  // On a phone the filters fold away until asked for; on a wide screen they stay open.
  const [open] = useState(() => !window.matchMedia('(max-width: 760px)').matches);
  return (
    <details className="filters-box" open={open}>
      <summary>Filters{count > 0 ? ` (${count} active)` : ''}</summary>
      <form
        className="filters journal-filters"
        role="search"
        aria-label="Filter trades"
        onSubmit={submit}
      >
        <label className="inline-field">
          <span>From</span>
          <input
            type="date"
            value={f.from ?? ''}
            onChange={(e) => select('from', e.target.value)}
          />
        </label>
        <label className="inline-field">
          <span>To</span>
          <input type="date" value={f.to ?? ''} onChange={(e) => select('to', e.target.value)} />
        </label>
        <label className="inline-field">
          <span>Bot</span>
          <select value={f.bot ?? ''} onChange={(e) => select('bot', e.target.value)}>
            <option value="">All</option>
            {(bots.data?.items ?? []).map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
            {f.bot && !bots.data?.items.some((b) => b.id === f.bot) ? (
              <option value={f.bot}>{f.bot}</option>
            ) : null}
          </select>
        </label>
        <label className="inline-field">
          <span>Account</span>
          <select value={f.account ?? ''} onChange={(e) => select('account', e.target.value)}>
            <option value="">All</option>
            {(portfolio.data?.accounts ?? []).map((a) => (
              <option key={a.account} value={a.account}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        {(['symbol', 'strategy', 'tag'] as const).map((k) => (
          <label className="inline-field" key={k}>
            <span>{k[0]!.toUpperCase() + k.slice(1)}</span>
            <input
              type="text"
              value={text[k]}
              onChange={(e) => setText({ ...text, [k]: e.target.value })}
              onBlur={commitText}
              size={10}
              name={k}
            />
          </label>
        ))}
        <label className="inline-field">
          <span>Direction</span>
          <select value={f.direction ?? ''} onChange={(e) => select('direction', e.target.value)}>
            <option value="">Both</option>
            <option value="long">Long</option>
            <option value="short">Short</option>
          </select>
        </label>
        <label className="inline-field">
          <span>Outcome</span>
          <select
            value={f.outcome ?? ''}
            onChange={(e) => select('outcome', e.target.value)}
            name="outcome"
          >
            <option value="">All</option>
            <option value="win">Winners</option>
            <option value="loss">Losers</option>
          </select>
        </label>
        {f.view === 'trades' ? (
          <label className="inline-field">
            <span>Status</span>
            <select value={f.status ?? ''} onChange={(e) => select('status', e.target.value)}>
              <option value="">Open and closed</option>
              <option value="open">Open</option>
              <option value="closed">Closed</option>
            </select>
          </label>
        ) : null}
        <label className="inline-field grow">
          <span>Notes contain</span>
          <input
            type="search"
            value={text.q}
            onChange={(e) => setText({ ...text, q: e.target.value })}
            onBlur={commitText}
            data-search
            name="q"
          />
        </label>
        <div className="filter-actions">
          <button type="submit" className="btn btn-small">
            Apply
          </button>
          {count > 0 ? (
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => onChange({ ...DEFAULT_FILTERS, view: f.view, limit: f.limit })}
            >
              Clear {count} filter{count === 1 ? '' : 's'}
            </button>
          ) : null}
        </div>
      </form>
    </details>
  );
}

const VIEWS: { view: JournalView; label: string }[] = [
  { view: 'trades', label: 'Trades' },
  { view: 'day', label: 'Daily' },
  { view: 'week', label: 'Weekly' },
];

export default function Journal() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const f = useMemo(() => parseJournalSearch(search), [search]);
  const go = (next: JournalFilters) => navigate(`/journal${journalSearch(next)}`);
  // Cursors of the pages before this one, for "Newer"; a new filter starts afresh.
  const filterKey = journalSearch({ ...f, cursor: undefined });
  const history = useRef<{ key: string; cursors: (string | undefined)[] }>({
    key: filterKey,
    cursors: [],
  });
  if (history.current.key !== filterKey) history.current = { key: filterKey, cursors: [] };

  useEffect(() => {
    try {
      sessionStorage.setItem(LAST_JOURNAL_KEY, journalSearch(f));
    } catch {
      // storage unavailable: the trade page links to the plain journal
    }
  }, [f]);

  const portfolio = usePortfolio();
  const currencyOf = currencyLookup(portfolio.data);
  const tradesQuery = tradesApiQuery(f, true).toString();
  const trades = useTrades(tradesQuery, f.view === 'trades');
  const aggQuery = new URLSearchParams(tradesApiQuery(f, false));
  aggQuery.delete('sort');
  aggQuery.delete('order');
  aggQuery.delete('status');
  aggQuery.set('period', f.view === 'week' ? 'week' : 'day');
  const aggregate = useAggregate(aggQuery.toString(), f.view !== 'trades');
  const exportQuery = tradesApiQuery(f, false);
  const exportHref = (format: 'csv' | 'xlsx') =>
    `/api/v1/trades/export?format=${format}&${exportQuery.toString()}`;
  const page = history.current.cursors.length + 1;

  return (
    <div className="page">
      <div className="page-head">
        <h1>Journal</h1>
        <div className="seg" role="group" aria-label="View">
          {VIEWS.map((v) => (
            <Link
              key={v.view}
              href={`/journal${journalSearch(withFilter(f, { view: v.view }))}`}
              className={`seg-btn ${f.view === v.view ? 'on' : ''}`}
              aria-current={f.view === v.view ? 'page' : undefined}
            >
              {v.label}
            </Link>
          ))}
        </div>
        <div className="export">
          <span className="muted small">Export this filter:</span>
          <a className="btn btn-small" href={exportHref('csv')} download>
            CSV
          </a>
          <a className="btn btn-small" href={exportHref('xlsx')} download>
            XLSX
          </a>
        </div>
      </div>
      <FilterForm f={f} onChange={go} />
      {f.view === 'trades' ? (
        <Section
          title="Round-trip trades"
          id="journal-trades"
          actions={
            <label className="inline-field">
              <span>Per page</span>
              <select
                value={f.limit}
                onChange={(e) => go(withFilter(f, { limit: Number(e.target.value) }))}
              >
                {PAGE_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
          }
        >
          <QueryView query={trades} rows={6}>
            {(d) =>
              d.items.length === 0 ? (
                <Empty>
                  {activeFilterCount(f) > 0
                    ? 'No trades match these filters.'
                    : 'No trades yet: a round trip starts with a bot’s first fill.'}
                </Empty>
              ) : (
                <>
                  <TradesTable
                    rows={d.items}
                    f={f}
                    onSort={(s) => go(toggleSort(f, s))}
                    currencyOf={currencyOf}
                  />
                  <nav className="pager" aria-label="Pages">
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={page === 1}
                      onClick={() => {
                        const prev = history.current.cursors.pop();
                        go(withFilter(f, { cursor: prev }));
                      }}
                    >
                      ← Newer
                    </button>
                    <span className="muted small">
                      Page {page} · {d.items.length} trade{d.items.length === 1 ? '' : 's'}
                      {trades.isFetching ? ' · updating…' : ''}
                    </span>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={!d.next_cursor}
                      onClick={() => {
                        history.current.cursors.push(f.cursor);
                        go(withFilter(f, { cursor: d.next_cursor ?? undefined }));
                      }}
                    >
                      Older →
                    </button>
                  </nav>
                </>
              )
            }
          </QueryView>
        </Section>
      ) : (
        <Section
          title={f.view === 'day' ? 'Daily P&L of closed trades' : 'Weekly P&L of closed trades'}
          id="journal-aggregate"
        >
          <QueryView query={aggregate} rows={6}>
            {(d) =>
              d.items.length === 0 ? (
                <Empty>No closed trades match these filters.</Empty>
              ) : (
                <AggregateView rows={d.items} period={d.period} />
              )
            }
          </QueryView>
          <p className="muted small">
            Trades count on the trading day (or ISO week) they closed; the date filters select by
            entry time.
          </p>
        </Section>
      )}
    </div>
  );
}
