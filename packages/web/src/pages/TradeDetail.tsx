import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Page, TradeRow } from '@tradewatch/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'wouter';
import { api } from '../api/client.js';
import {
  hasScope,
  usePortfolio,
  useSession,
  useTrade,
  type TradeDetail as Detail,
} from '../api/hooks.js';
import { keys } from '../api/keys.js';
import { Money, Pct, Pnl, Qty, Side, Sym, Time } from '../components/format.js';
import { ErrorBox, QueryView, Section } from '../components/states.js';
import { botHref, FillsTable } from '../components/tables.js';
import { formatDuration } from '../format/format.js';
import { LAST_JOURNAL_KEY } from './Journal.js';
import { currencyLookup } from './Overview.js';

/** Tags typed as "a, b c" → ["a", "b c"]: trimmed, no empties, no repeats, at most 32. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    ),
  ].slice(0, 32);
}

function backHref(): string {
  try {
    return `/journal${sessionStorage.getItem(LAST_JOURNAL_KEY) ?? ''}`;
  } catch {
    return '/journal';
  }
}

/** Where the trade went against and for the position, beside where it ended. */
function Excursion({ t, currency }: { t: TradeRow; currency: string }) {
  const span = Math.max(Math.abs(t.mae), Math.abs(t.mfe), Math.abs(t.net_pnl), 1e-9);
  const pct = (v: number) => `${(Math.abs(v) / span) * 50}%`;
  return (
    <div className="excursion" aria-label="Maximum adverse and favourable excursion">
      <div className="exc-bar">
        <div className="exc-mae" style={{ width: pct(t.mae) }} />
        <div className="exc-mfe" style={{ width: pct(t.mfe) }} />
        <div
          className="exc-net"
          style={{ left: `${50 + (t.net_pnl / span) * 50}%` }}
          title="result"
        />
      </div>
      <div className="exc-legend">
        <span>
          MAE <Pnl value={t.mae} currency={currency} /> (<Pct value={t.mae_pct} />)
        </span>
        <span>
          Result <Pnl value={t.net_pnl} currency={currency} />
        </span>
        <span>
          MFE <Pnl value={t.mfe} currency={currency} /> (<Pct value={t.mfe_pct} />)
        </span>
      </div>
    </div>
  );
}

