import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../packages/server/src/alerts/testing/receiver.test-util.js';
import { startTestHub } from '../../packages/server/src/testing/test-hub.js';
import {
  E2E_ADMIN,
  freePort,
  runCli,
  startHubProcess,
  type HubProcess,
} from '../support/hub-process.js';
import { factKeys, FULL, log, PrivatePostgres, sized, sleep, until } from './lib/proof.js';

/**
 * Dependency faults, each against the built hub:
 * - PostgreSQL restarted under load: ingest answers 503 `not_ready` while it is down, resumes by
 *   itself, nothing acknowledged is lost (a private PostgreSQL server of the test's own, so the
 *   shared one other suites use is never restarted);
 * - a full disk under SQLite: a clear 503, the hub stays up, the file passes integrity_check,
 *   ingest resumes once space is freed;
 * - an alert channel that never answers: its attempts time out, its breaker opens, and the
 *   other channel receives every notification.
 */
const T0 = Date.UTC(2026, 0, 5, 14, 30);

const batchOf = (b: number, size = 20) =>
  Array.from({ length: size }, (_, i) => ({
    type: 'fill',
    id: `pf${b}-${i}`,
    bot: `bot${b % 3}`,
    ts: T0 + b * 1000 + i,
    symbol: `S${i % 5}`,
    side: (b + i) % 2 ? 'sell' : 'buy',
    qty: 1 + (i % 3),
    price: 100 + ((b + i) % 9),
    fee: 0.1,
  }));

interface Answer {
  status: number | 'no-connection';
  error?: string;
  message?: string;
}

