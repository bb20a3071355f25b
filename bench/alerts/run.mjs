// Alert latency benchmark: from the commit of a fill that breaches a limit to the webhook
// receiver having the notification (group_wait 0, one notification per alert), at a steady
// rate of up to 1,000 alerts/s, beside a bare HTTP POST round trip on loopback to the same
// receiver measured in the same run. Prints p50/p99 of both and their ratio; target p99 < 50 ms.
// Usage: node bench/alerts/run.mjs [--rates 100,1000] [--seconds 5] [--batch 10]
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { ADMIN, startHub } from '../lib/hub-process.mjs';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '100,1000' },
    seconds: { type: 'string', default: '5' },
    batch: { type: 'string', default: '10' },
    bare: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '1,8' },
  },
});
const RATES = values.rates.split(',').map(Number);
const SECONDS = Number(values.seconds);
const BATCH = Number(values.batch);
const CONCURRENCY = values.concurrency.split(',').map(Number);

// ---------------------------------------------------------------- the receiver
const arrivals = new Map(); // symbol → arrival time (ms, performance.now)
// Positions are closed once their alert arrived, so open positions stay bounded by what is in flight.
const toClose = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const at = performance.now();
    if (req.url === '/hook') {
      try {
        for (const a of JSON.parse(body).alerts ?? []) {
          const s = a.labels?.symbol;
          if (s && !arrivals.has(s)) {
            arrivals.set(s, at);
            toClose.push(s);
          }
        }
      } catch {
        // not JSON
      }
    }
    res.end('{"ok":true}');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${server.address().port}`;

const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (ms) => `${ms.toFixed(2)} ms`;

// ---------------------------------------------------------------- bare loopback POST
async function bareRoundTrips(n) {
  const agent = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  const payload = JSON.stringify({
    version: '4',
    status: 'firing',
    alerts: [{ labels: { alertname: 'X', symbol: 'bare' } }],
  });
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await request(`${receiverUrl}/bare`, {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/json' },
      dispatcher: agent,
    });
    await res.body.text();
    times.push(performance.now() - t0);
  }
  await agent.close();
  return times.sort((a, b) => a - b);
}

// ---------------------------------------------------------------- the hub
let hub = null;
async function startBenchHub(concurrency) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tradewatch-bench-alerts-'));
  const configFile = path.join(dir, 'tradewatch.yaml');
  writeFileSync(
    configFile,
    `log_level: warn
accounts:
  - { id: acc1, opening_balance: 1000000000, mode: paper }
risk:
  max_position_value: 1000
alerts:
  builtin: { PositionOpened: { enabled: false } }
  delivery: { concurrency: ${concurrency} }
  channels:
    - { name: ops, type: webhook, url: "${receiverUrl}/hook", send_resolved: false }
  routes:
    - { match: { alertname: PositionLimit }, channels: [ops], group_by: ["..."], group_wait: 0s }
    - { match: {}, channels: [log] }
`,
    { mode: 0o600 },
  );
  return startHub({ dataDir: dir, env: { TRADEWATCH_CONFIG: configFile } });
}
const ingestAgent = new Agent({ connections: 4, keepAliveTimeout: 60_000 });
let seq = 0;

/** Sends `count` fills, each opening a position worth 2,000 in a new symbol (limit 1,000). */
async function send(count) {
  const events = [];
  const symbols = [];
  for (let i = 0; i < count; i++) {
    const symbol = `S${++seq}`;
    symbols.push(symbol);
    events.push({
      type: 'fill',
      id: `f${seq}`,
      bot: 'bench',
      account: 'acc1',
      ts: Date.now(),
      symbol,
      side: 'buy',
      qty: 10,
      price: 200,
    });
  }
  for (const symbol of toClose.splice(0)) {
    events.push({
      type: 'fill',
      id: `c${++seq}`,
      bot: 'bench',
      account: 'acc1',
      ts: Date.now(),
      symbol,
      side: 'sell',
      qty: 10,
      price: 200,
    });
  }
  const t0 = performance.now();
  const res = await request(`${hub.url}/api/v1/ingest`, {
    method: 'POST',
    body: JSON.stringify({ events }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    dispatcher: ingestAgent,
  });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`ingest answered ${res.statusCode}`);
  const t1 = performance.now();
  return symbols.map((s) => ({ symbol: s, sent: t0, acked: t1 }));
}

async function waitForArrivals(list, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  while (list.some((x) => !arrivals.has(x.symbol))) {
    if (performance.now() > deadline)
      throw new Error(
        `${list.filter((x) => !arrivals.has(x.symbol)).length} notifications never arrived`,
      );
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function run(rate) {
  const total = rate * SECONDS;
  const perTick = Math.max(1, Math.min(BATCH, rate));
  const intervalMs = (perTick / rate) * 1000;
  const pending = [];
  const started = performance.now();
  let next = started;
  for (let sent = 0; sent < total; sent += perTick) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    next += intervalMs;
    pending.push(send(Math.min(perTick, total - sent)));
  }
  const sentList = (await Promise.all(pending)).flat();
  const elapsed = (performance.now() - started) / 1000;
  await waitForArrivals(sentList);
  const fromSend = sentList.map((x) => arrivals.get(x.symbol) - x.sent).sort((a, b) => a - b);
  const fromAck = sentList.map((x) => arrivals.get(x.symbol) - x.acked).sort((a, b) => a - b);
  return { rate, total, achieved: total / elapsed, fromSend, fromAck };
}

const bare = await bareRoundTrips(Number(values.bare));
console.log(
  `bare loopback HTTP POST round trip: p50 ${fmt(pct(bare, 50))}, p99 ${fmt(pct(bare, 99))} (${bare.length} requests)`,
);
for (const concurrency of CONCURRENCY) {
  // Positions of the previous hub are not this one's to close.
  toClose.length = 0;
  hub = await startBenchHub(concurrency);
  await waitForArrivals(await send(200));
  for (const rate of RATES) {
    const r = await run(rate);
    const p99 = pct(r.fromSend, 99);
    console.log(
      `delivery.concurrency ${concurrency}, ${rate} alerts/s target (${r.achieved.toFixed(0)} achieved, ${r.total} alerts): ` +
        `fill sent → webhook received p50 ${fmt(pct(r.fromSend, 50))}, p99 ${fmt(p99)}; ` +
        `after the ingest ack p50 ${fmt(pct(r.fromAck, 50))}, p99 ${fmt(pct(r.fromAck, 99))}; ` +
        `p99 ratio to the bare POST ${(p99 / pct(bare, 99)).toFixed(1)}x; target p99 < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'}`,
    );
  }
  await hub.stop();
}
await ingestAgent.close();
server.close();
