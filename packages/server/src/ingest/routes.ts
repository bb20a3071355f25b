import { errorResponse, ingestResponse } from '@tradewatch/protocol';
import { z } from 'zod';
import type { ZodApp } from '../http/app.js';
import { ApiError } from '../http/errors.js';
import { IngestConflictError, IngestForbiddenError } from './errors.js';
import { IngestService } from './ingest-service.js';
import { validateIngestBody } from './validate.js';

export function registerIngestRoutes(app: ZodApp, ingest: IngestService): void {
  // In its own scope so the body parser can be plain JSON.parse: prototype-poisoning keys are
  // harmless here because validation copies only the known fields of each event into new
  // objects, and JSON.parse is twice as fast as the guarded parser on 5 MB bodies.
  void app.register((scope: ZodApp, _opts: unknown, done: () => void) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, next) => {
      try {
        next(null, JSON.parse(body as string) as unknown);
      } catch (error) {
        next(error as Error, undefined);
      }
    });
    registerIngestRoute(scope, ingest);
    done();
  });
}

function registerIngestRoute(app: ZodApp, ingest: IngestService): void {
  app.post(
    '/api/v1/ingest',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['ingest'],
        summary: 'Ingest a batch of events (scope: ingest)',
        description:
          'Atomic: the whole batch is committed before the 200, or nothing is stored. Replayed ids count as duplicates; an id reused with different content is a 409. At most 10,000 events or 5 MB.',
        body: z
          .object({ events: z.array(z.record(z.string(), z.unknown())) })
          .describe('{"events": [...]}'),
        response: {
          200: ingestResponse,
          400: errorResponse,
          403: errorResponse,
          409: errorResponse,
          413: errorResponse,
        },
      },
      // Validation happens in the handler so problems carry event indexes.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (request) => {
      const result = validateIngestBody(request.body);
      if (!result.ok) {
        throw new ApiError(
          result.status === 413 ? 'too_large' : 'invalid',
          result.message,
          result.details,
        );
      }
      try {
        IngestService.checkPrincipal(result.events, request.principal);
        return await ingest.ingest(result.events);
      } catch (error) {
        if (error instanceof IngestConflictError)
          throw new ApiError('conflict', error.message, error.details);
        if (error instanceof IngestForbiddenError)
          throw new ApiError('forbidden', error.message, error.details);
        throw error;
      }
    },
  );
}
