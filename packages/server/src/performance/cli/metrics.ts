import { readFileSync } from 'node:fs';
import {
  allReturnMetrics,
  ANNUALIZATION_FACTORS,
  type Period,
  type ReturnMetrics,
} from '@tradewatch/analytics';

/** A problem with the command's input, reported as one line naming it (exit status 1). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface MetricsOptions {
  returns: string;
  benchmark?: string | undefined;
  period?: string | undefined;
  riskFree?: string | undefined;
  requiredReturn?: string | undefined;
  cutoff?: string | undefined;
  json?: boolean | undefined;
}

export const PERIODS = Object.keys(ANNUALIZATION_FACTORS) as Period[];

/**
 * Reads a returns file: a JSON array of numbers, `null` for a missing period. Errors name the
 * file and the problem (missing, not JSON, not an array, which element is not a number).
 */
export function readReturnsFile(file: string, read = (f: string) => readFileSync(f, 'utf8')) {
  let text: string;
  try {
    text = read(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new UsageError(`${file}: cannot read (${why})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(data)) {
    throw new UsageError(
      `${file}: expected a JSON array of returns like [0.01, -0.02, null], got ${describe(data)}`,
    );
  }
  const out = new Float64Array(data.length);
  data.forEach((v: unknown, i) => {
    if (v === null) out[i] = NaN;
    else if (typeof v === 'number' && Number.isFinite(v)) out[i] = v;
    else
      throw new UsageError(
        `${file}: element ${i} is ${describe(v)}; expected a number (0.01 = +1%) or null for a missing period`,
      );
  });
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 40))}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v === 'object' ? 'an object' : typeof v;
}

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${name}: expected a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

export interface MetricsResult {
  period: Period;
  metrics: ReturnMetrics;
}

/** Parses the options and files and computes every return metric. */
export function computeMetrics(
  options: MetricsOptions,
  read?: (f: string) => string,
): MetricsResult {
  const period = (options.period ?? 'daily') as Period;
  if (!PERIODS.includes(period)) {
    throw new UsageError(
      `--period: expected one of ${PERIODS.join(', ')}, got ${JSON.stringify(options.period)}`,
    );
  }
  const riskFree = numberOption('risk-free', options.riskFree);
  const requiredReturn = numberOption('required-return', options.requiredReturn);
  const cutoff = numberOption('cutoff', options.cutoff);
  if (cutoff !== undefined && !(cutoff > 0 && cutoff < 1)) {
    throw new UsageError(`--cutoff: expected a tail probability between 0 and 1, got ${cutoff}`);
  }
  const returns = readReturnsFile(options.returns, read);
  let factorReturns: Float64Array | undefined;
  if (options.benchmark !== undefined) {
    factorReturns = readReturnsFile(options.benchmark, read);
    if (factorReturns.length !== returns.length) {
      throw new UsageError(
        `${options.benchmark}: ${factorReturns.length} benchmark returns for ${returns.length} returns in ${options.returns}; the two files must align period by period`,
      );
    }
  }
  const metrics = allReturnMetrics(returns, {
    period,
    ...(riskFree !== undefined ? { riskFree } : {}),
    ...(requiredReturn !== undefined ? { requiredReturn } : {}),
    ...(cutoff !== undefined ? { cutoff } : {}),
    ...(factorReturns ? { factorReturns } : {}),
  });
  return { period, metrics };
}

/** Labels and formats of the printed metrics, in order. */
const ROWS: [keyof ReturnMetrics, string, 'int' | 'pct' | 'ratio'][] = [
  ['periods', 'Periods', 'int'],
  ['observations', 'Observations (not missing)', 'int'],
  ['totalReturn', 'Total return', 'pct'],
  ['annualReturn', 'Annual return (CAGR)', 'pct'],
  ['annualVolatility', 'Annual volatility', 'pct'],
  ['sharpeRatio', 'Sharpe ratio', 'ratio'],
  ['sortinoRatio', 'Sortino ratio', 'ratio'],
  ['downsideRisk', 'Downside risk', 'pct'],
  ['maxDrawdown', 'Max drawdown', 'pct'],
  ['calmarRatio', 'Calmar ratio', 'ratio'],
  ['omegaRatio', 'Omega ratio', 'ratio'],
  ['stabilityOfTimeseries', 'Stability (R²)', 'ratio'],
  ['tailRatio', 'Tail ratio', 'ratio'],
  ['valueAtRisk', 'Value at risk', 'pct'],
  ['conditionalValueAtRisk', 'Conditional VaR', 'pct'],
  ['skew', 'Skew', 'ratio'],
  ['kurtosis', 'Excess kurtosis', 'ratio'],
  ['ulcerIndex', 'Ulcer index', 'ratio'],
  ['probabilisticSharpeRatio', 'Probabilistic Sharpe ratio', 'pct'],
  ['minimumTrackRecordLength', 'Min track record (periods)', 'ratio'],
];

export function formatValue(v: number, kind: 'int' | 'pct' | 'ratio'): string {
  if (Number.isNaN(v)) return 'n/a';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '-∞';
  if (kind === 'int') return String(v);
  if (kind === 'pct') return `${(v * 100).toFixed(2)}%`;
  return v.toFixed(4);
}

/** The metrics as aligned text lines. */
export function metricsText(result: MetricsResult): string {
  const { metrics: m } = result;
  const rows: [string, string][] = ROWS.map(([k, label, kind]) => [
    label,
    formatValue(m[k] as number, kind),
  ]);
  if (m.benchmark) {
    const b = m.benchmark;
    rows.push(
      ['Alpha', formatValue(b.alpha, 'pct')],
      ['Beta', formatValue(b.beta, 'ratio')],
      ['Up alpha / beta', `${formatValue(b.upAlpha, 'pct')} / ${formatValue(b.upBeta, 'ratio')}`],
      [
        'Down alpha / beta',
        `${formatValue(b.downAlpha, 'pct')} / ${formatValue(b.downBeta, 'ratio')}`,
      ],
      ['Excess Sharpe (per period)', formatValue(b.excessSharpe, 'ratio')],
      ['Information ratio', formatValue(b.informationRatio, 'ratio')],
    );
  }
  const width = Math.max(...rows.map(([l]) => l.length));
  return (
    `Return metrics (${result.period}, ${ANNUALIZATION_FACTORS[result.period]} periods a year)\n` +
    rows.map(([l, v]) => `  ${l.padEnd(width)}  ${v}`).join('\n') +
    '\n'
  );
}

/** The metrics as JSON (NaN and infinities become null). */
export function metricsJson(result: MetricsResult): string {
  return (
    JSON.stringify(
      { period: result.period, ...result.metrics },
      (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
      2,
    ) + '\n'
  );
}
