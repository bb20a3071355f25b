import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { TokenRepository } from './auth/index.js';
import { BotService, registerBotRoutes } from './bots/index.js';
import type { TradewatchConfig } from './config/index.js';
import { createApp, type App, type ZodApp } from './http/app.js';
import { tlsServerOptions } from './http/tls.js';
import { registerAuth, type PrincipalResolver } from './http/auth-hook.js';
import { IngestService, ingestSettings } from './ingest/index.js';
import { registerIngestRoutes } from './ingest/routes.js';
import { decFromString, decToString } from './ledger/index.js';
import { loadPortfolioState, PortfolioHolder } from './portfolio/index.js';
import { QueryService } from './query/query-service.js';
import { registerQueryRoutes } from './query/routes.js';
import {
  checkpoint,
  migrateToLatest,
  openStore,
  type MigrationSource,
  type Store,
} from './store/index.js';
import { LiveStream, registerStreamRoutes } from './stream/index.js';
import { systemClock, type Clock } from './time/index.js';
import { VERSION } from './version.js';
import { createLogger } from './logger.js';
import type { HubModule } from './module.js';
import { alwaysLeader, type Leadership } from './leadership.js';
import { loggingRecorder, type EventRecorder } from './events.js';
import { loggingAlertSink, type AlertSink } from './alert-sink.js';

export interface HubOptions {
  config: TradewatchConfig;
  /** The configuration file it came from (backups include it). */
  configFile?: string | null;
  /** TRADEWATCH_ADMIN_TOKEN, if given. */
  adminToken?: string | null;
  clock?: Clock;
  logger?: Logger;
  /** Generate and return an admin token when the database has none (first start). */
  bootstrapAdmin?: boolean;
  /** Feature modules to register (the CLI passes all of them, see modules.ts; default none). */
  modules?: HubModule[];
}

/** A running (or ready to listen) hub: the store, the services and the HTTP app wired together. */
export interface Hub {
  config: TradewatchConfig;
  configFile: string | null;
  store: Store;
  app: App;
  logger: Logger;
  clock: Clock;
  holder: PortfolioHolder;
  tokens: TokenRepository;
  ingest: IngestService;
  query: QueryService;
  bots: BotService;
  stream: LiveStream;
  /** Set on the first start when an admin token was generated (print it once). */
  firstAdminToken: string | null;
  /** Extra principal resolvers (the dashboard's session cookie). */
  resolvers: PrincipalResolver[];
  /** The app with the zod type provider, for modules' routes. */
  zapp: ZodApp;
  /** The typed event log; the health module replaces the default (process log). */
  events: EventRecorder;
  /** Raises and resolves alerts; the alerts module replaces the default (process log). */
  alertSink: AlertSink;
  /** Whether this instance runs the singleton jobs; the cluster module elects on PostgreSQL. */
  leader: Leadership;
  /** The Prometheus registry every module registers its metrics in (served by the health module). */
  metrics: Registry;
  /** True from the moment shutdown begins (readiness turns 503). */
  shuttingDown: boolean;
  /** Runs modules' `start` (background work); `listen` calls it. */
  startModules(): Promise<void>;
  /** Listens on the configured host and port; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Opens the store, applies migrations, loads the projections and builds the HTTP app. */
export async function createHub(options: HubOptions): Promise<Hub> {
  const modules = options.modules ?? [];
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log_level);
  const store = openStore(config.database.url!, {
    sqliteSynchronous: config.database.sqlite_synchronous,
  });
  try {
    await migrateToLatest(store, moduleMigrations(modules));
    await syncConfiguredAccounts(store, config, clock);
  } catch (error) {
    await store.close();
    throw error;
  }

