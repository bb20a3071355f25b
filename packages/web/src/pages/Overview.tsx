import type { BotRow, PortfolioResponse, PositionRow } from '@tradewatch/protocol';
import { useMemo, useState, type ReactNode } from 'react';
import { Link } from 'wouter';
import {
  EQUITY_RANGES,
  useBots,
  useEquity,
  useFeed,
  usePortfolio,
  usePositions,
  useRiskLimits,
  useTrades,
  type EquityRange,
} from '../api/hooks.js';
import { LazyEquityChart } from '../charts/index.js';
import { ConnectBot } from '../components/ConnectBot.js';
import { Age, BotStatusBadge, ModeBadge, Money, Pnl } from '../components/format.js';
import { Empty, QueryView, Section } from '../components/states.js';
import { botHref, FeedList, PositionsTable, TradesMiniTable } from '../components/tables.js';
import { formatMoney, formatNumber, formatPct } from '../format/format.js';
import { gaugeLevel, riskGauges, type Gauge } from './risk.js';

function todayQuery(): string {
  const d = new Date();
  const midnight = new Date(d.getFullYear(), d.getMonth(), d.getDate()).toISOString();
  return new URLSearchParams({
    from: midnight,
    sort: 'entry_at',
    order: 'desc',
    limit: '25',
  }).toString();
}

export function currencyLookup(p: PortfolioResponse | undefined) {
  const map = new Map((p?.accounts ?? []).map((a) => [a.account, a.currency]));
  return (account: string) => map.get(account) ?? p?.currency ?? 'USD';
}

function SummaryCards({ p }: { p: PortfolioResponse }) {
  const c = p.currency;
  const buyingPower = p.accounts
    .filter(
      (a) =>
        a.currency === c &&
        a.reported?.buying_power !== null &&
        a.reported?.buying_power !== undefined,
    )
    .reduce<number | null>((sum, a) => (sum ?? 0) + (a.reported!.buying_power ?? 0), null);
  const cards: { label: string; body: ReactNode; hint?: string }[] = [
    { label: 'Equity', body: <Money value={p.equity} currency={c} /> },
    {
      label: 'Day P&L',
      body: <Pnl value={p.day_pnl} currency={c} />,
      hint: `trading day ${p.trading_day}`,
    },
    {
      label: 'Total P&L',
      body: <Pnl value={p.total_pnl} currency={c} />,
      hint: 'realized + unrealized',
    },
    { label: 'Unrealized', body: <Pnl value={p.unrealized} currency={c} /> },
    { label: 'Realized', body: <Pnl value={p.realized_net} currency={c} />, hint: 'net of fees' },
    { label: 'Cash', body: <Money value={p.cash} currency={c} /> },
    {
      label: 'Buying power',
      body:
        buyingPower === null ? (
          <span className="muted">not reported</span>
        ) : (
          <Money value={buyingPower} currency={c} />
        ),
    },
  ];
  return (
    <div className="cards" role="list" aria-label="Account summary">
      {cards.map((card) => (
        <div className="card" role="listitem" key={card.label}>
          <div className="card-label">{card.label}</div>
          <div className="card-value">{card.body}</div>
          {card.hint ? <div className="card-hint">{card.hint}</div> : null}
        </div>
      ))}
    </div>
  );
}

