import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** SHA-256 (hex) and size of a file, streamed. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    size += buf.length;
    hash.update(buf);
  }
  return { sha256: hash.digest('hex'), size };
}

/** Flushes a directory entry (a rename) to disk; a no-op where directories cannot be opened. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms and file systems do not support fsync on directories.
  } finally {
    await handle?.close();
  }
}

export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a small file atomically (temp file, fsync, rename) with the given mode. */
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, data, { mode });
    await fsyncFile(tmp);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(file));
}

/** The `sha256sum` line for a file, so `sha256sum -c NAME.sha256` checks it. */
export function sha256Line(sha256: string, name: string): string {
  return `${sha256}  ${name}\n`;
}

/** Reads the hash out of a `sha256sum` line (`<hex>  <name>`); null when malformed. */
export function parseSha256Line(text: string): { sha256: string; name: string | null } | null {
  const m = /^([0-9a-fA-F]{64})(?:\s+\*?(\S.*))?\s*$/.exec(text.trim().split('\n')[0] ?? '');
  if (!m) return null;
  return { sha256: m[1]!.toLowerCase(), name: m[2]?.trim() ?? null };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
