import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { Kysely, Transaction } from 'kysely';
import type { Database, Store } from '../store/index.js';
import { VERSION } from '../version.js';
import { FACT_TABLE_NAMES, rebuildEvent, type FactTableName } from './facts.js';
import { fsyncDir } from './files.js';
import { silentProgress, type Progress } from './progress.js';

/**
 * The export file (JSON lines, gzipped when the name ends in .gz):
 *   line 1      {"tradewatch_export":1, …header: bots registry, row counts}
 *   lines 2…    ingest events, exactly as a bot would POST them
 *   last line   {"tradewatch_export_end":true,"events":N}
 * Facts come in arrival (seq) order with their ids, bots and times. Marks are not kept as facts
 * (only the latest per symbol and one-minute bars), so each bar becomes up to four mark events
 * (open, low, high, close: same OHLC on import), placed after the facts of its minute.
 */
export const EXPORT_FORMAT = 1;

export interface ExportBot {
  id: string;
  name: string;
  framework: string | null;
  account: string | null;
  heartbeat_interval_s: number | null;
  halted: boolean;
}

export interface ExportHeader {
  tradewatch_export: typeof EXPORT_FORMAT;
  tool_version: string;
  created_at: string;
  source: string;
  /** How marks are represented: one-minute bars as mark events. */
  marks: 'bars';
  bots: ExportBot[];
  counts: Record<string, number>;
}

export interface ExportTrailer {
  tradewatch_export_end: true;
  events: number;
}

export interface ExportSummary {
  file: string;
  events: number;
  byType: Record<string, number>;
  /** Facts whose original shape could not be rebuilt byte for byte (they keep ids and content). */
  inexact: number;
}

type Reader = Kysely<Database> | Transaction<Database>;
type Row = Record<string, unknown>;
const PAGE = 2_000;

/** Rows of one fact table in seq order, a page at a time. */
async function* factRows(db: Reader, table: FactTableName): AsyncGenerator<Row> {
  let after = -1;
  for (;;) {
    const rows = (await db
      .selectFrom(table)
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute()) as Row[];
    if (rows.length === 0) return;
    for (const r of rows) yield r;
    after = Number(rows[rows.length - 1]!.seq);
    if (rows.length < PAGE) return;
  }
}

interface Bar {
  symbol: string;
  minute: number;
  open: string;
  high: string;
  low: string;
  close: string;
  open_ts: number;
  close_ts: number;
}

async function* barRows(db: Reader): AsyncGenerator<Bar> {
  let after: [number, string] | null = null;
  for (;;) {
    let q = db.selectFrom('mark_bars').selectAll().orderBy('minute').orderBy('symbol').limit(PAGE);
    if (after) {
      const [m, s] = after;
      q = q.where((eb) =>
        eb.or([eb('minute', '>', m), eb.and([eb('minute', '=', m), eb('symbol', '>', s)])]),
      );
    }
    const rows = await q.execute();
    if (rows.length === 0) return;
    for (const r of rows) {
      yield {
        ...r,
        minute: Number(r.minute),
        open_ts: Number(r.open_ts),
        close_ts: Number(r.close_ts),
      };
    }
    const last = rows[rows.length - 1]!;
    after = [Number(last.minute), last.symbol];
    if (rows.length < PAGE) return;
  }
}

/** A bar as mark events that rebuild the same open, high, low and close. */
function barEvents(
  bar: Bar,
  latest:
    { bot: string; ts: number; price: string; bid: string | null; ask: string | null } | undefined,
  fallbackBot: string,
): Record<string, unknown>[] {
  const bot = latest?.bot ?? fallbackBot;
  const mark = (ts: number, price: string): Record<string, unknown> => ({
    type: 'mark',
    bot,
    ts,
    symbol: bar.symbol,
    price: Number(price),
  });
  const out: Record<string, unknown>[] = [mark(bar.open_ts, bar.open)];
  // Low and high at the open time: neither moves the open (only a strictly earlier mark does)
  // and the close (the latest mark, ties to the later arrival) is written last.
  if (bar.low !== bar.open) out.push(mark(bar.open_ts, bar.low));
  if (bar.high !== bar.open && bar.high !== bar.low) out.push(mark(bar.open_ts, bar.high));
  const single = out.length === 1 && bar.close_ts === bar.open_ts && bar.close === bar.open;
  const close = single ? out[0]! : mark(bar.close_ts, bar.close);
  if (latest && latest.ts === bar.close_ts && latest.price === bar.close) {
    if (latest.bid !== null) close.bid = Number(latest.bid);
    if (latest.ask !== null) close.ask = Number(latest.ask);
  }
  if (!single) out.push(close);
  return out;
}

async function writeLine(out: Writable, line: string): Promise<void> {
  if (!out.write(line)) await once(out, 'drain');
}

