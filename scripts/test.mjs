#!/usr/bin/env node
// `npm test`: the whole suite. PostgreSQL tests run when TRADEWATCH_TEST_PG_URL is set
// (.ci/run sets it and requires them); otherwise this says clearly that they were skipped.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, TZ: 'UTC' };
if (!env.TRADEWATCH_TEST_PG_URL) {
  console.log(
    '\n[tradewatch] PostgreSQL tests are SKIPPED: set TRADEWATCH_TEST_PG_URL=postgres://user@host:5432/db to run them.\n',
  );
}
const args = ['vitest', 'run', ...process.argv.slice(2)];
const result = spawnSync('npx', args, { stdio: 'inherit', env });
if (!env.TRADEWATCH_TEST_PG_URL) {
  console.log(
    '\n[tradewatch] Reminder: PostgreSQL tests were SKIPPED (TRADEWATCH_TEST_PG_URL is not set).',
  );
}
process.exit(result.status ?? 1);
