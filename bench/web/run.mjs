// Dashboard benchmark: the first page's script size, Overview and Journal load times against a
// hub holding a large store, long tasks while the stream delivers 50 messages a second, and a
// streamed export of every trade. Each figure is printed beside its limit with the ratio.
// Usage: node bench/web/run.mjs [--fills 1000000] [--runs 5] [--stream-seconds 10] [--fills-per-second N]
//        [--round-trips N]         (adds N closed trades before the hub export test)
//        [--export-rows 1000000]   (rows through the export writer alone)
// Needs `npm run build` (hub and dashboard) and Chromium (/usr/bin/chromium or $TRADEWATCH_CHROMIUM).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { makeFills } from '../lib/fills.mjs';
import { ADMIN, ROOT, startHub } from '../lib/hub-process.mjs';

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    'stream-seconds': { type: 'string', default: '10' },
    'fills-per-second': { type: 'string', default: '0' },
    batch: { type: 'string', default: '5000' },
    'round-trips': { type: 'string', default: '0' },
    'export-rows': { type: 'string', default: '1000000' },
  },
});
const N = Number(values.fills);
const RUNS = Number(values.runs);
const STREAM_S = Number(values['stream-seconds']);
const FILLS_PER_S = Number(values['fills-per-second']);
const BATCH = Number(values.batch);
const ROUND_TRIPS = Number(values['round-trips']);
const EXPORT_ROWS = Number(values['export-rows']);
const CHROMIUM = process.env.TRADEWATCH_CHROMIUM ?? '/usr/bin/chromium';
const DIST = path.join(ROOT, 'packages/web/dist');

const rows = [];
/** Prints a figure beside its limit and the ratio (a limit of 0 counts, e.g. long tasks). */
function report(name, value, unit, limit, better = 'lower') {
  const ok =
    limit === null
      ? ''
      : (better === 'lower' ? value <= limit : value >= limit)
        ? 'ok'
        : better === 'lower'
          ? 'OVER'
          : 'UNDER';
  const ratio = limit
    ? (value / limit).toFixed(2)
    : limit === 0
      ? value === 0
        ? '0.00'
        : 'inf'
      : '';
  rows.push({ name, value, unit, limit, ratio, ok });
  const v = Number.isInteger(value) ? value : value.toFixed(1);
  console.log(
    `  ${name.padEnd(46)} ${String(v).padStart(10)} ${unit.padEnd(5)}` +
      (limit === null
        ? ''
        : ` limit ${String(limit).padStart(6)} ${unit.padEnd(5)} ratio ${ratio.padStart(4)}  ${ok}`),
  );
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} CPUs`;
console.log(`dashboard bench (${load()}; timings stretch with the machine's load)`);

// ------------------------------------------------------------------ 1. script size
if (!existsSync(path.join(DIST, 'index.html'))) {
  console.error('packages/web/dist is missing: run `npm run build` first');
  process.exit(1);
}
console.log('\n1. Dashboard script size (gzip -9 of the built files)');
const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
const firstPage = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map(
  (m) => m[1],
);
const gz = (file) => gzipSync(readFileSync(path.join(DIST, file)), { level: 9 }).length;
const firstJs = firstPage.filter((f) => f.endsWith('.js')).reduce((s, f) => s + gz(f), 0);
const firstCss = firstPage.filter((f) => f.endsWith('.css')).reduce((s, f) => s + gz(f), 0);
const allJs = readdirSync(path.join(DIST, 'assets'))
  .filter((f) => f.endsWith('.js'))
  .reduce((s, f) => s + gz(`assets/${f}`), 0);
report('first page JS (entry + preloaded chunks)', firstJs / 1024, 'KB', 300);
report('first page CSS', firstCss / 1024, 'KB', null);
report('all JS, every page and the charts', allJs / 1024, 'KB', null);

// ------------------------------------------------------------------ 2. a large store
console.log(`\n2. Hub with ${N.toLocaleString()} fills (10 bots, 100 symbols, 3 accounts)`);
const hub = await startHub();
const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const fills = makeFills({ count: N, start: Date.now() - N * 10 - 60_000 });
const t0 = performance.now();
let next = 0;
async function worker() {
  for (;;) {
    const i = next;
    next += BATCH;
    if (i >= fills.length) return;
    const res = await fetch(`${hub.url}/api/v1/ingest`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ events: fills.slice(i, i + BATCH) }),
    });
    if (!res.ok) throw new Error(`ingest ${res.status}: ${await res.text()}`);
    if ((i / BATCH) % 20 === 0)
      process.stdout.write(`\r  ingesting… ${((i / N) * 100).toFixed(0)}%   `);
  }
}
await Promise.all([worker(), worker()]);
const ingestS = (performance.now() - t0) / 1000;
process.stdout.write('\r');
report('ingest (setup, for reference)', N / ingestS, 'f/s', null);

