import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ADMIN, ROOT, startHubProcess, type HubProcess } from '../../support/hub-process.js';
import { SEED_CONFIG, seedEvents, XSS_SYMBOL } from './seed.js';

/**
 * The dashboard in Debian's Chromium against the built hub on a real port, with demo-like
 * data posted through the ingest API. Screenshots go to artifacts/screenshots/.
 */
const CHROMIUM = process.env.TRADEWATCH_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'artifacts/screenshots');
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface TradeItem {
  id: string;
  symbol: string;
  net_pnl: number;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

if (!existsSync(CHROMIUM)) {
  describe('dashboard end-to-end', () => {
    it.skip(`SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set TRADEWATCH_CHROMIUM)`, () => {});
  });
} else {
  describe('dashboard end-to-end in Chromium', () => {
    let hub: HubProcess;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const consoleErrors: string[] = [];
    const dialogs: string[] = [];

    const watch = (p: Page) => {
      p.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`${p.url()}: ${m.text()}`);
      });
      p.on('pageerror', (e) => consoleErrors.push(`${p.url()}: ${e.message}`));
      p.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
    };
    /** The whole page; with TRADEWATCH_SHOT_PARTS=1 also screen-sized parts (easier to look at). */
    const shot = async (p: Page, name: string) => {
      await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
      if (process.env.TRADEWATCH_SHOT_PARTS !== '1') return;
      const viewport = p.viewportSize()!;
      const height = Number(await p.evaluate('document.documentElement.scrollHeight'));
      for (let y = 0, i = 1; y < height; y += viewport.height, i++) {
        await p.screenshot({
          path: path.join(SHOTS, 'parts', `${name}-${i}.png`),
          fullPage: true,
          clip: { x: 0, y, width: viewport.width, height: Math.min(viewport.height, height - y) },
        });
      }
    };
    const api = async <T>(route: string) => {
      const r = await hub.api<T>('GET', route);
      expect(r.status, route).toBe(200);
      return r.body;
    };

    beforeAll(async () => {
      mkdirSync(path.join(SHOTS, 'parts'), { recursive: true });
      hub = await startHubProcess({ configYaml: SEED_CONFIG });
      const events = seedEvents(Date.now());
      for (let i = 0; i < events.length; i += 25) {
        const r = await hub.api('POST', '/api/v1/ingest', { events: events.slice(i, i + 25) });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      }
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
      context = await browser.newContext({
        viewport: { width: 1366, height: 900 },
        acceptDownloads: true,
      });
      page = await context.newPage();
      watch(page);
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await hub?.stop();
    }, 120_000);

    it('logs in straight from the login URL, keeping the token out of the address bar', async () => {
      await page.goto(`${hub.url}/login#token=${E2E_ADMIN}`);
      await page.waitForURL(`${hub.url}/`);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      expect(page.url()).not.toContain(E2E_ADMIN);
      const cookie = (await context.cookies()).find((c) => c.name === 'tw_session')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      expect(cookie.value).not.toContain(E2E_ADMIN);
    }, 120_000);

    it('renders every page with data and no console errors', async () => {
      const trades = await api<{ items: TradeItem[] }>('/api/v1/trades?status=closed&limit=1');
      const tradeId = trades.items[0]!.id;
      const pages: [string, string, string][] = [
        ['/', 'overview', 'Trend ES'],
        ['/bots', 'bots', 'Mean reversion'],
        ['/bots/trend-es', 'bot', 'lean'],
        ['/positions', 'positions', 'ETH-USD'],
        ['/journal', 'journal', 'BTC-USD'],
        ['/journal?view=day', 'journal-daily', 'Daily P&L of closed trades'],
        ['/journal?view=week', 'journal-weekly', 'Weekly P&L of closed trades'],
        [`/journal/trades/${tradeId}`, 'trade', 'Save notes'],
        ['/events', 'events', 'order rejected'],
        ['/settings', 'settings', 'New token'],
        ['/alerts', 'placeholder-alerts', 'Coming soon'],
        ['/performance', 'placeholder-performance', 'Coming soon'],
        ['/status', 'placeholder-health', 'Coming soon'],
      ];
      for (const [route, name, text] of pages) {
        await page.goto(`${hub.url}${route}`);
        await page
          .getByText(text)
          .first()
          .waitFor({ timeout: 10_000 })
          .catch(async (e: unknown) => {
            await shot(page, `failed-${name}`);
            throw new Error(`${route}: "${text}" did not appear: ${String(e)}`);
          });
        await page.waitForLoadState('networkidle');
        await expect.poll(() => page.locator('.skeleton').count(), { message: route }).toBe(0);
        await shot(page, name);
      }
      // The charts render (canvas) on the pages that have them.
      await page.goto(`${hub.url}/`);
      await page.locator('.chart-canvas canvas').first().waitFor();
      await page.getByText('TradingView').first().waitFor();
      expect(consoleErrors).toEqual([]);
    }, 120_000);

    it('shows a fill posted to the API on Overview and Positions within a second, without reload', async () => {
      const positions = await context.newPage();
      watch(positions);
      await page.goto(`${hub.url}/`);
      await positions.goto(`${hub.url}/positions`);
      for (const p of [page, positions]) {
        await p.locator('.conn-live').waitFor();
        await p.evaluate('window.marker = 42');
      }
      const r = await hub.api('POST', '/api/v1/ingest', {
        events: [
          {
            type: 'fill',
            id: 'live-1',
            bot: 'scalper',
            account: 'paper',
            symbol: 'LIVEFILL',
            side: 'buy',
            qty: 7,
            price: 12.5,
            ts: Date.now(),
          },
        ],
      });
      expect(r.status).toBe(200);
      await page.locator('#positions').getByText('LIVEFILL').waitFor({ timeout: 1_000 });
      await page.locator('#feed').getByText('Bought 7 LIVEFILL @ 12.5').waitFor({ timeout: 1_000 });
      await positions.locator('#open-positions').getByText('LIVEFILL').waitFor({ timeout: 1_000 });
      await positions.locator('#recent-fills').getByText('LIVEFILL').waitFor({ timeout: 1_000 });
      for (const p of [page, positions]) {
        expect(await p.evaluate('window.marker')).toBe(42);
      }
      await positions.close();
      expect(consoleErrors).toEqual([]);
    }, 120_000);

    it('filters the journal server-side and exports the same rows as CSV and XLSX', async () => {
      await page.goto(`${hub.url}/journal`);
      const rowIds = async () => {
        const links = await page.locator('table.journal tbody tr td:first-child a').all();
        const hrefs = await Promise.all(links.map((a) => a.getAttribute('href')));
        return hrefs.map((h) => decodeURIComponent(h!.split('/').pop()!));
      };
      await page.locator('table.journal tbody tr').first().waitFor();
      const before = await rowIds();
      await page.locator('select[name=outcome]').selectOption('win');
      await page.waitForURL(/outcome=win/);
      await expect.poll(async () => (await rowIds()).join()).not.toBe(before.join());
      const after = await rowIds();
      const wins = await api<{ items: TradeItem[]; next_cursor: string | null }>(
        '/api/v1/trades?outcome=win&sort=entry_at&order=desc&limit=1000',
      );
      expect(wins.items.every((t) => t.net_pnl > 0)).toBe(true);
      expect(after).toEqual(wins.items.slice(0, 50).map((t) => t.id));

      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'CSV' }).click(),
      ]);
      const csvText = readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/, '');
      const [header, ...csvRows] = parseCsv(csvText);
      expect(header![0]).toBe('id');
      expect(csvRows.map((r) => r[0])).toEqual(wins.items.map((t) => t.id));
      const net = header!.indexOf('net_pnl');
      expect(csvRows.map((r) => Number(r[net]))).toEqual(wins.items.map((t) => t.net_pnl));

      const [xlsx] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'XLSX' }).click(),
      ]);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(await xlsx.path());
      const values = (
        wb.getWorksheet('trades')!.getSheetValues().filter(Boolean) as unknown[][]
      ).map((r) => r.slice(1));
      expect(values.slice(1).map((r) => r[0])).toEqual(wins.items.map((t) => t.id));
      expect(values.slice(1).map((r) => r[(values[0] as string[]).indexOf('net_pnl')])).toEqual(
        wins.items.map((t) => t.net_pnl),
      );
      await shot(page, 'journal-winners');
      expect(consoleErrors).toEqual([]);
    }, 120_000);

    it('keeps an edited note across a reload', async () => {
      const trades = await api<{ items: TradeItem[] }>(
        '/api/v1/trades?bot=mean-rev&status=closed&limit=1',
      );
      const id = trades.items[0]!.id;
      await page.goto(`${hub.url}/journal/trades/${encodeURIComponent(id)}`);
      await page
        .getByLabel('Notes', { exact: true })
        .fill('Faded the spike; exit was early. <script>alert(2)</script>');
      await page.getByLabel('Tags (comma separated)').fill('fade, early exit');
      await page.getByRole('button', { name: 'Save notes' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
      await page.reload();
      await expect
        .poll(() => page.getByLabel('Notes', { exact: true }).inputValue())
        .toBe('Faded the spike; exit was early. <script>alert(2)</script>');
      expect(await page.getByLabel('Tags (comma separated)').inputValue()).toBe('fade, early exit');
      const stored = await api<{ notes: string; tags: string[] }>(
        `/api/v1/trades/${encodeURIComponent(id)}`,
      );
      expect(stored).toMatchObject({ tags: ['fade', 'early exit'] });
      await shot(page, 'trade-notes');
      // With the health module's event log, the edit is in the audit trail with who made it.
      const info = await api<{ capabilities: Record<string, boolean> }>('/api/v1/dashboard');
      if (info.capabilities.events) {
        await page.goto(`${hub.url}/events?source=hub&type=AUDIT`);
        await page.getByText(`journal of trade ${id} edited`).first().waitFor();
        await shot(page, 'events-audit');
      }
      expect(dialogs).toEqual([]);
      expect(consoleErrors).toEqual([]);
    }, 120_000);

    it('shows the HTML-like symbol as text and runs nothing', async () => {
      for (const route of ['/', '/positions', '/journal']) {
        await page.goto(`${hub.url}${route}`);
        await page.getByText(XSS_SYMBOL, { exact: true }).first().waitFor();
        expect(await page.locator('img[src="x"]').count()).toBe(0);
      }
      expect(dialogs).toEqual([]);
      expect(consoleErrors).toEqual([]);
    }, 120_000);

    it('reads well 360 px wide, in both themes', async () => {
      const phone = await browser.newContext({
        viewport: { width: 360, height: 780 },
        deviceScaleFactor: 2,
      });
      await phone.addCookies(await context.cookies());
      const p = await phone.newPage();
      watch(p);
      await p.goto(`${hub.url}/`);
      await p.getByText('Trend ES').first().waitFor();
      await p.locator('.chart-canvas canvas').first().waitFor();
      await p.waitForLoadState('networkidle');
      expect(Number(await p.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(
        360,
      );
      await shot(p, 'overview-360');
      await p.getByRole('button', { name: 'Switch to the light theme' }).click();
      await p.waitForTimeout(100);
      await shot(p, 'overview-360-light');
      for (const [route, name] of [
        ['/journal', 'journal-360'],
        ['/positions', 'positions-360'],
      ] as const) {
        await p.goto(`${hub.url}${route}`);
        await p.waitForLoadState('networkidle');
        const width = Number(await p.evaluate('document.documentElement.scrollWidth'));
        expect(width, route).toBeLessThanOrEqual(360);
        await shot(p, name);
      }
      await phone.close();
      expect(consoleErrors).toEqual([]);
    }, 120_000);

    it('logs out', async () => {
      await page.goto(`${hub.url}/`);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(/\/login/);
      const r = await page.request.get(`${hub.url}/api/v1/portfolio`);
      expect(r.status()).toBe(401);
    }, 60_000);
  });
}
