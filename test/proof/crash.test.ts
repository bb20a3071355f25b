import { describe, expect, it } from 'vitest';
import { createTestDatabase, dialects } from '../../packages/server/src/testing/stores.js';
import { E2E_ADMIN, runCli, startHubProcess, type HubProcess } from '../support/hub-process.js';
import { factKeys, FULL, log, rng, seedOf, sized, sleep } from './lib/proof.js';

/**
 * Crash durability: a client streams batches (fills, orders, cash flows, marks, logs) with four
 * in flight while the built hub is killed with SIGKILL at random moments and restarted. Then:
 * every acknowledged batch is present whole, no batch is present in part, replaying what was not
 * acknowledged stores every event exactly once, and `tradewatch rebuild` finds every projection
 * equal to what the facts give. CI: 5 kills per store; `node bench/crash/run.mjs`: 20.
 */
const KILLS = sized('kills', 5, 20);
const SIZE = sized('batch', 40, 100);
const IN_FLIGHT = 4;
const T0 = Date.UTC(2026, 0, 5, 14, 30);

function batch(b: number): Record<string, unknown>[] {
  return Array.from({ length: SIZE }, (_, i) => {
    const bot = `bot${(b + i) % 4}`;
    const ts = T0 + b * 1_000 + i;
    switch (i % 10) {
      case 6:
        return {
          type: 'order',
          id: `o${b}-${i}`,
          bot,
          ts,
          order_id: `ord${b}-${i}`,
          symbol: `S${i % 6}`,
          side: 'buy',
          qty: 1,
          order_type: 'limit',
          limit_price: 100,
          status: b % 2 ? 'filled' : 'cancelled',
        };
      case 7:
        return {
          type: 'mark',
          bot,
          ts,
          symbol: `S${(b + i) % 6}`,
          price: 100 + ((b * 3 + i) % 11),
        };
      case 8:
        return {
          type: 'cash_flow',
          id: `c${b}-${i}`,
          bot,
          ts,
          amount: 10 + (b % 5),
          kind: 'deposit',
        };
      case 9:
        return {
          type: 'log',
          id: `l${b}-${i}`,
          bot,
          ts,
          level: 'info',
          message: `batch ${b} line ${i}`,
        };
      default:
        return {
          type: 'fill',
          id: `f${b}-${i}`,
          bot,
          ts,
          symbol: `S${(b + i) % 6}`,
          side: (b + i) % 3 === 0 ? 'sell' : 'buy',
          qty: 1 + (i % 3),
          price: 100 + ((b * 7 + i) % 17),
          fee: 0.1,
        };
    }
  });
}

/** The fact tables with client ids, and the id prefix of each in `batch`. */
const CHECKED = [
  { table: 'fills', prefix: 'f', per: (n: number) => countIf(n, (i) => i % 10 < 6) },
  { table: 'order_events', prefix: 'o', per: (n: number) => countIf(n, (i) => i % 10 === 6) },
  { table: 'cash_flows', prefix: 'c', per: (n: number) => countIf(n, (i) => i % 10 === 8) },
  { table: 'logs', prefix: 'l', per: (n: number) => countIf(n, (i) => i % 10 === 9) },
];
function countIf(n: number, f: (i: number) => boolean): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (f(i)) c++;
  return c;
}

async function send(hub: HubProcess, b: number): Promise<number | null> {
  try {
    const res = await fetch(`${hub.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${E2E_ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: batch(b) }),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return null; // the connection died with the hub: not acknowledged
  }
}

describe.each(dialects)('crash durability on %s', (kind) => {
  it(
    `loses no acknowledged event and stores none twice across ${KILLS} SIGKILLs, and rebuild agrees`,
    { timeout: FULL ? 3_600_000 : 300_000 },
    async () => {
      const seed = seedOf();
      const random = rng(seed);
      log(
        `crash ${kind}: ${KILLS} kills, batches of ${SIZE}, seed ${seed} (TRADEWATCH_PROOF_SEED)`,
      );
      const db = await createTestDatabase(kind);
      const env: Record<string, string> =
        kind === 'postgres' ? { TRADEWATCH_DATABASE_URL: db.url } : {};
      const url = kind === 'postgres' ? db.url : `sqlite:${db.dir}/tradewatch.db`;
      const acked = new Set<number>();
      const statuses = new Map<number, number>();
      let next = 0;
      let hub: HubProcess | null = null;
      try {
        for (let k = 0; k < KILLS; k++) {
          hub = await startHubProcess({ dir: db.dir, env });
          const h = hub;
          let dead = false;
          // A random moment: somewhere in the next 0.1–1.5 s of streaming (3 s at full size).
          const killAfter = 100 + Math.floor(random() * (FULL ? 2_900 : 1_400));
          const killer = setTimeout(() => {
            dead = true;
            h.child.kill('SIGKILL');
          }, killAfter);
          await Promise.all(
            Array.from({ length: IN_FLIGHT }, async () => {
              while (!dead) {
                const b = next++;
                const status = await send(h, b);
                if (status === 200) acked.add(b);
                else if (status !== null) statuses.set(status, (statuses.get(status) ?? 0) + 1);
                if (status === null) await sleep(5);
              }
            }),
          );
          clearTimeout(killer);
          await h.stop('SIGKILL');
          log(
            `crash ${kind}: kill ${k + 1}/${KILLS} after ${killAfter} ms; ${acked.size} of ${next} batches acknowledged so far`,
          );
        }
        expect([...statuses.keys()], 'no answer other than 200 (or a dead connection)').toEqual([]);

        // After the last kill: every acknowledged batch is there whole; no batch is there in part.
        hub = await startHubProcess({ dir: db.dir, env });
        for (const c of CHECKED) {
          const keys = await factKeys(kind, url, c.table);
          const perBatch = new Map<number, number>();
          for (const [key, n] of keys) {
            expect(n, `${c.table} ${key} stored once`).toBe(1);
            const m = new RegExp(`/${c.prefix}(\\d+)-`).exec(key);
            expect(m, key).not.toBeNull();
            const b = Number(m![1]);
            perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
          }
          for (const b of acked)
            expect(perBatch.get(b), `${c.table} of batch ${b}`).toBe(c.per(SIZE));
          for (const [b, n] of perBatch)
            expect(n, `${c.table} of batch ${b} whole`).toBe(c.per(SIZE));
        }

        // The client replays what it never saw acknowledged: every event lands exactly once.
        let replayed = 0;
        for (let b = 0; b < next; b++) {
          if (acked.has(b)) continue;
          expect(await send(hub, b)).toBe(200);
          replayed++;
        }
        for (const c of CHECKED) {
          const keys = await factKeys(kind, url, c.table);
          expect(keys.size, c.table).toBe(next * c.per(SIZE));
          expect(
            [...keys.values()].every((n) => n === 1),
            `${c.table} once each`,
          ).toBe(true);
        }
        log(
          `crash ${kind}: ${next} batches (${next * SIZE} events), ${acked.size} acknowledged before a kill, ${replayed} replayed; every event stored exactly once`,
        );
        expect(await hub.stop('SIGTERM')).toBe(0);
        hub = null;

        const rebuild = await runCli(['rebuild'], {
          env: { TRADEWATCH_DATA_DIR: db.dir, ...env },
        });
        expect(rebuild.stdout + rebuild.stderr).toContain('Every projection matches the facts.');
        expect(rebuild.code).toBe(0);
        log(`crash ${kind}: tradewatch rebuild exits 0: "Every projection matches the facts."`);
      } finally {
        await hub?.stop('SIGKILL');
        await db.drop();
      }
    },
  );
});
