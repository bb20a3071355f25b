#!/usr/bin/env node
import { Command } from 'commander';
import { hubModules } from '../modules.js';
import { VERSION } from '../version.js';
import { fail, loadOrExit, openConfiguredStore, type GlobalOptions } from './context.js';
import { registerDemoCommand } from '../demo/command.js';
import { registerRebuildCommand } from '../rebuild/index.js';
import { registerServeCommand } from './serve.js';
import { registerTokenCommands } from './token-commands.js';

const program = new Command();
program
  .name('tradewatch')
  .description('Tradewatch: the monitoring and operations hub for your trading bots')
  .version(VERSION, '-v, --version')
  .option(
    '-c, --config <file>',
    'configuration file (default: $TRADEWATCH_CONFIG or ./tradewatch.yaml)',
  )
  .showHelpAfterError()
  .configureOutput({
    outputError: (str, write) => write(`tradewatch: ${str.replace(/^error: /, '')}`),
  });

registerServeCommand(program);
registerTokenCommands(program);
registerRebuildCommand(program);
registerDemoCommand(program);
for (const m of hubModules) m.cli?.(program);

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async (_opts: unknown, cmd: Command) => {
    const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
    const store = await openConfiguredStore(loaded);
    process.stdout.write(`Database ${store.location} is at the latest schema.\n`);
    await store.close();
  });

program
  .command('version')
  .description('print the version')
  .action(() => {
    process.stdout.write(`tradewatch ${VERSION}\n`);
  });

program.parseAsync(process.argv).catch(fail);
