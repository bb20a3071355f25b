import { mkdir, statfs, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { SystemMeasurements } from './checks.js';

/** Process and system resource readings (I/O: the OS, the event loop). */
export interface ResourceReading {
  /** This process's CPU use since the previous reading, percent of one core. */
  processCpuPct: number;
  /** The machine's CPU use since the previous reading, percent of all cores. */
  systemCpuPct: number;
  memoryPct: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** p99 event-loop delay since the previous reset, milliseconds. */
  loopLagMs: number;
}

function systemCpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of os.cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
  }
  return { idle, total };
}

/**
 * Reads CPU, memory and event-loop lag. CPU figures are deltas since the previous `read` (the
 * first read covers the time since the meter was created).
 */
export class ResourceMeter {
  private readonly loop: IntervalHistogram;
  private lastCpu = process.cpuUsage();
  private lastWall = performance.now();
  private lastSys = systemCpuTimes();
  private last: ResourceReading | null = null;

  constructor() {
    this.loop = monitorEventLoopDelay({ resolution: 20 });
    this.loop.enable();
  }

  /** A fresh reading; `reset` starts new CPU and lag windows (the sampler resets, /health does not). */
  read(reset: boolean): ResourceReading {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const sys = systemCpuTimes();
    const wallUs = Math.max(1, (wall - this.lastWall) * 1000);
    const processCpuPct =
      ((cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system)) / wallUs) * 100;
    const dTotal = sys.total - this.lastSys.total;
    const dIdle = sys.idle - this.lastSys.idle;
    const systemCpuPct =
      dTotal > 0
        ? Math.min(100, Math.max(0, (1 - dIdle / dTotal) * 100))
        : (this.last?.systemCpuPct ?? 0);
    const mem = process.memoryUsage();
    const total = os.totalmem();
    const reading: ResourceReading = {
      processCpuPct: dTotal > 0 || !this.last ? processCpuPct : this.last.processCpuPct,
      systemCpuPct,
      memoryPct: total > 0 ? ((total - os.freemem()) / total) * 100 : 0,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      loopLagMs: this.loop.count > 0 ? this.loop.percentile(99) / 1e6 : 0,
    };
    if (reset) {
      this.lastCpu = cpu;
      this.lastWall = wall;
      this.lastSys = sys;
      this.loop.reset();
      this.last = reading;
    }
    return reading;
  }

  /** The last reading taken with `reset` (what the sampler stored), if any. */
  latest(): ResourceReading | null {
    return this.last;
  }

  close(): void {
    this.loop.disable();
  }
}

export async function measureDisk(
  dir: string,
): Promise<{ usedPct: number; freeBytes: number } | null> {
  try {
    const s = await statfs(dir);
    const used = (s.blocks - s.bfree) * s.bsize;
    const avail = s.bavail * s.bsize;
    const usedPct = used + avail > 0 ? (used / (used + avail)) * 100 : 0;
    return { usedPct, freeBytes: avail };
  } catch {
    return null;
  }
}

/** `SELECT 1` round trip, bounded by `timeoutMs`. */
export async function measureDatabase<DB>(
  db: Kysely<DB>,
  timeoutMs = 5000,
): Promise<SystemMeasurements['database']> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      }),
    ]);
    return { ok: true, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error: safeMessage(error) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export async function measureDatadir(dir: string): Promise<SystemMeasurements['datadir']> {
  const file = path.join(dir, `.tradewatch-health-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(file, 'ok');
    await unlink(file);
    return { writable: true };
  } catch (error) {
    return { writable: false, error: (error as NodeJS.ErrnoException).code ?? 'write failed' };
  }
}

/** An error message fit for a health check: first line only, no connection strings. */
export function safeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n')[0] ?? '';
  return first.replace(/\b\w+:\/\/\S+/g, '[url]').slice(0, 200);
}
