/**
 * Presentation of money, quantities, percentages, times and durations. Pure: the locale and
 * time zone are parameters (the browser's by default) so tests pin them.
 */

export interface FormatContext {
  locale?: string | undefined;
  timeZone?: string | undefined;
}

const MINUS = '\u2212';

/** Decimals a currency is shown with: the hub rounds to these on output. */
export function currencyDecimals(currency: string): { min: number; max: number } {
  switch (currency) {
    case 'JPY':
    case 'KRW':
      return { min: 0, max: 0 };
    case 'BTC':
    case 'ETH':
      return { min: 2, max: 8 };
    default:
      return /^[A-Z]{3}$/.test(currency) ? { min: 2, max: 2 } : { min: 2, max: 8 };
  }
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions) {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, f);
  }
  return f;
}

/** Fiat codes Intl knows as currencies get their symbol; anything else (USDT, BTC) its code. */
function hasSymbol(currency: string): boolean {
  if (!/^[A-Z]{3}$/.test(currency) || currency === 'BTC' || currency === 'ETH') return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency });
    return true;
  } catch {
    return false;
  }
}

function magnitude(value: number, currency: string, ctx: FormatContext): string {
  const { min, max } = currencyDecimals(currency);
  const abs = Math.abs(value);
  if (hasSymbol(currency)) {
    return numberFormat(ctx.locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: min,
      maximumFractionDigits: max,
    }).format(abs);
  }
  const n = numberFormat(ctx.locale, {
    minimumFractionDigits: min,
    maximumFractionDigits: max,
  }).format(abs);
  return `${n} ${currency}`;
}

/** An amount of money: `$1,234.50`, `−$3.00`, `0.00012345 BTC`. */
export function formatMoney(
  value: number | null | undefined,
  currency: string,
  ctx: FormatContext = {},
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = magnitude(value, currency, ctx);
  return isNegative(value, currency) ? MINUS + text : text;
}

/** True when a value is below zero once rounded for display (−0.001 USD shows as 0.00). */
function isNegative(value: number, currency: string): boolean {
  const { max } = currencyDecimals(currency);
  return Math.round(value * 10 ** max) < 0;
}
function isPositive(value: number, currency: string): boolean {
  const { max } = currencyDecimals(currency);
  return Math.round(value * 10 ** max) > 0;
}

export type Sign = 'pos' | 'neg' | 'zero';

export interface SignedText {
  text: string;
  sign: Sign;
  /** ▲ / ▼ (none for zero): P&L never relies on colour alone. */
  arrow: '' | '▲' | '▼';
}

/** Profit or loss, always signed: `+$12.00`, `−$3.50`, `$0.00`. */
export function formatPnl(
  value: number | null | undefined,
  currency: string,
  ctx: FormatContext = {},
): SignedText {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return { text: '—', sign: 'zero', arrow: '' };
  }
  const text = magnitude(value, currency, ctx);
  if (isPositive(value, currency)) return { text: '+' + text, sign: 'pos', arrow: '▲' };
  if (isNegative(value, currency)) return { text: MINUS + text, sign: 'neg', arrow: '▼' };
  return { text, sign: 'zero', arrow: '' };
}

/** A signed percentage with two decimals: `+1.25%`, `−0.40%`. */
export function formatPct(
  value: number | null | undefined,
  ctx: FormatContext = {},
  digits = 2,
): SignedText {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return { text: '—', sign: 'zero', arrow: '' };
  }
  const rounded = Math.round(value * 10 ** digits);
  const body =
    numberFormat(ctx.locale, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(Math.abs(value)) + '%';
  if (rounded > 0) return { text: '+' + body, sign: 'pos', arrow: '▲' };
  if (rounded < 0) return { text: MINUS + body, sign: 'neg', arrow: '▼' };
  return { text: body, sign: 'zero', arrow: '' };
}

/** A quantity or price at the precision it came with (up to 8 decimals), grouped. */
export function formatQty(value: number | null | undefined, ctx: FormatContext = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const text = numberFormat(ctx.locale, { maximumFractionDigits: 8 }).format(Math.abs(value));
  return value < 0 && text !== '0' ? MINUS + text : text;
}

export const formatPrice = formatQty;

/** A plain number with fixed decimals (ratios, counts). */
export function formatNumber(
  value: number | null | undefined,
  digits = 0,
  ctx: FormatContext = {},
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return numberFormat(ctx.locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** `2026-01-05 14:30:00 UTC`: the hover text of every time. */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(
  ctx: FormatContext,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${ctx.locale ?? ''}|${ctx.timeZone ?? ''}|${JSON.stringify(options)}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(ctx.locale, { ...options, timeZone: ctx.timeZone });
    dateTimeFormats.set(key, f);
  }
  return f;
}

function localDay(ms: number, ctx: FormatContext): string {
  return dateTimeFormat(ctx, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/**
 * A time in the viewer's zone: the time alone when it is today, else date and time; the year
 * only when it is not this year.
 */
export function formatTime(
  iso: string | null | undefined,
  now: number,
  ctx: FormatContext = {},
): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '—';
  const time = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' } as const;
  if (localDay(ms, ctx) === localDay(now, ctx)) return dateTimeFormat(ctx, time).format(ms);
  const sameYear =
    dateTimeFormat(ctx, { year: 'numeric' }).format(ms) ===
    dateTimeFormat(ctx, { year: 'numeric' }).format(now);
  return dateTimeFormat(ctx, {
    ...(sameYear ? {} : { year: 'numeric' }),
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);
}

/** A calendar date (YYYY-MM-DD from the hub) in the viewer's locale, without shifting zones. */
export function formatDate(day: string, ctx: FormatContext = {}): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  if (!y || !m || !d) return day;
  return dateTimeFormat(
    { ...ctx, timeZone: 'UTC' },
    {
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
    },
  ).format(Date.UTC(y, m - 1, d));
}

/** `45s`, `3m 05s`, `2h 04m`, `3d 4h`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

/** How long ago: `just now`, `5 s ago`, `3 min ago`, `2 h ago`, `4 d ago`. */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'never';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Seconds since an ISO time (never negative: a bot's clock may run ahead). */
export function ageSeconds(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.max(0, (now - ms) / 1000);
}
