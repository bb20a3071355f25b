import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  botCommand,
  botIdSchema,
  COMMAND_ACTIONS,
  commandAck,
  errorResponse,
  isoUtc,
  parseWireTime,
} from '@tradewatch/protocol';
import { z } from 'zod';
import type { Hub } from '../../hub.js';
import { decodeCursor, encodeCursor } from '../../http/cursor.js';
import { ApiError, notFound } from '../../http/errors.js';
import { decToNumber } from '../../ledger/index.js';
import { queryTime } from '../../query/filters.js';
import type { CommandService } from '../commands/service.js';
import type { Dispatcher } from '../delivery/dispatcher.js';
import type { DurationError } from '../duration.js';
import { parseDuration } from '../duration.js';
import type { SilenceRecord } from '../engine/types.js';
import type { MatcherError } from '../matchers.js';
import { parseMatcher } from '../matchers.js';
import type { AlertRecord } from '../model.js';
import { utilization } from '../risk/evaluate.js';
import type { AlertRow, AlertService } from '../service.js';
import type { SummaryJob } from '../summary/job.js';

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };
const read = { scope: 'read' as const };
const admin = { scope: 'admin' as const };

const ALERT_STATES = [
  'active',
  'firing',
  'acknowledged',
  'silenced',
  'inhibited',
  'resolved',
  'all',
] as const;

const alertRow = z.object({
  id: z.string(),
  fingerprint: z.string(),
  name: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  state: z.enum(['firing', 'acknowledged', 'silenced', 'inhibited', 'resolved']),
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  summary: z.string(),
  source: z.string(),
  starts_at: z.string(),
  ends_at: z.string().nullable(),
  updated_at: z.string(),
  acknowledged_at: z.string().nullable(),
  acknowledged_by: z.string().nullable(),
  escalated_at: z.string().nullable(),
  silenced_by: z.array(z.string()),
  inhibited: z.boolean(),
  generator_url: z.string(),
});

const silenceRow = z.object({
  id: z.string(),
  matchers: z.record(z.string(), z.string()),
  starts_at: z.string(),
  ends_at: z.string(),
  comment: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  state: z.enum(['active', 'pending', 'expired']),
});

const issuedCommand = botCommand.extend({
  targets: z.array(z.string()),
  created_by: z.string(),
  source: z.string(),
  acks: z.array(
    z.object({
      bot: z.string(),
      status: z.string(),
      message: z.string().nullable(),
      acked_at: z.string(),
    }),
  ),
});

const matchersBody = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names use letters, digits and _'),
    z.string().max(500),
  )
  .refine(
    (m) => Object.keys(m).length > 0,
    'give at least one matcher, e.g. {"alertname": "BotDown"}',
  );

const silenceBody = z.strictObject({
  matchers: matchersBody,
  starts_at: z.union([z.string(), z.number()]).optional(),
  ends_at: z.union([z.string(), z.number()]).optional(),
  /** Instead of ends_at: `2h`, `30m` … from starts_at. */
  duration: z.string().max(32).optional(),
  comment: z.string().max(2000).default(''),
  created_by: z.string().max(128).optional(),
});

function silenceView(s: SilenceRecord, now: number) {
  return {
    id: s.id,
    matchers: s.matchers,
    starts_at: isoUtc(s.startsAt),
    ends_at: isoUtc(s.endsAt),
    comment: s.comment,
    created_by: s.createdBy,
    created_at: isoUtc(s.createdAt),
    updated_at: isoUtc(s.updatedAt),
    state:
      s.endsAt <= now
        ? ('expired' as const)
        : s.startsAt > now
          ? ('pending' as const)
          : ('active' as const),
  };
}

export interface AlertRoutesDeps {
  hub: Hub;
  alerts: AlertService;
  commands: CommandService;
  dispatcher: Dispatcher;
  summary: SummaryJob;
  /** Configured channels in order (names and types), for the dashboard. */
  channelList: { name: string; type: string }[];
}

