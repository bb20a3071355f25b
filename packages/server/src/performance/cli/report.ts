import { ApiError } from '../../http/errors.js';
import { htmlReport } from '../report/html.js';
import { csvReport } from '../report/csv.js';
import { textReport } from '../report/text.js';
import { writeAtomically, writeTextAtomically } from '../report/write.js';
import { writeXlsxReport } from '../report/xlsx.js';
import { performanceQuery } from '../schema.js';
import type { PerformanceService } from '../service.js';
import { UsageError } from './metrics.js';

export const REPORT_FORMATS = ['text', 'html', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  scope?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
  benchmark?: string | undefined;
  calendar?: string | undefined;
  riskFree?: string | undefined;
  capital?: string | undefined;
}

/** Query field → command-line option, for error messages. */
const OPTION_OF: Record<string, string> = {
  scope: '--scope',
  from: '--from',
  to: '--to',
  benchmark: '--benchmark',
  calendar: '--calendar',
  risk_free: '--risk-free',
  capital: '--capital',
};

/**
 * Writes a performance report of a scope over trading days `from` … `to`: text, HTML, CSV or
 * XLSX, to `out` atomically (text, HTML and CSV go to `stdout` when `out` is not given).
 * Returns the path written, or null when printed.
 */
export async function writeReport(
  service: PerformanceService,
  options: ReportOptions,
  now: Date,
  stdout: (s: string) => void,
): Promise<string | null> {
  const format = (options.format ?? 'text') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) {
    throw new UsageError(
      `--format: expected one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(options.format)}`,
    );
  }
  if (format === 'xlsx' && !options.out) {
    throw new UsageError('--out: an XLSX report needs a file to write (--out report.xlsx)');
  }
  const parsed = performanceQuery.safeParse({
    scope: options.scope,
    from: options.from,
    to: options.to,
    benchmark: options.benchmark,
    calendar: options.calendar,
    risk_free: options.riskFree,
    capital: options.capital,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    throw new UsageError(`${OPTION_OF[field] ?? field}: ${issue.message}`);
  }
  let query = parsed.data;
  try {
    const range = await service.range(query);
    query = { ...query, ...range };
    const report = await service.report(query);
    const generatedAt = now.toISOString();
    if (format === 'xlsx') {
      return await writeAtomically(options.out!, async (out) => {
        await writeXlsxReport(
          out,
          report,
          service.tradeLines(query.scope, range.from, range.to),
          generatedAt,
        );
      });
    }
    const text =
      format === 'html'
        ? htmlReport(report, generatedAt)
        : format === 'csv'
          ? csvReport(report)
          : textReport(report, generatedAt);
    if (!options.out) {
      stdout(text);
      return null;
    }
    return await writeTextAtomically(options.out, text);
  } catch (error) {
    if (error instanceof ApiError) {
      const detail = error.details?.[0];
      const option = detail ? OPTION_OF[String(detail.path)] : undefined;
      throw new UsageError(option ? `${option}: ${error.message}` : error.message);
    }
    throw error;
  }
}
