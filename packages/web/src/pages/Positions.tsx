import { useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { useFills, useOrders, usePortfolio, usePositions } from '../api/hooks.js';
import type { KeyFilters } from '../api/keys.js';
import { Empty, QueryView, Section } from '../components/states.js';
import { FillsTable, OrdersTable, PositionsTable } from '../components/tables.js';
import { currencyLookup } from './Overview.js';

const FILLS_PAGE = 50;
/** Rows rendered before "Show all" (a thousand rows render slowly on a phone). */
const POSITIONS_SHOWN = 200;

/** Older pages of fills, fetched on demand. */
function OlderFills({
  filters,
  cursor,
  currencyOf,
  onNext,
}: {
  filters: KeyFilters;
  cursor: string;
  currencyOf: (a: string) => string;
  onNext: (c: string) => void;
}) {
  const page = useFills({ ...filters, limit: FILLS_PAGE, cursor });
  return (
    <QueryView query={page}>
      {(d) => (
        <>
          <FillsTable rows={d.items} currencyOf={currencyOf} />
          {d.next_cursor ? <NextButton onClick={() => onNext(d.next_cursor!)} /> : null}
        </>
      )}
    </QueryView>
  );
}

function NextButton({ onClick }: { onClick: () => void }) {
  return (
    <p className="actions-row">
      <button type="button" className="btn btn-small" onClick={onClick}>
        Older fills
      </button>
    </p>
  );
}

export default function Positions() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const scope = params.get('bot')
    ? `bot:${params.get('bot')}`
    : params.get('account')
      ? `account:${params.get('account')}`
      : 'all';
  const filters: KeyFilters = {
    ...(params.get('bot') ? { bot: params.get('bot')! } : {}),
    ...(params.get('account') ? { account: params.get('account')! } : {}),
  };
  const portfolio = usePortfolio();
  const positions = usePositions(filters);
  const orders = useOrders({ ...filters, status: 'open', limit: 200 });
  const fills = useFills({ ...filters, limit: FILLS_PAGE });
  const [older, setOlder] = useState<string[]>([]);
  const [allPositions, setAllPositions] = useState(false);
  const currencyOf = currencyLookup(portfolio.data);

  const setScope = (value: string) => {
    setOlder([]);
    const [kind, ...rest] = value.split(':');
    const id = rest.join(':');
    const q =
      kind === 'bot'
        ? `?bot=${encodeURIComponent(id)}`
        : kind === 'account'
          ? `?account=${encodeURIComponent(id)}`
          : '';
    navigate(`/positions${q}`, { replace: true });
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Positions &amp; orders</h1>
        <label className="inline-field">
          <span>Scope</span>
          <select value={scope} onChange={(e) => setScope(e.target.value)} data-search>
            <option value="all">All accounts and bots</option>
            {(portfolio.data?.accounts ?? []).map((a) => (
              <option key={a.account} value={`account:${a.account}`}>
                Account {a.name}
              </option>
            ))}
            {(portfolio.data?.bots ?? []).map((b) => (
              <option key={b.bot} value={`bot:${b.bot}`}>
                Bot {b.bot}
              </option>
            ))}
          </select>
        </label>
      </div>
      <nav className="tabs" aria-label="Sections">
        <a href="#open-positions">Positions</a>
        <a href="#open-orders">Open orders</a>
        <a href="#recent-fills">Recent fills</a>
      </nav>
      <Section title="Open positions" id="open-positions">
        <QueryView query={positions}>
          {(d) =>
            d.items.length === 0 ? (
              <Empty>No open positions.</Empty>
            ) : (
              <>
                <PositionsTable rows={allPositions ? d.items : d.items.slice(0, POSITIONS_SHOWN)} />
                {!allPositions && d.items.length > POSITIONS_SHOWN ? (
                  <p className="actions-row">
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => setAllPositions(true)}
                    >
                      Show all {d.items.length} positions
                    </button>
                  </p>
                ) : null}
              </>
            )
          }
        </QueryView>
      </Section>
      <Section title="Open orders" id="open-orders">
        <QueryView query={orders}>
          {(d) =>
            d.items.length === 0 ? (
              <Empty>No working orders.</Empty>
            ) : (
              <OrdersTable rows={d.items} />
            )
          }
        </QueryView>
      </Section>
      <Section title="Recent fills" id="recent-fills">
        <QueryView query={fills}>
          {(d) =>
            d.items.length === 0 ? (
              <Empty>No fills yet.</Empty>
            ) : (
              <>
                <FillsTable rows={d.items} currencyOf={currencyOf} />
                {older.length === 0 && d.next_cursor ? (
                  <NextButton onClick={() => setOlder([d.next_cursor!])} />
                ) : null}
              </>
            )
          }
        </QueryView>
        {older.map((cursor, i) => (
          <OlderFills
            key={cursor}
            filters={filters}
            cursor={cursor}
            currencyOf={currencyOf}
            onNext={(c) => setOlder((o) => (o.length === i + 1 ? [...o, c] : o))}
          />
        ))}
      </Section>
    </div>
  );
}