function Accounts({ p }: { p: PortfolioResponse }) {
  if (p.accounts.length === 0) return null;
  return (
    <ul className="accounts" aria-label="Accounts">
      {p.accounts.map((a) => (
        <li key={a.account} className={`account account-${a.mode}`}>
          <ModeBadge mode={a.mode} />
          <span className="account-name" title={a.broker ?? undefined}>
            {a.name}
          </span>
          <span className="account-fig">
            <Money value={a.equity} currency={a.currency} />
          </span>
          <span className="account-fig">
            <Pnl value={a.day_pnl} currency={a.currency} />{' '}
            <span className="muted small">today</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function limitText(g: Gauge, currency: string): string {
  if (!g.limit) return '';
  const t = g.limit;
  const value =
    t.unit === 'currency'
      ? formatMoney(t.threshold, currency)
      : t.unit === 'percent'
        ? `${formatNumber(t.threshold, 2)}%`
        : formatNumber(t.threshold, 0);
  return t.scope === 'portfolio' ? `limit ${value}` : `limit ${value} (${t.scope})`;
}

function RiskGauges({ p }: { p: PortfolioResponse }) {
  const limits = useRiskLimits();
  const gauges = riskGauges(p, limits.data);
  return (
    <div className="gauges">
      {gauges.map((g) => {
        const level = gaugeLevel(g);
        const value =
          g.value.kind === 'money'
            ? formatMoney(g.value.amount, p.currency)
            : g.value.kind === 'pct'
              ? formatPct(g.value.pct).text.replace(/^\+/, '')
              : '—';
        return (
          <div key={g.id} className={`gauge gauge-${level}`}>
            <div className="gauge-head">
              <span className="gauge-label">{g.label}</span>
              <span className="gauge-value num">{value}</span>
            </div>
            {g.limit === null ? (
              <div className="gauge-off">not configured</div>
            ) : (
              <>
                <div
                  className="meter"
                  role="meter"
                  aria-label={g.label}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(Math.min(1, g.used ?? 0) * 100)}
                >
                  <div
                    className="meter-fill"
                    style={{ width: `${Math.min(100, (g.used ?? 0) * 100)}%` }}
                  />
                </div>
                <div className="gauge-limit">
                  {g.used === null ? '' : `${Math.round(g.used * 100)}% of `}
                  {limitText(g, p.currency)}
                  {level === 'breach' ? ' — limit reached' : ''}
                </div>
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}

function BotsStrip({ bots }: { bots: BotRow[] }) {
  if (bots.length === 0) return <Empty>No bot has reported yet.</Empty>;
  return (
    <ul className="bot-strip" aria-label="Bots">
      {bots.map((b) => (
        <li key={b.id}>
          <Link href={botHref(b.id)} className={`bot-chip bot-${b.status}`}>
            <span className="bot-chip-name">{b.name}</span>
            <BotStatusBadge status={b.status} halted={b.halted} />
            <span className="bot-chip-age">
              heartbeat <Age iso={b.last_heartbeat_at} never="never" />
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

function EquityPanel({ currency }: { currency: string }) {
  const [range, setRange] = useState<EquityRange>('1M');
  const equity = useEquity('portfolio', range);
  return (
    <Section
      title="Equity and drawdown"
      id="equity"
      className="span-2"
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
      <QueryView query={equity} rows={4}>
        {(data) =>
          data.points.length < 2 ? (
            <Empty>The equity curve starts after the first fills and marks of a day.</Empty>
          ) : (
            <LazyEquityChart points={data.points} currency={currency} height={300} />
          )
        }
      </QueryView>
    </Section>
  );
}

/** How many positions the Overview lists (the largest first); the Positions page has them all. */
export const OVERVIEW_POSITIONS = 12;

/** The positions worth a glance: largest market value first. */
export function topPositions(rows: PositionRow[], n = OVERVIEW_POSITIONS): PositionRow[] {
  return [...rows].sort((a, b) => Math.abs(b.market_value) - Math.abs(a.market_value)).slice(0, n);
}

// Each panel subscribes to its own query, so a stream update re-renders only what it changed.

function Head() {
  const portfolio = usePortfolio();
  const p = portfolio.data;
  return (
    <div className="page-head">
      <h1>Overview</h1>
      {p && p.accounts.length > 0 ? (
        <span className="head-note">
          {p.accounts.some((a) => a.mode === 'live') ? (
            <>
              <ModeBadge mode="live" />{' '}
              <span className="muted small">real money in {p.currency}</span>
            </>
          ) : (
            <>
              <ModeBadge mode="paper" /> <span className="muted small">paper accounts only</span>
            </>
          )}
        </span>
      ) : null}
    </div>
  );
}

function FirstRun() {
  const portfolio = usePortfolio();
  const positions = usePositions();
  const bots = useBots();
  const fresh =
    bots.data?.items.length === 0 &&
    positions.data?.items.length === 0 &&
    (portfolio.data?.accounts.length ?? 0) === 0;
  return fresh ? <ConnectBot /> : null;
}

function Summary() {
  const portfolio = usePortfolio();
  return (
    <QueryView query={portfolio} rows={2}>
      {(p) => (
        <>
          <Accounts p={p} />
          <SummaryCards p={p} />
        </>
      )}
    </QueryView>
  );
}

function RiskPanel() {
  const portfolio = usePortfolio();
  return (
    <Section title="Risk" id="risk">
      <QueryView query={portfolio}>{(p) => <RiskGauges p={p} />}</QueryView>
    </Section>
  );
}

function BotsPanel() {
  const bots = useBots();
  return (
    <Section title="Bots" id="bots" className="span-3" actions={<Link href="/bots">All bots</Link>}>
      <QueryView query={bots} rows={1}>
        {(d) => <BotsStrip bots={d.items} />}
      </QueryView>
    </Section>
  );
}

function PositionsPanel() {
  const positions = usePositions();
  const total = positions.data?.items.length ?? 0;
  const rows = useMemo(() => topPositions(positions.data?.items ?? []), [positions.data]);
  return (
    <Section
      title={
        total > OVERVIEW_POSITIONS
          ? `Open positions (largest ${OVERVIEW_POSITIONS} of ${total})`
          : 'Open positions'
      }
      id="positions"
      className="span-2"
      actions={
        <Link href="/positions">
          {total > OVERVIEW_POSITIONS ? `All ${total}` : 'Positions & orders'}
        </Link>
      }
    >
      <QueryView query={positions}>
        {() =>
          rows.length === 0 ? <Empty>No open positions.</Empty> : <PositionsTable rows={rows} />
        }
      </QueryView>
    </Section>
  );
}

function FeedPanel() {
  const feed = useFeed();
  return (
    <Section title="Live feed" id="feed" className="feed-panel">
      <QueryView query={feed}>
        {(items) =>
          items.length === 0 ? (
            <Empty>Fills, signals and log lines appear here as they arrive.</Empty>
          ) : (
            <FeedList items={items} />
          )
        }
      </QueryView>
    </Section>
  );
}

function TodayPanel() {
  const portfolio = usePortfolio();
  const today = useMemo(todayQuery, []);
  const trades = useTrades(today);
  const currencyOf = currencyLookup(portfolio.data);
  return (
    <Section
      title="Today's trades"
      id="today"
      className="span-3"
      actions={<Link href="/journal">Journal</Link>}
    >
      <QueryView query={trades}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty>No trades opened today.</Empty>
          ) : (
            <TradesMiniTable rows={d.items} currencyOf={currencyOf} />
          )
        }
      </QueryView>
    </Section>
  );
}

function Footnote() {
  const portfolio = usePortfolio();
  const p = portfolio.data;
  if (!p || p.accounts.length === 0) return null;
  return (
    <p className="muted small">
      Day P&amp;L is measured from the start of the trading day {p.trading_day}; deposits and
      withdrawals are not counted as profit.
    </p>
  );
}

function EquityWithCurrency() {
  const portfolio = usePortfolio();
  return <EquityPanel currency={portfolio.data?.currency ?? 'USD'} />;
}

export default function Overview() {
  return (
    <div className="page overview">
      <Head />
      <FirstRun />
      <Summary />
      <div className="grid">
        <EquityWithCurrency />
        <RiskPanel />
        <BotsPanel />
        <PositionsPanel />
        <FeedPanel />
        <TodayPanel />
      </div>
      <Footnote />
    </div>
  );
}
