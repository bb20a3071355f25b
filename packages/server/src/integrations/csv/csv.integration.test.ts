import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../testing/stores.js';
import { startTestHub, type TestHub } from '../../testing/test-hub.js';
import { integrationsModule } from '../index.js';
import { mapCsv, parseCsvTime, type CsvFormat } from './formats.js';
import { formatReport, importFills, type IngestSender } from './import-command.js';
import { parseCsv } from './parse.js';

const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../test/fixtures/csv',
);
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

function mapped(file: string, format: CsvFormat, timezone = 'UTC') {
  return mapCsv(parseCsv(fixture(file)), { format, bot: 'b1', timezone });
}

describe('CSV parsing', () => {
  it('reads quoted fields with commas, quotes and newlines, and keeps each record’s line', () => {
    const text = 'a,b,c\r\n1,"x, ""y""",3\n\n2,"multi\nline",4\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'x, "y"', '3'] },
      { line: 4, cells: ['2', 'multi\nline', '4'] },
    ]);
  });

  it('ignores a byte-order mark and a missing final newline', () => {
    expect(parseCsv('\uFEFFa,b\n1,2')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', '2'] },
    ]);
  });

  it('reads naive times in the given zone, and times with offsets as they are', () => {
    expect(parseCsvTime('20240102;100005', 'America/New_York')).toBe(
      Date.parse('2024-01-02T15:00:05Z'),
    );
    expect(parseCsvTime('2024-07-02, 10:00:00', 'America/New_York')).toBe(
      Date.parse('2024-07-02T14:00:00Z'),
    );
    expect(parseCsvTime('2024-01-02 10:00:01', 'UTC')).toBe(Date.parse('2024-01-02T10:00:01Z'));
    expect(parseCsvTime('2024-01-02T10:00:00+02:00', 'America/New_York')).toBe(
      Date.parse('2024-01-02T08:00:00Z'),
    );
    expect(parseCsvTime('yesterday', 'UTC')).toBeUndefined();
  });
});

describe('CSV formats', () => {
  it('generic: documented columns, aliases, stable ids and distinct ids for identical rows', () => {
    const m = mapped('generic.csv', 'generic');
    const events = m.rows.map((r) => ('event' in r ? r.event : r.problem));
    expect(events).toHaveLength(5);
    expect(events[0]).toMatchObject({
      id: 'csv:T-1001',
      symbol: 'AAPL',
      side: 'buy',
      qty: 100,
      price: 185.5,
      fee: 1,
      fee_currency: 'USD',
      order_id: 'O-1',
      strategy: 'swing',
      tags: ['earnings', 'long'],
      ts: Date.parse('2024-01-02T10:00:00Z'),
    });
    expect(events[1]).toMatchObject({ ts: Date.parse('2024-01-02T20:30:00Z'), side: 'sell' });
    const twins = events.slice(2, 4) as { id: string }[];
    expect(twins[0]!.id).not.toBe(twins[1]!.id);
    expect(events[4]).toMatchObject({
      symbol: 'BRK.B',
      qty: 5,
      price: 1234.5,
      strategy: 'value, deep',
    });
    // Mapping the same file again gives the same ids: re-imports are duplicates.
    expect(mapped('generic.csv', 'generic').rows).toEqual(m.rows);
  });

  it('generic: every bad row is reported with its line and reason', () => {
    const m = mapped('generic-bad.csv', 'generic');
    const problems = m.rows.flatMap((r) => ('problem' in r ? [[r.line, r.problem]] : []));
    expect(problems.map(([l]) => l)).toEqual([3, 4, 5, 6, 7]);
    expect(problems[0]![1]).toMatch(/^time: not a time/);
    expect(problems[1]![1]).toMatch(/^side/);
    expect(problems[2]![1]).toMatch(/^qty/);
    expect(problems[3]![1]).toMatch(/^symbol/);
    expect(problems[4]![1]).toMatch(/^price/);
  });

  it('generic: a file without the required columns is refused naming them', () => {
    expect(() =>
      mapCsv(parseCsv('when,what\n1,2\n'), { format: 'generic', bot: 'b', timezone: 'UTC' }),
    ).toThrow(/missing time, symbol, side, qty, price/);
  });

  it('ibkr Flex: signed quantities, negative commissions, Eastern times, trade ids', () => {
    const m = mapped('ibkr-flex.csv', 'ibkr', 'America/New_York');
    const [buy, sell, fut, bad] = m.rows;
    expect(buy).toMatchObject({
      line: 2,
      event: {
        id: 'ibkr:501234567',
        side: 'buy',
        qty: 100,
        price: 185.5,
        fee: 1,
        fee_currency: 'USD',
        account: 'U1234567',
        order_id: '3011112222',
        ts: Date.parse('2024-01-02T15:00:05Z'),
      },
    });
    expect(sell).toMatchObject({ event: { side: 'sell', qty: 60, fee: 1.02 } });
    expect(fut).toMatchObject({ event: { symbol: 'ESH4', fee: 2.25 } });
    expect(bad).toMatchObject({ line: 5, problem: expect.stringMatching(/^Quantity/) });
  });

  it('ibkr activity statement: only Trades data rows, subtotals skipped', () => {
    const m = mapped('ibkr-activity.csv', 'ibkr', 'America/New_York');
    expect(m.rows).toHaveLength(2);
    expect(m.rows[0]).toMatchObject({
      line: 5,
      event: {
        symbol: 'AAPL',
        side: 'buy',
        qty: 100,
        fee: 1,
        ts: Date.parse('2024-01-02T15:00:05Z'),
      },
    });
    expect(m.rows[1]).toMatchObject({ event: { side: 'sell', qty: 60, fee: 1.02 } });
    expect(m.skipped).toBeGreaterThan(0);
  });

  it('binance: both export layouts, asset-suffixed amounts, fee currencies', () => {
    const m = mapped('binance.csv', 'binance');
    expect(m.rows).toHaveLength(4);
    expect(m.rows[0]).toMatchObject({
      event: {
        symbol: 'BTCUSDT',
        side: 'buy',
        qty: 0.0015,
        price: 42000.1,
        fee: 0.0000015,
        fee_currency: 'BTC',
      },
    });
    expect(m.rows[3]).toMatchObject({ event: { price: 2300.5, qty: 0.1, fee_currency: 'BNB' } });
    const ids = m.rows.map((r) => ('event' in r ? r.event.id : null));
    expect(new Set(ids).size).toBe(4);
    const old = mapped('binance-old.csv', 'binance');
    expect(old.rows[1]).toMatchObject({
      event: { side: 'sell', qty: 1.5, fee: 0.4656, fee_currency: 'USDT' },
    });
  });

  it('binance: another file is refused with the expected columns', () => {
    expect(() => mapped('generic.csv', 'binance')).toThrow(/not a Binance trade history export/);
  });
});

