import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchChanges } from '../ingest/index.js';
import { dialects, PG_URL } from '../testing/stores.js';
import { startTestHub, T0, type TestHub } from '../testing/test-hub.js';
import { sql } from 'kysely';
import { classifyStoreFault, clusterModule, clusterRuntime, onRemoteCommit } from './index.js';
import type { ClusterStatus } from './routes.js';

const modules = [clusterModule];
let open: TestHub[] = [];
afterEach(async () => {
  // The shared database is dropped by the hub that created it, after the others closed.
  for (const t of [...open].reverse()) await t.close();
  open = [];
});

const fill = (id: string, bot = 'alpha', extra: Record<string, unknown> = {}) => ({
  type: 'fill',
  id,
  bot,
  ts: T0 + 1_000,
  symbol: 'BTCUSD',
  side: 'buy',
  qty: 1,
  price: 100,
  fee: 0.1,
  ...extra,
});

async function hub(kind: 'sqlite' | 'postgres', instance: string, shared?: TestHub) {
  const t = await startTestHub(
    kind,
    { cluster: { instance_id: instance, election_interval_ms: 200, fanout_debounce_ms: 0 } },
    shared?.db,
    { modules },
  );
  open.push(t);
  return t;
}

describe.each(dialects)('the cluster module on %s', (kind) => {
  it('answers GET /api/v1/cluster with this instance and whether it leads', async () => {
    const a = await hub(kind, 'solo');
    await a.hub.startModules();
    const { status, body } = await a.get<ClusterStatus>('/api/v1/cluster');
    expect(status).toBe(200);
    expect(body.instance_id).toBe('solo');
    expect(body.store).toBe(kind);
    expect(body.leader).toBe(true);
    expect(body.leader_instance).toBe('solo');
    expect(body.clustered).toBe(kind === 'postgres');
    expect(a.hub.leader.isLeader()).toBe(true);
    const metrics = await a.hub.metrics.metrics();
    expect(metrics).toContain('tradewatch_cluster_leader{instance="solo"} 1');
  });

  it('needs the read scope for GET /api/v1/cluster', async () => {
    const a = await hub(kind, 'solo');
    const res = await a.hub.app.inject({ method: 'GET', url: '/api/v1/cluster' });
    expect(res.statusCode).toBe(401);
  });

  it('answers 503 not_ready, not 500, when the database is unreachable', async () => {
    const a = await hub(kind, 'solo');
    vi.spyOn(a.hub.ingest, 'ingest').mockRejectedValueOnce(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    const res = await a.ingest([fill('f1')]);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: 'not_ready',
      message: expect.stringMatching(/database is unreachable.*retry/) as string,
    });
    // Other errors still leave as 500 (and the next request goes through).
    vi.spyOn(a.hub.ingest, 'ingest').mockRejectedValueOnce(new Error('a bug'));
    expect((await a.ingest([fill('f1')])).status).toBe(500);
    expect((await a.ingest([fill('f1')])).status).toBe(200);
  });
});

describe.each(dialects)('text with a NUL character on %s', (kind) => {
  it('is stored as given on SQLite and answered 400 (nothing stored) on PostgreSQL', async () => {
    const a = await hub(kind, 'solo');
    const res = await a.ingest([fill('ok-1'), fill('nul-1', 'alpha', { symbol: 'A\u0000B' })]);
    const fills = await a.get<{ items: unknown[] }>('/api/v1/fills');
    if (kind === 'sqlite') {
      expect(res.status).toBe(200);
      expect(fills.body.items).toHaveLength(2);
    } else {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid', message: expect.stringMatching(/NUL/) });
      expect(fills.body.items).toHaveLength(0);
    }
  });
});

describe('a full SQLite disk', () => {
  it('answers 503 with a clear message, stores nothing of the batch and keeps the file intact', async () => {
    const a = await hub('sqlite', 'solo');
    expect((await a.ingest([fill('warm-up')])).status).toBe(200);
    const sqlite = a.hub.store.sqlite!;
    const pages = Number(sqlite.pragma('page_count', { simple: true }));
    // SQLite's own quota: the file may not grow past its current size (+1 page).
    sqlite.pragma(`max_page_count = ${pages + 1}`);
    const big = Array.from({ length: 2_000 }, (_, i) =>
      fill(`big-${i}`, 'alpha', { symbol: `S${i % 50}` }),
    );
    const res = await a.ingest(big);
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('not_ready');
    expect(String(res.body.message)).toMatch(/disk is full; nothing of this request was stored/);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    const fills = await a.get<{ items: unknown[] }>('/api/v1/fills?limit=1000');
    expect(fills.body.items).toHaveLength(1);

    sqlite.pragma('max_page_count = 1073741823');
    expect((await a.ingest(big)).body).toEqual({ accepted: 2_000, duplicates: 0 });
  });
});

