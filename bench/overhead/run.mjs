// Observability overhead: ingest throughput and query p99 with metrics, request logging, event
// derivation and resource sampling ON (sampling every second, /metrics scraped every second, a
// request log line per request) against the same hub with all of them OFF, in the same run.
// Each configuration runs twice, interleaved (off, on, off, on), and keeps its best round.
// Usage: node bench/overhead/run.mjs [--fills 200000] [--batch 1000] [--concurrency 4] [--queries 1000]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { makeFills } from '../lib/fills.mjs';
import { ADMIN, startHub } from '../lib/hub-process.mjs';

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    queries: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
  },
});
const N = Number(values.fills);
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);
const Q = Number(values.queries);
const ROUNDS = Number(values.rounds);
const TARGET = 0.1;

const CONFIGS = {
  off: [
    'log_level: info',
    'health:',
    '  metrics: { enabled: false }',
    '  request_log: "off"',
    '  sampler: { enabled: false }',
    '  events: { derive: false }',
    '',
  ].join('\n'),
  on: [
    'log_level: info',
    'health:',
    '  metrics: { enabled: true }',
    '  request_log: info',
    '  sampler: { enabled: true, interval_s: 1 }',
    '  events: { derive: true, flush_ms: 1000 }',
    '',
  ].join('\n'),
};

console.log(
  `observability overhead: ${N.toLocaleString()} fills in batches of ${BATCH}, ${CONCURRENCY} in flight, ${Q} queries per endpoint, ${ROUNDS} rounds per configuration`,
);
const fills = makeFills({ count: N });
const bodies = [];
for (let i = 0; i < N; i += BATCH)
  bodies.push(JSON.stringify({ events: fills.slice(i, i + BATCH) }));
const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

async function runOnce(name) {
  const dir = mkdtempSync(path.join(tmpdir(), `tradewatch-overhead-${name}-`));
  const config = path.join(dir, 'tradewatch.yaml');
  writeFileSync(config, CONFIGS[name], { mode: 0o600 });
  const hub = await startHub({ dataDir: dir, env: { TRADEWATCH_CONFIG: config } });
  const agent = new Agent({
    connections: CONCURRENCY + 1,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  // While ON, Prometheus-like scrapes every second.
  let scraping = name === 'on';
  let scrapes = 0;
  const scraper = (async () => {
    while (scraping) {
      const res = await request(`${hub.url}/metrics`, { dispatcher: agent });
      await res.body.text();
      if (res.statusCode === 200) scrapes++;
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  try {
    let next = 0;
    let accepted = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const res = await request(`${hub.url}/api/v1/ingest`, {
            method: 'POST',
            body,
            headers,
            dispatcher: agent,
          });
          const text = await res.body.text();
          if (res.statusCode !== 200)
            throw new Error(`ingest answered ${res.statusCode}: ${text.slice(0, 300)}`);
          accepted += JSON.parse(text).accepted;
        }
      }),
    );
    const rate = (accepted / (performance.now() - t0)) * 1000;
    const p99 = {};
    for (const [label, url] of [
      ['portfolio', `${hub.url}/api/v1/portfolio`],
      ['positions', `${hub.url}/api/v1/positions`],
      ['trades', `${hub.url}/api/v1/trades?limit=100`],
    ]) {
      const times = [];
      let i = 0;
      const one = async () => {
        const s = performance.now();
        const res = await request(url, { headers, dispatcher: agent });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
        return performance.now() - s;
      };
      for (let w = 0; w < 50; w++) await one();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (i++ < Q) times.push(await one());
        }),
      );
      times.sort((a, b) => a - b);
      p99[label] = times[Math.min(times.length - 1, Math.floor(0.99 * times.length))];
    }
    return { rate, p99, scrapes };
  } finally {
    scraping = false;
    await scraper.catch(() => undefined);
    await hub.stop();
    await agent.close();
  }
}

const best = { off: null, on: null };
for (let round = 0; round < ROUNDS; round++) {
  for (const name of ['off', 'on']) {
    const r = await runOnce(name);
    console.log(
      `round ${round + 1} ${name.padEnd(3)}: ${Math.round(r.rate).toLocaleString()} fills/s; p99 ms portfolio ${r.p99.portfolio.toFixed(2)}, positions ${r.p99.positions.toFixed(2)}, trades ${r.p99.trades.toFixed(2)}${name === 'on' ? `; ${r.scrapes} scrapes` : ''}`,
    );
    const b = best[name];
    best[name] = b
      ? {
          rate: Math.max(b.rate, r.rate),
          p99: Object.fromEntries(Object.keys(r.p99).map((k) => [k, Math.min(b.p99[k], r.p99[k])])),
        }
      : r;
  }
}

const rows = [];
const ingestOverhead = 1 - best.on.rate / best.off.rate;
rows.push([
  'ingest fills/s (off → on)',
  `${Math.round(best.off.rate).toLocaleString()} → ${Math.round(best.on.rate).toLocaleString()}`,
  `${(ingestOverhead * 100).toFixed(1)} %`,
  ingestOverhead < TARGET,
]);
for (const k of Object.keys(best.off.p99)) {
  const overhead = best.on.p99[k] / best.off.p99[k] - 1;
  rows.push([
    `${k} p99 ms (off → on)`,
    `${best.off.p99[k].toFixed(2)} → ${best.on.p99[k].toFixed(2)}`,
    `${(overhead * 100).toFixed(1)} %`,
    overhead < TARGET,
  ]);
}
console.log(
  '\n' +
    rows
      .map(
        ([a, b, c, ok]) =>
          `${a.padEnd(30)} ${b.padStart(22)}  overhead ${c.padStart(7)}  (target < 10 %) ${ok ? 'PASS' : 'MISS'}`,
      )
      .join('\n'),
);
console.log(
  `\noverhead: ingest ${(ingestOverhead * 100).toFixed(1)} %, ratio on/off ${(best.on.rate / best.off.rate).toFixed(3)} (target >= 0.9)`,
);
