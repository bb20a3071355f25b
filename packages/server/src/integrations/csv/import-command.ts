import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { botIdSchema, type ProblemDetail } from '@tradewatch/protocol';
import { loadConfig } from '../../config/index.js';
import { validateIngestBody } from '../../ingest/validate.js';
import type { Obj } from '../mapping.js';
import { CSV_FORMATS, defaultTimezone, isCsvFormat, mapCsv, type CsvFormat } from './formats.js';
import { parseCsv } from './parse.js';

export interface ImportReport {
  file: string;
  format: CsvFormat;
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: { line: number; reason: string }[];
  skipped: number;
  dry_run: boolean;
}

interface ImportOptions {
  format: string;
  bot?: string;
  account?: string;
  timezone?: string;
  dryRun?: boolean;
  url?: string;
  token?: string;
  batchSize: string;
  json?: boolean;
}

/** Sends batches to the hub; answers like POST /api/v1/ingest. */
export type IngestSender = (events: Obj[]) => Promise<{
  status: number;
  body: { accepted?: number; duplicates?: number; message?: string; details?: ProblemDetail[] };
}>;

export function httpSender(url: string, token: string): IngestSender {
  return async (events) => {
    const res = await fetch(`${url.replace(/\/$/, '')}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    const text = await res.text();
    let body: Awaited<ReturnType<IngestSender>>['body'];
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = { message: text.slice(0, 200) };
    }
    return { status: res.status, body };
  };
}

/**
 * Imports the rows of one CSV file: maps them, rejects invalid rows locally (with their line),
 * sends the rest in batches; an id reused with different content (409) rejects those rows only.
 * Replaying the same file is idempotent: every row has a stable id.
 */
export async function importFills(
  text: string,
  options: {
    file: string;
    format: CsvFormat;
    bot: string;
    account?: string;
    timezone: string;
    dryRun: boolean;
    batchSize: number;
  },
  send: IngestSender | null,
  progress?: (done: number, total: number) => void,
): Promise<ImportReport> {
  const records = parseCsv(text);
  const mapped = mapCsv(records, {
    format: options.format,
    bot: options.bot,
    account: options.account,
    timezone: options.timezone,
  });
  const report: ImportReport = {
    file: options.file,
    format: options.format,
    rows: mapped.rows.length,
    accepted: 0,
    duplicates: 0,
    rejected: [],
    skipped: mapped.skipped,
    dry_run: options.dryRun,
  };
  const good: { line: number; event: Obj }[] = [];
  for (const r of mapped.rows) {
    if ('problem' in r) {
      report.rejected.push({ line: r.line, reason: r.problem });
      continue;
    }
    // The hub's own validator, so a row that passes here is one the hub accepts.
    const v = validateIngestBody({ events: [r.event] });
    if (!v.ok) {
      report.rejected.push({
        line: r.line,
        reason: v.details.map((d) => `${d.path || 'row'}: ${d.message}`).join('; '),
      });
      continue;
    }
    good.push({ line: r.line, event: r.event });
  }
  if (options.dryRun || !send) {
    report.accepted = good.length;
    report.rejected.sort((a, b) => a.line - b.line);
    return report;
  }
  for (let i = 0; i < good.length; i += options.batchSize) {
    let batch = good.slice(i, i + options.batchSize);
    for (let attempt = 0; batch.length > 0; attempt++) {
      const res = await send(batch.map((b) => b.event));
      if (res.status === 200) {
        report.accepted += res.body.accepted ?? 0;
        report.duplicates += res.body.duplicates ?? 0;
        break;
      }
      const details = res.body.details ?? [];
      const indexed = details.filter((d) => d.index !== undefined);
      if ((res.status === 409 || res.status === 400) && indexed.length > 0 && attempt < 3) {
        const bad = new Set(indexed.map((d) => d.index));
        for (const d of indexed) {
          const row = batch[d.index!];
          if (row) report.rejected.push({ line: row.line, reason: `${d.path}: ${d.message}` });
        }
        batch = batch.filter((_b, k) => !bad.has(k));
        continue;
      }
      throw new Error(
        `the hub answered ${res.status} for rows from line ${batch[0]!.line}: ${res.body.message ?? 'no message'}`,
      );
    }
    progress?.(Math.min(good.length, i + options.batchSize), good.length);
  }
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}

export function formatReport(r: ImportReport): string {
  const lines = [
    `${r.file} (${r.format}): ${r.rows} trade row${r.rows === 1 ? '' : 's'}` +
      (r.dry_run
        ? ` — dry run: ${r.accepted} valid, ${r.rejected.length} rejected; nothing was sent`
        : ` — ${r.accepted} accepted, ${r.duplicates} duplicate${r.duplicates === 1 ? '' : 's'} (already imported), ${r.rejected.length} rejected`) +
      (r.skipped > 0
        ? ` (${r.skipped} non-trade record${r.skipped === 1 ? '' : 's'} skipped)`
        : ''),
  ];
  for (const x of r.rejected.slice(0, 200)) lines.push(`  line ${x.line}: ${x.reason}`);
  if (r.rejected.length > 200) lines.push(`  … and ${r.rejected.length - 200} more rejected rows`);
  return lines.join('\n') + '\n';
}

interface GlobalOptions {
  config?: string;
}

/** One line on stderr, exit 1 (the CLI's convention; cli/context.ts is not imported so this
 * module does not load every other module). */
function fail(error: unknown): never {
  process.stderr.write(`tradewatch: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

export function registerImportCommand(program: Command): void {
  program
    .command('import-fills')
    .description(
      'import fills from a broker CSV export (generic, IBKR Flex/activity, Binance) into a running hub',
    )
    .argument('<file>', 'the CSV file')
    .option('--format <format>', `file format: ${CSV_FORMATS.join(', ')}`, 'generic')
    .option('--bot <bot>', 'bot the fills belong to (default: the format name, e.g. "ibkr")')
    .option('--account <account>', 'account the fills belong to')
    .option(
      '--timezone <zone>',
      'IANA zone of times written without an offset (default: UTC; ibkr: America/New_York)',
    )
    .option('--dry-run', 'parse and validate only; send nothing')
    .option('--url <url>', 'hub URL (default: from the configuration, http://127.0.0.1:8080)')
    .option('--token <token>', 'ingest token (default: $TRADEWATCH_TOKEN)')
    .option('--batch-size <n>', 'rows per ingest request', '1000')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, opts: ImportOptions, cmd: Command) => {
      if (!isCsvFormat(opts.format))
        fail(new Error(`--format must be one of ${CSV_FORMATS.join(', ')}`));
      const format: CsvFormat = opts.format;
      const bot = opts.bot ?? (format === 'generic' ? 'csv-import' : format);
      if (!botIdSchema.safeParse(bot).success)
        fail(new Error(`--bot "${bot}" is not a valid bot id`));
      if (opts.account !== undefined && !botIdSchema.safeParse(opts.account).success) {
        fail(new Error(`--account "${opts.account}" is not a valid account id`));
      }
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
        fail(new Error('--batch-size must be an integer from 1 to 10000'));
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        fail(
          new Error(
            `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          ),
        );
      }
      let send: IngestSender | null = null;
      if (!opts.dryRun) {
        const token = opts.token ?? process.env.TRADEWATCH_TOKEN;
        if (!token)
          fail(
            new Error('give an ingest token with --token or TRADEWATCH_TOKEN (or use --dry-run)'),
          );
        let url = opts.url;
        if (!url) {
          let config;
          try {
            config = loadConfig({ configPath: cmd.optsWithGlobals<GlobalOptions>().config }).config;
          } catch (error) {
            fail(error);
          }
          const host = ['0.0.0.0', '::', ''].includes(config.server.host)
            ? '127.0.0.1'
            : config.server.host;
          url = `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
        }
        send = httpSender(url, token);
      }
      const tty = process.stderr.isTTY === true && !opts.json;
      try {
        const report = await importFills(
          text,
          {
            file: path.basename(file),
            format,
            bot,
            account: opts.account,
            timezone: opts.timezone ?? defaultTimezone(format),
            dryRun: opts.dryRun ?? false,
            batchSize,
          },
          send,
          tty
            ? (done, total) => process.stderr.write(`\rimporting… ${done}/${total} rows`)
            : undefined,
        );
        if (tty) process.stderr.write('\r\x1b[K');
        process.stdout.write(
          opts.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report),
        );
        process.exitCode = report.rejected.length > 0 ? 1 : 0;
      } catch (error) {
        if (tty) process.stderr.write('\n');
        const e = error as Error & { cause?: { code?: string; message?: string } };
        if (e.message === 'fetch failed') {
          fail(
            new Error(
              `the hub is not reachable (${e.cause?.code ?? e.cause?.message ?? 'network error'}); is it running? (or use --url)`,
            ),
          );
        }
        fail(error);
      }
    });
}