/**
 * Writes every fact of the store to `file` (see the format above), from one consistent read
 * snapshot, atomically (temp file + rename, mode 0600).
 */
export async function exportFacts(
  store: Store,
  file: string,
  options: { now: number; progress?: Progress },
): Promise<ExportSummary> {
  const progress = options.progress ?? silentProgress;
  const target = path.resolve(file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  const fileStream = createWriteStream(tmp, { mode: 0o600 });
  const gz = target.endsWith('.gz');
  const out: Writable = gz ? createGzip({ level: 6 }) : fileStream;
  if (gz) out.pipe(fileStream);
  const summary: ExportSummary = { file: target, events: 0, byType: {}, inexact: 0 };
  try {
    const run = async (db: Reader) => {
      const bots = await db.selectFrom('bots').selectAll().orderBy('id').execute();
      const botAccount = new Map(bots.map((b) => [b.id, b.account]));
      const counts: Record<string, number> = {};
      let total = 0;
      for (const t of [...FACT_TABLE_NAMES, 'mark_bars'] as const) {
        const r = await db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        counts[t] = Number(r.n);
        total += Number(r.n);
      }
      const marks = new Map(
        (await db.selectFrom('marks').selectAll().execute()).map((m) => [
          m.symbol,
          { bot: m.bot, ts: Number(m.ts), price: m.price, bid: m.bid, ask: m.ask },
        ]),
      );
      const header: ExportHeader = {
        tradewatch_export: EXPORT_FORMAT,
        tool_version: VERSION,
        created_at: new Date(options.now).toISOString(),
        source: store.location,
        marks: 'bars',
        bots: bots.map((b) => ({
          id: b.id,
          name: b.name,
          framework: b.framework,
          account: b.account,
          heartbeat_interval_s: b.heartbeat_interval_s,
          halted: b.halted === 1,
        })),
        counts,
      };
      await writeLine(out, JSON.stringify(header) + '\n');
      progress.phase('export', total);
      const fallbackBot = bots[0]?.id ?? 'tradewatch';
      const emit = async (event: Record<string, unknown>) => {
        await writeLine(out, JSON.stringify(event) + '\n');
        summary.events++;
        const type = String(event.type);
        summary.byType[type] = (summary.byType[type] ?? 0) + 1;
      };

      // k-way merge of the fact tables by seq.
      const heads = new Map<FactTableName, { it: AsyncGenerator<Row>; row: Row }>();
      for (const t of FACT_TABLE_NAMES) {
        const it = factRows(db, t);
        const first = await it.next();
        if (!first.done) heads.set(t, { it, row: first.value });
      }
      const bars = barRows(db);
      let bar = (await bars.next()).value as Bar | undefined;
      let highWater = -Infinity;
      let done = 0;
      const flushBars = async (until: number) => {
        while (bar && bar.minute + 60_000 <= until) {
          for (const e of barEvents(bar, marks.get(bar.symbol), fallbackBot)) await emit(e);
          bar = (await bars.next()).value as Bar | undefined;
          progress.update(++done);
        }
      };
      while (heads.size > 0) {
        let best: FactTableName | null = null;
        for (const [t, h] of heads) {
          if (best === null || Number(h.row.seq) < Number(heads.get(best)!.row.seq)) best = t;
        }
        const head = heads.get(best!)!;
        const ts = Number(head.row.ts);
        if (ts > highWater) {
          highWater = ts;
          await flushBars(highWater);
        }
        let rebuilt;
        try {
          rebuilt = rebuildEvent(best!, head.row, (b) => botAccount.get(b) ?? null);
        } catch (error) {
          throw new Error(
            `${best} row ${JSON.stringify(head.row.bot)}/${JSON.stringify(head.row.id)} cannot be exported: ${(error as Error).message}`,
            { cause: error },
          );
        }
        if (!rebuilt.exact) summary.inexact++;
        await emit(rebuilt.event);
        progress.update(++done);
        const next = await head.it.next();
        if (next.done) heads.delete(best!);
        else head.row = next.value;
      }
      await flushBars(Infinity);
      const trailer: ExportTrailer = { tradewatch_export_end: true, events: summary.events };
      await writeLine(out, JSON.stringify(trailer) + '\n');
    };
    if (store.dialect === 'postgres') {
      await store.db.transaction().setIsolationLevel('repeatable read').execute(run);
    } else {
      // One read transaction: a consistent snapshot while the hub keeps writing (WAL).
      await store.db.transaction().execute(run);
    }
    out.end();
    await once(fileStream, 'close');
    await rename(tmp, target);
    await fsyncDir(path.dirname(target));
  } catch (error) {
    fileStream.destroy();
    await rm(tmp, { force: true });
    throw error;
  } finally {
    progress.end();
  }
  return summary;
}