describe.skipIf(!PG_URL)('two instances on one PostgreSQL schema', () => {
  async function pair() {
    const a = await hub('postgres', 'node-a');
    const b = await hub('postgres', 'node-b', a);
    await a.hub.startModules();
    await b.hub.startModules();
    return { a, b };
  }

  it('elect exactly one leader; the other takes over when it stops', async () => {
    const { a, b } = await pair();
    expect(a.hub.leader.isLeader()).toBe(true);
    expect(b.hub.leader.isLeader()).toBe(false);
    const seen = (await b.get<ClusterStatus>('/api/v1/cluster')).body;
    expect(seen.leader).toBe(false);
    expect(seen.leader_instance).toBe('node-a');

    const changes: boolean[] = [];
    b.hub.leader.onChange((l) => changes.push(l));
    await a.hub.close(); // afterEach closes b, then a (idempotent) drops the shared schema
    expect(await clusterRuntime(b.hub).election!.attempt()).toBe(true);
    expect(changes).toEqual([true]);
    expect((await b.get<ClusterStatus>('/api/v1/cluster')).body.leader_instance).toBe('node-b');
  });

  it('a leader whose session is killed steps down, and leads again once it has the lock back', async () => {
    const { a } = await pair();
    const election = clusterRuntime(a.hub).election!;
    const changes: boolean[] = [];
    a.hub.leader.onChange((l) => changes.push(l));
    await terminate('tradewatch node-a election');
    await vi.waitFor(() => expect(a.hub.leader.isLeader()).toBe(false), { timeout: 5_000 });
    // Whoever wins the next rounds, exactly one leads.
    await election.attempt();
    const b = clusterRuntime(open[1]!.hub).election!;
    await b.attempt();
    expect([a.hub.leader.isLeader(), open[1]!.hub.leader.isLeader()].filter(Boolean)).toHaveLength(
      1,
    );
    expect(changes[0]).toBe(false);
  });

  it('pushes what one instance commits to the other’s stream, and nothing the other committed itself', async () => {
    const { a, b } = await pair();
    const remote: BatchChanges[] = [];
    onRemoteCommit(b.hub, (c) => remote.push(c));
    const published: BatchChanges[] = [];
    const publish = b.hub.stream.publish.bind(b.hub.stream);
    b.hub.stream.publish = (c) => {
      published.push(c);
      publish(c);
    };

    expect((await b.ingest([fill('local-1', 'beta')])).status).toBe(200);
    expect(
      (await a.ingest([fill('remote-1'), fill('remote-2', 'alpha', { side: 'sell' })])).status,
    ).toBe(200);
    await vi.waitFor(
      () =>
        expect(remote.flatMap((c) => c.fills.map((f) => f.id))).toEqual(['remote-1', 'remote-2']),
      {
        timeout: 5_000,
      },
    );
    const pushed = published.flatMap((c) => c.fills.map((f) => f.id));
    expect(pushed.filter((id) => id === 'local-1')).toHaveLength(1); // once, from its own commit
    expect(pushed).toContain('remote-2');
    const last = remote.at(-1)!;
    expect(last.keys.map((k) => `${k.key.bot}/${k.key.symbol}`)).toEqual(['alpha/BTCUSD']);
    expect(last.trades.map((t) => t.status)).toContain('closed');
    // B's cache caught up: its portfolio shows A's round trip.
    await vi.waitFor(async () => {
      const bots = (await b.get<{ bots: { bot: string }[] }>('/api/v1/portfolio')).body.bots;
      expect(bots.map((x) => x.bot).sort()).toEqual(['alpha', 'beta']);
    });
  });

  it('survives the connection of a checked-out pool client dying between two queries', async () => {
    const a = await hub('postgres', 'solo');
    const error = await a.hub.store.db
      .transaction()
      .execute(async (trx) => {
        const { pid } = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx))
          .rows[0]!;
        await terminatePid(pid);
        // The socket closes while no query runs: node-postgres emits 'error' on the client, which
        // used to be an unhandled event that killed the process.
        await vi.waitFor(async () => expect(await backendAlive(pid)).toBe(false));
        await new Promise((r) => setImmediate(r));
        await sql`select 1`.execute(trx);
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(classifyStoreFault(error)).toBe('unreachable');
    expect((await a.ingest([fill('after')])).status).toBe(200);
  });

  it('keeps listening after its session is killed and catches up on what it missed', async () => {
    const { a, b } = await pair();
    const remote: string[] = [];
    onRemoteCommit(b.hub, (c) => remote.push(...c.fills.map((f) => f.id)));
    const listener = clusterRuntime(b.hub).listener!;
    const before = listener.connects;
    await terminate('tradewatch node-b listen');
    expect((await a.ingest([fill('while-away')])).status).toBe(200);
    await vi.waitFor(() => expect(listener.connects).toBeGreaterThan(before), { timeout: 10_000 });
    await vi.waitFor(() => expect(remote).toContain('while-away'), { timeout: 10_000 });
  });
});

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const terminatePid = (pid: number) =>
  withAdmin((c) => c.query('select pg_terminate_backend($1)', [pid]));

const backendAlive = (pid: number) =>
  withAdmin(
    async (c) =>
      (await c.query('select 1 from pg_stat_activity where pid = $1', [pid])).rows.length > 0,
  );

/** Ends the backend whose application_name is `name` (what a PostgreSQL restart does to it). */
async function terminate(name: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const r = await c.query<{ ok: boolean }>(
      'select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1',
      [name],
    );
    expect(r.rows.length).toBeGreaterThan(0);
  } finally {
    await c.end();
  }
}
