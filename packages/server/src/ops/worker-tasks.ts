import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * The heavy parts of a backup run in a worker thread: the SQLite page copy, hashing and
 * compressing. A hub busy ingesting keeps its event loop for requests, and the backup does not
 * crawl along in the gaps between them (measured: hashing an 18 MB file in the main thread of a
 * saturated hub took 20 s, in a worker well under one).
 *
 * The worker is CommonJS source evaluated from a string (the same code runs from the built
 * dist/ and from the TypeScript sources under the test runner); dependencies are passed in as
 * resolved paths.
 */
const WORKER_SOURCE = String.raw`
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');

function hashFile(file) {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let size = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}

function fsyncFile(file) {
  const fd = fs.openSync(file, 'r+');
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
}

async function sqliteSnapshot(d) {
  const Database = require(d.driver);
  const src = new Database(d.src, { fileMustExist: true });
  src.pragma('busy_timeout = 60000');
  const pages = src.pragma('page_count', { simple: true });
  const pageSize = src.pragma('page_size', { simple: true });
  parentPort.postMessage({ kind: 'size', bytes: pages * pageSize });
  // 0x7fffffff: every page in one step (a step-wise copy restarts whenever another connection
  // writes between steps, and under steady ingest would never finish).
  await src.backup(d.dest, { progress: () => 0x7fffffff });
  src.close();
  const dest = new Database(d.dest);
  dest.pragma('journal_mode = DELETE');
  const tables = dest
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all();
  const counts = {};
  for (const t of tables) {
    counts[t] = dest.prepare('SELECT count(*) FROM "' + t.replaceAll('"', '""') + '"').pluck().get();
  }
  const migrations = tables.includes('kysely_migration')
    ? dest.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all()
    : [];
  dest.close();
  return { counts, migrations, file: hashFile(d.dest) };
}

function pack(d) {
  const tar = require(d.tar);
  tar.c({ file: d.dest, sync: true, gzip: { level: d.level }, cwd: d.cwd, portable: true }, d.files);
  // tar creates the file itself: backups hold the configuration, so only the owner may read.
  fs.chmodSync(d.dest, 0o600);
  fsyncFile(d.dest);
  return hashFile(d.dest);
}

function writeSynced(file, text) {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fsyncFile(file);
}

// A whole SQLite backup, so a busy hub's event loop is needed only to start it and to rename
// the results: snapshot, counts, checksums, manifest, archive and its checksum file.
async function sqliteBackup(d) {
  const started = performance.now();
  const snap = await sqliteSnapshot({ src: d.src, dest: d.staging + '/database.sqlite', driver: d.driver });
  const files = [{ name: 'database.sqlite', ...snap.file }];
  if (d.config) {
    fs.copyFileSync(d.config, d.staging + '/config.yaml');
    files.push({ name: 'config.yaml', ...hashFile(d.staging + '/config.yaml') });
  }
  const manifest = {
    ...d.manifest,
    migrations: snap.migrations,
    files,
    tables: snap.counts,
    duration_s: Math.round(performance.now() - started) / 1000,
  };
  writeSynced(d.staging + '/manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  parentPort.postMessage({ kind: 'phase', name: 'compress' });
  const packed = pack({ tar: d.tar, cwd: d.staging, files: ['manifest.json', ...files.map((f) => f.name)], dest: d.archiveTmp, level: d.level });
  writeSynced(d.sidecarTmp, packed.sha256 + '  ' + d.name + '\n');
  return { manifest, ...packed };
}

async function run() {
  switch (workerData.task) {
    case 'sqlite-backup': return sqliteBackup(workerData.data);
    case 'sqlite-snapshot': return sqliteSnapshot(workerData.data);
    case 'hash': return workerData.data.files.map(hashFile);
    case 'pack': return pack(workerData.data);
    default: throw new Error('unknown task ' + workerData.task);
  }
}
run().then(
  (result) => parentPort.postMessage({ kind: 'done', result }),
  (e) => parentPort.postMessage({ kind: 'error', message: String((e && e.message) || e) }),
);
`;

export class WorkerTaskError extends Error {
  override name = 'WorkerTaskError';
}

export const workerPaths = {
  driver: () => require.resolve('better-sqlite3'),
  tar: () => require.resolve('tar'),
};

/** Runs one task in a fresh worker; `onMessage` sees its progress messages. */
export async function runWorkerTask<T>(
  task: 'sqlite-backup' | 'sqlite-snapshot' | 'hash' | 'pack',
  data: Record<string, unknown>,
  onMessage?: (message: Record<string, unknown>) => void,
): Promise<T> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { task, data } });
  try {
    return await new Promise<T>((resolve, reject) => {
      worker.on('message', (m: { kind: string; result?: T; message?: string }) => {
        if (m.kind === 'done') resolve(m.result as T);
        else if (m.kind === 'error') reject(new WorkerTaskError(m.message ?? 'failed'));
        else onMessage?.(m);
      });
      worker.on('error', (e) => reject(new WorkerTaskError(e.message)));
      worker.on('exit', (code) => {
        if (code !== 0) reject(new WorkerTaskError(`the ${task} worker exited with ${code}`));
      });
    });
  } finally {
    await worker.terminate();
  }
}

/** SHA-256 and size of files, computed off the main thread. */
export function hashFilesInWorker(files: string[]): Promise<{ sha256: string; size: number }[]> {
  return runWorkerTask('hash', { files });
}
