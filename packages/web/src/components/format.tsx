import type { AccountMode, BotStatus } from '@tradewatch/protocol';
import {
  ageSeconds,
  formatAge,
  formatMoney,
  formatPct,
  formatPnl,
  formatQty,
  formatTime,
  formatUtc,
} from '../format/format.js';
import { useNow } from '../live/now.js';

/** Signed, coloured and arrowed profit or loss; the words are there for screen readers. */
export function Pnl({
  value,
  currency,
  compact = false,
}: {
  value: number | null | undefined;
  currency: string;
  compact?: boolean;
}) {
  const p = formatPnl(value, currency);
  const label = p.sign === 'pos' ? 'profit' : p.sign === 'neg' ? 'loss' : 'flat';
  return (
    <span className={`pnl ${p.sign}`} aria-label={`${label} ${p.text}`}>
      {p.arrow && !compact ? (
        <span aria-hidden="true" className="arrow">
          {p.arrow}
        </span>
      ) : null}
      {p.text}
    </span>
  );
}

export function Pct({ value }: { value: number | null | undefined }) {
  const p = formatPct(value);
  return (
    <span className={`pnl ${p.sign}`}>
      {p.arrow ? (
        <span aria-hidden="true" className="arrow">
          {p.arrow}
        </span>
      ) : null}
      {p.text}
    </span>
  );
}

export function Money({ value, currency }: { value: number | null | undefined; currency: string }) {
  return <span className="num">{formatMoney(value, currency)}</span>;
}

export function Qty({ value }: { value: number | null | undefined }) {
  return <span className="num">{formatQty(value)}</span>;
}

/**
 * A time in the viewer's zone; hovering shows it in UTC. It does not tick (only ages do): a
 * page of a thousand rows must not re-render every second.
 */
export function Time({ iso }: { iso: string | null | undefined }) {
  const now = Date.now();
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatTime(iso, now)}
    </time>
  );
}

/** "5 s ago", ticking. */
export function Age({ iso, never = 'never' }: { iso: string | null | undefined; never?: string }) {
  const now = useNow();
  if (!iso) return <span className="muted">{never}</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatAge(ageSeconds(iso, now))}
    </time>
  );
}

const STATUS_TEXT: Record<BotStatus, string> = {
  up: 'Up',
  down: 'Down',
  unknown: 'No heartbeat yet',
};

/** A bot's liveness: a dot and a word (never the colour alone). */
export function BotStatusBadge({ status, halted }: { status: BotStatus; halted?: boolean }) {
  return (
    <span className="status-group">
      <span className={`status status-${status}`}>
        <span className="dot" aria-hidden="true" />
        {STATUS_TEXT[status]}
      </span>
      {halted ? <span className="badge badge-warn">Halted</span> : null}
    </span>
  );
}

/** Paper or live money, impossible to miss. */
export function ModeBadge({ mode }: { mode: AccountMode }) {
  return mode === 'live' ? (
    <span className="badge badge-live" title="Real money">
      LIVE
    </span>
  ) : (
    <span className="badge badge-paper" title="Simulated money">
      PAPER
    </span>
  );
}

export function Side({ side }: { side: 'buy' | 'sell' | 'long' | 'short' }) {
  const up = side === 'buy' || side === 'long';
  return <span className={`side ${up ? 'side-up' : 'side-down'}`}>{side.toUpperCase()}</span>;
}

const LEVEL_CLASS: Record<string, string> = {
  debug: 'lvl-debug',
  info: 'lvl-info',
  warning: 'lvl-warning',
  error: 'lvl-error',
  critical: 'lvl-critical',
};

export function Level({ level }: { level: string }) {
  return <span className={`level ${LEVEL_CLASS[level] ?? 'lvl-info'}`}>{level}</span>;
}

/** A symbol (any text a bot sent): one line, cut with an ellipsis, whole on hover. */
export function Sym({ symbol }: { symbol: string }) {
  return (
    <span className="sym" title={symbol}>
      {symbol}
    </span>
  );
}
