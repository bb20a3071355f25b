// Scale-out on PostgreSQL: ingest throughput of one built hub against two hubs sharing the same
// schema (batches alternate between them, same total concurrency), measured in the same run, and
// the fan-out lag of the second setup: from A acknowledging a batch to a WebSocket client on B
// receiving its first fill. Also times a full reload of the in-memory projection cache, which
// an instance does whenever another one has written (docs/decisions/0002).
// Usage: node bench/load/cluster.mjs [--fills 40000] [--batch 200] [--concurrency 4]
//        [--bots 10] [--symbols 100] [--pg postgres://postgres@127.0.0.1:5432/test]
// `npm run build` first. Prints ratio = two-instance rate / one-instance rate.
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Agent, request } from 'undici';
import { makeFills } from '../lib/fills.mjs';
import { ADMIN, ROOT, startHub } from '../lib/hub-process.mjs';

const require = createRequire(path.join(ROOT, 'packages/server/package.json'));
const pg = require('pg');
const WebSocket = require('ws');

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '40000' },
    batch: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    bots: { type: 'string', default: '10' },
    symbols: { type: 'string', default: '100' },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const N = Number(values.fills);
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);

async function schema(tag) {
  const name = `tw_bench_${tag}_${process.pid}_${Date.now().toString(36)}`;
  const c = new pg.Client({ connectionString: values.pg });
  await c.connect();
  await c.query(`CREATE SCHEMA ${name}`);
  await c.end();
  const u = new URL(values.pg);
  u.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: values.pg });
      await d.connect();
      await d.query(`DROP SCHEMA ${name} CASCADE`);
      await d.end();
    },
  };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function run(instances) {
  const db = await schema(`c${instances}`);
  const hubs = [];
  for (let i = 0; i < instances; i++)
    hubs.push(
      await startHub({
        env: {
          TRADEWATCH_DATABASE_URL: db.url,
          TRADEWATCH_CONFIG: '',
        },
      }),
    );
  const fills = makeFills({
    count: N,
    bots: Number(values.bots),
    symbols: Number(values.symbols),
  });
  const bodies = [];
  for (let i = 0; i < N; i += BATCH) bodies.push(fills.slice(i, i + BATCH));
  const agent = new Agent({ connections: CONCURRENCY * 2, keepAliveTimeout: 60_000 });

  // A WebSocket client on the last instance notes when each batch's first fill arrives.
  const arrived = new Map();
  const ws = new WebSocket(`${hubs.at(-1).url.replace('http', 'ws')}/api/v1/stream`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  ws.on('message', (d) => {
    const text = d.toString();
    if (!text.startsWith('{"type":"fill"')) return;
    const id = /"id":"([^"]+)"/.exec(text)?.[1];
    if (id && !arrived.has(id)) arrived.set(id, performance.now());
  });
  await new Promise((r) => ws.once('open', r));

  const acked = new Map();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const b = next++;
        const hub = hubs[b % hubs.length];
        const res = await request(`${hub.url}/api/v1/ingest`, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events: bodies[b] }),
        });
        const text = await res.body.text();
        if (res.statusCode !== 200)
          throw new Error(`ingest ${res.statusCode}: ${text.slice(0, 200)}`);
        if (b % hubs.length === 0 && hubs.length > 1) acked.set(bodies[b][0].id, performance.now());
      }
    }),
  );
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1_000));
  const lags = [...acked]
    .filter(([id]) => arrived.has(id))
    .map(([id, at]) => arrived.get(id) - at)
    .sort((a, b) => a - b);
  const cluster = await (
    await request(`${hubs.at(-1).url}/api/v1/cluster`, {
      dispatcher: agent,
      headers: { authorization: `Bearer ${ADMIN}` },
    })
  ).body.json();
  ws.close();
  for (const h of hubs) await h.stop();
  await agent.close();

  // The cost of one full cache reload at this size, timed in-process on the stored data.
  const { openStore } = await import(path.join(ROOT, 'packages/server/dist/store/index.js'));
  const { loadPortfolioState, PortfolioState } = await import(
    path.join(ROOT, 'packages/server/dist/portfolio/index.js')
  );
  const store = openStore(db.url);
  const reloads = [];
  let keys = 0;
  for (let i = 0; i < 5; i++) {
    const state = new PortfolioState();
    const s = performance.now();
    await loadPortfolioState(store.db, state);
    reloads.push(performance.now() - s);
    keys = state.keys.size;
  }
  reloads.sort((a, b) => a - b);
  await store.close();
  await db.drop();
  return {
    rate: (N / ms) * 1000,
    lags,
    passes: cluster.fanout?.passes ?? 0,
    reloadMs: reloads[2],
    keys,
  };
}

console.log(
  `cluster bench: ${N.toLocaleString()} fills in batches of ${BATCH}, ${CONCURRENCY} in flight, ${values.bots} bots × ${values.symbols} symbols, PostgreSQL ${new URL(values.pg).host}`,
);
const one = await run(1);
console.log(`one instance:  ${Math.round(one.rate).toLocaleString()} fills/s`);
const two = await run(2);
console.log(
  `two instances: ${Math.round(two.rate).toLocaleString()} fills/s (batches alternate between A and B)`,
);
if (two.lags.length > 0)
  console.log(
    `fan-out A ack → WebSocket on B: p50 ${pct(two.lags, 0.5).toFixed(1)} ms, p99 ${pct(two.lags, 0.99).toFixed(1)} ms (${two.lags.length} batches; ${two.passes} fan-out passes on B)`,
  );
console.log(
  `full cache reload (${one.keys} position keys): median ${one.reloadMs.toFixed(1)} ms — done by an instance whenever another one wrote`,
);
console.log(`ratio two/one instances: ${(two.rate / one.rate).toFixed(2)}`);
