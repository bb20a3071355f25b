import ExcelJS from 'exceljs';
import type { TradeRow } from '@tradewatch/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HubEvent } from '../events.js';
import { dialects } from '../testing/stores.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';
import { parseCsv } from './csv-parse.test-util.js';

// This suite tests the journal on its own, whatever state the other modules are in.
vi.mock('../modules.js', async () => {
  const { journalModule } = await import('./index.js');
  const { webModule } = await import('../web/index.js');
  return { hubModules: [journalModule, webModule] };
});

const H = 3_600_000;
const D = 24 * H;
let n = 0;
const fill = (
  bot: string,
  symbol: string,
  side: 'buy' | 'sell',
  qty: number,
  price: number,
  ts: number,
) => ({
  type: 'fill',
  id: `f${n++}`,
  bot,
  account: 'acc1',
  symbol,
  side,
  qty,
  price,
  fee: 1,
  ts,
  strategy: bot === 'alpha' ? 'trend' : 'revert',
});

describe.each(dialects)('journal on %s', (kind) => {
  let t: TestHub;
  let journalToken: string;
  let readToken: string;
  const audit: HubEvent[] = [];

  const send = async (
    method: 'PATCH' | 'GET',
    url: string,
    body?: unknown,
    token = journalToken,
  ) => {
    const res = await t.hub.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return res;
  };
  const trades = async (qs: string) =>
    (await t.get<{ items: TradeRow[] }>(`/api/v1/trades?limit=1000&${qs}`)).body.items;
  const idOf = async (qs: string) => (await trades(qs))[0]!.id;

  beforeAll(async () => {
    t = await startTestHub(kind, {
      accounts: [{ id: 'acc1', name: 'Main', opening_balance: 10_000, mode: 'paper' }],
    });
    t.hub.events = { record: async (e) => void audit.push(e) };
    const res = await t.ingest([
      // Monday: alpha wins 100 - 2 fees on AAPL; Tuesday: alpha loses 50 + 2 on MSFT.
      fill('alpha', 'AAPL', 'buy', 10, 100, T0),
      fill('alpha', 'AAPL', 'sell', 10, 110, T0 + H),
      fill('alpha', 'MSFT', 'buy', 5, 200, T0 + D),
      fill('alpha', 'MSFT', 'sell', 5, 190, T0 + D + H),
      // Next Monday: beta wins a short; Tuesday it opens TSLA (still open).
      fill('beta', 'AAPL', 'sell', 2, 100, T0 + 7 * D),
      fill('beta', 'AAPL', 'buy', 2, 90, T0 + 7 * D + H),
      fill('beta', 'TSLA', 'buy', 1, 300, T0 + 8 * D),
    ]);
    expect(res.status).toBe(200);
    const mk = async (name: string, scopes: string[]) =>
      (
        await t.hub.app.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers: { authorization: `Bearer ${t.admin}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ name, scopes }),
        })
      ).json<{ token: string }>().token;
    journalToken = await mk('journal-writer', ['read', 'journal']);
    readToken = await mk('viewer', ['read']);
  });
  afterAll(async () => t.close());

  describe('notes and tags', () => {
    it('stores notes and tags, returns the trade, and audits who changed what', async () => {
      const id = await idOf('bot=alpha&symbol=AAPL');
      const res = await send('PATCH', `/api/v1/trades/${id}`, {
        notes: 'Entered on the breakout; <b>not</b> bold',
        tags: ['breakout', 'a+', 'breakout'],
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id,
        notes: 'Entered on the breakout; <b>not</b> bold',
        tags: ['breakout', 'a+'],
      });
      const again = await t.get<TradeRow>(`/api/v1/trades/${id}`);
      expect(again.body.tags).toEqual(['breakout', 'a+']);
      expect(audit.at(-1)).toMatchObject({
        type: 'AUDIT',
        actor: 'journal-writer',
        tradeId: id,
        bot: 'alpha',
        context: expect.objectContaining({ fields: ['notes', 'tags'] }),
      });
    });

    it('keeps the field left out, and an empty note clears it', async () => {
      const id = await idOf('bot=alpha&symbol=AAPL');
      await send('PATCH', `/api/v1/trades/${id}`, { tags: ['revisit'] });
      expect((await t.get<TradeRow>(`/api/v1/trades/${id}`)).body).toMatchObject({
        notes: 'Entered on the breakout; <b>not</b> bold',
        tags: ['revisit'],
      });
      await send('PATCH', `/api/v1/trades/${id}`, { notes: '' });
      expect((await t.get<TradeRow>(`/api/v1/trades/${id}`)).body).toMatchObject({
        notes: null,
        tags: ['revisit'],
      });
    });

    it('makes notes and tags searchable through the trade filters', async () => {
      const id = await idOf('bot=alpha&symbol=MSFT');
      await send('PATCH', `/api/v1/trades/${id}`, {
        notes: 'Faded the open, LATE entry',
        tags: ['late'],
      });
      expect((await trades('q=late%20entry')).map((r) => r.id)).toEqual([id]);
      expect((await trades('tag=late')).map((r) => r.id)).toEqual([id]);
    });

    it.each([
      [{}, 'give notes, tags or both'],
      [{ notes: 'x', colour: 'red' }, 'colour'],
      [{ tags: ['x'.repeat(65)] }, 'tags'],
      [{ tags: 'a,b' }, 'tags'],
      [{ notes: 'x'.repeat(10_001) }, 'notes'],
    ])('rejects %j with a message naming the problem', async (body, words) => {
      const id = await idOf('bot=alpha&symbol=AAPL');
      const res = await send('PATCH', `/api/v1/trades/${id}`, body);
      expect(res.statusCode).toBe(400);
      expect(res.json<{ message: string }>().message).toContain(words);
    });

    it('answers 404 for an unknown trade and 403 without the journal scope', async () => {
      expect((await send('PATCH', '/api/v1/trades/nope', { notes: 'x' })).statusCode).toBe(404);
      const id = await idOf('bot=alpha');
      expect(
        (await send('PATCH', `/api/v1/trades/${id}`, { notes: 'x' }, readToken)).statusCode,
      ).toBe(403);
    });
  });

  describe('export', () => {
    it('streams CSV with the same rows and order as the trade list for a filter', async () => {
      const res = await send(
        'GET',
        '/api/v1/trades/export?format=csv&bot=alpha',
        undefined,
        readToken,
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        /attachment; filename="trades-\d{4}-\d{2}-\d{2}\.csv"/,
      );
      const [header, ...rows] = parseCsv(res.body.replace(/^\uFEFF/, ''));
      expect(header!.slice(0, 3)).toEqual(['id', 'account', 'bot']);
      const api = await trades('bot=alpha');
      expect(rows.map((r) => r[0])).toEqual(api.map((r) => r.id));
      const net = header!.indexOf('net_pnl');
      expect(rows.map((r) => Number(r[net]))).toEqual(api.map((r) => r.net_pnl));
    });

    it('guards text that looks like a spreadsheet formula', async () => {
      const id = await idOf('bot=beta&symbol=TSLA');
      await send('PATCH', `/api/v1/trades/${id}`, {
        notes: '=HYPERLINK("http://x","y"), then "more"',
      });
      const res = await send('GET', '/api/v1/trades/export?symbol=TSLA', undefined, readToken);
      const [header, row] = parseCsv(res.body.replace(/^\uFEFF/, ''));
      expect(row![header!.indexOf('notes')]).toBe('\'=HYPERLINK("http://x","y"), then "more"');
    });

    it('writes XLSX that parses to the same rows', async () => {
      const res = await send(
        'GET',
        '/api/v1/trades/export?format=xlsx&sort=net_pnl&order=asc',
        undefined,
        readToken,
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const sheet = wb.getWorksheet('trades')!;
      const values = sheet.getSheetValues().filter(Boolean) as unknown[][];
      const header = values[0]!.slice(1) as string[];
      const rows = values.slice(1).map((r) => r.slice(1));
      const api = await trades('sort=net_pnl&order=asc');
      expect(rows.map((r) => r[0])).toEqual(api.map((r) => r.id));
      expect(rows.map((r) => r[header.indexOf('net_pnl')])).toEqual(api.map((r) => r.net_pnl));
      expect(rows.map((r) => r[header.indexOf('symbol')])).toEqual(api.map((r) => r.symbol));
    });

    it('exports every row of a filter larger than one page, in order', async () => {
      const many = [];
      for (let i = 0; i < 2_100; i++) {
        many.push(fill('gamma', 'BTC', 'buy', 1, 100 + (i % 7), T0 + 20 * D + i * 1_000));
        many.push(fill('gamma', 'BTC', 'sell', 1, 101 + (i % 5), T0 + 20 * D + i * 1_000 + 500));
      }
      expect((await t.ingest(many)).status).toBe(200);
      const res = await send(
        'GET',
        '/api/v1/trades/export?bot=gamma&sort=net_pnl',
        undefined,
        readToken,
      );
      const rows = parseCsv(res.body.replace(/^\uFEFF/, '')).slice(1);
      expect(rows).toHaveLength(2_100);
      expect(new Set(rows.map((r) => r[0])).size).toBe(2_100);
      const net = rows.map((r) => Number(r[15]));
      expect(net).toEqual([...net].sort((a, b) => b - a));
    });

    it('rejects an unknown format', async () => {
      const res = await send('GET', '/api/v1/trades/export?format=pdf', undefined, readToken);
      expect(res.statusCode).toBe(400);
      expect(res.json<{ message: string }>().message).toContain('format');
    });
  });

  describe('aggregation', () => {
    it('sums closed trades per trading day of their exit', async () => {
      const res = await t.get<{ items: Record<string, unknown>[] }>(
        '/api/v1/journal/aggregate?period=day&to=2026-01-20T00:00:00Z',
      );
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        expect.objectContaining({
          date: '2026-01-05',
          currency: 'USD',
          trades: 1,
          wins: 1,
          net_pnl: 98,
          fees: 2,
          cumulative_net_pnl: 98,
        }),
        expect.objectContaining({
          date: '2026-01-06',
          trades: 1,
          losses: 1,
          net_pnl: -52,
          cumulative_net_pnl: 46,
        }),
        expect.objectContaining({
          date: '2026-01-12',
          trades: 1,
          wins: 1,
          net_pnl: 18,
          cumulative_net_pnl: 64,
        }),
      ]);
    });

    it('sums weeks from Monday and honours the trade filters', async () => {
      const week = await t.get<{ items: Record<string, unknown>[] }>(
        '/api/v1/journal/aggregate?period=week&to=2026-01-20T00:00:00Z',
      );
      expect(
        week.body.items.map((r) => [r.date, r.end_date, r.trades, r.net_pnl, r.win_rate]),
      ).toEqual([
        ['2026-01-05', '2026-01-11', 2, 46, 0.5],
        ['2026-01-12', '2026-01-18', 1, 18, 1],
      ]);
      const beta = await t.get<{ items: Record<string, unknown>[] }>(
        '/api/v1/journal/aggregate?period=week&bot=beta',
      );
      expect(beta.body.items.map((r) => r.net_pnl)).toEqual([18]);
    });
  });
});
