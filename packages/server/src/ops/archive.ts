import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { create, extract } from 'tar';
import { fsyncDir, fsyncFile } from './files.js';
import type { Progress } from './progress.js';

export interface PackedArchive {
  size: number;
  sha256: string;
}

/**
 * Packs `files` (relative to `cwd`) into a gzipped tar at `dest`, atomically: it is written to
 * a hidden temp file with mode 0600, fsynced and renamed into place, so a crash or a full disk
 * never leaves a half archive under the real name.
 */
export async function packArchive(
  cwd: string,
  files: string[],
  dest: string,
  options: { level: number; progress?: Progress | undefined },
): Promise<PackedArchive> {
  let total = 0;
  for (const f of files) total += (await stat(path.join(cwd, f))).size;
  options.progress?.phase('compress', total);
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.tmp`);
  const hash = createHash('sha256');
  let size = 0;
  let read = 0;
  try {
    await pipeline(
      Readable.from(create({ cwd, portable: true }, files) as AsyncIterable<Buffer>),
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          read += chunk.length;
          options.progress?.update(read);
          cb(null, chunk);
        },
      }),
      createGzip({ level: options.level }),
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      }),
      createWriteStream(tmp, { mode: 0o600 }),
    );
    await fsyncFile(tmp);
    await rename(tmp, dest);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(dest));
  return { size, sha256: hash.digest('hex') };
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
