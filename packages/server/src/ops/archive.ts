import { createReadStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar';
import { fsyncDir } from './files.js';
import type { Progress } from './progress.js';
import { runWorkerTask, workerPaths } from './worker-tasks.js';

export interface PackedArchive {
  size: number;
  sha256: string;
}

/**
 * Packs `files` (relative to `cwd`) into a gzipped tar at `dest`, atomically: it is written to
 * a hidden temp file with mode 0600 (in a worker thread: compressing never competes with the
 * hub's requests), fsynced and renamed into place, so a crash or a full disk never leaves a
 * half archive under the real name.
 */
export async function packArchive(
  cwd: string,
  files: string[],
  dest: string,
  options: { level: number; progress?: Progress | undefined },
): Promise<PackedArchive> {
  let total = 0;
  for (const f of files) total += (await stat(path.join(cwd, f))).size;
  const progress = options.progress;
  progress?.phase('compress', total);
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.tmp`);
  // The compressed size is all that can be watched from here; input is about 2-3 times it.
  const timer = progress
    ? setInterval(() => {
        stat(tmp).then(
          (s) => progress.update(Math.min(total, s.size * 2.5)),
          () => undefined,
        );
      }, 200)
    : undefined;
  try {
    await writeFile(tmp, '', { mode: 0o600 });
    const packed = await runWorkerTask<PackedArchive>('pack', {
      tar: workerPaths.tar(),
      cwd,
      files,
      dest: tmp,
      level: options.level,
    });
    await rename(tmp, dest);
    await fsyncDir(path.dirname(dest));
    return packed;
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  } finally {
    if (timer) clearInterval(timer);
  }
}

export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'Z_BUF_ERROR' || /unexpected end|truncated/i.test(e.message)) {
    return 'the archive is truncated (it ends before the end of its data)';
  }
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_STREAM_ERROR') {
    return `the compressed data is corrupt (${e.message.replace(/^zlib: /, '')})`;
  }
  if (e.code === 'TAR_BAD_ARCHIVE') return 'it is not a tar archive';
  return e.message;
}

/**
 * Extracts an archive into `dir`, accepting only regular files whose names `allowed` approves
 * (no links, no directories outside, no absolute or `..` paths). A damaged gzip stream or tar
 * structure becomes an ArchiveError that says so.
 */
export async function unpackArchive(
  file: string,
  dir: string,
  allowed: (name: string) => boolean,
): Promise<string[]> {
  // The whole gzip stream first, writing nothing: a truncated or corrupt archive is refused
  // before a single file is extracted.
  try {
    await pipeline(
      createReadStream(file),
      createGunzip(),
      new Writable({
        write(_chunk, _enc, cb) {
          cb();
        },
      }),
    );
  } catch (error) {
    throw new ArchiveError(`${path.basename(file)} is damaged: ${describe(error)}`);
  }
  const names: string[] = [];
  const refused: string[] = [];
  try {
    await extract({
      file,
      cwd: dir,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      filter: (p, entry) => {
        const type = 'type' in entry ? entry.type : 'File';
        const name = p.replace(/^\.\//, '');
        if (type === 'Directory' && name.replace(/\/$/, '') === 'tables') return true;
        if (type !== 'File' || !allowed(name)) {
          refused.push(`${name} (${type})`);
          return false;
        }
        names.push(name);
        return true;
      },
    });
  } catch (error) {
    throw new ArchiveError(`${path.basename(file)} is damaged: ${describe(error)}`);
  }
  if (refused.length > 0) {
    throw new ArchiveError(
      `${path.basename(file)} holds unexpected entries (${refused.slice(0, 5).join(', ')}); it was not written by tradewatch backup`,
    );
  }
  return names;
}
