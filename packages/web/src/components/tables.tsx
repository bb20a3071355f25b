import type { FillRow, LogRow, OrderRow, PositionRow, TradeRow } from '@tradewatch/protocol';
import { memo } from 'react';
import { Link } from 'wouter';
import type { FeedItem } from '../api/types.js';
import { formatDuration } from '../format/format.js';
import { Age, Level, Money, Pnl, Qty, Side, Sym, Time } from './format.js';
import { TableWrap } from './states.js';

export const botHref = (id: string) => `/bots/${encodeURIComponent(id)}`;
export const tradeHref = (id: string) => `/journal/trades/${encodeURIComponent(id)}`;

export function PositionsTable({
  rows,
  showBot = true,
}: {
  rows: PositionRow[];
  showBot?: boolean;
}) {
  return (
    <TableWrap label="Open positions">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            {showBot ? <th scope="col">Bot</th> : null}
            <th scope="col" className="hide-sm">
              Account
            </th>
            <th scope="col" className="r">
              Qty
            </th>
            <th scope="col" className="r hide-sm">
              Avg price
            </th>
            <th scope="col" className="r hide-sm">
              Last
            </th>
            <th scope="col" className="r hide-sm">
              Value
            </th>
            <th scope="col" className="r">
              Unrealized
            </th>
            <th scope="col" className="hide-sm">
              Opened
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={`${p.account}|${p.bot}|${p.symbol}`}>
              <td>
                {p.trade_id ? (
                  <Link href={tradeHref(p.trade_id)}>
                    <Sym symbol={p.symbol} />
                  </Link>
                ) : (
                  <Sym symbol={p.symbol} />
                )}
              </td>
              {showBot ? (
                <td className="nowrap">
                  <Link href={botHref(p.bot)}>{p.bot}</Link>
                </td>
              ) : null}
              <td className="hide-sm">{p.account}</td>
              <td className="r nowrap">
                <Side side={p.side} /> <Qty value={Math.abs(p.qty)} />
              </td>
              <td className="r hide-sm">
                <Qty value={p.avg_price} />
              </td>
              <td
                className="r hide-sm"
                title={p.last_price_at ? `priced ${p.last_price_at}` : 'no mark yet'}
              >
                <Qty value={p.last_price} />
              </td>
              <td className="r hide-sm">
                <Money value={p.market_value} currency={p.currency} />
              </td>
              <td className="r">
                <Pnl value={p.unrealized_pnl} currency={p.currency} />
              </td>
              <td className="hide-sm">
                <Time iso={p.opened_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function OrdersTable({ rows }: { rows: OrderRow[] }) {
  return (
    <TableWrap label="Orders">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col">Bot</th>
            <th scope="col">Side</th>
            <th scope="col" className="r">
              Qty
            </th>
            <th scope="col" className="hide-sm">
              Type
            </th>
            <th scope="col" className="r">
              Price
            </th>
            <th scope="col" className="r hide-sm">
              Filled
            </th>
            <th scope="col">Status</th>
            <th scope="col">Age</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={`${o.bot}|${o.order_id}`}>
              <td title={`order ${o.order_id}`}>
                <Sym symbol={o.symbol} />
              </td>
              <td className="nowrap">
                <Link href={botHref(o.bot)}>{o.bot}</Link>
              </td>
              <td>
                <Side side={o.side} />
              </td>
              <td className="r">
                <Qty value={o.qty} />
              </td>
              <td className="hide-sm">{o.order_type}</td>
              <td className="r">
                {o.limit_price !== null ? (
                  <Qty value={o.limit_price} />
                ) : o.stop_price !== null ? (
                  <Qty value={o.stop_price} />
                ) : (
                  'market'
                )}
              </td>
              <td className="r hide-sm">
                <Qty value={o.filled_qty} />
              </td>
              <td>{o.status}</td>
              <td>
                <Age iso={o.created_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function FillsTable({
  rows,
  currencyOf,
}: {
  rows: FillRow[];
  currencyOf: (account: string) => string;
}) {
  return (
    <TableWrap label="Fills">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Symbol</th>
            <th scope="col">Bot</th>
            <th scope="col">Side</th>
            <th scope="col" className="r">
              Qty
            </th>
            <th scope="col" className="r">
              Price
            </th>
            <th scope="col" className="r hide-sm">
              Fee
            </th>
            <th scope="col" className="r">
              Realized
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => {
            const currency = currencyOf(f.account);
            return (
              <tr key={`${f.bot}|${f.id}`}>
                <td>
                  <Time iso={f.ts} />
                </td>
                <td>
                  {f.trade_id ? (
                    <Link href={tradeHref(f.trade_id)}>
                      <Sym symbol={f.symbol} />
                    </Link>
                  ) : (
                    <Sym symbol={f.symbol} />
                  )}
                </td>
                <td className="nowrap">
                  <Link href={botHref(f.bot)}>{f.bot}</Link>
                </td>
                <td>
                  <Side side={f.side} />
                </td>
                <td className="r">
                  <Qty value={f.qty} />
                </td>
                <td className="r">
                  <Qty value={f.price} />
                </td>
                <td className="r hide-sm">
                  <Money value={f.fee} currency={f.fee_currency ?? currency} />
                </td>
                <td className="r">
                  {f.realized_pnl === 0 && f.realized_pnl_gross === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    <Pnl value={f.realized_pnl} currency={currency} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function TradesMiniTable({
  rows,
  currencyOf,
  showBot = true,
}: {
  rows: TradeRow[];
  currencyOf: (account: string) => string;
  showBot?: boolean;
}) {
  return (
    <TableWrap label="Trades">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            {showBot ? <th scope="col">Bot</th> : null}
            <th scope="col" className="hide-sm">
              Direction
            </th>
            <th scope="col" className="hide-sm">
              Entry
            </th>
            <th scope="col" className="hide-sm">
              Duration
            </th>
            <th scope="col" className="hide-sm">
              Status
            </th>
            <th scope="col" className="r">
              Net P&amp;L
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.id}>
              <td>
                <Link href={tradeHref(t.id)}>
                  <Sym symbol={t.symbol} />
                </Link>
              </td>
              {showBot ? (
                <td className="nowrap">
                  <Link href={botHref(t.bot)}>{t.bot}</Link>
                </td>
              ) : null}
              <td className="hide-sm">
                <Side side={t.direction} />
              </td>
              <td className="hide-sm">
                <Time iso={t.entry_at} />
              </td>
              <td className="hide-sm">{formatDuration(t.duration_s)}</td>
              <td className="hide-sm">{t.status}</td>
              <td className="r">
                <Pnl value={t.net_pnl} currency={currencyOf(t.account)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export function LogsTable({ rows, showBot = true }: { rows: LogRow[]; showBot?: boolean }) {
  return (
    <TableWrap label="Log lines">
      <table className="table logs">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Level</th>
            {showBot ? <th scope="col">Bot</th> : null}
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((l) => (
            <tr key={l.id} className={`row-${l.level}`}>
              <td className="nowrap">
                <Time iso={l.ts} />
              </td>
              <td>
                <Level level={l.level} />
              </td>
              {showBot ? (
                <td>
                  <Link href={botHref(l.bot)}>{l.bot}</Link>
                </td>
              ) : null}
              <td className="msg">
                <span className="msg-text">{l.message}</span>
                {l.context ? (
                  <details className="ctx">
                    <summary>context</summary>
                    <pre>{JSON.stringify(l.context, null, 2)}</pre>
                  </details>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** A feed row renders once: later messages add rows, they never change old ones. */
const FeedRow = memo(function FeedRow({ i }: { i: FeedItem }) {
  return (
    <li className={`feed-item ${i.level ? `row-${i.level}` : ''}`}>
      <span className="feed-time">
        <Time iso={i.ts} />
      </span>
      <span className={`feed-kind kind-${i.kind.replace(/[^a-z_]/g, '-')}`}>
        {i.kind.replace(/^log\./, '')}
      </span>
      {i.bot ? <span className="feed-bot">{i.bot}</span> : null}
      <span className="feed-summary">{i.summary}</span>
    </li>
  );
});

export function FeedList({ items }: { items: FeedItem[] }) {
  return (
    <ol className="feed" aria-live="polite" aria-relevant="additions">
      {items.map((i) => (
        <FeedRow key={i.key} i={i} />
      ))}
    </ol>
  );
}
