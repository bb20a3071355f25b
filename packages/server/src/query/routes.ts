import {
  botRow,
  dailyRow,
  equityResponse,
  errorResponse,
  fillRow,
  logRow,
  LOG_LEVELS,
  orderRow,
  page,
  portfolioResponse,
  positionRow,
  signalRow,
  tradeRow,
} from '@tradewatch/protocol';
import { z } from 'zod';
import type { ZodApp } from '../http/app.js';
import { decodeCursor } from '../http/cursor.js';
import { notFound } from '../http/errors.js';
import { commonFilters } from './filters.js';
import { TRADE_SORTS, type TradeSort } from './query-repository.js';
import type { QueryService } from './query-service.js';

const read = { scope: 'read' as const };
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse };

export const scopeParam = z
  .string()
  .regex(/^(portfolio|account:.+|bot:.+)$/, 'expected portfolio, account:ID or bot:ID')
  .default('portfolio');

export const tradeListQuery = z.object({
  ...commonFilters,
  status: z.enum(['open', 'closed']).optional(),
  direction: z.enum(['long', 'short']).optional(),
  outcome: z.enum(['win', 'loss']).optional(),
  tag: z.string().min(1).max(64).optional(),
  q: z.string().min(1).max(200).optional(),
  sort: z.enum(Object.keys(TRADE_SORTS) as [TradeSort, ...TradeSort[]]).default('entry_at'),
  order: z.enum(['asc', 'desc']).default('desc'),
});

export function registerQueryRoutes(app: ZodApp, query: QueryService): void {
  app.get(
    '/api/v1/portfolio',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary: 'Portfolio summary with per-account and per-bot breakdown (scope: read)',
        response: { 200: portfolioResponse, ...errors },
      },
    },
    async () => query.portfolio(),
  );

  app.get(
    '/api/v1/positions',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary: 'Open positions per (account, bot, symbol) (scope: read)',
        querystring: z.object({
          bot: commonFilters.bot,
          account: commonFilters.account,
          symbol: commonFilters.symbol,
          strategy: commonFilters.strategy,
          limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
          cursor: commonFilters.cursor,
        }),
        response: { 200: page(positionRow), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const all = query.positions(q);
      const after = decodeCursor(q.cursor, 1);
      const start = after ? Number(after[0]) : 0;
      const items = all.slice(start, start + q.limit);
      const next =
        start + q.limit < all.length
          ? Buffer.from(JSON.stringify([start + q.limit])).toString('base64url')
          : null;
      return { items, next_cursor: next };
    },
  );

  app.get(
    '/api/v1/fills',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary: 'Fills, newest first, with their realized P&L (scope: read)',
        querystring: z.object({
          ...commonFilters,
          order_id: z.string().max(128).optional(),
          trade_id: z.string().max(64).optional(),
        }),
        response: { 200: page(fillRow), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      return query.fills(
        { ...q, orderId: q.order_id, tradeId: q.trade_id },
        decodeCursor(q.cursor, 2),
      );
    },
  );

  app.get(
    '/api/v1/orders',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary:
          'Orders by last update, newest first; status=open for working orders (scope: read)',
        querystring: z.object({ ...commonFilters, status: z.enum(['open', 'closed']).optional() }),
        response: { 200: page(orderRow), ...errors },
      },
    },
    async (request) => query.orders(request.query, decodeCursor(request.query.cursor, 3)),
  );

  app.get(
    '/api/v1/trades',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary:
          'Round-trip trades; filter, sort by any column, page with the cursor (scope: read)',
        querystring: tradeListQuery,
        response: { 200: page(tradeRow), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      return query.trades({ ...q, after: decodeCursor(q.cursor, 2) });
    },
  );

  app.get(
    '/api/v1/trades/:id',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary: 'One round trip with its fills (scope: read)',
        params: z.object({ id: z.string().min(1).max(64) }),
        response: {
          200: tradeRow.extend({ fills: z.array(fillRow) }),
          404: errorResponse,
          ...errors,
        },
      },
    },
    async (request) => {
      const trade = await query.trade(request.params.id);
      if (!trade) throw notFound(`trade ${request.params.id}`);
      const fills = await query.fills({ tradeId: trade.id, limit: 1000 }, null);
      return { ...trade, fills: fills.items.reverse() };
    },
  );

  app.get(
    '/api/v1/equity',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary:
          'Equity points (one per minute at most, plus day closes) for a scope (scope: read)',
        querystring: z.object({
          scope: scopeParam,
          from: commonFilters.from,
          to: commonFilters.to,
          limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
        }),
        response: { 200: equityResponse, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      return query.equity(q.scope, q.from, q.to, q.limit);
    },
  );

  app.get(
    '/api/v1/daily',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary: 'Daily summaries per trading day for a scope (scope: read)',
        querystring: z.object({
          scope: scopeParam,
          from: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
            .optional(),
          to: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
            .optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(366),
        }),
        response: { 200: z.object({ items: z.array(dailyRow) }), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      return { items: await query.daily(q.scope, q.from, q.to, q.limit) };
    },
  );

  app.get(
    '/api/v1/signals',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary: 'Signals, newest first (scope: read)',
        querystring: z.object(commonFilters),
        response: { 200: page(signalRow), ...errors },
      },
    },
    async (request) => query.signals(request.query, decodeCursor(request.query.cursor, 2)),
  );

  app.get(
    '/api/v1/logs',
    {
      config: read,
      schema: {
        tags: ['query'],
        summary:
          'Bot log lines, newest first; filter by level (comma list), bot and text (scope: read)',
        querystring: z.object({
          ...commonFilters,
          level: z
            .string()
            .max(100)
            .transform((v) => v.split(',').filter(Boolean))
            .pipe(z.array(z.enum(LOG_LEVELS)))
            .optional(),
          q: z.string().min(1).max(200).optional(),
        }),
        response: { 200: page(logRow), ...errors },
      },
    },
    async (request) => query.logs(request.query, decodeCursor(request.query.cursor, 2)),
  );

  app.get(
    '/api/v1/bots',
    {
      config: read,
      schema: {
        tags: ['bots'],
        summary: 'Every bot with liveness (scope: read)',
        response: { 200: z.object({ items: z.array(botRow) }), ...errors },
      },
    },
    async () => ({ items: query.bots() }),
  );

  app.get(
    '/api/v1/bots/:id',
    {
      config: read,
      schema: {
        tags: ['bots'],
        summary: 'One bot (scope: read)',
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: botRow, 404: errorResponse, ...errors },
      },
    },
    async (request) => {
      const bot = query.bot(request.params.id);
      if (!bot) throw notFound(`bot ${request.params.id}`);
      return bot;
    },
  );
}