describe.each(dialects)('import-fills into a hub on %s', (kind) => {
  let t: TestHub;
  let send: IngestSender;
  beforeAll(async () => {
    t = await startTestHub(kind, {}, undefined, { modules: [integrationsModule] });
    const token = (await t.hub.tokens.create({ name: 'csv', scopes: ['ingest'] })).token;
    send = async (events) => {
      const res = await t.hub.app.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ events }),
      });
      return { status: res.statusCode, body: res.json() };
    };
  });
  afterAll(async () => {
    await t.close();
  });

  const options = (format: CsvFormat, file: string) => ({
    file,
    format,
    bot: format === 'generic' ? 'csv-import' : format,
    timezone: format === 'ibkr' ? 'America/New_York' : 'UTC',
    dryRun: false,
    batchSize: 2,
  });

  it('imports every row once; a second import counts them as duplicates', async () => {
    const first = await importFills(
      fixture('generic.csv'),
      options('generic', 'generic.csv'),
      send,
    );
    expect(first).toMatchObject({ rows: 5, accepted: 5, duplicates: 0, rejected: [] });
    const again = await importFills(
      fixture('generic.csv'),
      options('generic', 'generic.csv'),
      send,
    );
    expect(again).toMatchObject({ rows: 5, accepted: 0, duplicates: 5, rejected: [] });
    const fills = await t.get<{ items: unknown[] }>('/api/v1/fills?bot=csv-import&limit=100');
    expect(fills.body.items).toHaveLength(5);
  });

  it('reports rejected rows with their lines and imports the rest', async () => {
    const report = await importFills(
      fixture('generic-bad.csv'),
      { ...options('generic', 'bad.csv'), bot: 'bad-rows' },
      send,
    );
    expect(report.accepted).toBe(2);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6, 7]);
    expect(formatReport(report)).toContain('line 3: time: not a time: "yesterday"');
  });

  it('rejects a row whose id was imported before with other content (409) and keeps the rest', async () => {
    const edited = fixture('generic.csv').replace('T-1002,O-2', 'T-1002,O-2-changed');
    const report = await importFills(edited, options('generic', 'edited.csv'), send);
    expect(report.rejected).toEqual([{ line: 3, reason: expect.stringContaining('already used') }]);
    expect(report.duplicates).toBe(4);
  });

  it('imports IBKR and Binance exports', async () => {
    const ib = await importFills(fixture('ibkr-flex.csv'), options('ibkr', 'ibkr-flex.csv'), send);
    expect(ib).toMatchObject({ accepted: 3, rejected: [{ line: 5 }] });
    const bn = await importFills(fixture('binance.csv'), options('binance', 'binance.csv'), send);
    expect(bn).toMatchObject({ accepted: 4, duplicates: 0 });
    const positions = await t.get<{ items: { symbol: string; qty: number }[] }>(
      '/api/v1/positions?bot=ibkr',
    );
    expect(positions.body.items.find((p) => p.symbol === 'AAPL')?.qty).toBe(40);
  });

  it('a dry run sends nothing', async () => {
    const report = await importFills(
      fixture('binance-old.csv'),
      { ...options('binance', 'old.csv'), dryRun: true },
      null,
    );
    expect(report).toMatchObject({ dry_run: true, accepted: 2 });
    const fills = await t.get<{ items: unknown[] }>('/api/v1/fills?symbol=BNBUSDT');
    expect(fills.body.items).toHaveLength(0);
  });
});
