import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, promises as fs } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import path from 'node:path';

/** A problem with the output path, reported as one line (exit status 1). */
export class OutputError extends Error {
  override name = 'OutputError';
}

/**
 * Writes a file atomically at exactly the path given: the content goes to a temporary file in
 * the same directory (created exclusively: never an existing file or link), is flushed to disk,
 * then renamed over the target — a reader sees the old file or the whole new one, never half
 * of it, and a failure leaves the target untouched. The path is used as given (relative to the
 * working directory); nothing is derived from report data.
 */
export async function writeAtomically(
  target: string,
  write: (out: Writable) => Promise<void>,
): Promise<string> {
  const file = path.resolve(target);
  const dir = path.dirname(file);
  const dirStat = await fs.stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new OutputError(`${target}: directory ${dir} does not exist`);
  const existing = await fs.lstat(file).catch(() => null);
  if (existing?.isDirectory()) throw new OutputError(`${target}: is a directory`);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
  const opened = new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new OutputError(`${target}: cannot write in ${dir} (${(error as Error).message})`);
  }
  try {
    await write(out);
    if (!out.writableEnded) out.end();
    await finished(out);
    if (!out.closed) await once(out, 'close');
    const handle = await fs.open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (error) {
    out.destroy();
    await fs.rm(tmp, { force: true });
    throw error;
  }
  // Make the rename itself durable where the platform allows syncing a directory.
  const d = await fs.open(dir, 'r').catch(() => null);
  await d?.sync().catch(() => undefined);
  await d?.close();
  return file;
}

/** Writes text (UTF-8) atomically at exactly the path given. */
export function writeTextAtomically(target: string, text: string): Promise<string> {
  return writeAtomically(target, async (out) => {
    out.end(text, 'utf8');
    await finished(out);
  });
}
