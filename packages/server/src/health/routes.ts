import { errorResponse, isoUtc } from '@tradewatch/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { bearerToken, hasScope, hashesEqual, hashToken, type Principal } from '../auth/index.js';
import type { Hub } from '../hub.js';
import { ApiError, notFound } from '../http/errors.js';
import { decToNumber } from '../ledger/index.js';
import { queryTime } from '../query/filters.js';
import { VERSION } from '../version.js';
import {
  COMPONENTS,
  healthDocument,
  httpStatusOf,
  prefixOf,
  type HealthCheck,
} from './checks/checks.js';
import { LATENCY_METRICS } from './latency.js';
import { livenessSegments } from './liveness.js';
import type { HealthRuntime } from './runtime.js';

const read = { scope: 'read' as const };
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse };
const HEALTH_JSON = 'application/health+json';

const healthBody = z
  .object({
    status: z.enum(['pass', 'warn', 'fail']),
    version: z.string().optional(),
    releaseId: z.string().optional(),
    serviceId: z.string().optional(),
    description: z.string().optional(),
    checks: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional(),
  })
  .describe('IETF draft health+json');

/** The caller's principal on a public route: bearer token first, then the dashboard session. */
async function principalOf(
  hub: Hub,
  request: FastifyRequest,
): Promise<Principal | null | 'invalid'> {
  const token = bearerToken(request.headers.authorization);
  if (token) return (await hub.tokens.verify(token)) ?? 'invalid';
  for (const resolve of hub.resolvers) {
    const p = await resolve(request);
    if (p) return p;
  }
  return null;
}

function document(checks: HealthCheck[], detailed: boolean) {
  return healthDocument(checks, {
    version: VERSION.split('.')[0] ?? VERSION,
    releaseId: VERSION,
    detailed,
  });
}

