import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, PG_URL, type TestDatabase } from '../testing/stores.js';

let counter = 0;

/**
 * A PostgreSQL DATABASE of its own per test hub (SQLite: a fresh file). The ops suites back up,
 * restore and migrate whole stores, so they must not share one database's schemas: pg_dump and
 * Kysely's migrator both look across every schema of a database.
 */
export async function isolatedDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (kind === 'sqlite') return createTestDatabase('sqlite');
  const name = `tw_ops_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'tradewatch-test-'));
  return {
    name: 'postgres',
    url: url.toString(),
    dir,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