async function send(hub: HubProcess, events: unknown[]): Promise<Answer> {
  try {
    const res = await fetch(`${hub.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${E2E_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    const body = (await res.json()) as { error?: string; message?: string };
    return { status: res.status, error: body.error, message: body.message };
  } catch {
    return { status: 'no-connection' };
  }
}

// A test that times out never reaches its `finally`: whatever it started is cleaned up here.
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse())
    await Promise.resolve()
      .then(c)
      .catch(() => undefined);
});

const privatePg = PrivatePostgres.available();
if (privatePg) log(`faults: the PostgreSQL restart proof is SKIPPED: ${privatePg}`);

describe.skipIf(privatePg !== null)('PostgreSQL restarted under load', () => {
  const RESTARTS = sized('restarts', 1, 3);
  const DOWN_MS = sized('down_ms', 1_500, 5_000);
  it(
    `answers 503 while it is down, resumes by itself and loses nothing acknowledged (${RESTARTS} restart(s), ${DOWN_MS} ms down)`,
    { timeout: FULL ? 900_000 : 240_000 },
    async () => {
      const server = await PrivatePostgres.create(await freePort());
      cleanups.push(() => server.destroy());
      let hub: HubProcess | null = null;
      try {
        const admin = new pg.Client({ connectionString: server.url() });
        await admin.connect();
        await admin.query('CREATE DATABASE tw');
        await admin.end();
        const url = server.url('tw');
        hub = await startHubProcess({
          configYaml: 'log_level: warn\n',
          env: { TRADEWATCH_DATABASE_URL: url },
        });
        const h = hub;
        cleanups.push(() => h.stop('SIGKILL'));
        const answers = new Map<number, Answer>();
        let next = 0;
        let stop = false;
        const IN_FLIGHT = FULL ? 8 : 3;
        const streaming = Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            while (!stop) {
              const b = next++;
              const a = await send(h, batchOf(b));
              answers.set(b, a);
              if (a.status !== 200) await sleep(50);
            }
          }),
        );
        const okSince = (from: number) =>
          [...answers].filter(([b, a]) => b >= from && a.status === 200).length;
        for (let r = 0; r < RESTARTS; r++) {
          await until(() => okSince(next - 20) >= 10);
          const downAt = next;
          server.stopServer();
          log(`faults: PostgreSQL stopped (restart ${r + 1}/${RESTARTS}) at batch ${downAt}`);
          await sleep(DOWN_MS);
          server.startServer();
          await until(() => server.ready());
          const upAt = next;
          log(`faults: PostgreSQL is accepting connections again at batch ${upAt}`);
          // The hub resumes by itself: batches sent after the server came back are acknowledged.
          await until(() => okSince(upAt) >= 20);
        }
        stop = true;
        await streaming;

        const all = [...answers.values()];
        const by = (s: Answer['status']) => all.filter((a) => a.status === s).length;
        const others = all.filter((a) => a.status !== 200 && a.status !== 503);
        log(
          `faults: ${all.length} batches sent: ${by(200)} acknowledged, ${by(503)} answered 503 not_ready, ${others.length} other answers`,
        );
        expect(others, 'only 200 or 503, never a 500 or a dropped connection').toEqual([]);
        expect(by(503), 'ingest answered 503 while PostgreSQL was down').toBeGreaterThan(0);
        for (const a of all.filter((x) => x.status === 503)) {
          expect(a.error).toBe('not_ready');
          expect(a.message).toMatch(/database is unreachable/);
        }
        // Every acknowledged batch is there whole; the client replays the 503s; all once.
        const acked = [...answers].filter(([, a]) => a.status === 200).map(([b]) => b);
        let keys = await factKeys('postgres', url, 'fills');
        for (const b of acked)
          for (const f of batchOf(b)) expect(keys.get(`${f.bot}/${f.id}`)).toBe(1);
        for (const [b, a] of answers)
          if (a.status !== 200) expect((await send(h, batchOf(b))).status).toBe(200);
        keys = await factKeys('postgres', url, 'fills');
        expect(keys.size).toBe(answers.size * 20);
        expect([...keys.values()].every((n) => n === 1)).toBe(true);
        // The cluster module listens and leads again after the restart.
        await until(async () => {
          const c = await h.api<{ leader: boolean; listening: boolean }>('GET', '/api/v1/cluster');
          return c.body.leader && c.body.listening;
        });
        expect(await h.stop('SIGTERM')).toBe(0);
        hub = null;
        const rebuild = await runCli(['rebuild'], { env: { TRADEWATCH_DATABASE_URL: url } });
        expect(rebuild.stdout + rebuild.stderr).toContain('Every projection matches the facts.');
        log(
          'faults: after the restart(s) every acknowledged batch is stored once and rebuild agrees',
        );
      } finally {
        await hub?.stop('SIGKILL');
        server.destroy();
      }
    },
  );
});

/** A small tmpfs of our own (root only); null where mounting is not allowed. */
function smallFilesystem(mb: number): { dir: string; release(): void } | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-proof-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    release() {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freeBytes(dir: string): number {
  const out = spawnSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).stdout;
  return Number(out.trim().split('\n').at(-1));
}

describe('a full disk under SQLite', () => {
  it(
    'answers 503 with a clear message, keeps running and the file intact, and resumes when space is freed',
    { timeout: 240_000 },
    async () => {
      const fs = smallFilesystem(16);
      if (fs) cleanups.push(() => fs.release());
      if (!fs) {
        // No tmpfs here: SQLite's own page quota gives the same SQLITE_FULL in-process.
        log(
          'faults: disk full simulated with PRAGMA max_page_count (mounting a tmpfs is not allowed here)',
        );
        const t = await startTestHub('sqlite', {});
        try {
          expect((await t.ingest(batchOf(0))).status).toBe(200);
          const sqlite = t.hub.store.sqlite!;
          sqlite.pragma(
            `max_page_count = ${Number(sqlite.pragma('page_count', { simple: true })) + 2}`,
          );
          let full: { status: number; body: Record<string, unknown> } | null = null;
          for (let b = 1; b < 200 && !full; b++) {
            const r = await t.ingest(batchOf(b, 200));
            if (r.status !== 200) full = r;
          }
          expect(full?.status).toBe(503);
          expect(String(full?.body.message)).toMatch(/disk is full/);
          expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
          sqlite.pragma('max_page_count = 1073741823');
          expect((await t.ingest(batchOf(1_000))).status).toBe(200);
        } finally {
          await t.close();
        }
        return;
      }
      let hub: HubProcess | null = null;
      try {
        hub = await startHubProcess({ dir: fs.dir, configYaml: 'log_level: error\n' });
        const h = hub;
        cleanups.push(() => h.stop('SIGKILL'));
        expect((await send(h, batchOf(0))).status).toBe(200);
        // Leave ~400 KB: a few batches fit, then the WAL cannot grow.
        const filler = path.join(fs.dir, 'filler');
        writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(fs.dir) - 400 * 1024)));
        const answers = new Map<number, Answer>();
        let b = 1;
        while (b < 2_000) {
          const a = await send(h, batchOf(b, 100));
          answers.set(b++, a);
          if ([...answers.values()].filter((x) => x.status === 503).length >= 5) break;
        }
        const all = [...answers.values()];
        const full = all.filter((a) => a.status === 503);
        log(
          `faults: disk full after ${all.filter((a) => a.status === 200).length} more batches; answers: ${[...new Set(all.map((a) => a.status))].join(', ')}; "${full[0]?.message ?? ''}"`,
        );
        expect(full.length).toBeGreaterThan(0);
        expect(all.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
        for (const a of full) {
          expect(a.error).toBe('not_ready');
          expect(a.message).toMatch(/disk is full; nothing of this request was stored/);
        }
        expect((await fetch(`${h.url}/livez`)).status).toBe(200);

        // Space comes back: the same batches go in (replays count once), nothing else changed.
        rmSync(filler);
        for (const [n, a] of answers)
          if (a.status !== 200) expect((await send(h, batchOf(n, 100))).status).toBe(200);
        expect(await h.stop('SIGTERM')).toBe(0);
        hub = null;
        const db = new Database(path.join(fs.dir, 'tradewatch.db'), { readonly: true });
        try {
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
          const fills = db.prepare('select count(*) as n from fills').get() as { n: number };
          expect(fills.n).toBe(20 + (b - 1) * 100);
        } finally {
          db.close();
        }
        const rebuild = await runCli(['rebuild'], { env: { TRADEWATCH_DATA_DIR: fs.dir } });
        expect(rebuild.stdout + rebuild.stderr).toContain('Every projection matches the facts.');
        log(
          'faults: after the full disk: integrity_check ok, every batch stored once, rebuild agrees',
        );
      } finally {
        await hub?.stop('SIGKILL');
        fs.release();
      }
    },
  );
});

describe('an alert channel that never answers', () => {
  it(
    'times out, opens its breaker, and the other channel still gets every notification',
    { timeout: 180_000 },
    async () => {
      // Accepts connections and requests, never answers.
      const hanging: Server = createServer(() => undefined);
      let hangingRequests = 0;
      hanging.on('request', () => hangingRequests++);
      await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
      const hangUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
      const receiver = await startReceiver();
      const N = sized('alerts', 8, 50);
      let hub: HubProcess | null = null;
      try {
        hub = await startHubProcess({
          configYaml: `
log_level: error
alerts:
  evaluation_interval: 200ms
  delivery: { timeout: 500ms, backoff_initial: 100ms, backoff_max: 1s, breaker_failures: 3, breaker_half_open_after: 60s, failing_after: 2 }
  channels:
    - { name: hang, type: webhook, url: "${hangUrl}/hook" }
    - { name: ok, type: webhook, url: "${receiver.url}/hook" }
  routes:
    - { match: { alertname: OrderRejected }, channels: [hang, ok], group_by: ["..."], group_wait: 0s, group_interval: 1s }
    - { match: {}, channels: [log] }
`,
        });
        const h = hub;
        const rejected = Array.from({ length: N }, (_, i) => ({
          type: 'order',
          id: `rej-${i}`,
          bot: 'alpha',
          ts: Date.now(),
          order_id: `ord-${i}`,
          symbol: 'XYZ',
          side: 'buy',
          qty: 1,
          order_type: 'limit',
          limit_price: 10,
          status: 'rejected',
          reason: `rejection ${i}`,
        }));
        expect((await send(h, rejected)).status).toBe(200);
        const got = await receiver.waitFor(N, (r) => r.path === '/hook');
        const orders = new Set(
          got.map(
            (r) =>
              (r.body as { alerts: { labels: { order_id: string } }[] }).alerts[0]!.labels.order_id,
          ),
        );
        expect(orders.size).toBe(N);
        const channels = await until(async () => {
          const d = await h.api<{
            channels: {
              channel: string;
              breaker: string;
              failing: boolean;
              pending: number;
              last_error: string | null;
            }[];
          }>('GET', '/api/v1/alerts/deliveries');
          const hang = d.body.channels.find((c) => c.channel === 'hang');
          return hang?.breaker === 'open' ? d.body.channels : null;
        });
        const hang = channels.find((c) => c.channel === 'hang')!;
        const ok = channels.find((c) => c.channel === 'ok')!;
        log(
          `faults: hanging channel: breaker ${hang.breaker}, ${hang.pending} waiting in the outbox, ${hangingRequests} requests reached it (last error "${hang.last_error ?? ''}"); the other channel received all ${N}`,
        );
        expect(hang.failing).toBe(true);
        expect(hang.pending).toBeGreaterThan(0);
        expect(ok.pending).toBe(0);
        // The breaker stops the attempts: a handful reached the hanging server, not one per alert.
        expect(hangingRequests).toBeLessThan(N);
        const failures = await h.api<{
          items: { channel: string; ok: boolean; error: string | null }[];
        }>('GET', '/api/v1/alerts/deliveries?channel=hang&ok=false&limit=100');
        expect(failures.body.items.some((d) => /time|abort/i.test(d.error ?? ''))).toBe(true);
      } finally {
        await hub?.stop('SIGKILL');
        await receiver.close();
        hanging.closeAllConnections();
        await new Promise((r) => hanging.close(r));
      }
    },
  );
});
