// Backup and restore of a database with N fills (default 1,000,000), each beside the limit it is
// measured against in the same run: `sqlite3 .backup` and a plain file copy of the same
// database. Then the ingest throughput of the running hub while a scheduled-style backup runs
// inside it (POST /api/v1/backups), against the same hub without one.
// Usage: node bench/backup/run.mjs [--fills 1000000] [--batch 10000] [--ingest-fills 100000]
//        [--http-batch 1000] [--concurrency 4] [--db FILE]
// --db reuses a database a previous run populated (it is copied, never changed).
// `npm run build` first: the benchmark runs the built hub.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { makeFills } from '../lib/fills.mjs';
import { ADMIN, ROOT, startHub } from '../lib/hub-process.mjs';

const dist = (p) => path.join(ROOT, 'packages/server/dist', p);
const { configSchema } = await import(dist('config/index.js'));
const { createHub } = await import(dist('hub.js'));
const { createLogger } = await import(dist('logger.js'));
const { hubModules } = await import(dist('modules.js'));
const { migrationOnlyModules } = await import(dist('ops/migrate-store.js'));
const { createBackup } = await import(dist('ops/backup.js'));
const { snapshotSqlite } = await import(dist('ops/sqlite-snapshot.js'));
const { restoreBackup } = await import(dist('ops/restore.js'));
const { knownMigrations } = await import(dist('ops/cli.js'));

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '10000' },
    'ingest-fills': { type: 'string', default: '100000' },
    'http-batch': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    db: { type: 'string' },
  },
});
const N = Number(values.fills);
const BATCH = Number(values.batch);
const INGEST_N = Number(values['ingest-fills']);
const HTTP_BATCH = Number(values['http-batch']);
const CONCURRENCY = Number(values.concurrency);
const MB = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const secs = (ms) => (ms / 1000).toFixed(2);
const time = async (fn) => {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
};

if (spawnSync('sqlite3', ['-version']).status !== 0) {
  console.error('bench/backup needs the sqlite3 command (apt-get install sqlite3)');
  process.exit(1);
}

console.log(`backup bench: ${N.toLocaleString()} fills`);
const dir = mkdtempSync(path.join(tmpdir(), 'tradewatch-bench-backup-'));
const dbFile = path.join(dir, 'tradewatch.db');
const config = (dataDir, file) =>
  configSchema.parse({
    data_dir: dataDir,
    database: { url: `sqlite:${file}`, sqlite_synchronous: 'normal' },
    log_level: 'silent',
    backup: { schedule: null },
  });

// --- 1. The database: N fills through the hub's own ingest path, in large batches.
if (values.db) {
  copyFileSync(values.db, dbFile);
  const r = spawnSync('sqlite3', [dbFile, 'SELECT count(*) FROM fills'], { encoding: 'utf8' });
  console.log(`reusing ${values.db}: ${Number(r.stdout).toLocaleString()} fills`);
} else {
  const hub = await createHub({
    config: config(dir, dbFile),
    logger: createLogger('silent'),
    modules: migrationOnlyModules(hubModules),
  });
  const fills = makeFills({ count: N });
  const { ms } = await time(async () => {
    for (let i = 0; i < N; i += BATCH) await hub.ingest.ingest(fills.slice(i, i + BATCH));
  });
  await hub.close();
  console.log(
    `populated ${N.toLocaleString()} fills in ${secs(ms)} s (${Math.round((N / ms) * 1000).toLocaleString()} fills/s); database ${MB(statSync(dbFile).size)} MB`,
  );
}
const dbBytes = statSync(dbFile).size;

// --- 2. Backup beside sqlite3 .backup and a file copy of the same database.
const out = mkdtempSync(path.join(dir, 'out-'));
const cli = await time(async () => {
  const r = spawnSync('sqlite3', [dbFile, `.backup '${path.join(out, 'cli.db')}'`]);
  if (r.status !== 0) throw new Error(`sqlite3 .backup failed: ${r.stderr}`);
});
const copy = await time(async () => copyFileSync(dbFile, path.join(out, 'copy.db')));
const snapshot = await time(() => snapshotSqlite(dbFile, path.join(out, 'snapshot.db')));
const archive = await time(() =>
  createBackup({
    store: { dialect: 'sqlite', location: `sqlite:${dbFile}` },
    config: config(dir, dbFile),
    configFile: null,
    outDir: out,
    now: Date.now(),
  }),
);
const archiveBytes = archive.value.size;

