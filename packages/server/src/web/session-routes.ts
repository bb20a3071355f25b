import { errorResponse, TOKEN_SCOPES } from '@tradewatch/protocol';
import { isoUtc } from '@tradewatch/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { bearerToken, hasScope, type TokenRepository } from '../auth/index.js';
import type { EventRecorder } from '../events.js';
import type { ZodApp } from '../http/app.js';
import type { PrincipalResolver } from '../http/auth-hook.js';
import { ApiError } from '../http/errors.js';
import type { WebConfig } from './config.js';
import { readCookie, sessionCookie } from './cookie.js';
import type { SessionRepository } from './session-repository.js';

export const SESSION_COOKIE = 'tw_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when a content-type header names JSON (`application/json`, optionally with charset). */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/**
 * The dashboard's principal source: the session cookie. Writes made with the cookie must be
 * JSON — a cross-site form cannot send that without a CORS preflight, and SameSite=Strict keeps
 * the cookie off cross-site requests in the first place.
 */
export function sessionResolver(sessions: SessionRepository): PrincipalResolver {
  return async (request) => {
    const secret = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (!secret) return null;
    const principal = await sessions.resolve(secret);
    if (!principal) return null;
    if (!SAFE_METHODS.has(request.method) && !isJsonContentType(request.headers['content-type'])) {
      throw new ApiError(
        'forbidden',
        'a dashboard session may change data only with Content-Type: application/json',
      );
    }
    return principal;
  };
}

const sessionResponse = z.object({
  name: z.string(),
  token_id: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  bot: z.string().nullable(),
  via: z.enum(['session', 'token']),
  expires_at: z.string().nullable(),
});

export interface SessionRouteDeps {
  sessions: SessionRepository;
  tokens: TokenRepository;
  events: () => EventRecorder;
  config: WebConfig;
}

function isSecure(request: FastifyRequest, config: WebConfig): boolean {
  if (config.secure_cookie === 'always') return true;
  if (config.secure_cookie === 'never') return false;
  return request.protocol === 'https';
}

function clearCookie(request: FastifyRequest, reply: FastifyReply, config: WebConfig): void {
  reply.header(
    'set-cookie',
    sessionCookie(SESSION_COOKIE, '', { maxAge: 0, secure: isSecure(request, config) }),
  );
}

/** `POST / GET / DELETE /api/v1/session`: dashboard login, who am I, logout. */
export function registerSessionRoutes(app: ZodApp, deps: SessionRouteDeps): void {
  const { sessions, tokens, config } = deps;
  const ttlMs = config.session_ttl_hours * 3_600_000;

  app.post(
    '/api/v1/session',
    {
      config: { public: true },
      schema: {
        tags: ['dashboard'],
        summary:
          'Log in to the dashboard: exchanges a token (read scope or more) for an HttpOnly session cookie',
        body: z.strictObject({ token: z.string().min(1).max(512) }),
        response: {
          200: sessionResponse,
          400: errorResponse,
          401: errorResponse,
          403: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const principal = await tokens.verify(request.body.token.trim());
      if (!principal) {
        throw new ApiError('unauthorized', 'the token is not valid (unknown or revoked)');
      }
      if (!hasScope(principal, 'read')) {
        throw new ApiError(
          'forbidden',
          'this token cannot open the dashboard: it needs the "read" scope (or "admin")',
        );
      }
      const ua = request.headers['user-agent'];
      const created = await sessions.create(principal, ttlMs, typeof ua === 'string' ? ua : null);
      reply.header(
        'set-cookie',
        sessionCookie(SESSION_COOKIE, created.secret, {
          maxAge: ttlMs / 1000,
          secure: isSecure(request, config),
        }),
      );
      reply.header('cache-control', 'no-store');
      await deps.events().record({
        type: 'AUDIT',
        severity: 'info',
        message: `dashboard login by ${principal.name}`,
        actor: principal.name,
        context: { action: 'session.create', token_id: principal.tokenId },
      });
      return {
        name: principal.name,
        token_id: principal.tokenId,
        scopes: [...principal.scopes],
        bot: principal.bot,
        via: 'session' as const,
        expires_at: isoUtc(created.expiresAt),
      };
    },
  );

  app.get(
    '/api/v1/session',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['dashboard'],
        summary: 'Who is logged in: name and scopes of the session or token (scope: read)',
        response: { 200: sessionResponse, 401: errorResponse, 403: errorResponse },
      },
    },
    async (request, reply) => {
      const p = request.principal!;
      const viaToken = bearerToken(request.headers.authorization) !== null;
      reply.header('cache-control', 'no-store');
      const expiresAt = (p as { expiresAt?: number }).expiresAt;
      return {
        name: p.name,
        token_id: p.tokenId,
        scopes: [...p.scopes],
        bot: p.bot,
        via: viaToken ? ('token' as const) : ('session' as const),
        expires_at: !viaToken && expiresAt !== undefined ? isoUtc(expiresAt) : null,
      };
    },
  );

  app.delete(
    '/api/v1/session',
    {
      config: { public: true },
      schema: {
        tags: ['dashboard'],
        summary: 'Log out: ends the session of the cookie sent and clears it',
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const secret = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (secret) await sessions.delete(secret);
      clearCookie(request, reply, config);
      return reply.status(204).send(null);
    },
  );
}
