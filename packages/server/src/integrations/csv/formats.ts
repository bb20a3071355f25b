import { isValidTimeZone } from '../../config/schema.js';
import { parseForeignTime, stableId, toNumber, type Obj } from '../mapping.js';
import type { CsvRecord } from './parse.js';

export const CSV_FORMATS = ['generic', 'ibkr', 'binance'] as const;
export type CsvFormat = (typeof CSV_FORMATS)[number];

export interface CsvOptions {
  format: CsvFormat;
  /** Bot the fills belong to (a `bot` column of the generic format wins). */
  bot: string;
  account?: string | undefined;
  /** IANA zone for times written without an offset. */
  timezone: string;
}

/** A row turned into a fill, or the reason it cannot be. */
export type RowResult = { line: number; event: Obj } | { line: number; problem: string };

export interface CsvMapping {
  rows: RowResult[];
  /** Records that are not trades (section headers, totals, other sections): not counted. */
  skipped: number;
}

/** Default time zone per format: IBKR writes exchange-local (US Eastern) times; Binance UTC. */
export function defaultTimezone(format: CsvFormat): string {
  return format === 'ibkr' ? 'America/New_York' : 'UTC';
}

export function mapCsv(records: CsvRecord[], options: CsvOptions): CsvMapping {
  if (!isValidTimeZone(options.timezone)) {
    throw new Error(
      `--timezone "${options.timezone}" is not an IANA time zone (e.g. UTC, America/New_York)`,
    );
  }
  switch (options.format) {
    case 'generic':
      return mapGeneric(records, options);
    case 'ibkr':
      return mapIbkr(records, options);
    case 'binance':
      return mapBinance(records, options);
  }
}

const norm = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_()./-]+/g, '');

function headerIndex(cells: string[]): Map<string, number> {
  const m = new Map<string, number>();
  cells.forEach((c, i) => {
    const k = norm(c);
    if (!m.has(k)) m.set(k, i);
  });
  return m;
}

function cellOf(cells: string[], idx: Map<string, number>, ...names: string[]): string | undefined {
  for (const n of names) {
    const i = idx.get(norm(n));
    if (i !== undefined) {
      const v = cells[i]?.trim();
      if (v !== undefined && v !== '') return v;
    }
  }
  return undefined;
}

/** `12,345.5` → 12345.5 (thousands separators appear in exports opened by spreadsheets). */
function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return toNumber(v.replace(/,/g, ''));
}