// API timings (server side, warm), for comparison with the page timings.
async function timeGet(route) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    const r = await fetch(`${hub.url}${route}`, { headers: auth });
    await r.arrayBuffer();
    times.push(performance.now() - s);
  }
  return median(times);
}
report('API /api/v1/portfolio (median)', await timeGet('/api/v1/portfolio'), 'ms', null);
report(
  'API /api/v1/trades first page of 50 (median)',
  await timeGet('/api/v1/trades?limit=50&sort=entry_at&order=desc'),
  'ms',
  null,
);
report(
  'API /api/v1/trades sorted by net P&L (median)',
  await timeGet('/api/v1/trades?limit=50&sort=net_pnl&order=desc'),
  'ms',
  null,
);

// ------------------------------------------------------------------ 3. the browser
if (!existsSync(CHROMIUM)) {
  console.log(`\nNo Chromium at ${CHROMIUM}: page timings and long tasks skipped.`);
} else {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const newContext = async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const r = await ctx.request.post(`${hub.url}/api/v1/session`, { data: { token: ADMIN } });
    if (!r.ok()) throw new Error(`login failed: ${r.status()}`);
    return ctx;
  };
  /** Milliseconds from navigation start until `ready` holds in the page (and `then`, if given). */
  async function pageTime(ctx, route, ready, then) {
    const page = await ctx.newPage();
    await page.goto(`${hub.url}${route}`, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(ready, null, { timeout: 60_000, polling: 'raf' });
    const ms = await handle.jsonValue();
    let after = null;
    if (then)
      after = await (
        await page.waitForFunction(then, null, { timeout: 60_000, polling: 'raf' })
      ).jsonValue();
    await page.close();
    return then ? [ms, after] : ms;
  }
  // Functions, not strings: the dashboard's CSP forbids eval, which string predicates need.
  // Interactive: every figure and table is there (the equity chart may still be loading: it is
  // fetched on demand, as the limit allows); timed separately below.
  const overviewReady = () => {
    const ok =
      document.querySelector('.cards .card') &&
      document.querySelector('.bot-strip, #bots .empty') &&
      document.querySelector('#positions table, #positions .empty') &&
      document.querySelector('#today table, #today .empty') &&
      document.querySelector('#feed .feed, #feed .empty') &&
      document.querySelectorAll('.skeleton').length ===
        document.querySelectorAll('#equity .skeleton').length;
    return ok ? performance.now() : false;
  };
  const chartReady = () =>
    document.querySelector('#equity canvas, #equity .empty') ? performance.now() : false;
  const journalReady = () => {
    const ok =
      document.querySelectorAll('table.journal tbody tr').length > 0 &&
      document.querySelectorAll('.skeleton').length === 0;
    return ok ? performance.now() : false;
  };

  console.log(
    `\n3. Page timings in Chromium (median of ${RUNS}; cold = new browser context, empty cache)`,
  );
  const cold = [];
  const charts = [];
  const warm = [];
  const journalCold = [];
  const journalWarm = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await newContext();
    const [ready, chart] = await pageTime(ctx, '/', overviewReady, chartReady);
    cold.push(ready);
    charts.push(chart);
    warm.push(await pageTime(ctx, '/', overviewReady));
    journalWarm.push(await pageTime(ctx, '/journal', journalReady));
    await ctx.close();
    const ctx2 = await newContext();
    journalCold.push(await pageTime(ctx2, '/journal', journalReady));
    await ctx2.close();
  }
  // Opening the Journal from the navigation of a loaded dashboard (its code loads on demand).
  const inApp = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await newContext();
    const page = await ctx.newPage();
    await page.goto(`${hub.url}/`);
    await page.waitForFunction(overviewReady, null, { timeout: 60_000 });
    // A person reads the Overview first; meanwhile the other pages' code is fetched when idle.
    await page.waitForTimeout(2500);
    await page.evaluate(() => {
      window.__t0 = performance.now();
      document.querySelector('a.nav-link[href="/journal"]').click();
    });
    const handle = await page.waitForFunction(
      () => {
        const ok =
          document.querySelectorAll('table.journal tbody tr').length > 0 &&
          document.querySelectorAll('.skeleton').length === 0;
        return ok ? performance.now() - window.__t0 : false;
      },
      null,
      { timeout: 60_000, polling: 'raf' },
    );
    inApp.push(await handle.jsonValue());
    await ctx.close();
  }
  report('Overview interactive, cold', median(cold), 'ms', 1000);
  report('Overview interactive, warm', median(warm), 'ms', 1000);
  report('Overview equity chart drawn, cold (lazy)', median(charts), 'ms', null);
  report('Journal first page, opened from the navigation', median(inApp), 'ms', 300);
  report('Journal first page, loading the app at /journal', median(journalWarm), 'ms', null);
  report('  … the same with an empty cache', median(journalCold), 'ms', null);

  // ---------------------------------------------------------------- 4. long tasks under the stream
  console.log(
    `\n4. Long tasks while the stream delivers ~50 messages/s for ${STREAM_S} s (Overview open)`,
  );
  const ctx = await newContext();
  await ctx.addInitScript(() => {
    window.__longTasks = [];
    window.__messages = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', () => (window.__messages += 1));
      }
    };
  });
  const page = await ctx.newPage();
  await page.goto(`${hub.url}/`);
  await page.waitForFunction(overviewReady, null, { timeout: 60_000 });
  await page.locator('.conn-live').waitFor();
  await page.waitForTimeout(1500);
  // The same page with no stream for the same time: what the machine alone costs.
  await page.evaluate(() => {
    window.__longTasks = [];
  });
  await page.waitForTimeout(STREAM_S * 1000);
  const idleTasks = await page.evaluate(() => window.__longTasks);
  await page.evaluate(() => {
    window.__longTasks = [];
    window.__messages = 0;
  });
  // Fills on changing symbols. How many messages one fill makes depends on the store (a fill,
  // a position, a bot, the round trips whose excursion the new price moves, a coalesced
  // portfolio snapshot), so a short calibration sets the pace for ~55 messages a second.
  let k = 0;
  async function stream(seconds, fillsPerSecond) {
    const t0 = performance.now();
    const every = 1000 / fillsPerSecond;
    while (performance.now() - t0 < seconds * 1000) {
      const tick = performance.now();
      const res = await fetch(`${hub.url}/api/v1/ingest`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          events: [
            {
              type: 'fill',
              id: `stream-${k}`,
              bot: `bot${k % 10}`,
              account: `acc${k % 3}`,
              symbol: `SYM${k % 100}`,
              side: k % 2 ? 'sell' : 'buy',
              qty: 1,
              price: 100 + (k % 7),
              ts: Date.now(),
            },
          ],
        }),
      });
      await res.arrayBuffer();
      k += 1;
      const wait = every - (performance.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  const before = k;
  await stream(3, 3);
  await page.waitForTimeout(500);
  const perFill = (await page.evaluate(() => window.__messages)) / Math.max(1, k - before);
  const pace =
    FILLS_PER_S > 0 ? FILLS_PER_S : Math.min(50, Math.max(0.5, 55 / Math.max(1, perFill)));
  console.log(
    `  (${perFill.toFixed(1)} messages per fill on this store: ${pace.toFixed(1)} fills/s)`,
  );
  await page.evaluate(() => {
    window.__longTasks = [];
    window.__messages = 0;
  });
  const start = performance.now();
  await stream(STREAM_S, pace);
  await page.waitForTimeout(500);
  const { longTasks, messages } = await page.evaluate(() => ({
    longTasks: window.__longTasks,
    messages: window.__messages,
  }));
  const seconds = (performance.now() - start) / 1000;
  report('stream messages received per second', messages / seconds, 'msg/s', 50, 'higher');
  report('long tasks (> 50 ms) while they arrive', longTasks.length, '', 0);
  report('longest task', longTasks.length ? Math.max(...longTasks) : 0, 'ms', 50);
  report('  reference: long tasks, same page, no stream', idleTasks.length, '', null);
  report(
    '  reference: longest of those',
    idleTasks.length ? Math.max(...idleTasks) : 0,
    'ms',
    null,
  );
  await ctx.close();
  await browser.close();
}

