import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Hub } from '../hub.js';
import type { Clock } from '../time/index.js';
import type { SecurityConfig } from './config.js';

/** The dashboard's policy: everything from the hub itself, nothing inline, no framing. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; object-src 'none'; " +
  "base-uri 'self'; form-action 'self'";

/**
 * The Swagger UI at /api/docs sets element styles at run time and shows data: images; it
 * loads nothing from elsewhere (the online validator badge is off).
 */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'";

export function cspFor(url: string): string {
  return url === '/api/docs' || url.startsWith('/api/docs/') || url.startsWith('/api/docs?')
    ? DOCS_CSP
    : DASHBOARD_CSP;
}

interface WindowEntry {
  current: number;
  start: number;
}

type StoreCallback = (err: Error | null, res: { current: number; ttl: number }) => void;

/**
 * A fixed-window counter store for @fastify/rate-limit driven by the hub's injected clock
 * (so tests move time instead of sleeping). Bounded: the oldest keys go first past `maxKeys`.
 */
export class ClockWindowStore {
  private readonly entries = new Map<string, WindowEntry>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 50_000,
  ) {}

  incr(key: string, cb: StoreCallback, timeWindow: number): void {
    const now = this.clock.now();
    let e = this.entries.get(key);
    if (!e || e.start + timeWindow <= now) {
      e = { current: 0, start: now };
      this.entries.delete(key);
      if (this.entries.size >= this.maxKeys) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(key, e);
    }
    e.current++;
    cb(null, { current: e.current, ttl: e.start + timeWindow - now });
  }

  read(key: string, cb: StoreCallback, timeWindow: number): void {
    const now = this.clock.now();
    const e = this.entries.get(key);
    if (!e || e.start + timeWindow <= now) cb(null, { current: 0, ttl: 0 });
    else cb(null, { current: e.current, ttl: e.start + timeWindow - now });
  }

  child(): ClockWindowStore {
    return new ClockWindowStore(this.clock, this.maxKeys);
  }
}

/** The store class the plugin instantiates (`new Store(options)`), bound to a clock. */
export function clockStore(clock: Clock): new () => ClockWindowStore {
  return class extends ClockWindowStore {
    constructor() {
      super(clock);
    }
  };
}

interface LimitResult {
  isAllowed: boolean;
  isExceeded?: boolean;
  ttlInSeconds?: number;
}
type Limiter = (req: FastifyRequest, options?: { increment?: boolean }) => Promise<LimitResult>;

declare module 'fastify' {
  interface FastifyInstance {
    createRateLimit(options: {
      max: number;
      timeWindow: number;
      keyGenerator(req: FastifyRequest): string;
    }): Limiter;
  }
}

function rateLimited(reply: FastifyReply, ttlS: number, message: string) {
  reply.header('retry-after', String(Math.max(1, ttlS)));
  return { error: 'rate_limited', message };
}

/**
 * Security headers (helmet, with the CSP per area), CORS for an allow-list of origins, rate
 * limits on failed authentication per client address and on ingest per token, and the HTTP
 * server's time limits for slow clients.
 */
export async function registerSecurity(hub: Hub): Promise<void> {
  const app = hub.app;
  const sec: SecurityConfig = hub.config.security;
  const tls = sec.tls.cert !== undefined;

  await app.register(fastifyHelmet, {
    global: true,
    // Set per area below: the dashboard and the API docs need different policies.
    contentSecurityPolicy: false,
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity:
      tls && sec.tls.hsts ? { maxAge: 15_552_000, includeSubDomains: false } : false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onRequest', async (request, reply) => {
    const csp = cspFor(request.url);
    reply.header('content-security-policy', csp);
    if (csp === DOCS_CSP) {
      // @fastify/swagger-ui (staticCSP in http/app.ts) sets its own policy later, in an onSend
      // hook of its plugin; that policy blocks the UI's inline styles and upgrades every
      // request to HTTPS. Keep ours for these routes.
      const header = reply.header.bind(reply);
      reply.header = (key: string, value: unknown) =>
        key.toLowerCase() === 'content-security-policy' ? reply : header(key, value);
    }
  });

  if (sec.cors.origins.length > 0) {
    // The preflight route answers before any token is looked at (browsers send none).
    app.addHook('onRoute', (route) => {
      if (
        route.method === 'OPTIONS' ||
        (Array.isArray(route.method) && route.method.includes('OPTIONS'))
      ) {
        route.config = { ...(route.config ?? {}), public: true };
        route.schema = { ...(route.schema ?? {}), hide: true };
      }
    });
    await app.register(fastifyCors, {
      origin: sec.cors.origins,
      credentials: sec.cors.credentials,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
      strictPreflight: false,
    });
  }

  await app.register(fastifyRateLimit, {
    global: false,
    store: clockStore(hub.clock),
    skipOnError: true,
  });
  const auth = sec.rate_limit.auth_failures;
  const ingest = sec.rate_limit.ingest_per_token;
  const authLimiter = app.createRateLimit({
    max: auth.max,
    timeWindow: auth.window_s * 1000,
    keyGenerator: (req) => `ip:${req.ip}`,
  });
  const ingestLimiter = app.createRateLimit({
    max: ingest.max,
    timeWindow: ingest.window_s * 1000,
    keyGenerator: (req) => `token:${req.principal?.tokenId ?? req.ip}`,
  });

  if (ingest.max > 0) {
    // Runs after the auth hook (hooks run in the order they were added), so the principal is known.
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config.scope !== 'ingest' || request.method === 'GET') return;
      const r = await ingestLimiter(request);
      if (!r.isAllowed && r.isExceeded) {
        return reply
          .status(429)
          .send(
            rateLimited(
              reply,
              r.ttlInSeconds ?? 1,
              `this token sent more than ${ingest.max} ingest requests in ${ingest.window_s} s; send bigger batches or slow down`,
            ),
          );
      }
    });
  }

  if (auth.max > 0) {
    // A client that keeps presenting bad tokens gets 429 instead of 401 until its window ends.
    // Valid tokens are never refused here: behind a proxy without trust_proxy every client
    // shares one address, and one misconfigured bot must not lock out the rest.
    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode !== 401) return payload;
      const r = await authLimiter(request);
      if (r.isAllowed || !r.isExceeded) return payload;
      reply.status(429);
      reply.header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify(
        rateLimited(
          reply,
          r.ttlInSeconds ?? 1,
          `too many failed authentication attempts from ${request.ip}; retry in ${r.ttlInSeconds ?? 1} s`,
        ),
      );
    });
  }

  const server = app.server;
  server.requestTimeout = sec.limits.request_timeout_s * 1000;
  server.headersTimeout = sec.limits.headers_timeout_s * 1000;
  server.setTimeout(sec.limits.idle_timeout_s * 1000);
}
