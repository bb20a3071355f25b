import { stat } from 'node:fs/promises';
import type { Progress } from './progress.js';
import { runWorkerTask, WorkerTaskError, workerPaths } from './worker-tasks.js';

/**
 * The SQLite online backup runs in a worker thread on its own connection: WAL lets it read a
 * consistent snapshot while the hub keeps writing, and the hub's event loop never waits for it.
 * The copy is then switched to a rollback journal so it is one self-contained file, its tables
 * counted and its SHA-256 taken, all in the worker.
 */
export interface SqliteSnapshot {
  counts: Record<string, number>;
  migrations: string[];
  file: { sha256: string; size: number };
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export async function snapshotSqlite(
  srcFile: string,
  destFile: string,
  progress?: Progress,
): Promise<SqliteSnapshot> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await runWorkerTask<SqliteSnapshot>(
      'sqlite-snapshot',
      { src: srcFile, dest: destFile, driver: workerPaths.driver() },
      (m) => {
        if (m.kind !== 'size' || !progress) return;
        progress.phase('snapshot', m.bytes as number);
        timer = setInterval(() => {
          stat(destFile).then(
            (s) => progress.update(s.size),
            () => undefined,
          );
        }, 200);
      },
    );
  } catch (error) {
    if (error instanceof WorkerTaskError) {
      throw new SnapshotError(`SQLite backup of ${srcFile} failed: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    if (timer) clearInterval(timer);
  }
}
