import type { HubModule } from '../module.js';
import { performanceMigrations } from './migrations.js';
import { registerPerformanceRoutes } from './routes.js';
import { PerformanceService } from './service.js';
import { registerPerformanceCommands } from './cli/commands.js';
import type { Hub } from '../hub.js';

export { PerformanceService } from './service.js';
export type { PerformanceQuery, PerformanceResponse } from './schema.js';

/** The service of a hub: its store, time zone, currencies and projections. */
export function performanceServiceOf(hub: Hub): PerformanceService {
  return new PerformanceService({
    db: hub.store.db,
    timezone: hub.config.timezone,
    baseCurrency: hub.config.base_currency,
    money: hub.query.money,
    clock: hub.clock,
    state: () => hub.query.state(),
    currencyOf: (account) => hub.query.views.currencyOf(hub.query.state(), account),
  });
}

/**
 * Performance analytics in the hub: time-weighted returns per portfolio, account and bot,
 * every metric of @tradewatch/analytics, trade statistics, attribution and benchmark
 * comparison at GET /api/v1/performance, and the `tradewatch metrics` and `tradewatch report`
 * commands.
 */
const services = new WeakMap<Hub, PerformanceService>();

export const performanceModule: HubModule = {
  name: 'performance',
  migrations: () => performanceMigrations(),
  register(hub) {
    const service = performanceServiceOf(hub);
    services.set(hub, service);
    registerPerformanceRoutes(hub.zapp, service);
  },
  start(hub) {
    // Load the closed trades in the background so the first request does not pay for it.
    services
      .get(hub)
      ?.refreshTrades()
      .catch((err: unknown) =>
        hub.logger.warn({ err }, 'performance: loading closed trades failed; retried on request'),
      );
  },
  cli(program) {
    registerPerformanceCommands(program);
  },
};
