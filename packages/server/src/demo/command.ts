import path from 'node:path';
import type { Command } from 'commander';
import { closeOnSignals, startHub } from '../cli/serve.js';
import { fail, loadOrExit, type GlobalOptions } from '../cli/context.js';
import { configSchema } from '../config/index.js';
import { DEMO_CONFIG } from './demo-config.js';
import { DEFAULT_DEMO_OPTIONS, DemoSimulator } from './simulator.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run the hub with three simulated bots trading through the real API (data in <data_dir>/demo)',
    )
    .option(
      '--history-days <n>',
      'days of backfilled history',
      String(DEFAULT_DEMO_OPTIONS.historyDays),
    )
    .option('--step-ms <ms>', 'live step interval', String(DEFAULT_DEMO_OPTIONS.stepMs))
    .option('--stop-heartbeat-after <s>', 'seconds until the futures bot stops heartbeating', '180')
    .action(
      async (
        opts: { historyDays: string; stepMs: string; stopHeartbeatAfter: string },
        cmd: Command,
      ) => {
        const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
        const numbers = {
          historyDays: Number(opts.historyDays),
          stepMs: Number(opts.stepMs),
          stopHeartbeatAfterMs: Number(opts.stopHeartbeatAfter) * 1000,
        };
        for (const [k, v] of Object.entries(numbers)) {
          if (!Number.isFinite(v) || v < 0)
            fail(new Error(`--${k}: expected a non-negative number`));
        }
        // The demo keeps its own database so it never mixes with real trading data.
        const dataDir = path.join(loaded.config.data_dir, 'demo');
        const config = configSchema.parse({
          ...loaded.config,
          data_dir: dataDir,
          database: {
            ...loaded.config.database,
            url: `sqlite:${path.join(dataDir, 'tradewatch.db')}`,
          },
          accounts:
            loaded.config.accounts.length > 0 ? loaded.config.accounts : DEMO_CONFIG.accounts,
          instruments:
            loaded.config.instruments.length > 0
              ? loaded.config.instruments
              : DEMO_CONFIG.instruments,
        });
        const { hub, url } = await startHub({ ...loaded, config }, { quietToken: true });
        const { token } = await hub.tokens.create({
          name: `demo-admin-${hub.clock.now()}`,
          scopes: ['admin'],
        });
        const simulator = new DemoSimulator(
          hub,
          url,
          { ...DEFAULT_DEMO_OPTIONS, ...numbers },
          hub.logger,
        );
        closeOnSignals(hub, () => simulator.stop());
        process.stdout.write(
          `\nTradewatch demo: backfilling ${numbers.historyDays} days of history for 3 bots…\n`,
        );
        await simulator.start();
        process.stdout.write(
          `\nThe demo is live at ${url} (data in ${dataDir}).\n\n` +
            `  Open the dashboard:  ${url}/login#token=${token}\n` +
            `  Or call the API:     curl -H "Authorization: Bearer ${token}" ${url}/api/v1/portfolio\n\n` +
            `The es-trend bot stops sending heartbeats after ${numbers.stopHeartbeatAfterMs / 1000} s. Ctrl-C stops the demo.\n\n`,
        );
      },
    );
}