/** Stable ids for rows without a broker id: content hash plus its occurrence in the file. */
class Occurrences {
  private readonly seen = new Map<string, number>();
  id(prefix: string, content: unknown[]): string {
    const base = stableId(prefix, ...content);
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return n === 0 ? base : `${base}.${n}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Time handling: naive local times in an IANA zone.

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();
function zoneOffset(ts: number, timeZone: string): number {
  let f = zoneFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    zoneFormatters.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(ts));
  const get = (t: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === t)?.value ?? '0');
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(ts / 1000) * 1000;
}

/** Epoch ms of a wall-clock time in `timeZone` (two passes settle DST edges). */
export function zonedTime(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  timeZone: string,
): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  if (timeZone === 'UTC') return guess;
  let ts = guess - zoneOffset(guess, timeZone);
  ts = guess - zoneOffset(ts, timeZone);
  return ts;
}

const LOCAL_FORMS: RegExp[] = [
  // 2024-01-02 10:30:00, 2024-01-02T10:30, 2024-01-02, 10:30:00, 2024-01-02;10:30:00
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ;]|, )(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$/,
  // 20240102;103000, 20240102 103000, 20240102;10:30:00
  /^(\d{4})(\d{2})(\d{2})[;, ]\s*(\d{2}):?(\d{2}):?(\d{2})?$/,
  // 01/02/2024 10:30:00 (US month first)
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?$/,
  // date only
  /^(\d{4})-?(\d{2})-?(\d{2})$/,
];

/** A time from a CSV cell: ISO with offset or epoch as is; naive wall-clock in `timeZone`. */
export function parseCsvTime(value: string, timeZone: string): number | undefined {
  const v = value.trim();
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(v) || /^\d{9,}(\.\d+)?$/.test(v)) {
    return parseForeignTime(v);
  }
  for (const [k, re] of LOCAL_FORMS.entries()) {
    const m = re.exec(v);
    if (!m) continue;
    const n = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
    const [a, b, c, h = 0, mi = 0, s = 0] = n as [
      number,
      number,
      number,
      number?,
      number?,
      number?,
    ];
    const [y, mo, d] = k === 2 ? [c, a, b] : [a, b, c];
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
    return zonedTime(y, mo, d, h, mi, s, timeZone);
  }
  return undefined;
}

function side(v: string | undefined): 'buy' | 'sell' | undefined {
  switch (v?.trim().toLowerCase()) {
    case 'buy':
    case 'b':
    case 'bot':
    case 'bought':
    case 'long':
      return 'buy';
    case 'sell':
    case 's':
    case 'sld':
    case 'sold':
    case 'short':
      return 'sell';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// generic: documented columns (docs/integrations.md)

export const GENERIC_COLUMNS = {
  required: ['time', 'symbol', 'side', 'qty', 'price'],
  optional: ['fee', 'fee_currency', 'id', 'order_id', 'strategy', 'account', 'bot', 'tags'],
} as const;

function mapGeneric(records: CsvRecord[], o: CsvOptions): CsvMapping {
  const [header, ...data] = records;
  if (!header) return { rows: [], skipped: 0 };
  const idx = headerIndex(header.cells);
  const aliases: Record<string, string[]> = {
    time: ['time', 'timestamp', 'datetime', 'date', 'ts', 'executed_at'],
    symbol: ['symbol', 'ticker', 'instrument', 'pair'],
    side: ['side', 'action', 'buy_sell'],
    qty: ['qty', 'quantity', 'amount', 'size'],
    price: ['price', 'fill_price'],
  };
  const missing = GENERIC_COLUMNS.required.filter(
    (c) => !aliases[c]!.some((a) => idx.has(norm(a))),
  );
  if (missing.length > 0) {
    throw new Error(
      `line ${header.line}: the generic format needs the columns ${GENERIC_COLUMNS.required.join(', ')}; missing ${missing.join(', ')} (found: ${header.cells.join(', ')})`,
    );
  }
  const occ = new Occurrences();
  const rows: RowResult[] = data.map((r) => {
    const get = (name: string) => cellOf(r.cells, idx, ...(aliases[name] ?? [name]));
    const problems: string[] = [];
    const timeText = get('time');
    const ts = timeText === undefined ? undefined : parseCsvTime(timeText, o.timezone);
    if (ts === undefined)
      problems.push(`time: ${timeText === undefined ? 'required' : `not a time: "${timeText}"`}`);
    const symbol = get('symbol');
    if (!symbol) problems.push('symbol: required');
    const sideText = get('side');
    let s = side(sideText);
    const qtyRaw = num(get('qty'));
    if (!s && qtyRaw !== undefined && qtyRaw !== 0 && sideText === undefined)
      s = qtyRaw > 0 ? 'buy' : 'sell';
    if (!s) problems.push(`side: expected buy or sell, got "${sideText ?? ''}"`);
    if (qtyRaw === undefined || qtyRaw === 0)
      problems.push(`qty: expected a non-zero number, got "${get('qty') ?? ''}"`);
    const price = num(get('price'));
    if (price === undefined || price <= 0)
      problems.push(`price: expected a positive number, got "${get('price') ?? ''}"`);
    const feeText = cellOf(r.cells, idx, 'fee', 'commission', 'fees');
    const fee = feeText === undefined ? 0 : num(feeText);
    if (fee === undefined) problems.push(`fee: expected a number, got "${feeText}"`);
    if (problems.length > 0) return { line: r.line, problem: problems.join('; ') };
    const id = cellOf(r.cells, idx, 'id', 'trade_id', 'fill_id', 'exec_id');
    const tags = cellOf(r.cells, idx, 'tags')
      ?.split(/[;|]/)
      .map((t) => t.trim())
      .filter(Boolean);
    const account = cellOf(r.cells, idx, 'account') ?? o.account;
    const content = [ts, symbol, s, Math.abs(qtyRaw!), price, Math.abs(fee!)];
    return {
      line: r.line,
      event: {
        type: 'fill',
        id: id ? `csv:${id}`.slice(0, 128) : occ.id('csv', content),
        bot: cellOf(r.cells, idx, 'bot') ?? o.bot,
        ts,
        symbol,
        side: s,
        qty: Math.abs(qtyRaw!),
        price,
        fee: Math.abs(fee!),
        ...(cellOf(r.cells, idx, 'fee_currency', 'commission_currency')
          ? { fee_currency: cellOf(r.cells, idx, 'fee_currency', 'commission_currency') }
          : {}),
        ...(cellOf(r.cells, idx, 'order_id') ? { order_id: cellOf(r.cells, idx, 'order_id') } : {}),
        ...(cellOf(r.cells, idx, 'strategy') ? { strategy: cellOf(r.cells, idx, 'strategy') } : {}),
        ...(account ? { account } : {}),
        ...(tags && tags.length > 0 ? { tags } : {}),
      },
    };
  });
  return { rows, skipped: 0 };
}

// ---------------------------------------------------------------------------------------------
// ibkr: Flex Query trade export (CSV, with or without HEADER/DATA record markers) and the
// Activity Statement CSV ("Trades,Header,…" / "Trades,Data,Order,…" rows).

function mapIbkr(records: CsvRecord[], o: CsvOptions): CsvMapping {
  const first = records[0]?.cells ?? [];
  if (
    first[0] === 'Statement' ||
    records.some((r) => r.cells[0] === 'Trades' && r.cells[1] === 'Header')
  ) {
    return mapIbkrActivity(records, o);
  }
  const rows: RowResult[] = [];
  let skipped = 0;
  let idx: Map<string, number> | null = null;
  const occ = new Occurrences();
  for (const r of records) {
    let cells = r.cells;
    const marker = cells[0]?.trim().toUpperCase();
    if (marker && ['BOF', 'EOF', 'BOA', 'EOA', 'BOS', 'EOS', 'MSG'].includes(marker)) {
      skipped++;
      continue;
    }
    if (marker === 'HEADER' || marker === 'DATA') cells = cells.slice(1);
    const looksHeader =
      cells.some((c) => norm(c) === 'symbol') && cells.some((c) => norm(c) === 'quantity');
    if (marker === 'HEADER' || looksHeader) {
      idx = headerIndex(cells);
      continue;
    }
    if (!idx) {
      throw new Error(
        `line ${r.line}: no IBKR Flex header before the first row (expected columns Symbol, Quantity, TradePrice …)`,
      );
    }
    const get = (...n: string[]) => cellOf(cells, idx!, ...n);
    const levelOfDetail = get('LevelOfDetail');
    if (levelOfDetail && !['EXECUTION', 'ORDER'].includes(levelOfDetail.toUpperCase())) {
      skipped++;
      continue;
    }
    rows.push(ibkrRow(r.line, get, o, occ));
  }
  return { rows, skipped };
}

type Getter = (...names: string[]) => string | undefined;

function ibkrRow(line: number, get: Getter, o: CsvOptions, occ: Occurrences): RowResult {
  const problems: string[] = [];
  const symbol = get('Symbol');
  if (!symbol) problems.push('Symbol: required');
  const qty = num(get('Quantity'));
  if (qty === undefined || qty === 0)
    problems.push(`Quantity: expected a non-zero number, got "${get('Quantity') ?? ''}"`);
  const price = num(get('TradePrice', 'T. Price', 'Price'));
  if (price === undefined || price <= 0)
    problems.push(
      `TradePrice: expected a positive number, got "${get('TradePrice', 'T. Price') ?? ''}"`,
    );
  let ts: number | undefined;
  const dt = get('DateTime', 'Date/Time');
  if (dt) ts = parseCsvTime(dt, o.timezone);
  else {
    const d = get('TradeDate');
    const t = get('TradeTime');
    if (d) ts = parseCsvTime(t ? `${d};${t}` : d, o.timezone);
  }
  if (ts === undefined)
    problems.push(
      `DateTime: ${(dt ?? get('TradeDate')) ? `not a time: "${dt ?? get('TradeDate')}"` : 'required (DateTime or TradeDate/TradeTime)'}`,
    );
  let s = side(get('Buy/Sell'));
  if (!s && qty) s = qty > 0 ? 'buy' : 'sell';
  if (problems.length > 0) return { line, problem: problems.join('; ') };
  const commission = num(get('IBCommission', 'Commission', 'Comm/Fee')) ?? 0;
  // IBKR writes commissions as negative cash amounts; a positive one is a rebate, not a fee.
  const fee = commission < 0 ? -commission : 0;
  const feeCurrency = get(
    'IBCommissionCurrency',
    'CommissionCurrency',
    'CurrencyPrimary',
    'Currency',
  );
  const tradeId = get('TradeID', 'IBExecID', 'ExecID', 'TransactionID');
  const account = o.account ?? get('ClientAccountID', 'AccountId', 'Account');
  const orderId = get('IBOrderID', 'OrderID');
  const content = [ts, symbol, s, Math.abs(qty!), price, fee];
  return {
    line,
    event: {
      type: 'fill',
      id: tradeId ? `ibkr:${tradeId}`.slice(0, 128) : occ.id('ibkr', content),
      bot: o.bot,
      ts,
      symbol,
      side: s,
      qty: Math.abs(qty!),
      price,
      fee,
      ...(feeCurrency ? { fee_currency: feeCurrency.slice(0, 16) } : {}),
      ...(orderId ? { order_id: orderId } : {}),
      ...(account ? { account } : {}),
    },
  };
}

function mapIbkrActivity(records: CsvRecord[], o: CsvOptions): CsvMapping {
  const rows: RowResult[] = [];
  let skipped = 0;
  let idx: Map<string, number> | null = null;
  const occ = new Occurrences();
  for (const r of records) {
    const [section, kind, ...rest] = r.cells;
    if (section !== 'Trades') {
      skipped++;
      continue;
    }
    if (kind === 'Header') {
      idx = headerIndex(rest);
      continue;
    }
    if (kind !== 'Data' || !idx) {
      skipped++;
      continue;
    }
    const get: Getter = (...n) => cellOf(rest, idx!, ...n);
    const discriminator = get('DataDiscriminator');
    if (discriminator && discriminator !== 'Order' && discriminator !== 'Trade') {
      skipped++;
      continue;
    }
    rows.push(ibkrRow(r.line, get, o, occ));
  }
  return { rows, skipped };
}

// ---------------------------------------------------------------------------------------------
// binance: Spot "Trade History" export. Two header layouts exist:
//   Date(UTC),Pair,Side,Price,Executed,Amount,Fee           (amounts suffixed with the asset)
//   Date(UTC),Market,Type,Price,Amount,Total,Fee,Fee Coin   (older)

const AMOUNT_WITH_ASSET = /^([+-]?[\d,]*\.?\d+(?:[eE][+-]?\d+)?)\s*([A-Za-z][A-Za-z0-9]*)?$/;

function amountAndAsset(v: string | undefined): { n?: number; asset?: string } {
  if (v === undefined) return {};
  const m = AMOUNT_WITH_ASSET.exec(v.trim());
  if (!m) return {};
  const n = num(m[1]);
  return { ...(n !== undefined ? { n } : {}), ...(m[2] ? { asset: m[2] } : {}) };
}

function mapBinance(records: CsvRecord[], o: CsvOptions): CsvMapping {
  const [header, ...data] = records;
  if (!header) return { rows: [], skipped: 0 };
  const idx = headerIndex(header.cells);
  const hasPair = idx.has(norm('Pair')) || idx.has(norm('Market'));
  if (!idx.has(norm('Date(UTC)')) || !hasPair) {
    throw new Error(
      `line ${header.line}: not a Binance trade history export (expected columns Date(UTC), Pair, Side, Price, Executed, Amount, Fee; found: ${header.cells.join(', ')})`,
    );
  }
  const older = idx.has(norm('Fee Coin'));
  const occ = new Occurrences();
  const rows: RowResult[] = data.map((r) => {
    const get = (...n: string[]) => cellOf(r.cells, idx, ...n);
    const problems: string[] = [];
    const timeText = get('Date(UTC)');
    const ts = timeText ? parseCsvTime(timeText, 'UTC') : undefined;
    if (ts === undefined)
      problems.push(`Date(UTC): ${timeText ? `not a time: "${timeText}"` : 'required'}`);
    const symbol = get('Pair', 'Market');
    if (!symbol) problems.push('Pair: required');
    const s = side(get('Side', 'Type'));
    if (!s) problems.push(`Side: expected BUY or SELL, got "${get('Side', 'Type') ?? ''}"`);
    const price = num(get('Price'));
    if (price === undefined || price <= 0)
      problems.push(`Price: expected a positive number, got "${get('Price') ?? ''}"`);
    const qty = older
      ? amountAndAsset(get('Amount')).n
      : amountAndAsset(get('Executed', 'Filled')).n;
    if (qty === undefined || qty <= 0) {
      problems.push(
        `${older ? 'Amount' : 'Executed'}: expected a positive quantity, got "${(older ? get('Amount') : get('Executed', 'Filled')) ?? ''}"`,
      );
    }
    const feeCell = amountAndAsset(get('Fee'));
    if (get('Fee') !== undefined && feeCell.n === undefined)
      problems.push(`Fee: expected a number, got "${get('Fee')}"`);
    if (problems.length > 0) return { line: r.line, problem: problems.join('; ') };
    const feeCurrency = older ? get('Fee Coin') : feeCell.asset;
    const fee = Math.abs(feeCell.n ?? 0);
    return {
      line: r.line,
      event: {
        type: 'fill',
        id: occ.id('bn', [ts, symbol, s, price, qty, fee, feeCurrency ?? null]),
        bot: o.bot,
        ts,
        symbol,
        side: s,
        qty,
        price,
        fee,
        ...(feeCurrency ? { fee_currency: feeCurrency.slice(0, 16) } : {}),
        ...(o.account ? { account: o.account } : {}),
      },
    };
  });
  return { rows, skipped: 0 };
}

export function isCsvFormat(v: string): v is CsvFormat {
  return (CSV_FORMATS as readonly string[]).includes(v);
}
