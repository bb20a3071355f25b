import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The dashboard's Content-Security-Policy: no inline script or style element, nothing from
 * other origins. The ops module sets security headers for every route; until it does (or if it
 * sets none), the dashboard's own responses carry this one.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** packages/web/dist, from src/web or dist/web of the server package alike. */
export function defaultDistDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
}

/** Hashed build assets never change under one name: cache them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always revalidate it. */
const REVALIDATE = 'no-cache';
const SHORT = 'public, max-age=3600';

type Kind = 'asset' | 'file' | 'index' | 'missing' | 'api';

/** Decides what a GET path serves: a hashed asset, another file of dist, or the SPA's index. */
export function classifyPath(distDir: string, urlPath: string): { kind: Kind; file: string } {
  const clean = urlPath.split('?')[0]!.split('#')[0]!;
  if (clean === '/api' || clean.startsWith('/api/')) return { kind: 'api', file: '' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(clean);
  } catch {
    return { kind: 'missing', file: '' };
  }
  const rel = path.posix.normalize(decoded).replace(/^\/+/, '');
  if (rel.startsWith('..') || rel.includes('\0')) return { kind: 'missing', file: '' };
  if (rel === '' || rel === 'index.html') return { kind: 'index', file: 'index.html' };
  const full = path.join(distDir, rel);
  if (!full.startsWith(distDir + path.sep)) return { kind: 'missing', file: '' };
  let isFile: boolean;
  try {
    isFile = statSync(full).isFile();
  } catch {
    isFile = false;
  }
  if (isFile) return { kind: rel.startsWith('assets/') ? 'asset' : 'file', file: rel };
  // A missing hashed asset is a 404, never the index page (a stale tab must not get HTML as JS);
  // any other path is a client-side route of the single-page app.
  if (rel.startsWith('assets/') || path.posix.extname(rel) !== '')
    return { kind: 'missing', file: '' };
  return { kind: 'index', file: 'index.html' };
}

/** Serves the built dashboard at `/` with the single-page-app fallback. */
export async function registerDashboard(app: FastifyInstance, distDir: string): Promise<void> {
  const root = path.resolve(distDir);
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root,
      serve: false,
      preCompressed: true,
      cacheControl: false,
      suppressWarning: true,
    });
    scope.addHook('onSend', async (_request, reply, payload) => {
      if (!reply.hasHeader('content-security-policy'))
        reply.header('content-security-policy', DASHBOARD_CSP);
      if (!reply.hasHeader('x-content-type-options'))
        reply.header('x-content-type-options', 'nosniff');
      if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
      if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
      return payload;
    });
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const target = classifyPath(root, request.url);
      switch (target.kind) {
        case 'api':
          return reply.callNotFound();
        case 'missing':
          return reply
            .status(404)
            .header('cache-control', REVALIDATE)
            .type('text/plain; charset=utf-8')
            .send('not found');
        case 'asset':
          reply.header('cache-control', IMMUTABLE);
          return reply.sendFile(target.file);
        case 'file':
          reply.header('cache-control', SHORT);
          return reply.sendFile(target.file);
        case 'index':
          if (!existsSync(path.join(root, 'index.html'))) {
            return reply
              .status(503)
              .header('cache-control', 'no-store')
              .type('text/plain; charset=utf-8')
              .send(
                'The dashboard is not built. Run "npm run build" (it builds packages/web), then reload.\n' +
                  'The API works without it: see /api/docs.\n',
              );
          }
          reply.header('cache-control', REVALIDATE);
          return reply.sendFile('index.html');
      }
    };
    const options = { config: { public: true }, schema: { hide: true } };
    scope.get('/', options, handler);
    scope.get('/*', options, handler);
  });
}
