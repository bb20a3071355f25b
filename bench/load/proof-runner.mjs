// Runs a proof suite of test/proof at full size (TRADEWATCH_PROOF_SIZE=full) through vitest, so
// the benchmark and the CI test are one body of code: CI runs the same file at a reduced size.
// Options after the script name become TRADEWATCH_PROOF_<NAME>=<value> (e.g. --kills 50).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function runProof(file, argv = process.argv.slice(2)) {
  const env = { ...process.env, TZ: 'UTC', TRADEWATCH_PROOF_SIZE: 'full' };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z_-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    const value = m[2] ?? argv[++i];
    env[`TRADEWATCH_PROOF_${m[1].replaceAll('-', '_').toUpperCase()}`] = value;
  }
  // PostgreSQL runs where one answers (as in CI); set TRADEWATCH_TEST_PG_URL to choose another.
  if (!env.TRADEWATCH_TEST_PG_URL) {
    const ready = spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q']);
    if (ready.status === 0) env.TRADEWATCH_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
    else console.log('PostgreSQL is not reachable on 127.0.0.1:5432: its part is skipped.');
  }
  const r = spawnSync('npx', ['vitest', 'run', file, '--reporter=default'], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
