import { mkdir, open, readdir, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where events wait until the hub acknowledges them: a FIFO of serialized events (one JSON text
 * each). `append` is durable when it resolves (the file spool fsyncs); `peek` reads from the head
 * without removing; `ack(n)` removes the first n. Replays after a crash may repeat events that
 * were sent but not yet acknowledged — the hub drops them as duplicates by their ids.
 */
export interface Spool {
  /** Appends events; throws SpoolFullError when they would not fit. */
  append(lines: string[]): Promise<void>;
  /** Up to `maxEvents` events from the head whose total length stays within `maxBytes`. */
  peek(maxEvents: number, maxBytes: number): Promise<string[]>;
  ack(n: number): Promise<void>;
  /** Events waiting. */
  size(): number;
  /** Bytes waiting (serialized). */
  bytes(): number;
  close(): Promise<void>;
}

export class SpoolFullError extends Error {
  override name = 'SpoolFullError';
}

/** A bounded in-memory spool (no disk): survives hub restarts, not bot restarts. */
export class MemorySpool implements Spool {
  private items: string[] = [];
  private head = 0;
  private total = 0;
  constructor(private readonly maxBytes: number) {}
  async append(lines: string[]): Promise<void> {
    const add = lines.reduce((n, l) => n + l.length + 1, 0);
    if (this.total + add > this.maxBytes) {
      throw new SpoolFullError(`the in-memory spool is full (${this.maxBytes} bytes)`);
    }
    this.items.push(...lines);
    this.total += add;
  }
  async peek(maxEvents: number, maxBytes: number): Promise<string[]> {
    return takeWithin(this.items, this.head, maxEvents, maxBytes);
  }
  async ack(n: number): Promise<void> {
    for (let i = 0; i < n && this.head < this.items.length; i++) {
      this.total -= this.items[this.head]!.length + 1;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
  size(): number {
    return this.items.length - this.head;
  }
  bytes(): number {
    return this.total;
  }
  async close(): Promise<void> {}
}

function takeWithin(items: string[], from: number, maxEvents: number, maxBytes: number): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (let i = from; i < items.length && out.length < maxEvents; i++) {
    const l = items[i]!;
    if (out.length > 0 && bytes + l.length + 1 > maxBytes) break;
    out.push(l);
    bytes += l.length + 1;
  }
  return out;
}

const SEGMENT = /^spool-(\d{12})\.jsonl$/;

export interface FileSpoolOptions {
  dir: string;
  /** Total bytes on disk before appends are refused (default 256 MiB). */
  maxBytes?: number;
  /** A segment file is closed and a new one started past this size (default 8 MiB). */
  segmentBytes?: number;
}

interface Segment {
  seq: number;
  file: string;
  /** Events not yet acknowledged, oldest first (loaded for the head segment only). */
  lines: string[] | null;
  /** Acknowledged events at the front of `lines`. */
  acked: number;
  count: number;
  bytes: number;
}

/**
 * An append-only spool on disk: numbered JSON-lines segment files in one directory, each append
 * written and fsynced before it resolves. Fully acknowledged segments are deleted; on start the
 * existing segments are replayed in order (a torn last line from a crash is skipped).
 */
export class FileSpool implements Spool {
  private segments: Segment[] = [];
  private writer: FileHandle | null = null;
  private total = 0;
  private waiting = 0;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  /** append, peek and ack run one at a time: an ack must never delete a segment mid-append. */
  private lock: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private constructor(
    private readonly dir: string,
    options: FileSpoolOptions,
  ) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
  }

  static async open(options: FileSpoolOptions): Promise<FileSpool> {
    const spool = new FileSpool(options.dir, options);
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const names = (await readdir(options.dir)).filter((n) => SEGMENT.test(n)).sort();
    for (const name of names) {
      const file = path.join(options.dir, name);
      const lines = parseLines(await readFile(file, 'utf8'));
      const size = (await stat(file)).size;
      if (lines.length === 0) {
        await unlink(file);
        continue;
      }
      spool.segments.push({
        seq: Number(SEGMENT.exec(name)![1]),
        file,
        lines: null,
        acked: 0,
        count: lines.length,
        bytes: size,
      });
      spool.total += size;
      spool.waiting += lines.length;
    }
    return spool;
  }

  private async startSegment(): Promise<Segment> {
    const last = this.segments.at(-1);
    const seq = (last?.seq ?? 0) + 1;
    const file = path.join(this.dir, `spool-${String(seq).padStart(12, '0')}.jsonl`);
    await this.writer?.close();
    this.writer = await open(file, 'a', 0o600);
    const seg: Segment = {
      seq,
      file,
      lines: this.segments.length === 0 ? [] : null,
      acked: 0,
      count: 0,
      bytes: 0,
    };
    this.segments.push(seg);
    return seg;
  }

  append(lines: string[]): Promise<void> {
    return this.exclusive(() => this.appendNow(lines));
  }

  private async appendNow(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const data = lines.join('\n') + '\n';
    const size = Buffer.byteLength(data);
    if (this.total + size > this.maxBytes) {
      throw new SpoolFullError(
        `the spool in ${this.dir} is full (${this.total} of ${this.maxBytes} bytes); raise spool.maxBytes or restore the hub`,
      );
    }
    let seg = this.segments.at(-1);
    // Never append to a segment loaded from a previous run (its file may end in a torn line).
    if (!seg || !this.writer || seg.bytes >= this.segmentBytes) seg = await this.startSegment();
    await this.writer!.write(data);
    await this.writer!.sync();
    seg.bytes += size;
    seg.count += lines.length;
    seg.lines?.push(...lines);
    this.total += size;
    this.waiting += lines.length;
  }

  private async headLines(seg: Segment): Promise<string[]> {
    if (!seg.lines) seg.lines = parseLines(await readFile(seg.file, 'utf8'));
    return seg.lines;
  }

  peek(maxEvents: number, maxBytes: number): Promise<string[]> {
    return this.exclusive(() => this.peekNow(maxEvents, maxBytes));
  }

  private async peekNow(maxEvents: number, maxBytes: number): Promise<string[]> {
    const out: string[] = [];
    let bytes = 0;
    for (const seg of this.segments) {
      const lines = await this.headLines(seg);
      const part = takeWithin(lines, seg.acked, maxEvents - out.length, maxBytes - bytes);
      if (part.length === 0 && out.length > 0) break;
      for (const l of part) bytes += l.length + 1;
      out.push(...part);
      if (out.length >= maxEvents || seg.acked + part.length < lines.length) break;
    }
    return out;
  }

  ack(n: number): Promise<void> {
    return this.exclusive(() => this.ackNow(n));
  }

  private async ackNow(n: number): Promise<void> {
    let left = n;
    while (left > 0 && this.segments.length > 0) {
      const seg = this.segments[0]!;
      const lines = await this.headLines(seg);
      const take = Math.min(left, lines.length - seg.acked);
      seg.acked += take;
      left -= take;
      this.waiting -= take;
      if (seg.acked < lines.length) break;
      // Fully acknowledged: the segment goes (a new one is started by the next append).
      if (seg === this.segments.at(-1) && this.writer) {
        await this.writer.close();
        this.writer = null;
      }
      this.segments.shift();
      this.total -= seg.bytes;
      await unlink(seg.file).catch(() => undefined);
    }
  }

  size(): number {
    return this.waiting;
  }
  bytes(): number {
    return this.total;
  }
  close(): Promise<void> {
    return this.exclusive(async () => {
      await this.writer?.close();
      this.writer = null;
    });
  }
}

/** Complete lines of a segment; a torn last line (crash mid-append) is dropped. */
function parseLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      JSON.parse(line);
      out.push(line);
    } catch {
      // torn write
    }
  }
  return out;
}
