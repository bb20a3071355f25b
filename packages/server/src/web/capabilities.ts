import { errorResponse } from '@tradewatch/protocol';
import { z } from 'zod';
import type { ZodApp } from '../http/app.js';
import { VERSION } from '../version.js';

/**
 * Routes of other modules the dashboard uses when they exist. Asking the router (rather than
 * calling a route and getting 404) keeps the browser console clean and the first page fast.
 */
export const OPTIONAL_ROUTES = {
  risk_limits: '/api/v1/risk/limits',
  alerts: '/api/v1/alerts',
  performance: '/api/v1/performance',
  events: '/api/v1/events',
} as const;
export type Capability = keyof typeof OPTIONAL_ROUTES;

export function registerCapabilitiesRoute(app: ZodApp): void {
  app.get(
    '/api/v1/dashboard',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['dashboard'],
        summary:
          'What the dashboard can show on this hub: the version and which optional routes exist (scope: read)',
        response: {
          200: z.object({
            version: z.string(),
            capabilities: z.record(z.string(), z.boolean()),
          }),
          401: errorResponse,
          403: errorResponse,
        },
      },
    },
    async () => ({
      version: VERSION,
      capabilities: Object.fromEntries(
        Object.entries(OPTIONAL_ROUTES).map(([name, url]) => [
          name,
          app.hasRoute({ method: 'GET', url }),
        ]),
      ),
    }),
  );
}
