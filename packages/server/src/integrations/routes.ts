import { botIdSchema, errorResponse, type IngestResponse } from '@tradewatch/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Hub } from '../hub.js';
import type { ZodApp } from '../http/app.js';
import { ApiError } from '../http/errors.js';
import { IngestConflictError, IngestForbiddenError, IngestService } from '../ingest/index.js';
import { validateIngestBody } from '../ingest/validate.js';
import { mapAlertmanager } from './alertmanager.js';
import { mapFreqtrade } from './freqtrade.js';
import { mapLean } from './lean.js';
import type { MapResult } from './mapping.js';
import { mapTradingView } from './tradingview.js';

/** Adapter bodies are small notifications; anything larger is a mistake. */
const ADAPTER_BODY_LIMIT = 1024 * 1024;
export const ADAPTER_PREFIX = '/api/v1/adapters/';

/**
 * Senders that cannot set headers (TradingView, some webhook UIs) put the token in `?token=`.
 * Only adapter routes accept it; the hub's request logging is off and no error message or log
 * line of this module includes a URL, so the token never reaches a log.
 */
export function registerQueryTokenResolver(hub: Hub): void {
  hub.resolvers.push(async (request) => {
    if (!request.url.startsWith(ADAPTER_PREFIX)) return null;
    const token = (request.query as { token?: unknown } | undefined)?.token;
    if (token === undefined) return null;
    if (typeof token !== 'string' || token === '') {
      throw new ApiError('unauthorized', 'the "token" query parameter must be one token');
    }
    const principal = await hub.tokens.verify(token);
    if (!principal)
      throw new ApiError('unauthorized', 'the token is not valid (unknown or revoked)');
    return principal;
  });
}

const adapterQuery = z.object({
  bot: botIdSchema.optional(),
  token: z.string().optional(),
  account: botIdSchema.optional(),
});
type AdapterQuery = z.output<typeof adapterQuery>;

const ingestReply = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  ignored: z.string().optional(),
});

const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  409: errorResponse,
  413: errorResponse,
};

/** Parses the raw body by its content type: JSON, form fields, or plain text. */
function decodeBody(request: FastifyRequest): unknown {
  const raw = request.body;
  if (typeof raw !== 'string') return raw;
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  const text = raw.replace(/^\uFEFF/, '');
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type.includes('json') || (!type.includes('text/') && /^\s*[[{]/.test(text))) {
    if (text.trim() === '')
      throw new ApiError('invalid', 'the request body is empty; send a JSON document');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ApiError(
        'invalid',
        `the request body is not valid JSON (${(error as Error).message})`,
        [{ path: '', message: 'invalid JSON' }],
      );
    }
  }
  return text;
}

/** The bot an adapter writes as: the token's binding, or `?bot=` for an unbound token. */
function resolveBot(
  request: FastifyRequest,
  query: AdapterQuery,
  required: boolean,
): string | undefined {
  const bound = request.principal?.bot ?? null;
  if (bound && query.bot && query.bot !== bound) {
    throw new ApiError(
      'forbidden',
      `this token is bound to bot "${bound}" and may not write as "${query.bot}"`,
      [{ path: 'query.bot', message: `must be "${bound}" (or omitted) for this token` }],
    );
  }
  const bot = bound ?? query.bot;
  if (!bot && required) {
    throw new ApiError(
      'invalid',
      'name the bot: add ?bot=ID to the URL or use a token bound to the bot',
      [{ path: 'query.bot', message: 'required' }],
    );
  }
  return bot;
}

/**
 * Records which framework a bot runs on the first time an adapter sees it (the dashboard shows
 * it); a framework set in the configuration or through the API is never overwritten.
 */
export async function tagFramework(hub: Hub, bot: string, framework: string): Promise<void> {
  const known = hub.holder.current.bots.get(bot);
  if (known && known.framework === null) await hub.bots.upsert(bot, { framework });
}

