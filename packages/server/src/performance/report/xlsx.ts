import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { PerformanceResponse } from '../schema.js';
import { attributionTables, metricRows, monthlyTable, MONTHS, type TradeLine } from './model.js';

/** Excel's limit is 1,048,576 rows a sheet; more trades continue on "Trades 2" and so on. */
export const ROWS_PER_SHEET = 1_000_000;

const TRADE_COLUMNS: { header: string; key: keyof TradeLine; width: number; fmt?: string }[] = [
  { header: 'id', key: 'id', width: 26 },
  { header: 'account', key: 'account', width: 12 },
  { header: 'bot', key: 'bot', width: 14 },
  { header: 'strategy', key: 'strategy', width: 14 },
  { header: 'symbol', key: 'symbol', width: 12 },
  { header: 'direction', key: 'direction', width: 9 },
  { header: 'qty', key: 'qty', width: 10 },
  { header: 'entry_at', key: 'entry_at', width: 24 },
  { header: 'exit_at', key: 'exit_at', width: 24 },
  { header: 'avg_entry_price', key: 'avg_entry_price', width: 14 },
  { header: 'avg_exit_price', key: 'avg_exit_price', width: 14 },
  { header: 'gross_pnl', key: 'gross_pnl', width: 12 },
  { header: 'fees', key: 'fees', width: 10 },
  { header: 'net_pnl', key: 'net_pnl', width: 12 },
  { header: 'return_pct', key: 'return_pct', width: 11 },
  { header: 'duration_s', key: 'duration_s', width: 11 },
  { header: 'fill_count', key: 'fill_count', width: 9 },
];

const PCT = '0.00%';

/**
 * Writes the report as an XLSX workbook to `out` with exceljs's streaming writer (trades are
 * committed row by row, so memory stays flat): sheets Trades (every closed trade of the scope
 * in the range), Metrics (summary, return metrics, PSR, trade statistics, benchmark),
 * Attribution (net P&L by strategy, symbol, bot, direction, hour and weekday) and Monthly
 * (year × month returns with each year's total).
 */
export async function writeXlsxReport(
  out: Writable,
  r: PerformanceResponse,
  trades: AsyncIterable<TradeLine[]>,
  generatedAt: string,
  rowsPerSheet = ROWS_PER_SHEET,
): Promise<void> {
  // exceljs is loaded when a report is written, not at every start of the hub (~300 ms).
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Tradewatch';

  let sheetNo = 0;
  let sheet: ExcelJS.Worksheet | null = null;
  let rowsInSheet = 0;
  const nextSheet = () => {
    sheet?.commit();
    sheetNo += 1;
    const ws = workbook.addWorksheet(sheetNo === 1 ? 'Trades' : `Trades ${sheetNo}`);
    ws.columns = TRADE_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
    rowsInSheet = 0;
    sheet = ws;
    return ws;
  };
  let ws = nextSheet();
  for await (const page of trades) {
    for (const t of page) {
      if (rowsInSheet >= rowsPerSheet) ws = nextSheet();
      ws.addRow(TRADE_COLUMNS.map((c) => t[c.key])).commit();
      rowsInSheet += 1;
    }
  }
  ws.commit();

  const metrics = workbook.addWorksheet('Metrics');
  metrics.columns = [
    { header: 'section', key: 'section', width: 12 },
    { header: 'metric', key: 'metric', width: 32 },
    { header: 'value', key: 'value', width: 18 },
    { header: 'key', key: 'key', width: 26 },
  ];
  const info: [string, string | number | null][] = [
    ['Scope', r.scope],
    ['From', r.from],
    ['To', r.to],
    ['Currency', r.currency],
    ['Calendar', `${r.calendar} (${r.periods_per_year} a year)`],
    ['Returns', `time-weighted daily, flows removed; ${r.basis.description}`],
    ['Generated', generatedAt],
  ];
  for (const [label, value] of info) metrics.addRow(['report', label, value, '']).commit();
  for (const m of metricRows(r)) {
    const row = metrics.addRow([m.section, m.label, m.value, m.key]);
    if (m.kind === 'pct') row.getCell(3).numFmt = PCT;
    row.commit();
  }
  metrics.commit();

  const attribution = workbook.addWorksheet('Attribution');
  attribution.columns = [
    { header: 'breakdown', key: 'breakdown', width: 24 },
    { header: 'key', key: 'key', width: 20 },
    { header: 'trades', key: 'trades', width: 9 },
    { header: 'wins', key: 'wins', width: 9 },
    { header: 'losses', key: 'losses', width: 9 },
    { header: `net_pnl (${r.currency})`, key: 'net_pnl', width: 16 },
  ];
  for (const t of attributionTables(r)) {
    for (const g of t.rows)
      attribution.addRow([t.title, g.key, g.trades, g.wins, g.losses, g.net_pnl]).commit();
  }
  for (const g of r.attribution.by_weekday_hour) {
    attribution
      .addRow(['By weekday and hour (close)', g.key, g.trades, g.wins, g.losses, g.net_pnl])
      .commit();
  }
  attribution.commit();

  const monthly = workbook.addWorksheet('Monthly');
  monthly.columns = [
    { header: 'year', key: 'year', width: 8 },
    ...MONTHS.map((m) => ({ header: m, key: m, width: 9 })),
    { header: 'total', key: 'total', width: 10 },
  ];
  for (const y of monthlyTable(r)) {
    const row = monthly.addRow([y.year, ...y.months, y.total]);
    for (let c = 2; c <= 14; c++) row.getCell(c).numFmt = PCT;
    row.commit();
  }
  monthly.commit();
  await workbook.commit();
  await finished(out);
}