export function registerHealthRoutes(hub: Hub, rt: HealthRuntime): void {
  const app = hub.zapp;

  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary:
          'Readiness (no auth): database answers, migrations applied, workers running; 503 otherwise and during shutdown',
        response: { 200: z.object({ status: z.literal('ready') }), 503: errorResponse },
      },
    },
    async (_request, reply) => {
      const r = await rt.readiness();
      if (!r.ready) {
        return reply
          .status(503)
          .send({ error: 'not_ready', message: `not ready: ${r.reasons.join('; ')}` });
      }
      return { status: 'ready' as const };
    },
  );

  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary:
          'Health as application/health+json: 200 pass/warn, 503 fail. Without a token only the status; with the read scope every check',
        response: { 200: healthBody, 401: errorResponse, 503: healthBody },
      },
    },
    async (request, reply) => {
      const principal = await principalOf(hub, request);
      if (principal === 'invalid')
        throw new ApiError('unauthorized', 'the token is not valid (unknown or revoked)');
      const detailed = principal !== null && hasScope(principal, 'read');
      const doc = document(await rt.checks(), detailed);
      return reply.status(httpStatusOf(doc.status)).type(HEALTH_JSON).send(doc);
    },
  );

  app.get(
    '/health/:component',
    {
      config: read,
      schema: {
        tags: ['health'],
        summary: `One component's checks (${Object.keys(COMPONENTS).join(', ')}) (scope: read)`,
        params: z.object({ component: z.string().min(1).max(64) }),
        response: { 200: healthBody, 404: errorResponse, 503: healthBody, ...errors },
      },
    },
    async (request, reply) => {
      const { component } = request.params;
      const checks = await rt.checks();
      const prefix =
        COMPONENTS[component] ??
        (checks.some((c) => prefixOf(c.key) === component) ? component : undefined);
      if (prefix === undefined) {
        throw new ApiError(
          'not_found',
          `no health component "${component}"; components: ${Object.keys(COMPONENTS).join(', ')}`,
        );
      }
      const mine = checks.filter((c) => prefixOf(c.key) === prefix);
      const doc = document(mine, true);
      return reply.status(httpStatusOf(doc.status)).type(HEALTH_JSON).send(doc);
    },
  );

  if (rt.metrics) {
    const token = rt.config.metrics.token;
    const tokenHash = token ? hashToken(token) : null;
    app.get(
      '/metrics',
      {
        config: { public: true },
        schema: {
          tags: ['health'],
          summary:
            'Prometheus metrics (text format). Public unless health.metrics.token is set; then that token or a read token',
          response: { 200: z.string(), 401: errorResponse, 403: errorResponse },
        },
      },
      async (request, reply) => {
        if (tokenHash) {
          const given = bearerToken(request.headers.authorization);
          if (!given)
            throw new ApiError(
              'unauthorized',
              '/metrics needs a token: send "Authorization: Bearer <token>"',
            );
          if (!hashesEqual(hashToken(given), tokenHash)) {
            const p = await hub.tokens.verify(given);
            if (!p)
              throw new ApiError('unauthorized', 'the token is not valid (unknown or revoked)');
            if (!hasScope(p, 'read'))
              throw new ApiError('forbidden', '/metrics needs the metrics token or the read scope');
          }
        }
        const body = await hub.metrics.metrics();
        return reply.type(hub.metrics.contentType).send(body);
      },
    );
  }

  app.get(
    '/api/v1/reconciliation',
    {
      config: read,
      schema: {
        tags: ['health'],
        summary:
          'Broker snapshots (position, balance) compared with the ledger, and orphaned orders (scope: read)',
        response: {
          200: z.object({
            as_of: z.string(),
            summary: z.object({
              match: z.number().int(),
              mismatch: z.number().int(),
              stale: z.number().int(),
              orphaned_orders: z.number().int(),
              unknown_order_fills: z.number().int(),
            }),
            items: z.array(
              z.object({
                kind: z.enum(['position', 'cash', 'equity']),
                account: z.string(),
                symbol: z.string().nullable(),
                status: z.enum(['match', 'mismatch', 'stale']),
                broker: z.number(),
                ledger: z.number(),
                difference: z.number(),
                reported_at: z.string(),
                reported_by: z.string(),
              }),
            ),
            orphaned_orders: z.array(
              z.object({
                bot: z.string(),
                order_id: z.string(),
                symbol: z.string(),
                status: z.string(),
                updated_at: z.string(),
              }),
            ),
            unknown_order_fills: z.array(
              z.object({
                bot: z.string(),
                order_id: z.string(),
                fill_id: z.string(),
                symbol: z.string(),
                ts: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async () => {
      const report = await rt.reconciliation();
      const state = hub.holder.current;
      const count = (s: string) => report.items.filter((i) => i.status === s).length;
      return {
        as_of: isoUtc(report.asOf),
        summary: {
          match: count('match'),
          mismatch: count('mismatch'),
          stale: count('stale'),
          orphaned_orders: report.orphans.staleOpen.length,
          unknown_order_fills: report.orphans.unknownOrders.length,
        },
        items: report.items.map((i) => {
          const currency = hub.query.views.currencyOf(state, i.account);
          const v = (d: bigint) =>
            i.kind === 'position' ? decToNumber(d) : hub.query.money.money(d, currency);
          return {
            kind: i.kind,
            account: i.account,
            symbol: i.symbol,
            status: i.status,
            broker: v(i.broker),
            ledger: v(i.ledger),
            difference: v(i.difference),
            reported_at: isoUtc(i.brokerTs),
            reported_by: i.bot,
          };
        }),
        orphaned_orders: report.orphans.staleOpen.map((o) => ({
          ...o,
          updated_at: isoUtc(o.updated_at),
        })),
        unknown_order_fills: report.orphans.unknownOrders.map((f) => ({
          ...f,
          ts: isoUtc(f.ts),
        })),
      };
    },
  );

  const DAY = 86_400_000;

  app.get(
    '/api/v1/health/samples',
    {
      config: read,
      schema: {
        tags: ['health'],
        summary:
          'Resource samples (CPU, memory, heap, event-loop lag, disk): every 15 s for 2 days, then 5-minute averages (scope: read)',
        querystring: z.object({
          from: queryTime,
          to: queryTime,
          limit: z.coerce.number().int().min(1).max(50_000).default(10_000),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                instance: z.string(),
                ts: z.string(),
                bucket_s: z.number(),
                cpu_pct: z.number().nullable(),
                system_cpu_pct: z.number().nullable(),
                memory_pct: z.number().nullable(),
                rss_bytes: z.number().nullable(),
                heap_used_bytes: z.number().nullable(),
                heap_total_bytes: z.number().nullable(),
                loop_lag_ms: z.number().nullable(),
                disk_pct: z.number().nullable(),
                disk_free_bytes: z.number().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const to = q.to ?? hub.clock.now() + 1;
      const from = q.from ?? to - DAY;
      const rows = await rt.db
        .selectFrom('health_samples')
        .selectAll()
        .where('ts', '>=', from)
        .where('ts', '<', to)
        .orderBy('ts')
        .limit(q.limit)
        .execute();
      return {
        items: rows.map(({ count: _count, ...r }) => ({ ...r, ts: isoUtc(Number(r.ts)) })),
      };
    },
  );

  app.get(
    '/api/v1/health/latency',
    {
      config: read,
      schema: {
        tags: ['health'],
        summary:
          'Per-minute latency percentiles (ms): order (submitted → first fill), feed (mark → receipt), ingest, database, API (scope: read)',
        querystring: z.object({
          metric: z.enum(LATENCY_METRICS),
          bot: z.string().min(1).max(128).optional(),
          from: queryTime,
          to: queryTime,
          limit: z.coerce.number().int().min(1).max(50_000).default(10_000),
        }),
        response: {
          200: z.object({
            metric: z.string(),
            bot: z.string().nullable(),
            items: z.array(
              z.object({
                minute: z.string(),
                count: z.number().int(),
                p50: z.number(),
                p95: z.number(),
                p99: z.number(),
                max: z.number(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const to = q.to ?? hub.clock.now() + 1;
      const from = q.from ?? to - DAY;
      const rows = await rt.db
        .selectFrom('health_latency')
        .select(['minute', 'count', 'p50', 'p95', 'p99', 'max'])
        .where('metric', '=', q.metric)
        .where('bot', '=', q.bot ?? '')
        .where('minute', '>=', from)
        .where('minute', '<', to)
        .orderBy('minute')
        .limit(q.limit)
        .execute();
      return {
        metric: q.metric,
        bot: q.bot ?? null,
        items: rows.map((r) => ({ ...r, minute: isoUtc(Number(r.minute)) })),
      };
    },
  );

  app.get(
    '/api/v1/health/bots/:id/liveness',
    {
      config: read,
      schema: {
        tags: ['health'],
        summary:
          "A bot's liveness timeline from its heartbeats: up / down / unknown segments (default: the last 24 hours) (scope: read)",
        params: z.object({ id: z.string().min(1).max(64) }),
        querystring: z.object({ from: queryTime, to: queryTime }),
        response: {
          200: z.object({
            bot: z.string(),
            heartbeat_interval_s: z.number(),
            status: z.enum(['up', 'down', 'unknown']),
            segments: z.array(
              z.object({
                from: z.string(),
                to: z.string(),
                status: z.enum(['up', 'down', 'unknown']),
              }),
            ),
          }),
          404: errorResponse,
          ...errors,
        },
      },
    },
    async (request) => {
      const bot = hub.holder.current.bots.get(request.params.id);
      if (!bot) throw notFound(`bot ${request.params.id}`);
      const now = hub.clock.now();
      const to = Math.min(request.query.to ?? now, now);
      const from = request.query.from ?? to - DAY;
      if (from >= to) throw new ApiError('invalid', 'from must be before to');
      const interval = bot.heartbeatIntervalS ?? hub.config.default_heartbeat_interval_s;
      const rows = await hub.store.db
        .selectFrom('heartbeats')
        .select('ts')
        .where('bot', '=', bot.id)
        .where('ts', '>=', from - 2 * interval * 1000)
        .where('ts', '<', to)
        .orderBy('ts')
        .limit(100_000)
        .execute();
      const first = await hub.store.db
        .selectFrom('heartbeats')
        .select((eb) => eb.fn.min('ts').as('ts'))
        .where('bot', '=', bot.id)
        .executeTakeFirst();
      const firstEver = first?.ts == null ? null : Number(first.ts);
      const segments = livenessSegments(
        rows.map((r) => Number(r.ts)),
        interval,
        from,
        to,
        firstEver,
      );
      return {
        bot: bot.id,
        heartbeat_interval_s: interval,
        status: segments[segments.length - 1]?.status ?? 'unknown',
        segments: segments.map((s) => ({
          from: isoUtc(s.from),
          to: isoUtc(s.to),
          status: s.status,
        })),
      };
    },
  );
}
