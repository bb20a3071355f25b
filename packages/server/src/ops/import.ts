import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { INGEST_LIMITS, type IngestEvent, type IngestResponse } from '@tradewatch/protocol';
import type { Hub } from '../hub.js';
import { IngestConflictError } from '../ingest/errors.js';
import { validateIngestBody } from '../ingest/validate.js';
import type { ExportBot, ExportHeader, ExportTrailer } from './export.js';
import { silentProgress, type Progress } from './progress.js';

export class ImportError extends Error {
  override name = 'ImportError';
}

/** Where imported events go: a hub in this process, or a running hub over HTTP. */
export interface ImportTarget {
  /** Registers a bot the target does not know yet (settings from the export's header). */
  ensureBot(bot: ExportBot): Promise<'created' | 'exists' | 'skipped'>;
  ingest(events: IngestEvent[], raw: unknown[]): Promise<IngestResponse>;
}

export function hubTarget(hub: Hub): ImportTarget {
  return {
    async ensureBot(bot) {
      if (hub.holder.current.bots.has(bot.id)) return 'exists';
      await hub.bots.upsert(bot.id, {
        name: bot.name,
        framework: bot.framework,
        account: bot.account,
        heartbeat_interval_s: bot.heartbeat_interval_s,
      });
      if (bot.halted) await hub.bots.setHalted(bot.id, true);
      return 'created';
    },
    async ingest(events) {
      return hub.ingest.ingest(events);
    },
  };
}

/** A running hub over its API (`--hub URL` with an ingest or admin token). */
export function httpTarget(baseUrl: string, token: string): ImportTarget {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const call = async (method: string, route: string, body: unknown) => {
    const res = await fetch(new URL(route, baseUrl), {
      method,
      headers,
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON
      }
      throw new ImportError(`${method} ${route} answered ${res.status}: ${message}`);
    }
    return JSON.parse(text) as unknown;
  };
  return {
    async ensureBot(bot) {
      // The API cannot tell "exists" apart cheaply; setting the same settings is harmless.
      await call('PUT', `/api/v1/bots/${encodeURIComponent(bot.id)}`, {
        name: bot.name,
        framework: bot.framework,
        account: bot.account,
        heartbeat_interval_s: bot.heartbeat_interval_s,
      });
      return bot.halted ? 'skipped' : 'created';
    },
    async ingest(_events, raw) {
      return (await call('POST', '/api/v1/ingest', { events: raw })) as IngestResponse;
    },
  };
}

function lines(file: string): AsyncIterable<string> {
  let input: Readable = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  return createInterface({ input, crlfDelay: Infinity });
}

export interface ImportSummary {
  events: number;
  accepted: number;
  duplicates: number;
  botsCreated: string[];
  botsExisting: string[];
  notes: string[];
}

interface Parsed {
  header: ExportHeader | null;
  trailer: ExportTrailer | null;
  events: number;
}

/**
 * Reads the file once without writing anything: every line is JSON, every event passes the
 * ingest validation (in batches, exactly as the API validates), and a file with a header ends
 * with its trailer — so a truncated or damaged file is refused before the first event lands.
 */