// ------------------------------------------------------------------ 5. export of every trade
if (ROUND_TRIPS > 0) {
  // Random fills close few round trips; --round-trips adds that many (buy then sell) to export.
  console.log(`\n   adding ${ROUND_TRIPS.toLocaleString()} round trips for the export…`);
  const t1 = Date.now() - ROUND_TRIPS * 2 - 10_000;
  for (let i = 0; i < ROUND_TRIPS; i += BATCH / 2) {
    const events = [];
    for (let j = i; j < Math.min(ROUND_TRIPS, i + BATCH / 2); j++) {
      const base = {
        bot: 'exporter',
        account: 'acc0',
        symbol: `RT${j % 50}`,
        qty: 1,
        strategy: 'rt',
      };
      events.push({
        ...base,
        type: 'fill',
        id: `rt-${j}-a`,
        side: 'buy',
        price: 100,
        ts: t1 + j * 2,
      });
      events.push({
        ...base,
        type: 'fill',
        id: `rt-${j}-b`,
        side: 'sell',
        price: 100 + (j % 5) - 2,
        ts: t1 + j * 2 + 1,
      });
    }
    const r = await fetch(`${hub.url}/api/v1/ingest`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ events }),
    });
    if (!r.ok) throw new Error(`ingest ${r.status}`);
  }
}
console.log('\n5. Streamed export of every trade (CSV, then XLSX)');
/** The hub's resident memory now (not its peak), in MB. */
const rssMb = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${hub.child.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};
for (const format of ['csv', 'xlsx']) {
  const before = rssMb();
  let most = before;
  const sampler = setInterval(() => (most = Math.max(most, rssMb())), 100);
  const s = performance.now();
  const r = await fetch(`${hub.url}/api/v1/trades/export?format=${format}`, { headers: auth });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of r.body) {
    bytes += chunk.length;
    if (format === 'csv') for (const b of chunk) if (b === 10) lines += 1;
  }
  clearInterval(sampler);
  const ms = performance.now() - s;
  if (format === 'csv') report('CSV rows exported (all trades)', lines - 1, 'rows', null);
  report(`${format.toUpperCase()} export time`, ms / 1000, 's', null);
  report(`${format.toUpperCase()} size`, bytes / 1024 / 1024, 'MB', null);
  // Memory must not grow with the rows: the file is several times what the hub gains.
  report(
    `hub memory gained during the ${format.toUpperCase()} export`,
    most - before,
    'MB',
    (bytes / 1024 / 1024) * 2,
  );
}

