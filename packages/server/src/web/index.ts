import type { Command } from 'commander';
import { registerTokenRoutes } from '../auth/routes.js';
import type { GlobalOptions } from '../cli/context.js';
import type { Hub } from '../hub.js';
import type { HubModule } from '../module.js';
import { systemClock } from '../time/index.js';
import { registerCapabilitiesRoute } from './capabilities.js';
import { webMigrations } from './migrations.js';
import { SessionRepository } from './session-repository.js';
import { registerSessionRoutes, sessionResolver } from './session-routes.js';
import { defaultDistDir, registerDashboard } from './static.js';

export { DASHBOARD_CSP } from './static.js';
export { SESSION_COOKIE } from './session-routes.js';

const SWEEP_MS = 60 * 60_000;
let sweep: NodeJS.Timeout | null = null;

function sessionsOf(hub: Hub): SessionRepository {
  return new SessionRepository(hub.store.db, () => hub.clock.now());
}

/**
 * The dashboard: static files at `/`, login sessions (an HttpOnly cookie that the auth hook and
 * the stream accept like a token), token management, configuration and version routes.
 */
export const webModule: HubModule = {
  name: 'web',
  migrations: webMigrations,
  async register(hub) {
    const sessions = sessionsOf(hub);
    hub.resolvers.push(sessionResolver(sessions));
    registerSessionRoutes(hub.zapp, {
      sessions,
      tokens: hub.tokens,
      events: () => hub.events,
      config: hub.config.web,
    });
    registerCapabilitiesRoute(hub.zapp);
    registerTokenRoutes(hub.zapp, {
      tokens: hub.tokens,
      config: hub.config,
      dialect: hub.store.dialect,
      events: () => hub.events,
      onRevoke: async (id) => {
        await sessions.deleteForToken(id);
      },
    });
    if (hub.config.web.enabled) {
      await registerDashboard(hub.app, hub.config.web.dist_dir ?? defaultDistDir());
    }
  },
  async start(hub) {
    const sessions = sessionsOf(hub);
    await sessions.deleteExpired().catch(() => 0);
    sweep = setInterval(() => {
      sessions.deleteExpired().catch((err: unknown) => {
        hub.logger.warn({ err }, 'could not delete expired dashboard sessions');
      });
    }, SWEEP_MS);
    sweep.unref();
  },
  stop() {
    if (sweep) clearInterval(sweep);
    sweep = null;
  },
  cli(program: Command) {
    const web = program.command('sessions').description('dashboard login sessions');
    web
      .command('clear')
      .description('log every dashboard session out (after rotating TRADEWATCH_ADMIN_TOKEN)')
      .action(async (_opts: unknown, cmd: Command) => {
        // Loaded late: the CLI context imports the module list, which imports this module.
        const { fail, loadOrExit, openConfiguredStore } = await import('../cli/context.js');
        const loaded = loadOrExit(cmd.optsWithGlobals<GlobalOptions>());
        const store = await openConfiguredStore(loaded);
        try {
          const repo = new SessionRepository(store.db, () => systemClock.now());
          const n = await repo.deleteAll();
          process.stdout.write(`Ended ${n} dashboard session${n === 1 ? '' : 's'}.\n`);
        } catch (error) {
          fail(error);
        } finally {
          await store.close();
        }
      });
  },
};
