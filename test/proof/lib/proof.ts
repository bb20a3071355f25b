import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * The proof suites run at two sizes: the reduced one in `npm test` (CI), the full one from
 * `bench/<name>/run.mjs`, which sets TRADEWATCH_PROOF_SIZE=full. Figures go to stdout; the
 * assertions are about outcomes (nothing lost, nothing doubled, no 5xx), never about time.
 */
export const FULL = process.env.TRADEWATCH_PROOF_SIZE === 'full';

/** The reduced (CI) value, or the full one; `TRADEWATCH_PROOF_<NAME>` overrides either. */
export function sized(name: string, ci: number, full: number): number {
  const override = process.env[`TRADEWATCH_PROOF_${name.toUpperCase()}`];
  if (override !== undefined && override !== '' && Number.isFinite(Number(override)))
    return Number(override);
  return FULL ? full : ci;
}

export function log(line: string): void {
  process.stdout.write(`[proof] ${line}\n`);
}

/** A seeded PRNG (mulberry32) so a failing run can be repeated with TRADEWATCH_PROOF_SEED. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(): number {
  const given = Number(process.env.TRADEWATCH_PROOF_SEED);
  return Number.isInteger(given) ? given : Math.floor(Math.random() * 2 ** 31);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until `check` returns something truthy (the test's own timeout bounds the wait). */
export async function until<T>(
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  everyMs = 50,
): Promise<T> {
  for (;;) {
    const v = await Promise.resolve()
      .then(check)
      .catch(() => null);
    if (v) return v;
    await sleep(everyMs);
  }
}

// ------------------------------------------------------------------ figures

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summary(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? NaN };
}

export const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 1 : 0)} ms` : 'n/a');

/** Least-squares line through (x, y): slope, intercept and r². */
export function linearFit(points: { x: number; y: number }[]): {
  slope: number;
  intercept: number;
  r2: number;
} {
  const n = points.length;
  if (n < 2) return { slope: 0, intercept: points[0]?.y ?? 0, r2: 0 };
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r2 = sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2 };
}

// ------------------------------------------------------------------ the database, read directly

export type StoreKind = 'sqlite' | 'postgres';

/** Row counts of every table of the hub's store (one round trip). */
export async function tableCounts(kind: StoreKind, url: string): Promise<Map<string, number>> {
  if (kind === 'sqlite') {
    const db = new Database(url.replace(/^sqlite:/, ''), { readonly: true, fileMustExist: true });
    try {
      return countSqlite(db);
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await countPostgres(c);
  } finally {
    await c.end();
  }
}

const countStatements = new WeakMap<
  Database.Database,
  { schema: number; stmt: Database.Statement }
>();

export function countSqlite(db: Database.Database): Map<string, number> {
  const schema = Number(db.pragma('schema_version', { simple: true }));
  let cached = countStatements.get(db);
  if (!cached || cached.schema !== schema) {
    const tables = db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .all() as { name: string }[];
    const sqlText = tables
      .map((t) => `select '${t.name}' as t, count(*) as n from "${t.name}"`)
      .join(' union all ');
    cached = { schema, stmt: db.prepare(sqlText) };
    countStatements.set(db, cached);
  }
  const rows = cached.stmt.all() as { t: string; n: number }[];
  return new Map(rows.map((r) => [r.t, Number(r.n)]));
}

export async function countPostgres(c: pg.Client | pg.PoolClient): Promise<Map<string, number>> {
  const tables = await c.query<{ name: string }>(
    "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1",
  );
  const sqlText = tables.rows
    .map((t) => `select '${t.name}' as t, count(*)::int as n from "${t.name}"`)
    .join(' union all ');
  const rows = await c.query<{ t: string; n: number }>(sqlText);
  return new Map(rows.rows.map((r) => [r.t, Number(r.n)]));
}

/** Keys (`bot/id`) of every row of a fact table, with how many times each occurs. */
export async function factKeys(
  kind: StoreKind,
  url: string,
  table: string,
): Promise<Map<string, number>> {
  const text = `select bot || '/' || id as k, count(*) as n from ${table} group by bot, id`;
  let rows: { k: string; n: number }[];
  if (kind === 'sqlite') {
    const db = new Database(url.replace(/^sqlite:/, ''), { readonly: true, fileMustExist: true });
    try {
      rows = db.prepare(text).all() as { k: string; n: number }[];
    } finally {
      db.close();
    }
  } else {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      rows = (await c.query<{ k: string; n: number }>(text)).rows;
    } finally {
      await c.end();
    }
  }
  return new Map(rows.map((r) => [r.k, Number(r.n)]));
}

// ------------------------------------------------------------------ a private PostgreSQL

const PG_BIN = (() => {
  for (const v of ['17', '16', '15', '14', '13']) {
    const bin = `/usr/lib/postgresql/${v}/bin`;
    if (spawnSync(`${bin}/pg_ctl`, ['--version']).status === 0) return bin;
  }
  return null;
})();

/**
 * A throwaway PostgreSQL server of its own (initdb in a temporary directory, on its own port),
 * so restarting it under load disturbs nobody else's tests on the shared server. Needs the
 * server binaries and root (to run them as the `postgres` user); `available()` says whether
 * this machine can.
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static available(): string | null {
    if (!PG_BIN) return 'PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed';
    if (process.getuid?.() !== 0)
      return 'starting a private PostgreSQL needs root (runuser -u postgres)';
    if (spawnSync('runuser', ['-u', 'postgres', '--', 'true']).status !== 0)
      return 'runuser -u postgres does not work here';
    return null;
  }

  static async create(port: number): Promise<PrivatePostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-proof-pg-'));
    spawnSync('chown', ['postgres', dir]);
    const init = spawnSync(
      'runuser',
      [
        '-u',
        'postgres',
        '--',
        `${PG_BIN}/initdb`,
        '-D',
        `${dir}/data`,
        '-A',
        'trust',
        '-U',
        'postgres',
        '--no-sync',
      ],
      { encoding: 'utf8' },
    );
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const p = new PrivatePostgres(dir, port);
    p.ctl(['start', '-w', '-t', '60']);
    return p;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private ctl(args: string[]): void {
    const r = spawnSync(
      'runuser',
      [
        '-u',
        'postgres',
        '--',
        `${PG_BIN}/pg_ctl`,
        '-D',
        `${this.dir}/data`,
        '-l',
        `${this.dir}/server.log`,
        '-o',
        `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
        ...args,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0 && !args.includes('stop'))
      throw new Error(`pg_ctl ${args[0]} failed: ${r.stderr}${r.stdout}`);
  }

  /** Fast shutdown (every session is cut, as in a real restart). */
  stopServer(): void {
    this.ctl(['stop', '-m', 'fast', '-w', '-t', '60']);
  }

  startServer(): void {
    this.ctl(['start', '-w', '-t', '60']);
  }

  ready(): boolean {
    return spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', String(this.port), '-q']).status === 0;
  }

  destroy(): void {
    this.ctl(['stop', '-m', 'immediate', '-w', '-t', '30']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
