import type { Command } from 'commander';
import type { GlobalOptions } from '../../cli/context.js';
import { loadPortfolioState, MoneyFormat, PortfolioState } from '../../portfolio/index.js';
import { systemClock } from '../../time/index.js';
import { PerformanceService } from '../service.js';
import { OutputError } from '../report/write.js';
import {
  computeMetrics,
  metricsJson,
  metricsText,
  PERIODS,
  UsageError,
  type MetricsOptions,
} from './metrics.js';
import { REPORT_FORMATS, writeReport, type ReportOptions } from './report.js';

// cli/context.js imports the module list, which imports this module: load it when a command
// runs, not when this file is imported.
const context = () => import('../../cli/context.js');

async function failClearly(error: unknown): Promise<never> {
  if (error instanceof UsageError || error instanceof OutputError) {
    process.stderr.write(`tradewatch: ${error.message}\n`);
    process.exit(1);
  }
  return (await context()).fail(error);
}

/** `tradewatch metrics` and `tradewatch report`. */
export function registerPerformanceCommands(program: Command): void {
  program
    .command('metrics')
    .description(
      'print every return metric of a series of returns (a JSON array of numbers, null = missing)',
    )
    .requiredOption(
      '--returns <file>',
      'JSON array of per-period returns, e.g. [0.01, -0.02, null]',
    )
    .option('--benchmark <file>', 'JSON array of benchmark returns aligned with --returns')
    .option('--period <period>', `frequency of the returns: ${PERIODS.join(', ')}`, 'daily')
    .option('--risk-free <rate>', 'risk-free return PER PERIOD (0.0001 a day ≈ 2.5% a year)')
    .option('--required-return <rate>', 'minimum acceptable return per period (Sortino)')
    .option('--cutoff <p>', 'tail probability for value at risk', '0.05')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: MetricsOptions) => {
      try {
        const result = computeMetrics(opts);
        process.stdout.write(opts.json ? metricsJson(result) : metricsText(result));
      } catch (error) {
        await failClearly(error);
      }
    });

  program
    .command('report')
    .description(
      'write a performance report (time-weighted returns, metrics, trades, attribution) of a scope',
    )
    .option('--scope <scope>', 'portfolio, account:ID or bot:ID', 'portfolio')
    .option('--from <date>', 'first trading day YYYY-MM-DD (default: first activity)')
    .option('--to <date>', 'last trading day YYYY-MM-DD (default: today)')
    .option('--format <format>', REPORT_FORMATS.join(', '), 'text')
    .option('--out <file>', 'file to write (atomically); text, html and csv print when omitted')
    .option('--benchmark <symbol>', 'compare with buy-and-hold of this symbol from its marks')
    .option('--calendar <calendar>', 'weekdays (252 a year) or all (365 a year)', 'weekdays')
    .option('--risk-free <rate>', 'ANNUAL risk-free rate, e.g. 0.04')
    .option('--capital <amount>', 'bot scopes: measure returns on this fixed allocation')
    .action(async (opts: ReportOptions, cmd: Command) => {
      const { loadOrExit, openConfiguredStore } = await context();
      const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const store = await openConfiguredStore(loaded);
      try {
        const { config } = loaded;
        const state = new PortfolioState();
        await loadPortfolioState(store.db, state);
        const service = new PerformanceService({
          db: store.db,
          timezone: config.timezone,
          baseCurrency: config.base_currency,
          money: new MoneyFormat(config.currency_decimals),
          clock: systemClock,
          state: () => state,
          currencyOf: (account) => state.accounts.get(account)?.currency ?? config.base_currency,
        });
        const file = await writeReport(service, opts, new Date(systemClock.now()), (s) =>
          process.stdout.write(s),
        );
        if (file) process.stderr.write(`Wrote ${file}\n`);
        await store.close();
      } catch (error) {
        await store.close();
        await failClearly(error);
      }
    });
}
