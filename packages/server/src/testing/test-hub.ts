import { configSchema, type TradewatchConfigInput } from '../config/index.js';
import { createHub, type Hub } from '../hub.js';
import { createLogger } from '../logger.js';
import type { HubModule } from '../module.js';
import { ManualClock } from '../time/index.js';
import { createTestDatabase, type TestDatabase } from './stores.js';

export const T0 = Date.UTC(2026, 0, 5, 14, 30);

export interface TestHub {
  hub: Hub;
  db: TestDatabase;
  clock: ManualClock;
  admin: string;
  /** POST /api/v1/ingest through fastify.inject. */
  ingest(
    events: unknown,
    token?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  get<T = Record<string, unknown>>(
    url: string,
    token?: string,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export const ADMIN_TOKEN = 'tw_test_admin_token_0123456789';

export interface TestHubOptions {
  /** Feature modules to register; default: every module of modules.ts. Core tests pass []. */
  modules?: HubModule[];
}

export async function startTestHub(
  kind: 'sqlite' | 'postgres',
  config: TradewatchConfigInput = {},
  existing?: TestDatabase,
  options: TestHubOptions = {},
): Promise<TestHub> {
  // Imported lazily so core tests do not load every feature module.
  const modules = options.modules ?? (await import('../modules.js')).hubModules;
  const db = existing ?? (await createTestDatabase(kind));
  const clock = new ManualClock(T0);
  const parsed = configSchema.parse({
    ...config,
    data_dir: db.dir,
    database: { url: db.url, sqlite_synchronous: 'normal' },
    log_level: 'silent',
  });
  let hub: Awaited<ReturnType<typeof createHub>>;
  try {
    hub = await createHub({
      config: parsed,
      adminToken: ADMIN_TOKEN,
      clock,
      logger: createLogger('silent'),
      modules,
    });
  } catch (error) {
    // A hub that fails to start must not leak its test schema.
    if (!existing) await db.drop();
    throw error;
  }
  const auth = (token: string | undefined) => ({ authorization: `Bearer ${token ?? ADMIN_TOKEN}` });
  return {
    hub,
    db,
    clock,
    admin: ADMIN_TOKEN,
    async ingest(events, token) {
      const res = await hub.app.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        headers: { ...auth(token), 'content-type': 'application/json' },
        payload: JSON.stringify(Array.isArray(events) ? { events } : events),
      });
      return { status: res.statusCode, body: res.json() };
    },
    async get(url, token) {
      const res = await hub.app.inject({ method: 'GET', url, headers: auth(token) });
      return { status: res.statusCode, body: res.json() };
    },
    async close() {
      await hub.close();
      if (!existing) await db.drop();
    },
  };
}