async function check(file: string, batchSize: number, progress: Progress): Promise<Parsed> {
  let header: ExportHeader | null = null;
  let trailer: ExportTrailer | null = null;
  let events = 0;
  let lineNo = 0;
  let batch: unknown[] = [];
  let firstLine = 0;
  const validate = () => {
    if (batch.length === 0) return;
    const r = validateIngestBody({ events: batch });
    if (!r.ok) {
      const d = r.details[0];
      const at = d?.index !== undefined ? firstLine + d.index : firstLine;
      throw new ImportError(
        `line ${at}: ${d ? `${d.path ? `field "${d.path}": ` : ''}${d.message}` : r.message}; nothing was imported`,
      );
    }
    batch = [];
  };
  progress.phase('check');
  try {
    for await (const line of lines(file)) {
      lineNo++;
      if (line.trim() === '') continue;
      if (trailer)
        throw new ImportError(`line ${lineNo}: data after the end record; nothing was imported`);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new ImportError(`line ${lineNo} is not JSON; nothing was imported`);
      }
      const v = value as Record<string, unknown>;
      if (lineNo === 1 && v.tradewatch_export !== undefined) {
        if (v.tradewatch_export !== 1) {
          throw new ImportError(
            `export format ${JSON.stringify(v.tradewatch_export)} is not supported (expected 1)`,
          );
        }
        header = v as unknown as ExportHeader;
        continue;
      }
      if (v.tradewatch_export_end === true) {
        trailer = v as unknown as ExportTrailer;
        continue;
      }
      if (batch.length === 0) firstLine = lineNo;
      batch.push(value);
      events++;
      if (batch.length >= batchSize) validate();
      progress.update(events);
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    const e = error as NodeJS.ErrnoException;
    throw new ImportError(
      e.code === 'Z_BUF_ERROR'
        ? `${file} is truncated (the gzip stream ends early); nothing was imported`
        : `${file} cannot be read: ${e.message}; nothing was imported`,
    );
  }
  validate();
  if (header && !trailer) {
    throw new ImportError(
      `${file} ends without its end record: the export is truncated; nothing was imported`,
    );
  }
  if (trailer && trailer.events !== events) {
    throw new ImportError(
      `${file} holds ${events} events but its end record says ${trailer.events}; nothing was imported`,
    );
  }
  return { header, trailer, events };
}

/**
 * Replays an export (or any JSON-lines file of ingest events) through the same validation and
 * idempotency as POST /api/v1/ingest, in batches: importing the same file twice stores nothing
 * the second time. Bots named in the header are registered first, so events without an account
 * resolve to the same account as in the source.
 */
export async function importFacts(
  file: string,
  target: ImportTarget,
  options: { batchSize?: number; progress?: Progress } = {},
): Promise<ImportSummary> {
  if (!existsSync(file)) throw new ImportError(`${file} does not exist`);
  const batchSize = Math.min(options.batchSize ?? 5_000, INGEST_LIMITS.maxEvents);
  const progress = options.progress ?? silentProgress;
  try {
    const parsed = await check(file, batchSize, progress);
    const summary: ImportSummary = {
      events: parsed.events,
      accepted: 0,
      duplicates: 0,
      botsCreated: [],
      botsExisting: [],
      notes: [],
    };
    for (const bot of parsed.header?.bots ?? []) {
      const r = await target.ensureBot(bot);
      if (r === 'created') summary.botsCreated.push(bot.id);
      else if (r === 'exists') summary.botsExisting.push(bot.id);
      else summary.notes.push(`bot ${bot.id} is halted in the source; halt it here by hand`);
    }
    progress.phase('import', parsed.events);
    let batch: unknown[] = [];
    let firstLine = 0;
    let lineNo = 0;
    let done = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const r = validateIngestBody({ events: batch });
      if (!r.ok) throw new ImportError(`line ${firstLine}: ${r.message}`);
      try {
        const res = await target.ingest(r.events, batch);
        summary.accepted += res.accepted;
        summary.duplicates += res.duplicates;
      } catch (error) {
        if (error instanceof IngestConflictError) {
          const d = error.details[0];
          throw new ImportError(
            `line ${firstLine + (d?.index ?? 0)}: ${d?.message ?? error.message}; the batches before it were imported (importing again skips them)`,
          );
        }
        throw error;
      }
      done += batch.length;
      progress.update(done);
      batch = [];
    };
    for await (const line of lines(file)) {
      lineNo++;
      if (line.trim() === '') continue;
      const v = JSON.parse(line) as Record<string, unknown>;
      if (v.tradewatch_export !== undefined || v.tradewatch_export_end !== undefined) continue;
      if (batch.length === 0) firstLine = lineNo;
      batch.push(v);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    return summary;
  } finally {
    progress.end();
  }
}
