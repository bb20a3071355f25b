import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http/app.js';

export interface RequestObserver {
  /** Called once per answered request with its route pattern (null when no route matched). */
  (info: {
    method: string;
    route: string | null;
    statusCode: number;
    ms: number;
    upgrade: boolean;
  }): void;
}

const VALID_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * Every answer carries `X-Request-Id` (the client's, when it sent a sane one; Fastify takes the
 * incoming header as the request id) and `X-Response-Time`; each answered request is observed
 * (metrics, latency, error rate) and optionally logged as one line.
 */
export function installRequestHooks(
  app: App,
  options: { observe: RequestObserver; logLevel: 'off' | 'debug' | 'info' },
): void {
  app.addHook('onRequest', async (request) => {
    if (!VALID_ID.test(request.id)) {
      // An id that is too long or has odd characters is replaced rather than echoed.
      (request as { id: string }).id = crypto.randomUUID();
      request.log = request.log.child({ reqId: request.id });
    }
  });
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header('x-request-id', request.id);
    reply.header('x-response-time', `${reply.elapsedTime.toFixed(3)}ms`);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? null;
    const ms = reply.elapsedTime;
    options.observe({
      method: request.method,
      route,
      statusCode: reply.statusCode,
      ms,
      upgrade: request.headers.upgrade !== undefined,
    });
    if (options.logLevel !== 'off') {
      const q = request.query as Record<string, unknown> | undefined;
      const context: Record<string, unknown> = {
        method: request.method,
        path: request.url.split('?')[0],
        route,
        status: reply.statusCode,
        ms: Math.round(ms * 1000) / 1000,
      };
      if (request.principal) context.token = request.principal.name;
      const bot = request.principal?.bot ?? (typeof q?.bot === 'string' ? q.bot : undefined);
      if (bot) context.bot = bot;
      if (typeof q?.strategy === 'string') context.strategy = q.strategy;
      if (typeof q?.trade_id === 'string') context.trade_id = q.trade_id;
      request.log[options.logLevel](context, 'request');
    }
  });
}
