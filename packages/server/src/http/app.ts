import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type RawServerDefault,
} from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { ProblemDetail } from '@tradewatch/protocol';
import { INGEST_LIMITS } from '@tradewatch/protocol';
import { ApiError } from './errors.js';

export type App = FastifyInstance;
export type ZodApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface AppOptions {
  logger: Logger;
  version: string;
  trustProxy?: boolean;
  /** Certificate and key: the hub speaks HTTPS itself (see http/tls.ts). */
  https?: { key: Buffer; cert: Buffer } | null;
}

/** The Fastify instance with error handling, body limits, OpenAPI and WebSocket support. */
export async function createApp(options: AppOptions): Promise<App> {
  const app = Fastify({
    ...(options.https ? { https: { key: options.https.key, cert: options.https.cert } } : {}),
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: INGEST_LIMITS.maxBodyBytes,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    connectionTimeout: 60_000,
    requestTimeout: 120_000,
  });
  app.setValidatorCompiler(validatorCompiler);
  // Responses are plain JSON: schemas document them without re-validating every row.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.status).send(error.body());
    }
    if (error.validation) {
      const details: ProblemDetail[] = error.validation.map((v) => {
        const params = v.params as { issue?: { path?: (string | number)[] } } | undefined;
        const path =
          params?.issue?.path?.join('.') ??
          (v.instancePath ? v.instancePath.replace(/^\//, '').replaceAll('/', '.') : '');
        return {
          path: [error.validationContext, path].filter(Boolean).join('.'),
          message: v.message ?? 'invalid',
        };
      });
      return reply.status(400).send({
        error: 'invalid',
        message: `invalid ${error.validationContext ?? 'request'}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
        details,
      });
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send({
          error: 'too_large',
          message: `request body is larger than ${INGEST_LIMITS.maxBodyBytes} bytes; send smaller batches`,
        });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply
          .status(415)
          .send({ error: 'invalid', message: 'send JSON with Content-Type: application/json' });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply
          .status(400)
          .send({ error: 'invalid', message: 'the request body is empty; send a JSON document' });
      default:
        break;
    }
    if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return reply
        .status(400)
        .send({ error: 'invalid', message: 'the request body is not valid JSON' });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: 'invalid', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: 'internal', message: 'internal error; the hub logged the details' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Tradewatch hub API',
        version: options.version,
        description:
          'Ingest facts from trading bots and query the ledger. Every route except /livez needs `Authorization: Bearer <token>` with the scope named in its description.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // The API document is itself an API route: it needs a read token (or a dashboard session).
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs'))
      route.config = { ...(route.config ?? {}), scope: 'read' };
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
    // The security headers (ops module) give the docs UI its own CSP.
    staticCSP: false,
    uiHooks: {},
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  return app as unknown as App;
}