export function registerAlertRoutes(deps: AlertRoutesDeps): void {
  const { hub, alerts, commands, dispatcher, summary } = deps;
  const app = hub.zapp;

  const findAlert = async (id: string): Promise<AlertRecord> => {
    const key = id.toLowerCase();
    const inMemory = alerts.core.alerts.get(key);
    if (inMemory) return inMemory;
    const stored = await alerts.repo.alert(key);
    if (stored) return stored;
    if (key.length >= 4 && key.length < 16) {
      const candidates = [...alerts.core.alerts.values()].filter((a) =>
        a.fingerprint.startsWith(key),
      );
      const found = candidates.length > 0 ? candidates : await alerts.repo.alertsByPrefix(key);
      if (found.length === 1) return found[0]!;
      if (found.length > 1)
        throw new ApiError('invalid', `alert id "${id}" is ambiguous: give more characters`);
    }
    throw notFound(`alert "${id}"`);
  };

  // ---------------------------------------------------------------- alerts

  app.get(
    '/api/v1/alerts',
    {
      config: read,
      schema: {
        tags: ['alerts'],
        summary:
          'Alerts by state (default: active = firing, acknowledged, silenced or inhibited) (scope: read)',
        querystring: z.object({
          state: z.enum(ALERT_STATES).default('active'),
          name: z.string().max(128).optional(),
          severity: z.enum(['info', 'warning', 'critical']).optional(),
          bot: z.string().max(64).optional(),
          account: z.string().max(64).optional(),
          symbol: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: z.string().max(512).optional(),
        }),
        response: {
          200: z.object({ items: z.array(alertRow), next_cursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const now = hub.clock.now();
      const labelOk = (a: AlertRecord) =>
        (!q.bot || a.labels.bot === q.bot) &&
        (!q.account || a.labels.account === q.account) &&
        (!q.symbol || a.labels.symbol === q.symbol);
      if (q.state !== 'resolved' && q.state !== 'all') {
        const rows: AlertRow[] = [...alerts.core.alerts.values()]
          .filter(
            (a) =>
              a.status === 'firing' &&
              (!q.name || a.name === q.name) &&
              (!q.severity || a.severity === q.severity) &&
              labelOk(a),
          )
          .map((a) => alerts.row(a, now))
          .filter((r) => q.state === 'active' || r.state === q.state)
          .sort((a, b) => b.starts_at.localeCompare(a.starts_at) || a.id.localeCompare(b.id));
        const after = decodeCursor(q.cursor, 1);
        const start = after ? Number(after[0]) : 0;
        const items = rows.slice(start, start + q.limit);
        return {
          items,
          next_cursor: start + q.limit < rows.length ? encodeCursor([start + q.limit]) : null,
        };
      }
      const after = decodeCursor(q.cursor, 2) as [number, string] | null;
      const items: AlertRow[] = [];
      let cursor = after;
      // Label filters apply after the query: read pages until the page is full or the rows end.
      for (let round = 0; round < 20 && items.length < q.limit; round++) {
        const batch = await alerts.repo.alerts(
          {
            status: q.state === 'resolved' ? 'resolved' : undefined,
            name: q.name,
            severity: q.severity,
            limit: q.limit,
          },
          cursor,
        );
        for (const a of batch) {
          cursor = [a.updatedAt, a.fingerprint];
          if (!labelOk(a)) continue;
          const live = alerts.core.alerts.get(a.fingerprint);
          items.push(alerts.row(live ?? a, now));
          if (items.length === q.limit) break;
        }
        if (batch.length < q.limit) {
          cursor = null;
          break;
        }
      }
      return {
        items,
        next_cursor: cursor && items.length === q.limit ? encodeCursor(cursor) : null,
      };
    },
  );

  app.get(
    '/api/v1/alerts/history',
    {
      config: read,
      schema: {
        tags: ['alerts'],
        summary:
          'What happened to alerts (firing, resolved, acknowledged, escalated …), newest first (scope: read)',
        querystring: z.object({
          fingerprint: z.string().max(64).optional(),
          name: z.string().max(128).optional(),
          from: queryTime,
          to: queryTime,
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: z.string().max(512).optional(),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number(),
                fingerprint: z.string(),
                name: z.string(),
                ts: z.string(),
                event: z.string(),
                severity: z.string(),
                labels: z.record(z.string(), z.string()),
                message: z.string(),
                actor: z.string().nullable(),
              }),
            ),
            next_cursor: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await alerts.repo.history(
        q,
        decodeCursor(q.cursor, 2) as [number, number] | null,
      );
      const more = rows.length > q.limit;
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => ({
          ...r,
          ts: isoUtc(r.ts),
          labels: JSON.parse(r.labels) as Record<string, string>,
        })),
        next_cursor: more && last ? encodeCursor([last.ts, last.id]) : null,
      };
    },
  );

  // ---------------------------------------------------------------- deliveries, test, config

  app.get(
    '/api/v1/alerts/deliveries',
    {
      config: read,
      schema: {
        tags: ['alerts'],
        summary: 'Delivery attempts (newest first) and the health of every channel (scope: read)',
        querystring: z.object({
          channel: z.string().max(64).optional(),
          ok: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: z.string().max(512).optional(),
        }),
        response: {
          200: z.object({
            channels: z.array(
              z.object({
                channel: z.string(),
                type: z.string(),
                breaker: z.string(),
                healthy: z.boolean(),
                failing: z.boolean(),
                consecutive_failures: z.number(),
                last_error: z.string().nullable(),
                last_success_at: z.string().nullable(),
                last_failure_at: z.string().nullable(),
                pending: z.number(),
                oldest_pending_at: z.string().nullable(),
                failover: z.string().nullable(),
              }),
            ),
            items: z.array(
              z.object({
                id: z.number(),
                outbox_id: z.number(),
                channel: z.string(),
                via: z.string(),
                kind: z.string(),
                ts: z.string(),
                ok: z.boolean(),
                status_code: z.number().nullable(),
                error: z.string().nullable(),
                duration_ms: z.number(),
                attempt: z.number(),
              }),
            ),
            next_cursor: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await alerts.repo.deliveries(
        {
          channel: q.channel,
          ok: q.ok === undefined ? undefined : q.ok === 'true',
          limit: q.limit,
        },
        decodeCursor(q.cursor, 2) as [number, number] | null,
      );
      const pending = await alerts.repo.pendingCounts();
      const last = await alerts.repo.lastDeliveries();
      const more = rows.length > q.limit;
      const page = rows.slice(0, q.limit);
      const tail = page[page.length - 1];
      return {
        channels: dispatcher.health().map((h) => {
          const l = last.get(h.channel);
          const p = pending.get(h.channel);
          return {
            ...h,
            healthy: !h.failing && h.breaker === 'closed',
            last_success_at: l?.lastOk ? isoUtc(l.lastOk) : null,
            last_failure_at: l?.lastFail ? isoUtc(l.lastFail) : null,
            last_error: h.last_error ?? l?.lastError ?? null,
            pending: p?.pending ?? 0,
            oldest_pending_at: p?.oldest ? isoUtc(p.oldest) : null,
          };
        }),
        items: page.map((r) => ({ ...r, ts: isoUtc(Number(r.ts)), ok: r.ok === 1 })),
        next_cursor: more && tail ? encodeCursor([Number(tail.ts), tail.id]) : null,
      };
    },
  );

  app.post(
    '/api/v1/alerts/test',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary:
          'Send a test message to one channel or all of them; with wait, report the first attempt (scope: admin)',
        body: z
          .strictObject({
            channel: z.string().max(64).optional(),
            message: z.string().max(1000).optional(),
            wait: z.boolean().default(true),
          })
          .default({ wait: true }),
        response: {
          200: z.object({
            results: z.array(
              z.object({
                channel: z.string(),
                status: z.enum(['sent', 'failed', 'skipped', 'pending']),
                error: z.string().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body;
      const names = deps.channelList.map((c) => c.name);
      const targets = body.channel ? [body.channel] : names;
      if (body.channel && !names.includes(body.channel)) {
        throw new ApiError(
          'invalid',
          `no channel named "${body.channel}" (channels: ${names.join(', ')})`,
          [{ path: 'channel', message: 'unknown channel' }],
        );
      }
      const message =
        body.message ??
        `Test message from Tradewatch, sent by ${request.principal?.name ?? 'an admin'}.`;
      const before = await alerts.repo.nextOutboxId();
      await alerts.enqueue('test', targets, (channel, now) =>
        alerts.testNotification(channel, now, message),
      );
      if (!body.wait)
        return {
          results: targets.map((channel) => ({ channel, status: 'pending' as const, error: null })),
        };
      await dispatcher.drain();
      const started = performance.now();
      for (;;) {
        const rows = await alerts.repo.outboxSince(before, 'test');
        const done = rows.every((r) => r.status !== 'pending' || r.attempts > 0);
        if (done || performance.now() - started > hub.config.alerts.delivery.timeout + 5_000) {
          return {
            results: rows.map((r) => ({
              channel: r.channel,
              status:
                r.status === 'sent'
                  ? ('sent' as const)
                  : r.status === 'skipped'
                    ? ('skipped' as const)
                    : r.attempts > 0
                      ? ('failed' as const)
                      : ('pending' as const),
              error: r.last_error,
            })),
          };
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  );

  app.get(
    '/api/v1/alerts/config',
    {
      config: read,
      schema: {
        tags: ['alerts'],
        summary: 'Channels, routes and schedules as configured (no secrets) (scope: read)',
      },
    },
    async () => ({
      enabled: hub.config.alerts.enabled,
      dry_run: hub.config.alerts.dry_run,
      channels: deps.channelList,
      routes: alerts.core.settings.routes.map((r) => ({
        id: r.id,
        match: Object.fromEntries(r.matchers.map((m) => [m.label, m.source])),
        channels: r.channels,
        group_by: r.groupBy ?? ['...'],
        group_wait_ms: r.groupWaitMs,
        group_interval_ms: r.groupIntervalMs,
        repeat_interval_ms: r.repeatIntervalMs,
        continue: r.continue,
        digest_ms: r.digestMs,
        escalate: r.escalate,
      })),
      telegram: hub.config.alerts.telegram.enabled,
      summary: {
        enabled: hub.config.alerts.summary.enabled,
        cron: hub.config.alerts.summary.cron,
        timezone: hub.config.alerts.summary.timezone,
        channels: summary.channels(),
        next_run: summary.nextRun()?.toISOString() ?? null,
      },
    }),
  );

  // ---------------------------------------------------------------- silences

  app.get(
    '/api/v1/alerts/silences',
    {
      config: read,
      schema: {
        tags: ['alerts'],
        summary: 'Silences (default: active and pending) (scope: read)',
        querystring: z.object({
          state: z.enum(['active', 'pending', 'expired', 'current', 'all']).default('current'),
        }),
        response: {
          200: z.object({ items: z.array(silenceRow), next_cursor: z.null() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const now = hub.clock.now();
      const state = request.query.state;
      const items = (await alerts.repo.silences())
        .map((s) => silenceView(s, now))
        .filter(
          (s) =>
            state === 'all' || (state === 'current' ? s.state !== 'expired' : s.state === state),
        );
      return { items, next_cursor: null };
    },
  );

  const silenceFrom = (
    body: z.output<typeof silenceBody>,
    now: number,
    actor: string,
    existing?: SilenceRecord,
  ) => {
    for (const [label, value] of Object.entries(body.matchers)) {
      try {
        parseMatcher(label, value);
      } catch (error) {
        throw new ApiError('invalid', (error as MatcherError).message, [
          { path: `matchers.${label}`, message: 'invalid matcher' },
        ]);
      }
    }
    const time = (v: string | number | undefined, field: string): number | undefined => {
      if (v === undefined) return undefined;
      const ms = parseWireTime(v);
      if (ms === undefined)
        throw new ApiError('invalid', `${field} must be an ISO 8601 time or epoch milliseconds`, [
          { path: field, message: 'invalid time' },
        ]);
      return ms;
    };
    const startsAt = time(body.starts_at, 'starts_at') ?? existing?.startsAt ?? now;
    let endsAt = time(body.ends_at, 'ends_at');
    if (body.duration !== undefined) {
      try {
        endsAt = startsAt + parseDuration(body.duration);
      } catch (error) {
        throw new ApiError('invalid', `duration: ${(error as DurationError).message}`, [
          { path: 'duration', message: 'invalid duration' },
        ]);
      }
    }
    endsAt ??= existing?.endsAt;
    if (endsAt === undefined)
      throw new ApiError('invalid', 'give ends_at or duration', [
        { path: 'ends_at', message: 'required' },
      ]);
    if (endsAt <= startsAt)
      throw new ApiError('invalid', 'ends_at must be after starts_at', [
        { path: 'ends_at', message: 'not after starts_at' },
      ]);
    return {
      id: existing?.id ?? `sil_${randomBytes(6).toString('hex')}`,
      matchers: body.matchers,
      startsAt,
      endsAt,
      comment: body.comment,
      createdBy: existing?.createdBy ?? body.created_by ?? actor,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
  };

  app.post(
    '/api/v1/alerts/silences',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Create a silence: matching alerts are recorded but not sent (scope: admin)',
        body: silenceBody,
        response: { 201: silenceRow, ...errors },
      },
    },
    async (request, reply) => {
      const now = hub.clock.now();
      const actor = request.principal?.name ?? 'admin';
      const s = await alerts.putSilence(silenceFrom(request.body, now, actor));
      await hub.events.record({
        type: 'AUDIT',
        severity: 'info',
        message: `silence ${s.id} created for ${JSON.stringify(s.matchers)} until ${isoUtc(s.endsAt)}`,
        actor,
        context: { silence: s.id, matchers: s.matchers, comment: s.comment },
      });
      return reply.status(201).send(silenceView(s, now));
    },
  );

  app.put(
    '/api/v1/alerts/silences/:id',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Change a silence (matchers, times, comment) (scope: admin)',
        params: z.object({ id: z.string().max(64) }),
        body: silenceBody,
        response: { 200: silenceRow, ...errors },
      },
    },
    async (request) => {
      const existing =
        alerts.core.silences.get(request.params.id) ??
        (await alerts.repo.silences()).find((s) => s.id === request.params.id);
      if (!existing) throw notFound(`silence "${request.params.id}"`);
      const now = hub.clock.now();
      const actor = request.principal?.name ?? 'admin';
      const s = await alerts.putSilence(silenceFrom(request.body, now, actor, existing));
      await hub.events.record({
        type: 'AUDIT',
        severity: 'info',
        message: `silence ${s.id} changed`,
        actor,
        context: { silence: s.id },
      });
      return silenceView(s, now);
    },
  );

  app.delete(
    '/api/v1/alerts/silences/:id',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Expire a silence now (scope: admin)',
        params: z.object({ id: z.string().max(64) }),
        response: { 200: silenceRow, ...errors },
      },
    },
    async (request) => {
      let existing = alerts.core.silences.get(request.params.id);
      if (!existing) {
        const stored = (await alerts.repo.silences()).find((s) => s.id === request.params.id);
        if (!stored) throw notFound(`silence "${request.params.id}"`);
        existing = (await alerts.putSilence(stored)) ?? stored;
      }
      const s = (await alerts.expireSilence(existing.id)) ?? existing;
      const actor = request.principal?.name ?? 'admin';
      await hub.events.record({
        type: 'AUDIT',
        severity: 'info',
        message: `silence ${s.id} expired`,
        actor,
        context: { silence: s.id },
      });
      return silenceView(s, hub.clock.now());
    },
  );

  // ---------------------------------------------------------------- one alert

  app.get(
    '/api/v1/alerts/:id',
    {
      config: read,
      schema: {
        tags: ['alerts'],
        summary:
          'One alert by id (its fingerprint, or at least its first 4 characters) (scope: read)',
        params: z.object({ id: z.string().min(4).max(64) }),
        response: { 200: alertRow, ...errors },
      },
    },
    async (request) => alerts.row(await findAlert(request.params.id), hub.clock.now()),
  );

  app.post(
    '/api/v1/alerts/:id/ack',
    {
      config: { scope: 'journal' },
      schema: {
        tags: ['alerts'],
        summary:
          'Acknowledge a firing alert: no more reminders or escalation (scope: journal; admin may too)',
        params: z.object({ id: z.string().min(4).max(64) }),
        body: z.strictObject({ comment: z.string().max(1000).optional() }).default({}),
        response: { 200: alertRow, ...errors, 409: errorResponse },
      },
    },
    async (request) => {
      const found = await findAlert(request.params.id);
      if (found.status !== 'firing')
        throw new ApiError(
          'conflict',
          `alert ${found.fingerprint} is resolved; only firing alerts can be acknowledged`,
        );
      const actor = request.principal?.name ?? 'unknown';
      const a = await alerts.ack(found.fingerprint, actor, request.body.comment);
      return alerts.row(a ?? found, hub.clock.now());
    },
  );

  // ---------------------------------------------------------------- risk limits and summary

  app.get(
    '/api/v1/risk/limits',
    {
      config: read,
      schema: {
        tags: ['risk'],
        summary:
          'Every configured limit with the current value and utilisation (dashboard gauges) (scope: read)',
        response: {
          200: z.object({
            as_of: z.string(),
            items: z.array(
              z.object({
                alert: z.string(),
                limit: z.string(),
                scope: z.string(),
                symbol: z.string().nullable(),
                configured: z.string(),
                threshold: z.number().nullable(),
                current: z.number().nullable(),
                unit: z.enum(['currency', 'percent', 'count', 'qty']),
                utilization_pct: z.number().nullable(),
                breached: z.boolean(),
                firing: z.boolean(),
                summary: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async () => {
      const now = hub.clock.now();
      const limits = await alerts.currentLimits(now);
      const firing = new Set(
        [...alerts.core.alerts.values()]
          .filter((a) => a.status === 'firing' && a.source === 'risk')
          .map((a) => a.fingerprint),
      );
      return {
        as_of: isoUtc(now),
        items: limits.map((l) => ({
          alert: l.alert,
          limit: l.limit,
          scope: l.scope,
          symbol: l.symbol,
          configured: l.configured,
          threshold: l.threshold === null ? null : decToNumber(l.threshold, 4),
          current: l.current === null ? null : decToNumber(l.current, 4),
          unit: l.unit,
          utilization_pct: utilization(l),
          breached: l.breached,
          firing: firing.has(alerts.fingerprintOf(l)),
          summary: l.summary(),
        })),
      };
    },
  );

  app.get(
    '/api/v1/alerts/summary',
    {
      config: read,
      schema: {
        tags: ['alerts'],
        summary:
          "A day's summary as subject, text, HTML and chat text (default: today) (scope: read)",
        querystring: z.object({
          date: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
            .optional(),
        }),
        response: {
          200: z.object({
            date: z.string(),
            subject: z.string(),
            text: z.string(),
            html: z.string(),
            markdown: z.string(),
            data: z.record(z.string(), z.unknown()),
          }),
          ...errors,
        },
      },
    },
    async (request) => summary.render(request.query.date),
  );

  app.post(
    '/api/v1/alerts/summary/send',
    {
      config: admin,
      schema: {
        tags: ['alerts'],
        summary: "Send a day's summary now to its channels (or the ones given) (scope: admin)",
        body: z
          .strictObject({
            date: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
              .optional(),
            channels: z.array(z.string().max(64)).min(1).optional(),
          })
          .default({}),
        response: { 200: z.object({ date: z.string(), channels: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => {
      const names = deps.channelList.map((c) => c.name);
      const unknown = (request.body.channels ?? []).filter((c) => !names.includes(c));
      if (unknown.length > 0)
        throw new ApiError(
          'invalid',
          `no channel named ${unknown.map((c) => `"${c}"`).join(', ')}`,
          [{ path: 'channels', message: 'unknown channel' }],
        );
      const channels = request.body.channels ?? summary.channels();
      if (channels.length === 0)
        throw new ApiError(
          'invalid',
          'no summary channels: configure an email or chat channel, or pass channels',
          [{ path: 'channels', message: 'none' }],
        );
      return summary.send(request.body.date, { channels, manual: true });
    },
  );

  // ---------------------------------------------------------------- kill switch

  app.post(
    '/api/v1/commands',
    {
      config: admin,
      schema: {
        tags: ['commands'],
        summary:
          'Kill switch: halt, resume or flatten all bots, one bot or an account’s bots (scope: admin)',
        body: z.strictObject({
          action: z.enum(COMMAND_ACTIONS),
          scope: z
            .string()
            .regex(/^(all|bot:.+|account:.+)$/, 'expected all, bot:ID or account:ID'),
          reason: z.string().max(1000).nullable().optional(),
          source: z.enum(['api', 'cli', 'dashboard']).default('api'),
        }),
        response: { 201: issuedCommand, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const cmd = await commands.issue({
        action: b.action,
        scope: b.scope,
        reason: b.reason ?? null,
        actor: request.principal?.name ?? 'admin',
        source: b.source,
      });
      return reply.status(201).send(cmd);
    },
  );

  app.get(
    '/api/v1/commands',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['commands'],
        summary:
          "A bot's unacknowledged commands; with wait=SECONDS, long-polls until one arrives (scope: ingest; a bot-bound token only for its bot)",
        querystring: z.object({
          bot: botIdSchema,
          wait: z.coerce.number().min(0).max(300).default(0),
        }),
        response: {
          200: z.object({ items: z.array(botCommand), next_cursor: z.null() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const bound = request.principal?.bot;
      if (bound && bound !== request.query.bot) {
        throw new ApiError(
          'forbidden',
          `this token is bound to bot "${bound}" and may not read commands of "${request.query.bot}"`,
        );
      }
      return {
        items: await commands.poll(request.query.bot, request.query.wait * 1000),
        next_cursor: null,
      };
    },
  );

  app.get(
    '/api/v1/commands/history',
    {
      config: read,
      schema: {
        tags: ['commands'],
        summary: 'Issued commands with their acknowledgements, newest first (scope: read)',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(512).optional(),
        }),
        response: {
          200: z.object({ items: z.array(issuedCommand), next_cursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const page = await commands.history(
        request.query.limit,
        decodeCursor(request.query.cursor, 2) as [number, string] | null,
      );
      return {
        items: page.items,
        next_cursor: page.last ? encodeCursor([Number(page.last.created_at), page.last.id]) : null,
      };
    },
  );

  app.post(
    '/api/v1/commands/:id/ack',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['commands'],
        summary: 'A bot acknowledges a command (scope: ingest; a bot-bound token only for its bot)',
        params: z.object({ id: z.string().max(64) }),
        body: commandAck,
        response: { 200: issuedCommand, ...errors },
      },
    },
    async (request) => {
      const bound = request.principal?.bot;
      if (bound && bound !== request.body.bot) {
        throw new ApiError(
          'forbidden',
          `this token is bound to bot "${bound}" and may not acknowledge for "${request.body.bot}"`,
        );
      }
      return commands.ack(request.params.id, request.body, request.principal?.name ?? 'unknown');
    },
  );
}
