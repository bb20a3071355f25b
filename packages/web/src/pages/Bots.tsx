import type { BotPnlSummary } from '@tradewatch/protocol';
import { Link } from 'wouter';
import { useBots, useLogs, usePortfolio } from '../api/hooks.js';
import { ConnectBot } from '../components/ConnectBot.js';
import { Age, BotStatusBadge, Pnl } from '../components/format.js';
import { Empty, QueryView, Section, TableWrap } from '../components/states.js';
import { botHref, LogsTable } from '../components/tables.js';

export function Connections({ connections }: { connections: Record<string, 'up' | 'down'> }) {
  const entries = Object.entries(connections);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <span className="conns">
      {entries.map(([name, state]) => (
        <span key={name} className={`conn-chip conn-chip-${state}`} title={`${name} is ${state}`}>
          <span aria-hidden="true">{state === 'up' ? '●' : '○'}</span> {name} {state}
        </span>
      ))}
    </span>
  );
}

export default function Bots() {
  const bots = useBots();
  const portfolio = usePortfolio();
  const logs = useLogs('limit=30');
  const pnl = new Map<string, BotPnlSummary>((portfolio.data?.bots ?? []).map((b) => [b.bot, b]));
  const currency = portfolio.data?.currency ?? 'USD';
  return (
    <div className="page">
      <h1>Bots</h1>
      <QueryView query={bots}>
        {(d) =>
          d.items.length === 0 ? (
            <ConnectBot />
          ) : (
            <Section
              title={`${d.items.length} bot${d.items.length === 1 ? '' : 's'}`}
              id="bot-list"
            >
              <TableWrap label="Bots">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Bot</th>
                      <th scope="col">Status</th>
                      <th scope="col">Last heartbeat</th>
                      <th scope="col" className="hide-sm">
                        Framework
                      </th>
                      <th scope="col" className="hide-sm">
                        Account
                      </th>
                      <th scope="col" className="hide-sm">
                        Connections
                      </th>
                      <th scope="col" className="hide-sm">
                        Version
                      </th>
                      <th scope="col" className="r">
                        Today
                      </th>
                      <th scope="col" className="r">
                        Open positions
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.items.map((b) => {
                      const p = pnl.get(b.id);
                      return (
                        <tr key={b.id}>
                          <td>
                            <Link href={botHref(b.id)} className="strong">
                              {b.name}
                            </Link>
                            {b.name !== b.id ? <div className="muted small">{b.id}</div> : null}
                          </td>
                          <td>
                            <BotStatusBadge status={b.status} halted={b.halted} />
                            {b.reported_status ? (
                              <div className="muted small">reports “{b.reported_status}”</div>
                            ) : null}
                          </td>
                          <td>
                            <Age iso={b.last_heartbeat_at} />
                            <div className="muted small">every {b.heartbeat_interval_s} s</div>
                          </td>
                          <td className="hide-sm">
                            {b.framework ?? <span className="muted">—</span>}
                          </td>
                          <td className="hide-sm">
                            {b.account ?? <span className="muted">—</span>}
                          </td>
                          <td className="hide-sm">
                            <Connections connections={b.connections} />
                          </td>
                          <td className="hide-sm">
                            {b.version ?? <span className="muted">—</span>}
                          </td>
                          <td className="r">
                            {p ? (
                              <Pnl value={p.day_pnl} currency={currency} />
                            ) : (
                              <span className="muted">—</span>
                            )}
                          </td>
                          <td className="r">{p?.open_positions ?? 0}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </TableWrap>
            </Section>
          )
        }
      </QueryView>
      <Section
        title="Recent logs"
        id="recent-logs"
        actions={<Link href="/events">All events</Link>}
      >
        <QueryView query={logs}>
          {(d) =>
            d.items.length === 0 ? <Empty>No log lines yet.</Empty> : <LogsTable rows={d.items} />
          }
        </QueryView>
      </Section>
    </div>
  );
}
