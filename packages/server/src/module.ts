import type { Command } from 'commander';
import type { Migration } from 'kysely';
import type { Hub } from './hub.js';
import type { DialectName } from './store/dialect.js';

/**
 * A feature module of the hub (dashboard, alerts, health, operations, integrations …).
 * `register` adds routes and wires listeners before the server listens; `start` launches
 * background work after it listens; `stop` ends it before the store closes (reverse order).
 */
export interface HubModule {
  name: string;
  /**
   * The module's own tables. Names must start with the module name (`alerts_001_initial`);
   * they are applied after the core migrations, each exactly once, in name order.
   */
  migrations?(dialect: DialectName): Record<string, Migration>;
  register(hub: Hub): void | Promise<void>;
  /** Adds the module's `tradewatch` subcommands. */
  cli?(program: Command): void;
  start?(hub: Hub): void | Promise<void>;
  stop?(hub: Hub): void | Promise<void>;
}