// --- 3. Restore into a fresh data directory beside sqlite3 .restore and a file copy.
const restoreDir = mkdtempSync(path.join(dir, 'restore-'));
const restore = await time(() =>
  restoreBackup(archive.value.file, {
    config: config(restoreDir, path.join(restoreDir, 'tradewatch.db')),
    configFile: null,
    knownMigrations: knownMigrations(hubModules),
    now: Date.now(),
    actor: 'bench',
    force: false,
  }),
);
const cliRestore = await time(async () => {
  const r = spawnSync('sqlite3', [
    path.join(out, 'restored-cli.db'),
    `.restore '${path.join(out, 'cli.db')}'`,
  ]);
  if (r.status !== 0) throw new Error(`sqlite3 .restore failed: ${r.stderr}`);
});
const copyRestore = await time(async () =>
  copyFileSync(path.join(out, 'copy.db'), path.join(out, 'restored-copy.db')),
);
rmSync(out, { recursive: true, force: true });
rmSync(restoreDir, { recursive: true, force: true });

// --- 4. Ingest over HTTP with and without a backup running inside the hub (same run).
const hubDir = mkdtempSync(path.join(dir, 'hub-'));
copyFileSync(dbFile, path.join(hubDir, 'tradewatch.db'));
writeFileSync(
  path.join(hubDir, 'tradewatch.yaml'),
  'backup:\n  schedule: null\nsecurity:\n  rate_limit:\n    ingest_per_token: { max: 0 }\n',
);
const hub = await startHub({
  dataDir: hubDir,
  env: { TRADEWATCH_CONFIG: path.join(hubDir, 'tradewatch.yaml') },
});
const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 60_000 });
const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
const extra = makeFills({ count: INGEST_N * 2, seed: 99, start: Date.UTC(2026, 1, 1) }).map(
  (f) => ({
    ...f,
    id: `x${f.id}`,
  }),
);
const bodies = [];
for (let i = 0; i < extra.length; i += HTTP_BATCH)
  bodies.push(JSON.stringify({ events: extra.slice(i, i + HTTP_BATCH) }));
let cursor = 0;
async function ingestUntil(stop) {
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (!stop() && cursor < bodies.length) {
        const res = await request(`${hub.url}/api/v1/ingest`, {
          method: 'POST',
          body: bodies[cursor++],
          headers,
          dispatcher: agent,
        });
        const text = await res.body.text();
        if (res.statusCode !== 200)
          throw new Error(`ingest answered ${res.statusCode}: ${text.slice(0, 200)}`);
        accepted += JSON.parse(text).accepted;
      }
    }),
  );
  const ms = performance.now() - t0;
  return { accepted, ms, rate: (accepted / ms) * 1000 };
}
const half = Math.floor(bodies.length / 2);
const without = await ingestUntil(() => cursor >= half);
let backupDone = false;
const inHub = time(async () => {
  const res = await request(`${hub.url}/api/v1/backups`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}` },
    dispatcher: agent,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`backup answered ${res.statusCode}: ${text}`);
  backupDone = true;
  return JSON.parse(text);
});
const during = await ingestUntil(() => backupDone);
const inHubBackup = await inHub;
await hub.stop();
await agent.close();
rmSync(dir, { recursive: true, force: true });

const rows = [
  ['database', `${MB(dbBytes)} MB`, `${N.toLocaleString()} fills`],
  ['sqlite3 .backup', `${secs(cli.ms)} s`, 'limit'],
  ['file copy', `${secs(copy.ms)} s`, ''],
  [
    'online snapshot (worker)',
    `${secs(snapshot.ms)} s`,
    `x${(snapshot.ms / cli.ms).toFixed(2)} of sqlite3 .backup`,
  ],
  [
    'tradewatch backup (archive)',
    `${secs(archive.ms)} s`,
    `x${(archive.ms / cli.ms).toFixed(2)} of sqlite3 .backup; ${MB(archiveBytes)} MB (${((archiveBytes / dbBytes) * 100).toFixed(0)}%)`,
  ],
  ['sqlite3 .restore', `${secs(cliRestore.ms)} s`, 'limit'],
  ['file copy (restore)', `${secs(copyRestore.ms)} s`, ''],
  [
    'tradewatch restore (verified)',
    `${secs(restore.ms)} s`,
    `x${(restore.ms / cliRestore.ms).toFixed(2)} of sqlite3 .restore (integrity_check and quick_check included)`,
  ],
  [
    'ingest without backup',
    `${Math.round(without.rate).toLocaleString()} fills/s`,
    `${without.accepted.toLocaleString()} fills`,
  ],
  [
    'ingest during backup',
    `${Math.round(during.rate).toLocaleString()} fills/s`,
    `ratio ${(during.rate / without.rate).toFixed(2)}; backup in the hub ${secs(inHubBackup.ms)} s`,
  ],
];
console.log('\n' + rows.map(([a, b, c]) => `${a.padEnd(30)} ${b.padStart(16)}  ${c}`).join('\n'));
console.log(
  `\nbackup: archive x${(archive.ms / cli.ms).toFixed(2)} of sqlite3 .backup, restore x${(restore.ms / cliRestore.ms).toFixed(2)} of sqlite3 .restore, ingest during backup x${(during.rate / without.rate).toFixed(2)} of without`,
);