await hub.stop();

// ------------------------------------------------------------------ 6. the export writer at scale
// A million stored round trips take long to ingest on a shared machine, so the writer that the
// export streams through is measured alone on 1,000,000 rows (the hub reads them from the
// database in keyset pages of 2,000, so the writer is what could hold rows in memory).
console.log(`\n6. Export writer alone, ${EXPORT_ROWS.toLocaleString()} rows (pages of 2,000)`);
const { csvStream, xlsxStream } = await import(
  pathToFileURL(path.join(ROOT, 'packages/server/dist/journal/export.js')).href
);
const ownRss = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};
const row = (i) => ({
  id: `tr_${i.toString(16).padStart(12, '0')}`,
  account: `acc${i % 3}`,
  bot: `bot${i % 10}`,
  symbol: `SYM${i % 100}`,
  strategy: `strat${i % 5}`,
  direction: i % 2 ? 'short' : 'long',
  status: 'closed',
  qty: 1 + (i % 10),
  open_qty: 0,
  entry_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  exit_at: new Date(Date.UTC(2026, 0, 1) + i * 1000 + 600_000).toISOString(),
  avg_entry_price: 100 + (i % 13),
  avg_exit_price: 101 + (i % 7),
  gross_pnl: (i % 201) - 100,
  fees: 0.35,
  net_pnl: (i % 201) - 100.35,
  return_pct: ((i % 201) - 100) / 100,
  duration_s: 600,
  mae: -(i % 17),
  mfe: i % 23,
  mae_pct: -0.1,
  mfe_pct: 0.2,
  fill_count: 2,
  notes: i % 50 === 0 ? 'checked the spread, "fine", moved on' : null,
  tags: i % 20 === 0 ? ['review'] : [],
});
async function* syntheticPages(n) {
  for (let i = 0; i < n; i += 2000) {
    await new Promise((r) => setImmediate(r));
    yield Array.from({ length: Math.min(2000, n - i) }, (_, j) => row(i + j));
  }
}
for (const format of ['csv', 'xlsx']) {
  globalThis.gc?.();
  const before = ownRss();
  let most = before;
  const sampler = setInterval(() => (most = Math.max(most, ownRss())), 100);
  const s = performance.now();
  const stream =
    format === 'csv'
      ? csvStream(syntheticPages(EXPORT_ROWS))
      : xlsxStream(syntheticPages(EXPORT_ROWS), (e) => console.error(e));
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.length;
  clearInterval(sampler);
  report(`${format.toUpperCase()} writer time`, (performance.now() - s) / 1000, 's', null);
  report(`${format.toUpperCase()} file size`, bytes / 1024 / 1024, 'MB', null);
  report(`memory gained writing ${format.toUpperCase()}`, most - before, 'MB', 256);
}

console.log(`\n(${load()})`);
const over = rows.filter((r) => r.ok === 'OVER' || r.ok === 'UNDER');
console.log(
  over.length === 0
    ? '\nAll figures within their limits.'
    : `\n${over.length} figure(s) outside their limits.`,
);
