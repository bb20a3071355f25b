import { errorResponse } from '@tradewatch/protocol';
import { z } from 'zod';
import type { ZodApp } from '../http/app.js';

export const clusterStatus = z.object({
  instance_id: z.string().describe('this instance (cluster.instance_id, or host-pid-random)'),
  store: z.enum(['sqlite', 'postgres']),
  clustered: z
    .boolean()
    .describe('leader election and live fan-out are active (PostgreSQL with cluster.enabled)'),
  leader: z.boolean().describe('this instance runs the singleton jobs'),
  leader_since: z.string().nullable(),
  leader_instance: z
    .string()
    .nullable()
    .describe('the instance holding the leader lock, as PostgreSQL sees it (null if none)'),
  listening: z.boolean().describe('the LISTEN session for other instances’ commits is up'),
  fanout: z.object({
    watermark: z.number().describe('commits up to this sequence number have been fanned out'),
    passes: z.number(),
    remote_fills: z
      .number()
      .describe('fills committed on other instances pushed to this one’s clients'),
  }),
  last_error: z.string().nullable(),
});
export type ClusterStatus = z.output<typeof clusterStatus>;

/** `GET /api/v1/cluster` (scope read): which instance this is and whether it leads. */
export function registerClusterRoutes(app: ZodApp, status: () => Promise<ClusterStatus>): void {
  app.get(
    '/api/v1/cluster',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['cluster'],
        summary: 'This instance and the leader election (scope: read)',
        description:
          'On PostgreSQL several hub instances share one database: one of them leads (runs the ' +
          'alert evaluator, schedulers and the Telegram poller) and every instance pushes what ' +
          'the others commit to its WebSocket clients. On SQLite the single instance always leads.',
        response: { 200: clusterStatus, 401: errorResponse, 403: errorResponse },
      },
    },
    async () => status(),
  );
}