/** Validates mapped events exactly as `POST /api/v1/ingest` does, then commits them atomically. */
export async function ingestMapped(
  hub: Hub,
  request: FastifyRequest,
  mapped: MapResult,
  what: string,
  framework?: string,
): Promise<IngestResponse & { ignored?: string }> {
  if (!mapped.ok) {
    const first = mapped.problems[0];
    throw new ApiError(
      'invalid',
      `invalid ${what} payload${first ? ` (${first.path ? `field "${first.path}": ` : ''}${first.message})` : ''}; nothing was stored`,
      mapped.problems,
    );
  }
  if (mapped.events.length === 0) {
    return { accepted: 0, duplicates: 0, ...(mapped.ignored ? { ignored: mapped.ignored } : {}) };
  }
  const result = validateIngestBody({ events: mapped.events });
  if (!result.ok) {
    throw new ApiError(
      result.status === 413 ? 'too_large' : 'invalid',
      result.message,
      result.details,
    );
  }
  try {
    IngestService.checkPrincipal(result.events, request.principal);
    const response = await hub.ingest.ingest(result.events);
    if (framework) {
      for (const bot of new Set(result.events.map((e) => e.bot)))
        await tagFramework(hub, bot, framework);
    }
    return response;
  } catch (error) {
    if (error instanceof IngestConflictError)
      throw new ApiError('conflict', error.message, error.details);
    if (error instanceof IngestForbiddenError)
      throw new ApiError('forbidden', error.message, error.details);
    throw error;
  }
}

export async function registerAdapterRoutes(hub: Hub): Promise<void> {
  await hub.app.register(async (scoped: FastifyInstance) => {
    // Each sender posts its own content type (JSON, text/plain, form fields): read them raw.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: ADAPTER_BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    const app = scoped.withTypeProvider<ZodTypeProvider>() as unknown as ZodApp;
    const common = (summary: string, description: string) => ({
      config: { scope: 'ingest' as const },
      schema: {
        tags: ['integrations'],
        summary,
        description,
        querystring: adapterQuery,
        response: { 200: ingestReply, ...errors },
      },
    });

    app.post(
      '/api/v1/adapters/freqtrade',
      common(
        'Freqtrade webhook (scope: ingest)',
        'Body: one Freqtrade webhook message (format "json"); see docs/integrations.md for the webhook config block. Bot from ?bot= or a bot-bound token; the token may be given as ?token=.',
      ),
      async (request) => {
        const bot = resolveBot(request, request.query, true)!;
        const mapped = mapFreqtrade(decodeBody(request), { bot, now: hub.clock.now() });
        return ingestMapped(hub, request, mapped, 'Freqtrade', 'freqtrade');
      },
    );

    app.post(
      '/api/v1/adapters/lean',
      common(
        'LEAN order events / QuantConnect webhook (scope: ingest)',
        'Body: a LEAN serialized order event (camelCase), an array of them, or the QuantConnect webhook body {OrderEvents: [...], Portfolio: [...]}. Bot from ?bot= or a bot-bound token.',
      ),
      async (request) => {
        const bot = resolveBot(request, request.query, true)!;
        const mapped = mapLean(decodeBody(request), {
          bot,
          now: hub.clock.now(),
          account: request.query.account,
        });
        return ingestMapped(hub, request, mapped, 'LEAN', 'lean');
      },
    );

    app.post(
      '/api/v1/adapters/tradingview',
      common(
        'TradingView alert → signal (scope: ingest)',
        'Body: the alert message, JSON or plain text ("buy BTCUSDT"). Bot from ?bot=, a bot-bound token or a "bot" field; TradingView cannot set headers, so give the token as ?token=.',
      ),
      async (request) => {
        const bot = resolveBot(request, request.query, false);
        const mapped = mapTradingView(decodeBody(request), { bot, now: hub.clock.now() });
        return ingestMapped(hub, request, mapped, 'TradingView', 'tradingview');
      },
    );

    app.post(
      '/api/v1/adapters/alertmanager',
      {
        config: { scope: 'ingest' as const },
        schema: {
          tags: ['integrations'],
          summary: 'Prometheus Alertmanager receiver (scope: ingest)',
          description:
            'Body: an Alertmanager webhook payload (version 4). Firing alerts fire a hub alert named by their alertname label; resolved ones resolve it.',
          querystring: adapterQuery,
          response: {
            200: z.object({ fired: z.number().int(), resolved: z.number().int() }),
            ...errors,
          },
        },
      },
      async (request) => {
        const mapped = mapAlertmanager(decodeBody(request));
        if (!mapped.ok) {
          const first = mapped.problems[0]!;
          throw new ApiError(
            'invalid',
            `invalid Alertmanager payload (field "${first.path}": ${first.message}); nothing was raised`,
            mapped.problems,
          );
        }
        let fired = 0;
        let resolved = 0;
        for (const action of mapped.actions) {
          if (action.kind === 'fire') {
            await hub.alertSink.fire(action.signal);
            fired++;
          } else {
            await hub.alertSink.resolve(action.signal.name, action.signal.labels);
            resolved++;
          }
        }
        return { fired, resolved };
      },
    );
  });
}
