import { errorResponse, isoUtc, page } from '@tradewatch/protocol';
import { z } from 'zod';
import { HUB_EVENT_SEVERITIES, HUB_EVENT_TYPES } from '../../events.js';
import type { ZodApp } from '../../http/app.js';
import { decodeCursor } from '../../http/cursor.js';
import { queryTime } from '../../query/filters.js';
import { pageOf } from '../../query/query-service.js';
import type { Clock } from '../../time/index.js';
import type { EventRow, EventStore } from './event-store.js';

const read = { scope: 'read' as const };
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse };

export const eventRow = z.object({
  id: z.string(),
  ts: z.string(),
  type: z.enum(HUB_EVENT_TYPES),
  severity: z.enum(HUB_EVENT_SEVERITIES),
  message: z.string(),
  bot: z.string().nullable(),
  strategy: z.string().nullable(),
  trade_id: z.string().nullable(),
  actor: z.string().nullable(),
  context: z.record(z.string(), z.unknown()).nullable(),
});
export type EventRowOut = z.output<typeof eventRow>;

export const eventSummary = z.object({
  from: z.string(),
  to: z.string(),
  total: z.number().int(),
  by_type: z.record(z.string(), z.number().int()),
  by_severity: z.record(z.string(), z.number().int()),
  by_bot: z.array(z.object({ bot: z.string().nullable(), count: z.number().int() })),
});

/** A comma-separated list of values from `allowed` (case-insensitive), e.g. `type=trade,order`. */
function commaList<T extends string>(allowed: readonly T[], normalise: (v: string) => string) {
  return z
    .string()
    .max(200)
    .transform((v) =>
      v
        .split(',')
        .map((s) => normalise(s.trim()))
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(allowed as unknown as [T, ...T[]])))
    .optional();
}

export function toEventOut(r: EventRow): EventRowOut {
  let context: Record<string, unknown> | null = null;
  if (r.context) {
    try {
      context = JSON.parse(r.context) as Record<string, unknown>;
    } catch {
      context = { raw: r.context };
    }
  }
  return {
    id: String(r.id),
    ts: isoUtc(r.ts),
    type: r.type as EventRowOut['type'],
    severity: r.severity as EventRowOut['severity'],
    message: r.message,
    bot: r.bot,
    strategy: r.strategy,
    trade_id: r.trade_id,
    actor: r.actor,
    context,
  };
}

const DAY = 86_400_000;

export function registerEventRoutes(app: ZodApp, store: EventStore, clock: Clock): void {
  app.get(
    '/api/v1/events',
    {
      config: read,
      schema: {
        tags: ['events'],
        summary:
          'The event log, newest first: trades, orders, signals, risk, system, alerts, audit, bot logs (scope: read)',
        description:
          'Filters: type and severity take comma lists (type=TRADE,ORDER; severity=error,critical); bot, strategy, trade_id match exactly; q matches message text; from/to bound the event time. Page with next_cursor.',
        querystring: z.object({
          type: commaList(HUB_EVENT_TYPES, (s) => s.toUpperCase()),
          severity: commaList(HUB_EVENT_SEVERITIES, (s) => s.toLowerCase()),
          bot: z.string().min(1).max(128).optional(),
          strategy: z.string().min(1).max(128).optional(),
          trade_id: z.string().min(1).max(64).optional(),
          q: z.string().min(1).max(200).optional(),
          from: queryTime,
          to: queryTime,
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: z.string().max(512).optional(),
        }),
        response: { 200: page(eventRow), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await store.list(
        {
          types: q.type,
          severities: q.severity,
          bot: q.bot,
          strategy: q.strategy,
          tradeId: q.trade_id,
          q: q.q,
          from: q.from,
          to: q.to,
          limit: q.limit,
        },
        decodeCursor(q.cursor, 2),
      );
      return pageOf(rows, q.limit, toEventOut, (r) => [r.ts, r.id]);
    },
  );

  app.get(
    '/api/v1/events/summary',
    {
      config: read,
      schema: {
        tags: ['events'],
        summary:
          'Event counts by type, severity and bot over a window (default: the last 24 hours) (scope: read)',
        querystring: z.object({ from: queryTime, to: queryTime }),
        response: { 200: eventSummary, ...errors },
      },
    },
    async (request) => {
      const to = request.query.to ?? clock.now() + 1;
      const from = request.query.from ?? to - DAY;
      const s = await store.summary(from, to);
      return {
        from: isoUtc(from),
        to: isoUtc(to),
        total: s.total,
        by_type: s.byType,
        by_severity: s.bySeverity,
        by_bot: s.byBot,
      };
    },
  );
}
