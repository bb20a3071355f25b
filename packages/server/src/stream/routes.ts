import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { bearerToken, hasScope, type Principal, type TokenRepository } from '../auth/index.js';
import type { App } from '../http/app.js';
import type { PrincipalResolver } from '../http/auth-hook.js';
import type { LiveStream } from './live-stream.js';

/** How long a socket without a header token has to send `{"type":"auth","token":"…"}`. */
const AUTH_TIMEOUT_MS = 5_000;

/**
 * `GET /api/v1/stream` (WebSocket, scope read). The token comes as a bearer header, a
 * dashboard session cookie, or — for clients that cannot set headers — a first message.
 */
export function registerStreamRoutes(
  app: App,
  stream: LiveStream,
  tokens: TokenRepository,
  resolvers: PrincipalResolver[],
): void {
  app.get(
    '/api/v1/stream',
    {
      websocket: true,
      config: { public: true },
      schema: {
        tags: ['stream'],
        summary:
          'Live updates over WebSocket (scope: read). Token in the Authorization header or as the first message {"type":"auth","token":"…"}',
      },
    },
    (socket: WebSocket, request: FastifyRequest) => {
      void authenticate(request, tokens, resolvers).then((principal) => {
        if (principal === 'invalid') {
          socket.close(4401, 'invalid token');
        } else if (principal) {
          admit(socket, principal);
        } else {
          const timer = setTimeout(
            () => socket.close(4401, 'send {"type":"auth","token":"…"} first'),
            AUTH_TIMEOUT_MS,
          );
          socket.once('message', (data: Buffer) => {
            clearTimeout(timer);
            let token: unknown;
            try {
              token = (JSON.parse(data.toString('utf8')) as { token?: unknown }).token;
            } catch {
              token = undefined;
            }
            if (typeof token !== 'string') {
              socket.close(4401, 'first message must be {"type":"auth","token":"…"}');
              return;
            }
            void tokens
              .verify(token)
              .then((p) => (p ? admit(socket, p) : socket.close(4401, 'invalid token')));
          });
        }
      });

      function admit(s: WebSocket, p: Principal): void {
        if (!hasScope(p, 'read')) {
          s.close(4403, 'this token lacks the read scope');
          return;
        }
        stream.add(s);
      }
    },
  );
}

async function authenticate(
  request: FastifyRequest,
  tokens: TokenRepository,
  resolvers: PrincipalResolver[],
): Promise<Principal | null | 'invalid'> {
  const token = bearerToken(request.headers.authorization);
  if (token) return (await tokens.verify(token)) ?? 'invalid';
  for (const resolve of resolvers) {
    const p = await resolve(request);
    if (p) return p;
  }
  return null;
}
