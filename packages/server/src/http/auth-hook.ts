import type { TokenScope } from '@tradewatch/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken, hasScope, type Principal, type TokenRepository } from '../auth/index.js';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope a token needs for this route; routes without one must say `public: true`. */
    scope?: TokenScope;
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Resolves a principal from a request: bearer token first, then any extra resolvers (session cookie). */
export type PrincipalResolver = (request: FastifyRequest) => Promise<Principal | null>;

/**
 * Secure by default: every route needs a token with its scope unless it is marked public.
 * 401 for a missing or unknown token, 403 for a token without the scope.
 */
export function registerAuth(
  app: FastifyInstance,
  tokens: TokenRepository,
  extraResolvers: PrincipalResolver[] = [],
): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public) return;
    const token = bearerToken(request.headers.authorization);
    let principal: Principal | null = null;
    if (token) {
      principal = await tokens.verify(token);
      if (!principal)
        throw new ApiError('unauthorized', 'the token is not valid (unknown or revoked)');
    } else {
      for (const resolve of extraResolvers) {
        principal = await resolve(request);
        if (principal) break;
      }
    }
    if (!principal) {
      throw new ApiError(
        'unauthorized',
        'this endpoint needs a token: send "Authorization: Bearer <token>"',
      );
    }
    request.principal = principal;
    const scope = config.scope;
    if (!scope) {
      // A route that forgot to declare its scope is refused rather than left open.
      if (!hasScope(principal, 'admin'))
        throw new ApiError('forbidden', 'this endpoint needs the admin scope');
      return;
    }
    if (!hasScope(principal, scope)) {
      throw new ApiError('forbidden', `this endpoint needs a token with the "${scope}" scope`);
    }
  });
}
