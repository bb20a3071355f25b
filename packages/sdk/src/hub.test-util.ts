import { createTestDatabase, type TestDatabase } from '../../server/src/testing/stores.js';
import { startTestHub, type TestHub } from '../../server/src/testing/test-hub.js';

/** An in-process hub listening on a real loopback port, which a test can stop and start again. */
export interface PortHub {
  url: string;
  port: number;
  current: TestHub | null;
  token: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** GET with the admin token. */
  get<T>(route: string): Promise<T>;
  post<T>(route: string, body: unknown): Promise<{ status: number; body: T }>;
  dispose(): Promise<void>;
}

export async function startPortHub(kind: 'sqlite' | 'postgres', bot: string): Promise<PortHub> {
  const db: TestDatabase = await createTestDatabase(kind);
  let port = 0;
  const hub: PortHub = {
    url: '',
    port: 0,
    current: null,
    token: '',
    async start() {
      const t = await startTestHub(kind, {}, db, { modules: [] });
      const address = await t.hub.app.listen({ host: '127.0.0.1', port });
      port = Number(new URL(address).port);
      hub.port = port;
      hub.url = `http://127.0.0.1:${port}`;
      hub.current = t;
    },
    async stop() {
      const t = hub.current;
      hub.current = null;
      await t?.hub.close();
    },
    async get<T>(route: string) {
      const r = await hub.current!.get<T>(route);
      return r.body;
    },
    async post<T>(route: string, body: unknown) {
      const res = await hub.current!.hub.app.inject({
        method: 'POST',
        url: route,
        headers: {
          authorization: `Bearer ${hub.current!.admin}`,
          'content-type': 'application/json',
        },
        payload: JSON.stringify(body),
      });
      return { status: res.statusCode, body: res.json<T>() };
    },
    async dispose() {
      await hub.stop();
      await db.drop();
    },
  };
  await hub.start();
  hub.token = (await hub.current!.hub.tokens.create({ name: bot, scopes: ['ingest'], bot })).token;
  return hub;
}