function NotesEditor({ trade, canEdit }: { trade: Detail; canEdit: boolean }) {
  const qc = useQueryClient();
  const [notes, setNotes] = useState(trade.notes ?? '');
  const [tags, setTags] = useState(trade.tags.join(', '));
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setNotes(trade.notes ?? '');
    setTags(trade.tags.join(', '));
  }, [trade.id, trade.notes, trade.tags]);
  const save = useMutation({
    mutationFn: () =>
      api<TradeRow>(`/api/v1/trades/${encodeURIComponent(trade.id)}`, {
        method: 'PATCH',
        body: { notes, tags: parseTags(tags) },
      }),
    onSuccess: (row) => {
      qc.setQueryData<Detail>(keys.trade(trade.id), (old) =>
        old ? { ...old, notes: row.notes, tags: row.tags } : old,
      );
      for (const q of qc.getQueryCache().findAll({ queryKey: ['trades'] })) {
        qc.setQueryData<Page<TradeRow>>(q.queryKey, (old) =>
          old
            ? {
                ...old,
                items: old.items.map((t) =>
                  t.id === row.id ? { ...t, notes: row.notes, tags: row.tags } : t,
                ),
              }
            : old,
        );
      }
      setSaved(true);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate();
  };
  const dirty =
    notes !== (trade.notes ?? '') || parseTags(tags).join('\u0000') !== trade.tags.join('\u0000');
  return (
    <form className="notes-form" onSubmit={submit} aria-label="Journal notes">
      <label htmlFor="trade-notes">Notes</label>
      <textarea
        id="trade-notes"
        name="notes"
        rows={6}
        maxLength={10_000}
        value={notes}
        readOnly={!canEdit}
        onChange={(e) => {
          setNotes(e.target.value);
          setSaved(false);
        }}
        placeholder={canEdit ? 'Why you took it, what you saw, what to do next time…' : 'No notes.'}
      />
      <label htmlFor="trade-tags">Tags (comma separated)</label>
      <input
        id="trade-tags"
        name="tags"
        type="text"
        value={tags}
        readOnly={!canEdit}
        onChange={(e) => {
          setTags(e.target.value);
          setSaved(false);
        }}
        placeholder="breakout, a+ setup"
      />
      {canEdit ? (
        <div className="actions-row">
          <button type="submit" className="btn btn-primary" disabled={save.isPending || !dirty}>
            {save.isPending ? 'Saving…' : 'Save notes'}
          </button>
          {saved && !dirty ? (
            <span className="ok" role="status">
              Saved
            </span>
          ) : null}
        </div>
      ) : (
        <p className="muted small">Editing notes needs a token with the journal scope.</p>
      )}
      {save.error ? <ErrorBox error={save.error} /> : null}
    </form>
  );
}

export default function TradeDetail() {
  const { id = '' } = useParams<{ id: string }>();
  const trade = useTrade(id);
  const session = useSession();
  const portfolio = usePortfolio();
  const currencyOf = currencyLookup(portfolio.data);
  return (
    <div className="page">
      <p className="crumbs">
        <Link href={backHref()}>← Journal</Link>
      </p>
      <QueryView query={trade} rows={5}>
        {(t) => {
          const c = currencyOf(t.account);
          return (
            <>
              <div className="page-head">
                <h1>
                  <Sym symbol={t.symbol} /> <Side side={t.direction} />
                </h1>
                <span className={`badge ${t.status === 'open' ? 'badge-open' : 'badge-closed'}`}>
                  {t.status}
                </span>
                <Pnl value={t.net_pnl} currency={c} />
              </div>
              <dl className="facts">
                <div>
                  <dt>Bot</dt>
                  <dd>
                    <Link href={botHref(t.bot)}>{t.bot}</Link>
                  </dd>
                </div>
                <div>
                  <dt>Account</dt>
                  <dd>{t.account}</dd>
                </div>
                <div>
                  <dt>Strategy</dt>
                  <dd>{t.strategy ?? '—'}</dd>
                </div>
                <div>
                  <dt>Entry</dt>
                  <dd>
                    <Time iso={t.entry_at} /> @ <Qty value={t.avg_entry_price} />
                  </dd>
                </div>
                <div>
                  <dt>Exit</dt>
                  <dd>
                    {t.exit_at ? (
                      <>
                        <Time iso={t.exit_at} /> @ <Qty value={t.avg_exit_price} />
                      </>
                    ) : (
                      'open'
                    )}
                  </dd>
                </div>
                <div>
                  <dt>Duration</dt>
                  <dd>{formatDuration(t.duration_s)}</dd>
                </div>
                <div>
                  <dt>Quantity</dt>
                  <dd>
                    <Qty value={t.qty} />
                    {t.open_qty !== 0 ? (
                      <>
                        {' '}
                        (<Qty value={t.open_qty} /> open)
                      </>
                    ) : null}
                  </dd>
                </div>
                <div>
                  <dt>Gross</dt>
                  <dd>
                    <Pnl value={t.gross_pnl} currency={c} />
                  </dd>
                </div>
                <div>
                  <dt>Fees</dt>
                  <dd>
                    <Money value={t.fees} currency={c} />
                  </dd>
                </div>
                <div>
                  <dt>Net</dt>
                  <dd>
                    <Pnl value={t.net_pnl} currency={c} />
                  </dd>
                </div>
                <div>
                  <dt>Return</dt>
                  <dd>
                    <Pct value={t.return_pct} />
                  </dd>
                </div>
                <div>
                  <dt>Fills</dt>
                  <dd>{t.fill_count}</dd>
                </div>
              </dl>
              <div className="grid">
                <Section title="Excursion" id="trade-excursion" className="span-3">
                  <Excursion t={t} currency={c} />
                </Section>
                <Section title="Notes and tags" id="trade-notes-section" className="span-3">
                  <NotesEditor trade={t} canEdit={hasScope(session.data, 'journal')} />
                </Section>
                <Section title={`Fills (${t.fills.length})`} id="trade-fills" className="span-3">
                  <FillsTable rows={t.fills} currencyOf={currencyOf} />
                </Section>
              </div>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