  const holder = new PortfolioHolder();
  await loadPortfolioState(store.db, holder.current);
  const tokens = new TokenRepository(store.db, () => clock.now());
  tokens.setBootstrapAdminToken(options.adminToken ?? null);
  let firstAdminToken: string | null = null;
  if (options.bootstrapAdmin && !options.adminToken && (await tokens.count()) === 0) {
    firstAdminToken = (await tokens.create({ name: 'admin', scopes: ['admin'] })).token;
  }

  const settings = ingestSettings(config);
  const ingest = new IngestService(store, holder, settings, clock);
  const query = new QueryService(
    store,
    holder,
    {
      timezone: config.timezone,
      baseCurrency: config.base_currency,
      currencyDecimals: config.currency_decimals,
      defaultHeartbeatIntervalS: config.default_heartbeat_interval_s,
      multiplier: (symbol: string) => settings.multiplier(symbol),
    },
    clock,
  );
  const bots = new BotService(ingest, clock);
  for (const b of config.bots) {
    await bots.upsert(b.id, {
      name: b.name,
      framework: b.framework,
      account: b.account,
      heartbeat_interval_s: b.heartbeat_interval_s,
    });
  }
  const stream = new LiveStream(query, () => clock.now());
  ingest.onCommit((changes) => stream.publish(changes));

  const tls = tlsServerOptions(config);
  for (const w of tls?.warnings ?? []) logger.warn(w);
  const app = await createApp({
    logger,
    version: VERSION,
    trustProxy: config.server.trust_proxy,
    https: tls,
  });
  const resolvers: PrincipalResolver[] = [];
  registerAuth(app, tokens, resolvers);
  const zapp = app.withTypeProvider<ZodTypeProvider>() as unknown as ZodApp;
  app.get(
    '/livez',
    { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness (no auth)' } },
    () => ({
      status: 'ok',
    }),
  );
  registerIngestRoutes(zapp, ingest);
  registerQueryRoutes(zapp, query);
  registerBotRoutes(zapp, bots, query);
  registerStreamRoutes(app, stream, tokens, resolvers);

  let closed = false;
  let started = false;
  const hub: Hub = {
    config,
    configFile: options.configFile ?? null,
    store,
    app,
    logger,
    clock,
    holder,
    tokens,
    ingest,
    query,
    bots,
    stream,
    firstAdminToken,
    resolvers,
    zapp,
    events: loggingRecorder(logger),
    alertSink: loggingAlertSink(logger),
    metrics: new Registry(),
    leader: alwaysLeader,
    shuttingDown: false,
    async startModules() {
      if (started) return;
      started = true;
      for (const m of modules) await m.start?.(hub);
    },
    async listen() {
      const address = await app.listen({ host: config.server.host, port: config.server.port });
      await hub.startModules();
      return address;
    },
    async close() {
      if (closed) return;
      closed = true;
      hub.shuttingDown = true;
      stream.close();
      await app.close();
      for (const m of [...modules].reverse()) {
        try {
          await m.stop?.(hub);
        } catch (error) {
          logger.error({ err: error, module: m.name }, 'module failed to stop cleanly');
        }
      }
      await checkpoint(store.dialect, store.db).catch(() => undefined);
      await store.close();
    },
  };
  for (const m of modules) await m.register(hub);
  return hub;
}

/** Configured accounts are written to the database so every query sees the same names and balances. */
async function syncConfiguredAccounts(
  store: Store,
  config: TradewatchConfig,
  clock: Clock,
): Promise<void> {
  for (const a of config.accounts) {
    const row = {
      id: a.id,
      name: a.name ?? a.id,
      broker: a.broker ?? null,
      currency: a.currency,
      opening_balance: decToString(decFromString(a.opening_balance)),
      mode: a.mode,
      configured: 1,
    };
    await store.db
      .insertInto('accounts')
      .values({ ...row, cash_flows: '0', created_at: clock.now() })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }
}

/** The migration sources of a list of modules. */
export function moduleMigrations(modules: HubModule[]): MigrationSource[] {
  return modules.flatMap((m) => (m.migrations ? [m.migrations.bind(m)] : []));
}
