import type { Hub } from '../hub.js';
import type { HubModule } from '../module.js';
import { registerHealthCommands } from './cli.js';
import { registerEventRoutes } from './events/routes.js';
import { installRequestHooks } from './http-hooks.js';
import { healthMigrations } from './migrations.js';
import { registerHealthRoutes } from './routes.js';
import { HealthRuntime, type HealthCheckProvider, type WorkerStatus } from './runtime.js';

export type { HealthCheck, CheckStatus } from './checks/checks.js';
export type { HealthCheckProvider, WorkerStatus } from './runtime.js';
export type { ProjectionVerification } from './recovery.js';

const runtimes = new WeakMap<Hub, HealthRuntime>();

/** Seams other modules fill in before (or after) the health module registers. */
interface Pending {
  providers: HealthCheckProvider[];
  workers: WorkerStatus[];
}
const pending = new WeakMap<Hub, Pending>();

function pendingOf(hub: Hub): Pending {
  let p = pending.get(hub);
  if (!p) {
    p = { providers: [], workers: [] };
    pending.set(hub, p);
  }
  return p;
}

/** The health module's runtime of a hub (tests and other modules' seams). */
export function healthOf(hub: Hub): HealthRuntime | undefined {
  return runtimes.get(hub);
}

/**
 * Adds checks to /health (e.g. the alerts module's `outbox:backlog` and
 * `channel:<name>:circuit`, the ops module's `scheduler:lastRun` and `backup:age`).
 */
export function addHealthCheck(hub: Hub, provider: HealthCheckProvider): void {
  const rt = runtimes.get(hub);
  if (rt) rt.providers.push(provider);
  else pendingOf(hub).providers.push(provider);
}

/** Makes /readyz wait for another module's background worker (dispatcher, scheduler …). */
export function registerHealthWorker(hub: Hub, worker: WorkerStatus): void {
  const rt = runtimes.get(hub);
  if (rt) rt.externalWorkers.push(worker);
  else pendingOf(hub).workers.push(worker);
}

/**
 * Health, observability and recovery: /livez (core), /readyz, /health, /metrics, the stored
 * event log (`hub.events`, GET /api/v1/events), resource sampling, latency percentiles,
 * threshold alerts, probes, the hub's own heartbeat and crash recovery, reconciliation of broker
 * snapshots with the ledger. Registered first so every other module records into the stored log.
 */
export const healthModule: HubModule = {
  name: 'health',
  migrations: healthMigrations,
  async register(hub) {
    const rt = new HealthRuntime(hub);
    runtimes.set(hub, rt);
    const p = pending.get(hub);
    if (p) {
      rt.providers.push(...p.providers);
      rt.externalWorkers.push(...p.workers);
      pending.delete(hub);
    }
    hub.events = rt.events;
    rt.attachLogFile();
    // Before the hub listens: after an unclean stop, verify and repair the recent projections.
    await rt.prepareRecovery();
    installRequestHooks(hub.app, {
      observe: (info) => rt.onRequest(info),
      logLevel: rt.config.request_log,
    });
    hub.ingest.onCommit((changes) => {
      try {
        rt.onCommit(changes);
      } catch (error) {
        hub.logger.error({ err: error }, 'health: observing a committed batch failed');
      }
    });
    registerEventRoutes(hub.zapp, rt.events, hub.clock);
    registerHealthRoutes(hub, rt);
  },
  async start(hub) {
    await runtimes.get(hub)?.start();
  },
  async stop(hub) {
    await runtimes.get(hub)?.stop();
  },
  cli: registerHealthCommands,
};
