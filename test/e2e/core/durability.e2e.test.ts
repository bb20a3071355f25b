import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startHubProcess, type HubProcess } from '../../support/hub-process.js';

const T0 = Date.UTC(2026, 0, 5, 14, 30);
let running: HubProcess[] = [];
afterEach(async () => {
  for (const h of running) await h.stop('SIGKILL');
  running = [];
});

async function start(dir: string, env: Record<string, string> = {}): Promise<HubProcess> {
  const hub = await startHubProcess({ dir, env });
  running.push(hub);
  return hub;
}

const fillsOf = (batch: number, size: number) =>
  Array.from({ length: size }, (_, i) => ({
    type: 'fill',
    id: `b${batch}-${i}`,
    bot: `bot${batch % 3}`,
    ts: T0 + batch * 1000 + i,
    symbol: `S${i % 7}`,
    side: (batch + i) % 3 === 0 ? 'sell' : 'buy',
    qty: 1 + (i % 4),
    price: 100 + ((batch * 7 + i) % 13),
    fee: 0.5,
  }));

describe('the hub process', () => {
  it('prints a generated admin token on the first start only, and keeps everything across a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-e2e-restart-'));
    const first = await startHubProcess({ dir, env: { TRADEWATCH_ADMIN_TOKEN: '' } });
    running.push(first);
    const token = /\n {2}(tw_[A-Za-z0-9_-]+)\n/.exec(first.output())?.[1];
    expect(token, first.output()).toBeDefined();
    expect(
      (await first.api('POST', '/api/v1/ingest', { events: fillsOf(1, 10) }, token)).status,
    ).toBe(200);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startHubProcess({ dir, env: { TRADEWATCH_ADMIN_TOKEN: '' } });
    running.push(second);
    expect(second.output()).not.toMatch(/admin token was generated/);
    const fills = await second.api<{ items: unknown[] }>(
      'GET',
      '/api/v1/fills?limit=1000',
      undefined,
      token,
    );
    expect(fills.status).toBe(200);
    expect(fills.body.items).toHaveLength(10);
  });

  it(
    'loses no acknowledged event and keeps no half batch when killed with SIGKILL mid-stream; replay counts each event once',
    { timeout: 180_000 },
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'tw-e2e-kill-'));
      let hub = await start(dir);
      const BATCHES = 120;
      const SIZE = 50;
      const acknowledged = new Set<number>();
      // Stream batches with 4 in flight and kill the hub part-way through.
      let next = 0;
      const killAt = 40 + Math.floor(Math.random() * 40);
      const send = async (h: HubProcess, b: number) => {
        try {
          const res = await fetch(`${h.url}/api/v1/ingest`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${'tw_e2e_admin_token_0123456789abcdef'}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ events: fillsOf(b, SIZE) }),
          });
          if (res.status === 200) acknowledged.add(b);
          await res.arrayBuffer();
        } catch {
          // connection died with the hub: not acknowledged
        }
      };
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < BATCHES) {
            const b = next++;
            if (b === killAt) hub.child.kill('SIGKILL');
            await send(hub, b);
          }
        }),
      );
      await hub.stop('SIGKILL');
      expect(acknowledged.size).toBeGreaterThan(0);
      expect(acknowledged.size).toBeLessThan(BATCHES);

      hub = await start(dir);
      // Every acknowledged batch survived, whole.
      const countFills = async (h: HubProcess) => {
        const ids = new Set<string>();
        let cursor: string | null = null;
        do {
          const page: {
            status: number;
            body: { items: { id: string; bot: string }[]; next_cursor: string | null };
          } = await h.api('GET', `/api/v1/fills?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
          for (const f of page.body.items) ids.add(`${f.bot}/${f.id}`);
          cursor = page.body.next_cursor;
        } while (cursor);
        return ids;
      };
      const afterCrash = await countFills(hub);
      for (const b of acknowledged) {
        for (const f of fillsOf(b, SIZE)) expect(afterCrash.has(`${f.bot}/${f.id}`)).toBe(true);
      }
      const batchesPresent = new Map<number, number>();
      for (const key of afterCrash) {
        const b = Number(/\/b(\d+)-/.exec(key)![1]);
        batchesPresent.set(b, (batchesPresent.get(b) ?? 0) + 1);
      }
      for (const n of batchesPresent.values()) expect(n).toBe(SIZE); // no half batch

      // The client replays everything it did not see acknowledged: each event lands exactly once.
      for (let b = 0; b < BATCHES; b++) if (!acknowledged.has(b)) await send(hub, b);
      const final = await countFills(hub);
      expect(final.size).toBe(BATCHES * SIZE);
      const portfolio = await hub.api<{ open_positions: number }>('GET', '/api/v1/portfolio');
      expect(portfolio.status).toBe(200);
      await hub.stop('SIGTERM');
      running = [];

      // And the projections equal what the facts give.
      const rebuild = await runCli(['rebuild'], { env: { TRADEWATCH_DATA_DIR: dir } });
      expect(rebuild.stdout + rebuild.stderr).toContain('Every projection matches the facts.');
      expect(rebuild.code).toBe(0);
    },
  );

  it('pushes a committed fill to a WebSocket client', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-e2e-ws-'));
    const hub = await start(dir);
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/v1/stream`, {
      headers: { authorization: 'Bearer tw_e2e_admin_token_0123456789abcdef' },
    });
    const messages: { type: string; data?: { id?: string } }[] = [];
    ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString()) as { type: string }));
    await new Promise((r) => ws.once('open', r));
    await expect.poll(() => messages.some((m) => m.type === 'hello')).toBe(true);
    expect((await hub.api('POST', '/api/v1/ingest', { events: fillsOf(5, 1) })).status).toBe(200);
    await expect
      .poll(() => messages.find((m) => m.type === 'fill')?.data?.id, { timeout: 5000 })
      .toBe('b5-0');
    await expect.poll(() => messages.some((m) => m.type === 'position')).toBe(true);
    ws.close();

    // A socket without a header token authenticates with its first message.
    const late = new WebSocket(`${hub.url.replace('http', 'ws')}/api/v1/stream`);
    const got: string[] = [];
    late.on('message', (d: Buffer) =>
      got.push((JSON.parse(d.toString()) as { type: string }).type),
    );
    await new Promise((r) => late.once('open', r));
    late.send(JSON.stringify({ type: 'auth', token: 'tw_e2e_admin_token_0123456789abcdef' }));
    await expect.poll(() => got.includes('hello')).toBe(true);
    late.close();

    const bad = new WebSocket(`${hub.url.replace('http', 'ws')}/api/v1/stream`, {
      headers: { authorization: 'Bearer tw_wrong' },
    });
    const code = await new Promise<number>((r) => bad.once('close', (c: number) => r(c)));
    expect(code).toBe(4401);
  });
});
