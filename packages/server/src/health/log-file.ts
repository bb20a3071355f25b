import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';

interface Writable {
  write(chunk: string): unknown;
}

/**
 * A log file that rotates by size: `hub.log` → `hub.log.1` → … → `hub.log.N` (the oldest is
 * deleted). Writes are buffered (SonicBoom, as pino's own destination).
 */
export class RotatingLogFile implements Writable {
  private readonly dest: ReturnType<typeof pino.destination>;
  private size: number;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.size = existsSync(file) ? statSync(file).size : 0;
    this.dest = pino.destination({ dest: file, sync: false, mkdir: true });
  }

  write(chunk: string): boolean {
    if (this.size > 0 && this.size + Buffer.byteLength(chunk) > this.maxBytes) this.rotate();
    this.size += Buffer.byteLength(chunk);
    return this.dest.write(chunk);
  }

  private rotate(): void {
    try {
      this.dest.flushSync();
    } catch {
      // a write in flight finishes into the renamed file
    }
    rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.file}.${i}`)) renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
    }
    if (existsSync(this.file)) renameSync(this.file, `${this.file}.1`);
    this.dest.reopen();
    this.size = 0;
  }

  close(): void {
    try {
      this.dest.flushSync();
    } catch {
      // nothing buffered
    }
    this.dest.end();
  }
}

/**
 * Adds a file to the hub's logger without rebuilding it: every line still goes where it went
 * (stdout) and also to the file. Child loggers (Fastify's per-request ones) inherit the stream
 * from the root, so they follow. Returns a function that detaches and closes the file.
 */
export function teeLoggerToFile(logger: Logger, file: RotatingLogFile): () => void {
  const sym = pino.symbols.streamSym as unknown as keyof Logger;
  const target = logger as unknown as Record<PropertyKey, Writable>;
  const original = target[sym as PropertyKey]!;
  const tee: Writable & { flushSync?: () => void } = {
    write(chunk: string) {
      original.write(chunk);
      return file.write(chunk);
    },
  };
  target[sym as PropertyKey] = tee;
  return () => {
    target[sym as PropertyKey] = original;
    file.close();
  };
}
