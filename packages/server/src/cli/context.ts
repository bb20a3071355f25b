import { moduleMigrations } from '../hub.js';
import { hubModules } from '../modules.js';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/index.js';
import {
  MigrationError,
  migrateToLatest,
  openStore,
  StoreUrlError,
  type Store,
} from '../store/index.js';

export interface GlobalOptions {
  config?: string;
}

/** Loads the configuration for a command, or exits with a message naming the problem. */
export function loadOrExit(options: GlobalOptions): LoadedConfig {
  try {
    return loadConfig({ configPath: options.config });
  } catch (error) {
    fail(error);
  }
}

/** Opens (and migrates) the configured store for a one-shot command. */
export async function openConfiguredStore(loaded: LoadedConfig): Promise<Store> {
  try {
    const store = openStore(loaded.config.database.url!, {
      sqliteSynchronous: loaded.config.database.sqlite_synchronous,
    });
    await migrateToLatest(store, moduleMigrations(hubModules));
    return store;
  } catch (error) {
    fail(error);
  }
}

/** Prints a one-line error (never a stack trace for expected problems) and exits 1. */
export function fail(error: unknown): never {
  const known =
    error instanceof ConfigError ||
    error instanceof StoreUrlError ||
    error instanceof MigrationError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tradewatch: ${known ? message : `error: ${message}`}\n`);
  process.exit(1);
}
