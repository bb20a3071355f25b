// Ingest benchmark: N fills over HTTP in batches of 1,000 (10 bots, 100 symbols), beside the
// rate of inserting the same rows straight into SQLite with better-sqlite3 in the same run.
// Then query latency under concurrent load on the stored data, peak RSS and start-up time.
// Usage: node bench/ingest/run.mjs [--fills 1000000] [--batch 1000] [--concurrency 4]
import { mkdtempSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { Agent, request } from 'undici';
import { makeFills } from '../lib/fills.mjs';
import { ADMIN, cpuSeconds, peakRssMb, ROOT, startHub } from '../lib/hub-process.mjs';

const require = createRequire(path.join(ROOT, 'packages/server/package.json'));
const Database = require('better-sqlite3');

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    queries: { type: 'string', default: '2000' },
  },
});
const N = Number(values.fills);
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);

console.log(
  `ingest bench: ${N.toLocaleString()} fills, batches of ${BATCH}, ${CONCURRENCY} in flight`,
);
const fills = makeFills({ count: N });
const bodies = [];
for (let i = 0; i < N; i += BATCH)
  bodies.push(JSON.stringify({ events: fills.slice(i, i + BATCH) }));

// --- Raw SQLite: the same rows, prepared statement, one transaction per batch, same pragmas.
function rawRate() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tradewatch-raw-'));
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE fills (seq INTEGER PRIMARY KEY, bot TEXT NOT NULL, id TEXT NOT NULL, ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL, account TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, qty TEXT NOT NULL,
    price TEXT NOT NULL, fee TEXT NOT NULL, strategy TEXT, UNIQUE (bot, id))`);
  const insert = db.prepare(
    'INSERT INTO fills (seq, bot, id, ts, received_at, account, symbol, side, qty, price, fee, strategy) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
  );
  const tx = db.transaction((rows, base) => {
    const now = Date.now();
    for (let j = 0; j < rows.length; j++) {
      const f = rows[j];
      insert.run(
        base + j,
        f.bot,
        f.id,
        f.ts,
        now,
        f.account,
        f.symbol,
        f.side,
        String(f.qty),
        String(f.price),
        String(f.fee),
        f.strategy,
      );
    }
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i += BATCH) tx(fills.slice(i, i + BATCH), i + 1);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  db.close();
  return { wall: (N / ms) * 1000, cpu: N / ((c.user + c.system) / 1e6) };
}

// The machine may be shared: wall-clock rates move with other load, CPU-time rates much less.
const rawRates = rawRate();
const raw = rawRates.wall;
console.log(
  `raw better-sqlite3 inserts: ${Math.round(raw).toLocaleString()} rows/s wall, ${Math.round(rawRates.cpu).toLocaleString()} rows per CPU-second`,
);

const hub = await startHub();
const agent = new Agent({ connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 60_000 });
const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

async function post(body) {
  const res = await request(`${hub.url}/api/v1/ingest`, {
    method: 'POST',
    body,
    headers,
    dispatcher: agent,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200)
    throw new Error(`ingest answered ${res.statusCode}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

let next = 0;
let accepted = 0;
const cpu0 = cpuSeconds(hub.child.pid);
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const result = await post(body);
      accepted += result.accepted;
    }
  }),
);
const ingestMs = performance.now() - t0;
const cpu1 = cpuSeconds(hub.child.pid);
const hubRate = (accepted / ingestMs) * 1000;
const ratio = hubRate / raw;
const hubCpuRate = cpu0 === null || cpu1 === null ? null : accepted / (cpu1 - cpu0);
const cpuRatio = hubCpuRate === null ? null : hubCpuRate / rawRates.cpu;
console.log(
  `hub ingest over HTTP: ${Math.round(hubRate).toLocaleString()} fills/s (${accepted.toLocaleString()} in ${(ingestMs / 1000).toFixed(1)} s)`,
);

// --- Queries under concurrent load.
async function timeQueries(url, count, concurrency) {
  const times = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i++ < count) {
        const s = performance.now();
        const res = await request(url, { headers, dispatcher: agent });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
        times.push(performance.now() - s);
      }
    }),
  );
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { p50: pct(0.5), p99: pct(0.99) };
}
const Q = Number(values.queries);
const results = {};
for (const [name, url] of [
  ['/portfolio', `${hub.url}/api/v1/portfolio`],
  ['/positions', `${hub.url}/api/v1/positions`],
  ['/trades (first page)', `${hub.url}/api/v1/trades?limit=100`],
]) {
  await timeQueries(url, 50, 4); // warm-up
  results[name] = await timeQueries(url, Q, 4);
}
const rss = peakRssMb(hub.child.pid);
await hub.stop();

// --- Start-up on the stored database.
const again = await startHub({ dataDir: hub.dir });
const startupMs = again.readyMs;
await again.stop();
await agent.close();

const rows = [
  ['hub ingest fills/s', Math.round(hubRate).toLocaleString(), '>= 100,000', hubRate >= 100_000],
  ['raw SQLite rows/s', Math.round(raw).toLocaleString(), '', null],
  ['ratio hub/raw', ratio.toFixed(3), '>= 0.4', ratio >= 0.4],
  [
    'hub fills per CPU-second',
    hubCpuRate === null ? 'n/a' : Math.round(hubCpuRate).toLocaleString(),
    '',
    null,
  ],
  [
    'ratio per CPU-second',
    cpuRatio === null ? 'n/a' : cpuRatio.toFixed(3),
    '>= 0.4',
    cpuRatio === null ? null : cpuRatio >= 0.4,
  ],
  ...Object.entries(results).map(([k, v]) => [
    `${k} p50 / p99 ms`,
    `${v.p50.toFixed(2)} / ${v.p99.toFixed(2)}`,
    'p99 < 10',
    v.p99 < 10,
  ]),
  [
    'peak RSS MB (hub)',
    rss === null ? 'n/a' : rss.toFixed(0),
    '< 300',
    rss === null ? null : rss < 300,
  ],
  ['start-up to ready ms', String(startupMs), '< 1000', startupMs < 1000],
];
console.log(
  '\n' +
    rows
      .map(
        ([a, b, c, ok]) =>
          `${a.padEnd(30)} ${String(b).padStart(14)}  ${c.padEnd(12)} ${ok === null ? '' : ok ? 'PASS' : 'MISS'}`,
      )
      .join('\n'),
);
console.log(
  `\ningest: ${Math.round(hubRate)} fills/s, raw ${Math.round(raw)} rows/s, ratio ${ratio.toFixed(3)} (target >= 0.4); ` +
    `per CPU-second ratio ${cpuRatio === null ? 'n/a' : cpuRatio.toFixed(3)}; load average ${loadavg()[0].toFixed(1)}`,
);
