import { errorResponse, isoUtc, page } from '@tradewatch/protocol';
import { z } from 'zod';
import type { HubEvent } from '../events.js';
import type { Hub } from '../hub.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { queryTime } from '../query/filters.js';
import type { Store } from '../store/index.js';

/**
 * The audit log lives in the core `audit_log` table (kept forever, never pruned with the event
 * log). Rows come from three places: every AUDIT event any module records through `hub.events`,
 * every state-changing admin request (method, route, status), and the CLI's restore.
 */
export const auditRow = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditRow = z.output<typeof auditRow>;

export interface AuditEntry {
  ts: number;
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown> | null;
}

const SECRET_FIELD =
  /(^|_)(password|secret|token|api_key|apikey|authorization|cookie|credentials?)$/i;

/** Details are stored without secret-looking fields (a token in a request body, say). */
export function scrubDetails(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrubDetails(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_FIELD.test(k) ? '[redacted]' : scrubDetails(v, depth + 1),
      ]),
    );
  }
  if (typeof value === 'string' && value.length > 2000) return value.slice(0, 2000) + '…';
  return value;
}

export async function appendAudit(store: Store, entry: AuditEntry): Promise<void> {
  await store.db
    .insertInto('audit_log')
    .values({
      ts: entry.ts,
      actor: entry.actor.slice(0, 200),
      action: entry.action.slice(0, 200),
      target: entry.target?.slice(0, 500) ?? null,
      details: entry.details ? JSON.stringify(scrubDetails(entry.details)) : null,
    })
    .execute();
}

/** An AUDIT event as an audit row: `context.action` / `context.target` when given. */
export function auditEntryOf(event: HubEvent, now: number): AuditEntry {
  const ctx = event.context ?? {};
  return {
    ts: event.ts ?? now,
    actor: event.actor ?? 'unknown',
    action: typeof ctx.action === 'string' ? ctx.action : event.message,
    target: typeof ctx.target === 'string' ? ctx.target : (event.bot ?? null),
    details: { message: event.message, ...ctx },
  };
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Wraps `hub.events` so AUDIT events also land in `audit_log`, and records every
 * state-changing request to an admin route. Must run after the health module installed the
 * stored event log (it registers first).
 */
export function installAudit(hub: Hub): void {
  const inner = hub.events;
  hub.events = {
    async record(event) {
      if (event.type === 'AUDIT') {
        try {
          await appendAudit(hub.store, auditEntryOf(event, hub.clock.now()));
        } catch (error) {
          hub.logger.error({ err: error }, 'writing the audit log failed');
        }
      }
      await inner.record(event);
    },
  };
  hub.app.addHook('onResponse', async (request, reply) => {
    if (!MUTATING.has(request.method) || !request.principal) return;
    const config = request.routeOptions.config;
    if (config.public || (config.scope !== undefined && config.scope !== 'admin')) return;
    if (reply.statusCode === 401) return;
    const route = request.routeOptions.url ?? request.url.split('?')[0]!;
    await hub.events.record({
      type: 'AUDIT',
      severity: 'info',
      actor: request.principal.name,
      message: `${request.method} ${route} → ${reply.statusCode}`,
      context: {
        action: `${request.method} ${route}`,
        target:
          Object.values((request.params as Record<string, string> | undefined) ?? {}).join('/') ||
          null,
        status: reply.statusCode,
        token_id: request.principal.tokenId,
        ip: request.ip,
        request_id: request.id,
      },
    });
  });
}

export function registerAuditRoutes(hub: Hub): void {
  hub.zapp.get(
    '/api/v1/audit',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'Audit log of admin actions, newest first (scope: admin)',
        description:
          'Who did what and when: token changes, halts, silences, restores, config reloads and every state-changing admin request.',
        querystring: z.object({
          actor: z.string().min(1).max(200).optional(),
          action: z.string().min(1).max(200).optional(),
          from: queryTime,
          to: queryTime,
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: z.string().max(512).optional(),
        }),
        response: {
          200: page(auditRow),
          400: errorResponse,
          401: errorResponse,
          403: errorResponse,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(q.cursor, 1);
      let query = hub.store.db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(q.limit + 1);
      if (after) query = query.where('id', '<', Number(after[0]));
      if (q.actor) query = query.where('actor', '=', q.actor);
      if (q.action) query = query.where('action', '=', q.action);
      if (q.from !== undefined) query = query.where('ts', '>=', q.from);
      if (q.to !== undefined) query = query.where('ts', '<', q.to);
      const rows = await query.execute();
      const items = rows.slice(0, q.limit).map((r): AuditRow => ({
        id: Number(r.id),
        at: isoUtc(Number(r.ts)),
        actor: r.actor,
        action: r.action,
        target: r.target,
        details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
      }));
      const last = items[items.length - 1];
      return {
        items,
        next_cursor: rows.length > q.limit && last ? encodeCursor([last.id]) : null,
      };
    },
  );
}
