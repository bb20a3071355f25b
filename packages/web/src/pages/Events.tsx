import { useEffect, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { useBots, useLogs } from '../api/hooks.js';
import { Empty, QueryView, Section } from '../components/states.js';
import { LogsTable } from '../components/tables.js';

const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
type LevelName = (typeof LEVELS)[number];

export interface EventFilters {
  levels: LevelName[];
  bot?: string;
  q?: string;
}

export function parseEventSearch(search: string): EventFilters {
  const p = new URLSearchParams(search);
  const levels = (p.get('level') ?? '')
    .split(',')
    .filter((l): l is LevelName => (LEVELS as readonly string[]).includes(l));
  const f: EventFilters = { levels };
  const bot = p.get('bot')?.trim();
  const q = p.get('q')?.trim();
  if (bot) f.bot = bot;
  if (q) f.q = q.slice(0, 200);
  return f;
}

export function eventSearch(f: EventFilters): string {
  const p = new URLSearchParams();
  if (f.levels.length > 0) p.set('level', f.levels.join(','));
  if (f.bot) p.set('bot', f.bot);
  if (f.q) p.set('q', f.q);
  const s = p.toString();
  return s ? `?${s}` : '';
}

const PAGE = 100;

function Older({
  base,
  cursor,
  onNext,
}: {
  base: string;
  cursor: string;
  onNext: (c: string) => void;
}) {
  const page = useLogs(`${base}&cursor=${encodeURIComponent(cursor)}`);
  return (
    <QueryView query={page}>
      {(d) => (
        <>
          <LogsTable rows={d.items} />
          {d.next_cursor ? (
            <p className="actions-row">
              <button
                type="button"
                className="btn btn-small"
                onClick={() => onNext(d.next_cursor!)}
              >
                Older
              </button>
            </p>
          ) : null}
        </>
      )}
    </QueryView>
  );
}

export default function Events() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const f = parseEventSearch(search);
  const bots = useBots();
  const [text, setText] = useState(f.q ?? '');
  const [older, setOlder] = useState<string[]>([]);
  const apply = (next: EventFilters) => {
    setOlder([]);
    navigate(`/events${eventSearch(next)}`, { replace: true });
  };
  // Typing filters after a short pause, without a request per key.
  useEffect(() => {
    const t = setTimeout(() => {
      if ((f.q ?? '') !== text.trim())
        apply({ ...f, ...(text.trim() ? { q: text.trim() } : { q: undefined }) });
    }, 300);
    return () => clearTimeout(t);
  }, [text]);

  const base = new URLSearchParams({ limit: String(PAGE) });
  if (f.levels.length > 0) base.set('level', f.levels.join(','));
  if (f.bot) base.set('bot', f.bot);
  if (f.q) base.set('q', f.q);
  const logs = useLogs(base.toString());

  const toggle = (l: LevelName) =>
    apply({
      ...f,
      levels: f.levels.includes(l) ? f.levels.filter((x) => x !== l) : [...f.levels, l],
    });

  return (
    <div className="page">
      <h1>Events</h1>
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
              onClick={() => toggle(l)}
            >
              {l}
            </button>
          ))}
        </div>
        <label className="inline-field">
          <span>Bot</span>
          <select
            value={f.bot ?? ''}
            onChange={(e) =>
              apply({ ...f, ...(e.target.value ? { bot: e.target.value } : { bot: undefined }) })
            }
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
      <Section title="Log lines" id="events-list">
        <QueryView query={logs}>
          {(d) =>
            d.items.length === 0 ? (
              <Empty>No log lines match. Bots send them as events of type &quot;log&quot;.</Empty>
            ) : (
              <>
                <LogsTable rows={d.items} />
                {older.length === 0 && d.next_cursor ? (
                  <p className="actions-row">
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => setOlder([d.next_cursor!])}
                    >
                      Older
                    </button>
                  </p>
                ) : null}
              </>
            )
          }
        </QueryView>
        {older.map((c, i) => (
          <Older
            key={c}
            base={base.toString()}
            cursor={c}
            onNext={(n) => setOlder((o) => (o.length === i + 1 ? [...o, n] : o))}
          />
        ))}
      </Section>
    </div>
  );
}
