import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_ADMIN, ROOT, startHubProcess, type HubProcess } from '../../support/hub-process.js';

/**
 * The security headers in a real browser: the dashboard and the Swagger UI both work under
 * their Content-Security-Policy (a violation is a console error), and the hub cannot be framed.
 * Screenshots go to artifacts/screenshots/ for docs/user-manual.md.
 */
const CHROMIUM = process.env.TRADEWATCH_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'artifacts/screenshots');
const ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'];

if (!existsSync(CHROMIUM)) {
  describe('security headers in a browser', () => {
    it.skip(`SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set TRADEWATCH_CHROMIUM)`, () => {});
  });
} else {
  describe('security headers in a browser', { timeout: 120_000 }, () => {
    let hub: HubProcess;
    let browser: Browser;
    let page: Page;
    const violations: string[] = [];

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      hub = await startHubProcess();
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
      page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) {
          violations.push(`${page.url()}: ${m.text()}`);
        }
      });
    }, 90_000);
    afterAll(async () => {
      await browser?.close();
      await hub?.stop();
    });

    it('the dashboard runs under its policy', async () => {
      await page.goto(`${hub.url}/login#token=${E2E_ADMIN}`);
      await page.waitForURL(`${hub.url}/`);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      expect(violations).toEqual([]);
    });

    it('the API docs (Swagger UI) run under theirs, with the dashboard session', async () => {
      const res = await page.goto(`${hub.url}/api/docs`);
      expect(res?.status()).toBe(200);
      await page.locator('.swagger-ui .info .title').waitFor();
      await page.locator('.opblock').first().waitFor();
      await page.screenshot({ path: path.join(SHOTS, 'api-docs.png') });
      expect(violations).toEqual([]);
    });

    it('refuses to be framed by another page', async () => {
      const framed = await browser.newPage();
      await framed.setContent(`<iframe id="f" src="${hub.url}/livez"></iframe>`);
      const frame = await (await framed.$('#f'))!.contentFrame();
      // A blocked frame stays on about:blank / chrome-error.
      expect(frame?.url() ?? '').not.toBe(`${hub.url}/livez`);
      await framed.close();
    });
  });
}
