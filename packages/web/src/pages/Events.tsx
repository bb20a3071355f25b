import { useEffect, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useBots, useDashboardInfo, useHubEvents, useLogs } from '../api/hooks.js';
import type { HubEventRow } from '../api/types.js';
import { Level, Time } from '../components/format.js';
import { Empty, QueryView, Section, TableWrap } from '../components/states.js';
import { botHref, LogsTable, tradeHref } from '../components/tables.js';
import {
  eventSearch,
  eventsApiQuery,
  HUB_EVENT_TYPES,
  LEVELS,
  parseEventSearch,
  type EventFilters,
  type HubEventType,
  type LevelName,
} from '../state/event-filters.js';

const PAGE = 100;

function HubEventsTable({ rows }: { rows: HubEventRow[] }) {
  return (
    <TableWrap label="Hub events">
      <table className="table logs">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Type</th>
            <th scope="col">Severity</th>
            <th scope="col" className="hide-sm">
              Bot
            </th>
            <th scope="col">Message</th>
            <th scope="col" className="hide-sm">
              By
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id} className={`row-${e.severity}`}>
              <td className="nowrap">
                <Time iso={e.ts} />
              </td>
              <td className="nowrap">{e.type}</td>
              <td>
                <Level level={e.severity} />
              </td>
              <td className="hide-sm nowrap">
                {e.bot ? (
                  <Link href={botHref(e.bot)}>{e.bot}</Link>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="msg">
                <span className="msg-text">{e.message}</span>
                {e.trade_id ? (
                  <>
                    {' '}
                    <Link href={tradeHref(e.trade_id)}>trade</Link>
                  </>
                ) : null}
                {e.context ? (
                  <details className="ctx">
                    <summary>context</summary>
                    <pre>{JSON.stringify(e.context, null, 2)}</pre>
                  </details>
                ) : null}
              </td>
              <td className="hide-sm">{e.actor ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** One page of the chosen feed, with a button for the next (older) one. */
function FeedPage({
  f,
  cursor,
  onNext,
  showNext,
}: {
  f: EventFilters;
  cursor?: string;
  onNext: (c: string) => void;
  showNext: boolean;
}) {
  const q = eventsApiQuery(f, PAGE);
  if (cursor) q.set('cursor', cursor);
  const hub = f.source === 'hub';
  const logs = useLogs(q.toString(), !hub);
  const events = useHubEvents(q.toString(), hub);
  const next = (c: string | null) =>
    showNext && c ? (
      <p className="actions-row">
        <button type="button" className="btn btn-small" onClick={() => onNext(c)}>
          Older
        </button>
      </p>
    ) : null;
  if (hub) {
    return (
      <QueryView query={events}>
        {(d) =>
          d.items.length === 0 && !cursor ? (
            <Empty>No hub events match.</Empty>
          ) : (
            <>
              <HubEventsTable rows={d.items} />
              {next(d.next_cursor)}
            </>
          )
        }
      </QueryView>
    );
  }
  return (
    <QueryView query={logs}>
      {(d) =>
        d.items.length === 0 && !cursor ? (
          <Empty>No log lines match. Bots send them as events of type &quot;log&quot;.</Empty>
        ) : (
          <>
            <LogsTable rows={d.items} />
            {next(d.next_cursor)}
          </>
        )
      }
    </QueryView>
  );
}

export default function Events() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const f = parseEventSearch(search);
  const bots = useBots();
  const info = useDashboardInfo();
  const hubLog = info.data?.capabilities.events === true;
  const [text, setText] = useState(f.q ?? '');
  const [older, setOlder] = useState<string[]>([]);
  const apply = (next: EventFilters) => {
    setOlder([]);
    navigate(`/events${eventSearch(next)}`, { replace: true });
  };
  // Typing filters after a short pause, without a request per key.
  useEffect(() => {
    const t = setTimeout(() => {
      const q = text.trim();
      if ((f.q ?? '') !== q) apply({ ...f, q: q || undefined });
    }, 300);
    return () => clearTimeout(t);
  }, [text]);

  const toggleLevel = (l: LevelName) =>
    apply({
      ...f,
      levels: f.levels.includes(l) ? f.levels.filter((x) => x !== l) : [...f.levels, l],
    });
  const toggleType = (t: HubEventType) =>
    apply({ ...f, types: f.types.includes(t) ? f.types.filter((x) => x !== t) : [...f.types, t] });

  return (
    <div className="page">
      <div className="page-head">
        <h1>Events</h1>
        {hubLog ? (
          <div className="seg" role="group" aria-label="Feed">
            {(
              [
                ['logs', 'Bot logs'],
                ['hub', 'Hub event log'],
              ] as const
            ).map(([source, label]) => (
              <button
                key={source}
                type="button"
                className={`seg-btn ${f.source === source ? 'on' : ''}`}
                aria-pressed={f.source === source}
                onClick={() => apply({ ...f, source })}
              >
                {label}
              </button>
            ))}
          </div>
        ) : null}
      </div>
      <form
        className="filters"
        role="search"
        aria-label="Filter events"
        onSubmit={(e) => e.preventDefault()}
      >
        <div className="seg" role="group" aria-label="Levels">
          {LEVELS.map((l) => (
            <button
              key={l}
              type="button"
              className={`seg-btn lvl-btn-${l} ${f.levels.includes(l) ? 'on' : ''}`}
              aria-pressed={f.levels.includes(l)}
              onClick={() => toggleLevel(l)}
            >
              {l}
            </button>
          ))}
        </div>
        {f.source === 'hub' ? (
          <div className="seg" role="group" aria-label="Types">
            {HUB_EVENT_TYPES.map((t) => (
              <button
                key={t}
                type="button"
                className={`seg-btn ${f.types.includes(t) ? 'on' : ''}`}
                aria-pressed={f.types.includes(t)}
                onClick={() => toggleType(t)}
              >
                {t.toLowerCase()}
              </button>
            ))}
          </div>
        ) : null}
        <label className="inline-field">
          <span>Bot</span>
          <select
            value={f.bot ?? ''}
            onChange={(e) => apply({ ...f, bot: e.target.value || undefined })}
          >
            <option value="">All bots</option>
            {(bots.data?.items ?? []).map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field grow">
          <span>Text</span>
          <input
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Search messages"
            data-search
          />
        </label>
      </form>
      <Section title={f.source === 'hub' ? 'Hub event log' : 'Log lines'} id="events-list">
        <FeedPage f={f} onNext={(c) => setOlder([c])} showNext={older.length === 0} />
        {older.map((c, i) => (
          <FeedPage
            key={c}
            f={f}
            cursor={c}
            showNext={i === older.length - 1}
            onNext={(n) => setOlder((o) => (o.length === i + 1 ? [...o, n] : o))}
          />
        ))}
      </Section>
    </div>
  );
}
