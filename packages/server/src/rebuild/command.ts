import type { Command } from 'commander';
import { fail, loadOrExit, openConfiguredStore, type GlobalOptions } from '../cli/context.js';
import { ingestSettings } from '../ingest/settings.js';
import { rebuildProjections, type RebuildReport } from './rebuild.js';

export function formatReport(report: RebuildReport): string {
  const lines = [
    `Rebuilt from the facts: ${report.fills} fills in ${report.keys} ledger keys, ${report.trades} round trips, ${report.orders} orders.`,
  ];
  const tables = Object.entries(report.counts);
  if (tables.length === 0) {
    lines.push('Every projection matches the facts.');
  } else {
    lines.push(
      `DIFFERENCES: ${tables.map(([t, n]) => `${t} ${n}`).join(', ')}${report.fixed ? ' (fixed)' : ' (run with --fix to repair)'}`,
    );
    for (const d of report.differences.slice(0, 20)) {
      lines.push(
        `  ${d.table} ${d.key} ${d.column}: stored ${JSON.stringify(d.stored)}, facts give ${JSON.stringify(d.rebuilt)}`,
      );
    }
    if (report.differences.length > 20)
      lines.push(`  … and ${report.differences.length - 20} more (--json lists them)`);
  }
  return lines.join('\n') + '\n';
}

export function registerRebuildCommand(program: Command): void {
  program
    .command('rebuild')
    .description(
      'recompute every projection from the stored facts; exits 1 if anything differs from what is stored',
    )
    .option('--fix', 'write the recomputed projections where they differ')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { fix?: boolean; json?: boolean }, cmd: Command) => {
      const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const store = await openConfiguredStore(loaded);
      try {
        const report = await rebuildProjections(store.db, ingestSettings(loaded.config), {
          fix: opts.fix ?? false,
        });
        if (report.fixed) {
          // A running hub sees the counter move and reloads its cache.
          await store.db
            .updateTable('counters')
            .set((eb) => ({ value: eb('value', '+', 1) }))
            .where('name', '=', 'ingest')
            .execute();
        }
        process.stdout.write(
          opts.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report),
        );
        await store.close();
        process.exit(Object.keys(report.counts).length > 0 && !report.fixed ? 1 : 0);
      } catch (error) {
        await store.close();
        fail(error);
      }
    });
}
