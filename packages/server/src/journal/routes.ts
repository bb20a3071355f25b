import { errorResponse, tradeRow, type TradeRow } from '@tradewatch/protocol';
import { z } from 'zod';
import type { Hub } from '../hub.js';
import { notFound } from '../http/errors.js';
import { decFromString } from '../ledger/index.js';
import { tradeListQuery } from '../query/routes.js';
import { TradeAggregator } from './aggregate.js';
import { csvStream, xlsxStream } from './export.js';

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse };

const notesBody = z
  .strictObject({
    notes: z.string().max(10_000).nullable().optional(),
    tags: z.array(z.string().trim().min(1).max(64)).max(32).optional(),
  })
  .refine((b) => b.notes !== undefined || b.tags !== undefined, {
    message: 'give notes, tags or both',
  });

/** Filters of the trade list without its paging: exports and aggregates take every match. */
const exportQuery = tradeListQuery
  .omit({ limit: true, cursor: true })
  .extend({ format: z.enum(['csv', 'xlsx']).default('csv') });

const aggregateQuery = tradeListQuery
  .omit({ limit: true, cursor: true, sort: true, order: true, status: true })
  .extend({ period: z.enum(['day', 'week']).default('day') });

const aggregateRow = z.object({
  date: z.string(),
  end_date: z.string(),
  currency: z.string(),
  trades: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  win_rate: z.number().nullable(),
  gross_pnl: z.number(),
  fees: z.number(),
  net_pnl: z.number(),
  best: z.number(),
  worst: z.number(),
  cumulative_net_pnl: z.number(),
});

/** Journal routes: notes and tags, exports, daily and weekly aggregation. */
export function registerJournalRoutes(hub: Hub): void {
  const app = hub.zapp;
  const query = hub.query;

  app.patch(
    '/api/v1/trades/:id',
    {
      config: { scope: 'journal' },
      schema: {
        tags: ['journal'],
        summary:
          "Edit a trade's journal notes and tags; fields left out keep their value (scope: journal)",
        params: z.object({ id: z.string().min(1).max(64) }),
        body: notesBody,
        response: { 200: tradeRow, 404: errorResponse, ...errors },
      },
    },
    async (request) => {
      const id = request.params.id;
      const existing = await query.repo.tradeById(id);
      if (!existing) throw notFound(`trade ${id}`);
      const body = request.body;
      const notes =
        body.notes === undefined ? existing.notes : body.notes === '' ? null : body.notes;
      const tags =
        body.tags === undefined
          ? existing.note_tags
            ? (JSON.parse(existing.note_tags) as string[])
            : []
          : [...new Set(body.tags)];
      const actor = request.principal?.name ?? 'unknown';
      await query.repo.upsertTradeNotes({
        trade_id: id,
        notes,
        tags: JSON.stringify(tags),
        updated_at: hub.clock.now(),
        updated_by: actor,
      });
      const fields = [body.notes !== undefined && 'notes', body.tags !== undefined && 'tags'];
      await hub.events.record({
        type: 'AUDIT',
        severity: 'info',
        message: `journal of trade ${id} edited (${fields.filter(Boolean).join(' and ')})`,
        actor,
        bot: existing.bot,
        strategy: existing.strategy,
        tradeId: id,
        context: {
          action: 'trade.notes',
          fields: fields.filter(Boolean),
          tags,
          notes_chars: notes?.length ?? 0,
        },
      });
      const row = (await query.trade(id))!;
      // Other open dashboards update their copy of the trade.
      hub.stream.broadcast({
        type: 'trade_notes',
        seq: hub.holder.current.version,
        data: { id, notes: row.notes, tags: row.tags },
      });
      return row;
    },
  );

  app.get(
    '/api/v1/trades/export',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['journal'],
        summary:
          'Every trade matching the filters of /api/v1/trades as CSV or XLSX, streamed (scope: read)',
        querystring: exportQuery,
        response: { 200: z.unknown().describe('text/csv or XLSX file'), ...errors },
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query;
      async function* pages(): AsyncGenerator<TradeRow[]> {
        for await (const rows of query.repo.tradesAll(filters))
          yield rows.map((r) => query.tradeRow(r));
      }
      const stamp = new Date(hub.clock.now()).toISOString().slice(0, 10);
      reply.header('cache-control', 'no-store');
      reply.header('content-disposition', `attachment; filename="trades-${stamp}.${format}"`);
      if (format === 'csv') {
        reply.type('text/csv; charset=utf-8');
        return reply.send(csvStream(pages()));
      }
      reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      return reply.send(
        xlsxStream(pages(), (err) => request.log.error({ err }, 'xlsx export failed')),
      );
    },
  );

  app.get(
    '/api/v1/journal/aggregate',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['journal'],
        summary:
          'Closed trades summed per trading day or ISO week of their exit, per currency (scope: read)',
        querystring: aggregateQuery,
        response: {
          200: z.object({ period: z.enum(['day', 'week']), items: z.array(aggregateRow) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { period, ...filters } = request.query;
      const aggregator = new TradeAggregator(period, hub.config.timezone);
      const state = query.state();
      for await (const rows of query.repo.tradesAll({
        ...filters,
        status: 'closed',
        sort: 'exit_at',
        order: 'asc',
      })) {
        for (const r of rows) {
          if (r.exit_ts === null) continue;
          aggregator.add({
            exitTs: Number(r.exit_ts),
            currency: query.views.currencyOf(state, r.account),
            gross: decFromString(r.gross),
            fees: decFromString(r.fees),
            net: decFromString(r.net),
          });
        }
      }
      const m = query.money;
      return {
        period,
        items: aggregator.result().map((g) => ({
          date: g.date,
          end_date: g.endDate,
          currency: g.currency,
          trades: g.trades,
          wins: g.wins,
          losses: g.losses,
          win_rate: g.trades > 0 ? Math.round((g.wins / g.trades) * 10_000) / 10_000 : null,
          gross_pnl: m.money(g.gross, g.currency),
          fees: m.money(g.fees, g.currency),
          net_pnl: m.money(g.net, g.currency),
          best: m.money(g.best, g.currency),
          worst: m.money(g.worst, g.currency),
          cumulative_net_pnl: m.money(g.cumulativeNet, g.currency),
        })),
      };
    },
  );
}
