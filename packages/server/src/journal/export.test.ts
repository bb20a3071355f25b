import type { TradeRow } from '@tradewatch/protocol';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv-parse.test-util.js';
import { csvField, csvHeader, csvLine, csvStream, EXPORT_COLUMNS, xlsxStream } from './export.js';

const trade = (id: string, over: Partial<TradeRow> = {}): TradeRow => ({
  id,
  account: 'acc1',
  bot: 'alpha',
  symbol: 'AAPL',
  strategy: null,
  direction: 'long',
  status: 'closed',
  qty: 10,
  open_qty: 0,
  entry_at: '2026-01-05T14:30:00.000Z',
  exit_at: '2026-01-05T15:30:00.000Z',
  avg_entry_price: 100,
  avg_exit_price: 110,
  gross_pnl: 100,
  fees: 2,
  net_pnl: 98,
  return_pct: 9.8,
  duration_s: 3600,
  mae: -5,
  mfe: 120,
  mae_pct: -0.5,
  mfe_pct: 12,
  fill_count: 2,
  notes: null,
  tags: [],
  ...over,
});

async function* pagesOf(...pages: TradeRow[][]) {
  for (const p of pages) yield p;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

describe('CSV export', () => {
  it('quotes commas, quotes and line breaks (RFC 4180); nulls are empty', () => {
    expect(csvField('a,b', true)).toBe('"a,b"');
    expect(csvField('say "hi"', true)).toBe('"say ""hi"""');
    expect(csvField('two\nlines', true)).toBe('"two\nlines"');
    expect(csvField(null, true)).toBe('');
    expect(csvField(-1.5, false)).toBe('-1.5');
  });

  it('defuses text that a spreadsheet would run as a formula, never numbers', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx'])
      expect(csvField(s, true).replace(/^"|"$/g, '')).toMatch(/^'/);
    expect(csvField('-3', false)).toBe('-3');
  });

  it('writes a header and one line per trade that read back to the same values', async () => {
    const rows = [
      trade('t1', { symbol: '<img src=x onerror=alert(1)>', tags: ['a', 'b'], notes: 'x, "y"\nz' }),
      trade('t2', { exit_at: null, avg_exit_price: null, status: 'open' }),
    ];
    const text = (await collect(csvStream(pagesOf([rows[0]!], [rows[1]!])))).toString('utf8');
    expect(text.startsWith('\uFEFF' + csvHeader())).toBe(true);
    const parsed = parseCsv(text.slice(1));
    expect(parsed[0]).toEqual(EXPORT_COLUMNS.map((c) => c.key));
    expect(parsed[1]![4]).toBe('<img src=x onerror=alert(1)>');
    expect(parsed[1]![23]).toBe('a, b');
    expect(parsed[1]![24]).toBe('x, "y"\nz');
    expect(parsed[2]![10]).toBe('');
    expect(csvLine(rows[1]!).endsWith('\r\n')).toBe(true);
  });
});

describe('XLSX export', () => {
  it('continues on a new sheet when one is full', async () => {
    const rows = ['a', 'b', 'c', 'd', 'e'].map((id) => trade(id));
    const errors: unknown[] = [];
    const buf = await collect(
      xlsxStream(pagesOf(rows.slice(0, 3), rows.slice(3)), (e) => errors.push(e), 2),
    );
    expect(errors).toEqual([]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ids = wb.worksheets.map((ws) =>
      (ws.getSheetValues().filter(Boolean) as unknown[][]).map((r) => r[1]),
    );
    expect(wb.worksheets.map((w) => w.name)).toEqual(['trades', 'trades 2', 'trades 3']);
    expect(ids).toEqual([
      ['id', 'a', 'b'],
      ['id', 'c', 'd'],
      ['id', 'e'],
    ]);
  });
});
