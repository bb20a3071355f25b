import { botRow, botIdSchema, errorResponse } from '@tradewatch/protocol';
import { z } from 'zod';
import type { ZodApp } from '../http/app.js';
import { ApiError } from '../http/errors.js';
import type { QueryService } from '../query/query-service.js';
import type { BotService } from './bot-service.js';

export function registerBotRoutes(app: ZodApp, bots: BotService, query: QueryService): void {
  app.put(
    '/api/v1/bots/:id',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['bots'],
        summary:
          "Set a bot's name, framework, account and heartbeat interval (scope: ingest; a bot-bound token only for its own bot)",
        params: z.object({ id: botIdSchema }),
        body: z.strictObject({
          name: z.string().min(1).max(128).optional(),
          framework: z.string().min(1).max(64).nullable().optional(),
          account: botIdSchema.nullable().optional(),
          heartbeat_interval_s: z.number().positive().max(86_400).nullable().optional(),
        }),
        response: { 200: botRow, 400: errorResponse, 401: errorResponse, 403: errorResponse },
      },
    },
    async (request) => {
      const bound = request.principal?.bot;
      if (bound && bound !== request.params.id) {
        throw new ApiError(
          'forbidden',
          `this token is bound to bot "${bound}" and may not change "${request.params.id}"`,
        );
      }
      await bots.upsert(request.params.id, request.body);
      return query.bot(request.params.id)!;
    },
  );
}
