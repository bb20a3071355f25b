import { errorResponse, TOKEN_SCOPES, tokenRow } from '@tradewatch/protocol';
import { z } from 'zod';
import { redactConfig } from '../config/load.js';
import type { TradewatchConfig } from '../config/index.js';
import type { EventRecorder } from '../events.js';
import type { ZodApp } from '../http/app.js';
import { ApiError } from '../http/errors.js';
import type { DialectName } from '../store/dialect.js';
import { VERSION } from '../version.js';
import type { TokenRepository } from './token-repository.js';

const admin = { scope: 'admin' as const };
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse };

export interface TokenRouteDeps {
  tokens: TokenRepository;
  config: TradewatchConfig;
  dialect: DialectName;
  /** The event log of the moment (a module may install another one after registration). */
  events: () => EventRecorder;
  /** Called after a token is revoked (ends its dashboard sessions). */
  onRevoke?: (tokenId: string) => Promise<void>;
}

const createBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[^\s,][^,]*$/, 'a name without commas'),
  scopes: z
    .array(z.enum(TOKEN_SCOPES))
    .min(1, 'give at least one scope')
    .transform((s) => [...new Set(s)]),
  bot: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'a bot id (letters, digits and . _ : -)')
    .nullable()
    .optional(),
});

/**
 * Token management (`/api/v1/tokens`, admin), the effective configuration with secrets
 * redacted (`/api/v1/config`, admin) and the version (`/api/v1/version`, read).
 */
export function registerTokenRoutes(app: ZodApp, deps: TokenRouteDeps): void {
  const { tokens } = deps;

  app.get(
    '/api/v1/tokens',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary:
          'Tokens (never their secrets); include_revoked=true lists revoked ones too (scope: admin)',
        querystring: z.object({
          include_revoked: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
        }),
        response: { 200: z.object({ items: z.array(tokenRow) }), ...errors },
      },
    },
    async (request) => ({ items: await tokens.list(request.query.include_revoked) }),
  );

  app.post(
    '/api/v1/tokens',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary:
          'Create a token; the answer holds its secret, shown this once and never again (scope: admin)',
        body: createBody,
        response: {
          201: z.object({
            id: z.string(),
            token: z.string(),
            name: z.string(),
            scopes: z.array(z.enum(TOKEN_SCOPES)),
            bot: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const bot = body.bot ?? null;
      const created = await tokens.create({ name: body.name, scopes: body.scopes, bot });
      await deps.events().record({
        type: 'AUDIT',
        severity: 'info',
        message: `token "${body.name}" created with scopes ${body.scopes.join(', ')}`,
        actor: request.principal?.name ?? null,
        context: { action: 'token.create', token_id: created.id, scopes: body.scopes, bot },
      });
      reply.header('cache-control', 'no-store');
      return reply
        .status(201)
        .send({ id: created.id, token: created.token, name: body.name, scopes: body.scopes, bot });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token by id; its dashboard sessions end too (scope: admin)',
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 204: z.null(), 404: errorResponse, ...errors },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const live = (await tokens.list()).find((t) => t.id === id);
      if (!live) throw new ApiError('not_found', `token ${id} not found (or already revoked)`);
      await tokens.revoke(id);
      await deps.onRevoke?.(id);
      await deps.events().record({
        type: 'AUDIT',
        severity: 'info',
        message: `token "${live.name}" revoked`,
        actor: request.principal?.name ?? null,
        context: { action: 'token.revoke', token_id: id },
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/config',
    {
      config: admin,
      schema: {
        tags: ['config'],
        summary: 'The effective configuration, secrets redacted (scope: admin)',
        response: { 200: z.record(z.string(), z.unknown()), ...errors },
      },
    },
    async () => redactConfig(deps.config) as Record<string, unknown>,
  );

  app.get(
    '/api/v1/version',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['config'],
        summary: 'Hub version, Node.js version and database kind (scope: read)',
        response: {
          200: z.object({ version: z.string(), node: z.string(), database: z.string() }),
          ...errors,
        },
      },
    },
    async () => ({ version: VERSION, node: process.version, database: deps.dialect }),
  );
}
