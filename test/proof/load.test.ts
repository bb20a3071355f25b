import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../packages/server/src/testing/stores.js';
import { E2E_ADMIN, startHubProcess } from '../support/hub-process.js';
import {
  FULL,
  linearFit,
  log,
  ms,
  sized,
  sleep,
  summary,
  tableCounts,
  until,
  type StoreKind,
} from './lib/proof.js';

/**
 * Load and soak: bots streaming events, dashboards on WebSocket and dashboard queries against
 * the built hub, for a while. Figures: p50/p99 of ingest requests and of each query, delivery
 * latency (bot send → WebSocket client), and the hub's RSS over time with a fitted slope.
 *
 * Full size (`node bench/load/run.mjs`): 50 bots × 100 events/s, 200 WebSocket clients,
 * 10 dashboards, 10 minutes. CI runs ~20 s at 10 bots × 50 events/s and 20 clients: a smoke
 * test of the harness and of "nothing lost under load", not a measurement (the CI machine is
 * shared; 2 minutes at full rate would take too much of the CI budget).
 */
const BOTS = sized('bots', 10, 50);
const RATE = sized('rate', 50, 100);
const CLIENTS = sized('clients', 20, 200);
const DASHBOARDS = sized('dashboards', 2, 10);
const DURATION_S = sized('duration', 20, 600);
const RSS_EVERY_S = sized('rss_every', 1, 5);
const STORE = (process.env.TRADEWATCH_PROOF_STORE ?? 'sqlite') as StoreKind;
const TICK_MS = 100;
const T0 = Date.UTC(2026, 0, 5, 14, 30);

const QUERIES = [
  '/api/v1/portfolio',
  '/api/v1/positions',
  '/api/v1/fills?limit=100',
  '/api/v1/trades?limit=50',
  '/api/v1/orders?limit=100',
  '/api/v1/bots',
];

function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

interface WsReport {
  latencies: number[];
  messages: number;
  fills: number;
  closedSlow: number;
  errors: number;
  reconnects: number;
  clientsWithFills: number;
}

