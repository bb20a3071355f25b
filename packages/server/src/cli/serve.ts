import type { Command } from 'commander';
import { createHub, type Hub } from '../hub.js';
import { createLogger } from '../logger.js';
import { hubModules } from '../modules.js';
import { VERSION } from '../version.js';
import { fail, loadOrExit, type GlobalOptions } from './context.js';
import type { LoadedConfig } from '../config/index.js';

export interface StartedHub {
  hub: Hub;
  url: string;
}

/** Starts the hub from a loaded configuration; prints the first admin token once. */
export async function startHub(
  loaded: LoadedConfig,
  extra: { quietToken?: boolean } = {},
): Promise<StartedHub> {
  const logger = createLogger(loaded.config.log_level);
  for (const w of loaded.warnings) logger.warn(w);
  let hub: Hub;
  try {
    hub = await createHub({
      config: loaded.config,
      configFile: loaded.file,
      adminToken: loaded.adminToken,
      logger,
      bootstrapAdmin: true,
      modules: hubModules,
    });
  } catch (error) {
    fail(error);
  }
  let url: string;
  try {
    url = await hub.listen();
  } catch (error) {
    await hub.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      fail(
        new Error(
          `port ${loaded.config.server.port} on ${loaded.config.server.host} is already in use; set TRADEWATCH_PORT or server.port`,
        ),
      );
    }
    fail(error);
  }
  logger.info({ url, store: hub.store.location, version: VERSION }, 'tradewatch hub ready');
  if (hub.firstAdminToken && !extra.quietToken) {
    process.stdout.write(
      `\nTradewatch ${VERSION} is running at ${url}\n\n` +
        `This is the first start, so an admin token was generated. It is shown only once:\n\n` +
        `  ${hub.firstAdminToken}\n\n` +
        `Dashboard login: ${url}/login#token=${hub.firstAdminToken}\n` +
        `Make more tokens with: tradewatch token create --name NAME --scope read|ingest|journal|admin\n\n`,
    );
  }
  return { hub, url };
}

/** SIGTERM/SIGINT: stop accepting, finish in-flight work, close the store, exit 0. */
export function closeOnSignals(
  hub: Hub,
  extraClose: () => Promise<void> = async () => undefined,
): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    hub.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    void extraClose()
      .then(() => hub.close())
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the hub (HTTP API, dashboard, live stream)')
    .action(async (_opts: unknown, cmd: Command) => {
      const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
      const { hub } = await startHub(loaded);
      closeOnSignals(hub);
    });
}
