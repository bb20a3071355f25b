import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Progress } from './progress.js';

const require = createRequire(import.meta.url);

/**
 * The SQLite online backup runs in a worker thread on its own connection: WAL lets it read a
 * consistent snapshot while the hub keeps writing, and the hub's event loop never waits for
 * it. The pages are copied in one step after the first (a step-wise copy restarts whenever
 * another connection writes, and under steady ingest would never finish). The copy is then
 * switched to a rollback journal so it is one self-contained file, and its tables counted.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
function run() {
  const src = new Database(workerData.src, { fileMustExist: true });
  src.pragma('busy_timeout = 60000');
  const pages = src.pragma('page_count', { simple: true });
  const pageSize = src.pragma('page_size', { simple: true });
  parentPort.postMessage({ kind: 'size', bytes: pages * pageSize });
  return src.backup(workerData.dest, { progress: (p) => p.totalPages }).then(() => {
    src.close();
    const dest = new Database(workerData.dest);
    dest.pragma('journal_mode = DELETE');
    const tables = dest
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    const counts = {};
    for (const t of tables) counts[t] = dest.prepare('SELECT count(*) FROM "' + t.replaceAll('"', '""') + '"').pluck().get();
    const migrations = tables.includes('kysely_migration')
      ? dest.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all()
      : [];
    dest.close();
    parentPort.postMessage({ kind: 'done', counts, migrations });
  });
}
run().catch((e) => parentPort.postMessage({ kind: 'error', message: String(e && e.message || e), code: e && e.code }));
`;

export interface SqliteSnapshot {
  counts: Record<string, number>;
  migrations: string[];
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export async function snapshotSqlite(
  srcFile: string,
  destFile: string,
  progress?: Progress,
): Promise<SqliteSnapshot> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { src: srcFile, dest: destFile, driver: require.resolve('better-sqlite3') },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<SqliteSnapshot>((resolve, reject) => {
      worker.on('message', (m: { kind: string } & Record<string, unknown>) => {
        if (m.kind === 'size') {
          progress?.phase('snapshot', m.bytes as number);
          if (progress) {
            timer = setInterval(() => {
              stat(destFile).then(
                (s) => progress.update(s.size),
                () => undefined,
              );
            }, 200);
          }
        } else if (m.kind === 'done') {
          resolve({
            counts: m.counts as Record<string, number>,
            migrations: m.migrations as string[],
          });
        } else {
          reject(new SnapshotError(`SQLite backup of ${srcFile} failed: ${String(m.message)}`));
        }
      });
      worker.on('error', (e) => reject(new SnapshotError(`SQLite backup failed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0) reject(new SnapshotError(`SQLite backup worker exited with ${code}`));
      });
    });
  } finally {
    if (timer) clearInterval(timer);
    await worker.terminate();
  }
}
