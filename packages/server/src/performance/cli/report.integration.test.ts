import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../testing/stores.js';
import { startTestHub, type TestHub } from '../../testing/test-hub.js';
import { performanceModule, performanceServiceOf } from '../index.js';
import { OutputError } from '../report/write.js';
import type { PerformanceService } from '../service.js';
import { at, fill, WEEK, WEEK_CONFIG } from '../week.test-util.js';
import { UsageError } from './metrics.js';
import { writeReport, type ReportOptions } from './report.js';

const NOW = new Date(Date.UTC(2026, 0, 9, 20));
/** A symbol and a strategy that must come out escaped: markup in HTML, a formula in CSV. */
const NASTY_SYMBOL = '<img src=x onerror=alert(1)>';
const NASTY_STRATEGY = '=HYPERLINK("http://evil")';

describe.each(dialects)('tradewatch report on %s', (kind) => {
  let t: TestHub;
  let service: PerformanceService;
  let dir: string;
  const run = async (options: ReportOptions) => {
    let printed = '';
    const file = await writeReport(service, options, NOW, (s) => (printed += s));
    return { file, printed };
  };

  beforeAll(async () => {
    t = await startTestHub(kind, WEEK_CONFIG, undefined, { modules: [performanceModule] });
    for (const events of WEEK) expect((await t.ingest(events)).status).toBe(200);
    const nasty = { bot: 'beta', symbol: NASTY_SYMBOL, strategy: NASTY_STRATEGY };
    await t.ingest([
      fill({ ...nasty, ts: at(8, 10), qty: 1, price: 10 }),
      fill({ ...nasty, ts: at(8, 11), side: 'sell', qty: 1, price: 10 }),
    ]);
    t.clock.set(NOW.getTime());
    service = performanceServiceOf(t.hub);
    dir = mkdtempSync(path.join(tmpdir(), 'tw-report-'));
  });
  afterAll(async () => t.close());

  it('prints a text report when no file is given', async () => {
    const { file, printed } = await run({ scope: 'portfolio' });
    expect(file).toBeNull();
    expect(printed).toContain('Performance report — portfolio');
    expect(printed).toContain('2026-01-05 to 2026-01-09 · weekdays periods (252 a year) · USD');
    expect(printed).toMatch(/Closed trades\s+4/);
    expect(printed).toMatch(/Net profit\s+128\.49/);
    expect(printed).toContain('Monthly returns');
    expect(printed).toContain('Net P&L by strategy');
    expect(printed).toContain('probability that the true Sharpe ratio is above 0');
  });

  it('writes a self-contained HTML page with everything escaped', async () => {
    const out = path.join(dir, 'report.html');
    const { file } = await run({ scope: 'portfolio', format: 'html', out, benchmark: 'SPY' });
    expect(file).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain('Benchmark (buy and hold)');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain(NASTY_SYMBOL);
    // No scripts, no external resources.
    expect(html).not.toMatch(/<script|<link|src=["']|url\(|@import/i);
  });

  it('writes one long CSV table with formulas neutralised', async () => {
    const out = path.join(dir, 'report.csv');
    await run({ scope: 'portfolio', format: 'csv', out });
    const lines = readFileSync(out, 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[0]).toBe('section,key,field,value');
    expect(lines).toContain('summary,,end_equity,12138.49');
    expect(lines).toContain('trades,,count,4');
    expect(lines.some((l) => l.startsWith('metrics,,sharpe_ratio,'))).toBe(true);
    expect(lines).toContain('attribution.by_bot,beta,net_pnl,151');
    expect(lines).toContain(`attribution.by_strategy,"'=HYPERLINK(""http://evil"")",net_pnl,0`);
    expect(lines).toContain('daily,2026-01-06,return,0.01');
  });

  it('writes an XLSX workbook with Trades, Metrics, Attribution and Monthly sheets', async () => {
    const out = path.join(dir, 'report.xlsx');
    await run({ scope: 'portfolio', format: 'xlsx', out });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Trades',
      'Metrics',
      'Attribution',
      'Monthly',
    ]);

    const trades = wb.getWorksheet('Trades')!;
    const header = trades.getRow(1).values as unknown[];
    expect(header.slice(1, 6)).toEqual(['id', 'account', 'bot', 'strategy', 'symbol']);
    expect(trades.rowCount).toBe(1 + 4);
    const col = (name: string) => header.indexOf(name);
    const first = trades.getRow(2);
    expect(first.getCell(col('bot')).value).toBe('alpha');
    expect(first.getCell(col('symbol')).value).toBe('BTC');
    expect(first.getCell(col('net_pnl')).value).toBe(100);
    expect(first.getCell(col('exit_at')).value).toBe('2026-01-05T11:00:00.000Z');
    expect(first.getCell(col('avg_exit_price')).value).toBe(110);

    const metrics = wb.getWorksheet('Metrics')!;
    const byLabel = new Map<string, unknown>();
    metrics.eachRow((row) => byLabel.set(row.getCell(2).text, row.getCell(3).value));
    expect(byLabel.get('Scope')).toBe('portfolio');
    expect(byLabel.get('Closed trades')).toBe(4);
    expect(byLabel.get('Net profit')).toBe(128.49);
    expect(byLabel.get('Total return (time-weighted)')).toBeTypeOf('number');

    const attribution = wb.getWorksheet('Attribution')!;
    const rows: unknown[][] = [];
    attribution.eachRow((row, i) => {
      if (i > 1) rows.push((row.values as unknown[]).slice(1));
    });
    expect(rows).toContainEqual(['By strategy', 'swing', 1, 1, 0, 151]);
    expect(rows).toContainEqual(['By symbol', 'ETH', 1, 1, 0, 151]);
    expect(rows).toContainEqual(['By hour of day (close)', '14:00', 1, 1, 0, 151]);
    expect(rows).toContainEqual(['By day of week (close)', 'Tue', 1, 1, 0, 151]);

    const monthly = wb.getWorksheet('Monthly')!;
    expect((monthly.getRow(1).values as unknown[]).slice(1, 4)).toEqual(['year', 'Jan', 'Feb']);
    expect(monthly.getRow(2).getCell(1).value).toBe(2026);
    expect(monthly.getRow(2).getCell(2).value).toBeCloseTo(
      1.01 * 1.01 * 0.99 * (1 + 10 / 12_128.49) - 1,
      12,
    );
    expect(monthly.getRow(2).getCell(3).value).toBeNull();
  });

  it('lists only the scope’s trades in the range', async () => {
    const out = path.join(dir, 'beta.xlsx');
    await run({ scope: 'bot:beta', from: '2026-01-06', to: '2026-01-07', format: 'xlsx', out });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const trades = wb.getWorksheet('Trades')!;
    expect(trades.rowCount).toBe(2);
    expect(trades.getRow(2).getCell(3).value).toBe('beta');
  });

  it('replaces the file atomically at exactly the path given and leaves no temporary files', async () => {
    const sub = path.join(dir, 'atomic');
    mkdirSync(sub);
    const out = path.join(sub, 'r.txt');
    writeFileSync(out, 'old');
    // A path with ".." is used as given: it names sub/r.txt.
    await run({ scope: 'portfolio', out: path.join(sub, 'x', '..', 'r.txt') });
    expect(readFileSync(out, 'utf8')).toContain('Performance report');
    expect(readdirSync(sub)).toEqual(['r.txt']);
  });

  it('refuses bad options and outputs with a message naming them', async () => {
    await expect(run({ scope: 'portfolio', format: 'pdf' })).rejects.toThrow(
      /--format: expected one of text, html, csv, xlsx, got "pdf"/,
    );
    await expect(run({ scope: 'portfolio', format: 'xlsx' })).rejects.toThrow(
      /--out: an XLSX report needs a file/,
    );
    await expect(run({ scope: 'everything' })).rejects.toThrow(
      /--scope: expected portfolio, account:ID or bot:ID/,
    );
    await expect(run({ scope: 'portfolio', from: '5 Jan' })).rejects.toThrow(
      /--from: expected YYYY-MM-DD/,
    );
    await expect(run({ scope: 'portfolio', from: '2026-01-09', to: '2026-01-05' })).rejects.toThrow(
      /--from: from is after to/,
    );
    await expect(run({ scope: 'bot:nobody' })).rejects.toThrow(UsageError);
    await expect(run({ scope: 'portfolio', benchmark: 'NOPE' })).rejects.toThrow(
      /--benchmark: benchmark NOPE has no marks/,
    );
    await expect(
      run({ scope: 'portfolio', out: path.join(dir, 'missing', 'r.txt') }),
    ).rejects.toThrow(OutputError);
    await expect(run({ scope: 'portfolio', out: dir })).rejects.toThrow(/is a directory/);
    expect(existsSync(path.join(dir, 'missing'))).toBe(false);
  });
});
