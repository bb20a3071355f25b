import { useState } from 'react';
import { Link, useParams } from 'wouter';
import {
  EQUITY_RANGES,
  useBot,
  useEquity,
  useLogs,
  usePortfolio,
  usePositions,
  useTrades,
  type EquityRange,
} from '../api/hooks.js';
import { LazyEquityChart } from '../charts/index.js';
import { Age, BotStatusBadge, Pnl } from '../components/format.js';
import { Empty, QueryView, Section } from '../components/states.js';
import { LogsTable, PositionsTable, TradesMiniTable } from '../components/tables.js';
import { Connections } from './Bots.js';
import { currencyLookup } from './Overview.js';

export default function Bot() {
  const { id = '' } = useParams<{ id: string }>();
  const bot = useBot(id);
  const portfolio = usePortfolio();
  const [range, setRange] = useState<EquityRange>('1M');
  const equity = useEquity(`bot:${id}`, range);
  const positions = usePositions({ bot: id });
  const trades = useTrades(
    new URLSearchParams({ bot: id, sort: 'entry_at', order: 'desc', limit: '20' }).toString(),
  );
  const logs = useLogs(new URLSearchParams({ bot: id, limit: '30' }).toString());
  const summary = portfolio.data?.bots.find((b) => b.bot === id);
  const currency = portfolio.data?.currency ?? 'USD';
  const currencyOf = currencyLookup(portfolio.data);

  return (
    <div className="page">
      <p className="crumbs">
        <Link href="/bots">Bots</Link> /
      </p>
      <QueryView query={bot} rows={2}>
        {(b) => (
          <>
            <div className="page-head">
              <h1>{b.name}</h1>
              <BotStatusBadge status={b.status} halted={b.halted} />
            </div>
            <dl className="facts">
              <div>
                <dt>Id</dt>
                <dd>{b.id}</dd>
              </div>
              <div>
                <dt>Framework</dt>
                <dd>{b.framework ?? '—'}</dd>
              </div>
              <div>
                <dt>Account</dt>
                <dd>{b.account ?? '—'}</dd>
              </div>
              <div>
                <dt>Version</dt>
                <dd>{b.version ?? '—'}</dd>
              </div>
              <div>
                <dt>Last heartbeat</dt>
                <dd>
                  <Age iso={b.last_heartbeat_at} />{' '}
                  <span className="muted">(every {b.heartbeat_interval_s} s)</span>
                </dd>
              </div>
              <div>
                <dt>Reported status</dt>
                <dd>{b.reported_status ?? '—'}</dd>
              </div>
              <div>
                <dt>Connections</dt>
                <dd>
                  <Connections connections={b.connections} />
                </dd>
              </div>
              <div>
                <dt>Last event</dt>
                <dd>
                  <Age iso={b.last_event_at} />
                </dd>
              </div>
            </dl>
          </>
        )}
      </QueryView>
      {summary ? (
        <div className="cards" role="list" aria-label="Bot P&L">
          {(
            [
              ['Today', summary.day_pnl],
              ['Total P&L', summary.total_pnl],
              ['Unrealized', summary.unrealized],
              ['Realized', summary.realized_net],
            ] as const
          ).map(([label, v]) => (
            <div className="card" role="listitem" key={label}>
              <div className="card-label">{label}</div>
              <div className="card-value">
                <Pnl value={v} currency={currency} />
              </div>
            </div>
          ))}
        </div>
      ) : null}
      <div className="grid">
        <Section
          title="Equity"
          className="span-3"
          id="bot-equity"
          actions={
            <div className="seg" role="group" aria-label="Range">
              {(Object.keys(EQUITY_RANGES) as EquityRange[]).map((r) => (
                <button
                  key={r}
                  type="button"
                  className={`seg-btn ${r === range ? 'on' : ''}`}
                  aria-pressed={r === range}
                  onClick={() => setRange(r)}
                >
                  {r}
                </button>
              ))}
            </div>
          }
        >
          <QueryView query={equity}>
            {(d) =>
              d.points.length < 2 ? (
                <Empty>No equity history for this bot yet.</Empty>
              ) : (
                <LazyEquityChart points={d.points} currency={currency} height={260} />
              )
            }
          </QueryView>
        </Section>
        <Section title="Open positions" className="span-3" id="bot-positions">
          <QueryView query={positions}>
            {(d) =>
              d.items.length === 0 ? (
                <Empty>No open positions.</Empty>
              ) : (
                <PositionsTable rows={d.items} showBot={false} />
              )
            }
          </QueryView>
        </Section>
        <Section
          title="Trades"
          className="span-3"
          id="bot-trades"
          actions={<Link href={`/journal?bot=${encodeURIComponent(id)}`}>In the journal</Link>}
        >
          <QueryView query={trades}>
            {(d) =>
              d.items.length === 0 ? (
                <Empty>No trades yet.</Empty>
              ) : (
                <TradesMiniTable rows={d.items} currencyOf={currencyOf} showBot={false} />
              )
            }
          </QueryView>
        </Section>
        <Section
          title="Logs"
          className="span-3"
          id="bot-logs"
          actions={<Link href={`/events?bot=${encodeURIComponent(id)}`}>All of them</Link>}
        >
          <QueryView query={logs}>
            {(d) =>
              d.items.length === 0 ? (
                <Empty>No log lines.</Empty>
              ) : (
                <LogsTable rows={d.items} showBot={false} />
              )
            }
          </QueryView>
        </Section>
      </div>
    </div>
  );
}
