import { once } from 'node:events';
import { PassThrough, Readable, type Writable } from 'node:stream';
import type { TradeRow } from '@tradewatch/protocol';
import ExcelJS from 'exceljs';

type Cell = string | number | null;

/** Export columns, in order: the API's trade fields, tags joined with ", ". */
export const EXPORT_COLUMNS: { key: string; text: boolean; value: (t: TradeRow) => Cell }[] = [
  { key: 'id', text: false, value: (t) => t.id },
  { key: 'account', text: true, value: (t) => t.account },
  { key: 'bot', text: true, value: (t) => t.bot },
  { key: 'strategy', text: true, value: (t) => t.strategy },
  { key: 'symbol', text: true, value: (t) => t.symbol },
  { key: 'direction', text: false, value: (t) => t.direction },
  { key: 'status', text: false, value: (t) => t.status },
  { key: 'qty', text: false, value: (t) => t.qty },
  { key: 'open_qty', text: false, value: (t) => t.open_qty },
  { key: 'entry_at', text: false, value: (t) => t.entry_at },
  { key: 'exit_at', text: false, value: (t) => t.exit_at },
  { key: 'avg_entry_price', text: false, value: (t) => t.avg_entry_price },
  { key: 'avg_exit_price', text: false, value: (t) => t.avg_exit_price },
  { key: 'gross_pnl', text: false, value: (t) => t.gross_pnl },
  { key: 'fees', text: false, value: (t) => t.fees },
  { key: 'net_pnl', text: false, value: (t) => t.net_pnl },
  { key: 'return_pct', text: false, value: (t) => t.return_pct },
  { key: 'duration_s', text: false, value: (t) => t.duration_s },
  { key: 'mae', text: false, value: (t) => t.mae },
  { key: 'mfe', text: false, value: (t) => t.mfe },
  { key: 'mae_pct', text: false, value: (t) => t.mae_pct },
  { key: 'mfe_pct', text: false, value: (t) => t.mfe_pct },
  { key: 'fill_count', text: false, value: (t) => t.fill_count },
  { key: 'tags', text: true, value: (t) => t.tags.join(', ') },
  { key: 'notes', text: true, value: (t) => t.notes },
];

/**
 * One CSV field (RFC 4180). Text that came from bots or users and starts like a spreadsheet
 * formula (= + - @ tab CR) gets a leading apostrophe so Excel shows it instead of running it.
 */
export function csvField(value: Cell, text: boolean): string {
  if (value === null) return '';
  let s = typeof value === 'number' ? String(value) : value;
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvHeader(): string {
  return EXPORT_COLUMNS.map((c) => c.key).join(',') + '\r\n';
}

export function csvLine(t: TradeRow): string {
  return EXPORT_COLUMNS.map((c) => csvField(c.value(t), c.text)).join(',') + '\r\n';
}

/** A CSV stream that pulls one page of trades at a time (back-pressure from the socket). */
export function csvStream(pages: AsyncIterable<TradeRow[]>): Readable {
  async function* lines() {
    // A byte-order mark makes Excel read the file as UTF-8 (symbols and notes may be unicode).
    yield '\uFEFF' + csvHeader();
    for await (const page of pages) {
      let chunk = '';
      for (const t of page) chunk += csvLine(t);
      yield chunk;
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

/** Excel's limit is 1,048,576 rows a sheet; a larger export continues on "trades 2" and so on. */
export const XLSX_ROWS_PER_SHEET = 1_000_000;

/** Waits until `stream` wants more data; false if it closed (the client went away). */
async function drained(stream: Writable): Promise<boolean> {
  if (stream.destroyed) return false;
  if (!stream.writableNeedDrain) return true;
  const ac = new AbortController();
  try {
    const which = await Promise.race([
      once(stream, 'drain', { signal: ac.signal }).then(() => 'drain' as const),
      once(stream, 'close', { signal: ac.signal }).then(() => 'close' as const),
    ]);
    return which === 'drain' && !stream.destroyed;
  } finally {
    ac.abort();
  }
}

/** A writable as exceljs's bundled stream library makes it (older than Node's own). */
interface LegacyWritable {
  destroyed?: boolean;
  writableLength?: number;
  _writableState?: { length?: number; ended?: boolean };
  once(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Where a sheet's committed rows go next (the zip entry's deflate step). exceljs writes into it
 * without waiting, so the export waits on it itself.
 */
function sheetSink(sheet: ExcelJS.Worksheet): LegacyWritable | undefined {
  return (sheet as unknown as { stream?: { pipes?: LegacyWritable[] } }).stream?.pipes?.[0];
}

/** Bytes written to a stream and not yet processed. */
function pending(w: LegacyWritable): number {
  return w.writableLength ?? w._writableState?.length ?? 0;
}

/** Resolves once `w` holds at most `limit` unprocessed bytes (or has ended). */
async function caughtUp(w: LegacyWritable, limit: number): Promise<void> {
  while (!w.destroyed && !w._writableState?.ended && pending(w) > limit) {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        w.removeListener('drain', done);
        w.removeListener('close', done);
        resolve();
      };
      // 'drain' may never come from a stream written to without heeding back-pressure: poll too.
      const timer = setTimeout(done, 20);
      w.once('drain', done);
      w.once('close', done);
    });
  }
}

/**
 * An XLSX workbook written row by row with exceljs's streaming writer: rows are committed as
 * they are added and each page waits until compression and the client have caught up, so
 * memory stays flat however many trades the filter selects.
 */
export function xlsxStream(
  pages: AsyncIterable<TradeRow[]>,
  onError: (error: unknown) => void,
  rowsPerSheet = XLSX_ROWS_PER_SHEET,
): PassThrough {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const header = EXPORT_COLUMNS.map((c) => c.key);
  let sheetNo = 0;
  let sheet: ExcelJS.Worksheet | null = null;
  let rowsInSheet = 0;
  const nextSheet = () => {
    sheet?.commit();
    sheetNo += 1;
    sheet = workbook.addWorksheet(sheetNo === 1 ? 'trades' : `trades ${sheetNo}`);
    sheet.addRow(header).commit();
    rowsInSheet = 0;
    return sheet;
  };
  void (async () => {
    try {
      let ws = nextSheet();
      for await (const page of pages) {
        for (const t of page) {
          if (rowsInSheet >= rowsPerSheet) ws = nextSheet();
          ws.addRow(EXPORT_COLUMNS.map((c) => c.value(t))).commit();
          rowsInSheet += 1;
        }
        const sink = sheetSink(ws);
        if (sink) await caughtUp(sink, 1024 * 1024);
        if (!(await drained(out))) return;
      }
      ws.commit();
      await workbook.commit();
    } catch (error) {
      onError(error);
      out.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return out;
}
