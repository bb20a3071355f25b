import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * The store tiers run every integration suite on SQLite and on PostgreSQL. PostgreSQL runs when
 * TRADEWATCH_TEST_PG_URL is set (CI sets it and TRADEWATCH_REQUIRE_PG=1 to make it mandatory);
 * each suite gets a fresh schema of its own.
 */
export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  url: string;
  /** Where file-based data may go (SQLite file, backups). */
  dir: string;
  drop(): Promise<void>;
}

export const PG_URL = process.env.TRADEWATCH_TEST_PG_URL;

if (!PG_URL && process.env.TRADEWATCH_REQUIRE_PG === '1') {
  throw new Error('TRADEWATCH_REQUIRE_PG=1 but TRADEWATCH_TEST_PG_URL is not set');
}

export const dialects: ('sqlite' | 'postgres')[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

let counter = 0;

export async function createTestDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tradewatch-test-'));
  if (kind === 'sqlite') {
    return {
      name: 'sqlite',
      url: `sqlite:${path.join(dir, 'hub.db')}`,
      dir,
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `tw_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(PG_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name: 'postgres',
    url: url.toString(),
    dir,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