describe.skipIf(STORE === 'postgres' && !process.env.TRADEWATCH_TEST_PG_URL)(
  'load and soak',
  () => {
    it(
      `serves ${BOTS} bots × ${RATE} events/s, ${CLIENTS} WebSocket clients and ${DASHBOARDS} dashboards for ${DURATION_S} s on ${STORE}, losing nothing`,
      { timeout: (DURATION_S + 240) * 1000 },
      async () => {
        const db = await createTestDatabase(STORE);
        const env: Record<string, string> =
          STORE === 'postgres' ? { TRADEWATCH_DATABASE_URL: db.url } : {};
        const url = STORE === 'postgres' ? db.url : `sqlite:${db.dir}/tradewatch.db`;
        const hub = await startHubProcess({
          dir: db.dir,
          env,
          configYaml: `
log_level: warn
security:
  rate_limit:
    ingest_per_token: { max: 0 }
`,
        });
        const pid = hub.child.pid!;
        const agent = new Agent({ connections: BOTS + DASHBOARDS + 4, keepAliveTimeout: 60_000 });
        const post = async (body: string) => {
          const r = await request(`${hub.url}/api/v1/ingest`, {
            method: 'POST',
            dispatcher: agent,
            headers: { authorization: `Bearer ${E2E_ADMIN}`, 'content-type': 'application/json' },
            body,
          });
          const text = await r.body.text();
          return { status: r.statusCode, text };
        };
        const get = async (route: string) => {
          const r = await request(`${hub.url}${route}`, {
            dispatcher: agent,
            headers: { authorization: `Bearer ${E2E_ADMIN}` },
          });
          await r.body.dump();
          return r.statusCode;
        };

        // WebSocket clients in two worker threads.
        const workers = [0, 1].map(
          (w) =>
            new Worker(new URL('../../bench/load/ws-clients.mjs', import.meta.url), {
              workerData: {
                url: `${hub.url.replace('http', 'ws')}/api/v1/stream`,
                token: E2E_ADMIN,
                clients: Math.ceil(CLIENTS / 2) - (w === 1 && CLIENTS % 2 ? 1 : 0),
              },
            }),
        );
        /** Sends `send` (if any) to a worker and waits for its message of type `reply`. */
        const ask = (w: Worker, send: string | null, reply: string) =>
          new Promise<Record<string, unknown>>((resolve) => {
            const on = (m: Record<string, unknown>) => {
              if (m.type !== reply) return;
              w.off('message', on);
              resolve(m);
            };
            w.on('message', on);
            if (send) w.postMessage({ type: send });
          });
        const report = async () =>
          (await Promise.all(
            workers.map((w) => ask(w, 'report', 'report')),
          )) as unknown as WsReport[];
        const opened = await Promise.all(workers.map((w) => ask(w, null, 'ready')));
        log(
          `load ${STORE}: ${opened.reduce((n, m) => n + Number(m.open), 0)} WebSocket clients open; ${BOTS} bots × ${RATE} events/s for ${DURATION_S} s, ${DASHBOARDS} dashboards`,
        );

        const ingestMs: number[] = [];
        const queryMs = new Map<string, number[]>(QUERIES.map((q) => [q, []]));
        const failures = new Map<string, number>();
        const fail = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);
        let fillsAcked = 0;
        let eventsAcked = 0;
        let stop = false;
        const started = performance.now();
        const rss: { x: number; y: number }[] = [];

        // Bots: every tick each bot queues RATE/10 events and sends what is queued unless a
        // request of its own is still out (then the next request carries more, as the SDK does).
        const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
        const bots = Array.from({ length: BOTS }, (_, b) => ({
          id: `load-${b}`,
          queue: [] as Record<string, unknown>[],
          fillsQueued: 0,
          busy: false,
          n: 0,
          position: 0,
        }));
        const tick = (bot: (typeof bots)[number]) => {
          const epoch = performance.timeOrigin + performance.now();
          for (let i = 0; i < perTick; i++) {
            const n = bot.n++;
            const ts = T0 + Math.round(epoch - performance.timeOrigin) + i;
            const symbol = `SYM${n % 5}`;
            const slot = n % 100;
            if (slot === 0) {
              // One fill a second per bot (at 100 events/s): alternate sides keep positions small.
              const side = bot.position > 0 ? 'sell' : 'buy';
              bot.position += side === 'buy' ? 1 : -1;
              bot.queue.push({
                type: 'fill',
                id: `lf-${bot.id}-${n}@${epoch.toFixed(2)}`,
                bot: bot.id,
                ts,
                symbol: 'SYM0',
                side,
                qty: 1,
                price: 100 + (n % 7),
                fee: 0.01,
              });
              bot.fillsQueued++;
            } else if (slot === 1) {
              bot.queue.push({
                type: 'order',
                id: `lo-${bot.id}-${n}`,
                bot: bot.id,
                ts,
                order_id: `lo-${bot.id}-${n}`,
                symbol,
                side: 'buy',
                qty: 1,
                order_type: 'limit',
                limit_price: 99,
                status: 'cancelled',
              });
            } else if (slot === 2) {
              bot.queue.push({ type: 'heartbeat', bot: bot.id, ts, interval_s: 5 });
            } else if (slot === 3 || slot === 50) {
              bot.queue.push({ type: 'log', bot: bot.id, ts, level: 'info', message: `tick ${n}` });
            } else {
              bot.queue.push({ type: 'mark', bot: bot.id, ts, symbol, price: 100 + (n % 13) / 10 });
            }
          }
          if (bot.busy || bot.queue.length === 0) return;
          const events = bot.queue.splice(0, 5_000);
          const fills = events.filter((e) => e.type === 'fill').length;
          bot.busy = true;
          const t = performance.now();
          void post(JSON.stringify({ events }))
            .then((r) => {
              if (r.status === 200) {
                ingestMs.push(performance.now() - t);
                fillsAcked += fills;
                eventsAcked += events.length;
              } else fail(`ingest ${r.status}: ${r.text.slice(0, 120)}`);
            })
            .catch((e: unknown) => fail(`ingest error ${(e as Error).message}`))
            .finally(() => (bot.busy = false));
        };
        const timers: NodeJS.Timeout[] = [];
        // The bots start spread over one tick.
        bots.forEach((bot, b) =>
          setTimeout(
            () => timers.push(setInterval(() => tick(bot), TICK_MS)),
            (b * TICK_MS) / BOTS,
          ),
        );

        const dashboards = Array.from({ length: DASHBOARDS }, async (_, d) => {
          await sleep((d * 1000) / DASHBOARDS);
          while (!stop) {
            const round = performance.now();
            for (const q of QUERIES) {
              const t = performance.now();
              try {
                const status = await get(q);
                if (status === 200) queryMs.get(q)!.push(performance.now() - t);
                else fail(`GET ${q} ${status}`);
              } catch (e) {
                fail(`GET ${q} error ${(e as Error).message}`);
              }
            }
            await sleep(Math.max(0, 1000 - (performance.now() - round)));
          }
        });

        const wsLatencies: number[] = [];
        const sampler = (async () => {
          while (!stop) {
            const mb = rssMb(pid);
            const t = (performance.now() - started) / 1000;
            if (mb !== null) rss.push({ x: t / 60, y: mb });
            for (const r of await report()) wsLatencies.push(...r.latencies);
            if (FULL && rss.length % Math.max(1, Math.round(60 / RSS_EVERY_S)) === 0) {
              log(
                `load ${STORE}: ${Math.round(t)} s, ${eventsAcked} events acknowledged (${Math.round(eventsAcked / t)}/s), RSS ${mb?.toFixed(0)} MB`,
              );
            }
            await sleep(RSS_EVERY_S * 1000);
          }
        })();

        await sleep(DURATION_S * 1000);
        for (const t of timers) clearInterval(t);
        // Drain: every bot's last request answered, and its queue sent.
        for (const bot of bots) {
          await until(() => !bot.busy);
          if (bot.queue.length > 0) {
            const events = bot.queue.splice(0);
            const r = await post(JSON.stringify({ events }));
            if (r.status === 200) {
              fillsAcked += events.filter((e) => e.type === 'fill').length;
              eventsAcked += events.length;
            } else fail(`ingest ${r.status}`);
          }
        }
        const elapsed = (performance.now() - started) / 1000;
        stop = true;
        await Promise.all(dashboards);
        await sampler;
        // Let the last fills reach the clients.
        await sleep(1_000);
        const final = await report();
        for (const r of final) wsLatencies.push(...r.latencies);
        await Promise.all(workers.map((w) => ask(w, 'stop', 'stopped')));
        await Promise.all(workers.map((w) => w.terminate()));

        // Figures.
        const ing = summary(ingestMs);
        const del = summary(wsLatencies);
        const fillsSent = bots.reduce((n, b) => n + b.fillsQueued, 0);
        log(
          `load ${STORE}: ${eventsAcked} events in ${elapsed.toFixed(0)} s = ${Math.round(eventsAcked / elapsed)} events/s acknowledged (offered ${BOTS * RATE}/s); ${fillsAcked} fills`,
        );
        log(
          `load ${STORE}: ingest requests ${ing.n}, p50 ${ms(ing.p50)}, p99 ${ms(ing.p99)}, max ${ms(ing.max)}`,
        );
        for (const [q, v] of queryMs) {
          const s = summary(v);
          log(`load ${STORE}: GET ${q} ×${s.n}: p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`);
        }
        const totals = final.reduce(
          (a, r) => ({
            messages: a.messages + r.messages,
            fills: a.fills + r.fills,
            slow: a.slow + r.closedSlow,
            clients: a.clients + r.clientsWithFills,
            reconnects: a.reconnects + r.reconnects,
          }),
          { messages: 0, fills: 0, slow: 0, clients: 0, reconnects: 0 },
        );
        log(
          `load ${STORE}: WebSocket: ${totals.messages} messages, ${totals.fills} fill messages to ${totals.clients} of ${CLIENTS} clients; delivery bot→client p50 ${ms(del.p50)}, p99 ${ms(del.p99)}, max ${ms(del.max)} (${del.n} samples); ${totals.slow} closed as too slow, ${totals.reconnects} reconnects`,
        );
        const warm = rss.filter((p) => p.x * 60 >= DURATION_S * 0.25);
        const fit = linearFit(warm);
        const mean = warm.reduce((a, p) => a + p.y, 0) / Math.max(1, warm.length);
        const growth = fit.slope * ((DURATION_S * 0.75) / 60);
        const flat = growth < Math.max(0.05 * mean, 5);
        log(
          `load ${STORE}: RSS ${rss[0]?.y.toFixed(0)} → ${rss.at(-1)?.y.toFixed(0)} MB (max ${Math.max(...rss.map((p) => p.y)).toFixed(0)}); after warm-up slope ${fit.slope.toFixed(2)} MB/min (r² ${fit.r2.toFixed(2)}), ${growth.toFixed(1)} MB over the window vs mean ${mean.toFixed(0)} MB: ${FULL ? (flat ? 'no upward trend' : 'UPWARD TREND') : 'too short to judge a trend (the 10-minute bench/load run does)'}`,
        );
        log(
          `load ${STORE}: RSS samples (min, MB): ${rss.map((p) => `${p.x.toFixed(2)}:${p.y.toFixed(0)}`).join(' ')}`,
        );

        try {
          expect([...failures], 'every request answered 200').toEqual([]);
          expect(totals.clients, 'every WebSocket client got fills').toBe(CLIENTS);
          // Nothing acknowledged under load is missing.
          const counts = await tableCounts(STORE, url);
          expect(counts.get('fills')).toBe(fillsAcked);
          expect(fillsAcked).toBe(fillsSent);
          // The 10-minute run shows no upward RSS trend (too short to tell in CI).
          if (FULL) expect(flat, 'RSS has no upward trend').toBe(true);
        } finally {
          await agent.close();
          await hub.stop('SIGTERM');
          await db.drop();
        }
      },
    );
  },
);
