import { errorResponse } from '@tradewatch/protocol';
import type { ZodApp } from '../http/app.js';
import { performanceQuery, performanceResponse } from './schema.js';
import type { PerformanceService } from './service.js';

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };

export function registerPerformanceRoutes(app: ZodApp, service: PerformanceService): void {
  app.get(
    '/api/v1/performance',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['performance'],
        summary:
          'Time-weighted returns and every return metric, trade statistics, drawdowns, monthly ' +
          'returns, rolling Sharpe and volatility, P&L attribution and a benchmark comparison for ' +
          'a scope (scope: read)',
        description:
          'Daily returns are time-weighted from end-of-day equity with deposits and withdrawals ' +
          'removed (flows count at the start of their day); see docs/analytics.md, "In the hub". ' +
          'Ratios are null where undefined (too few returns, no losses …).',
        querystring: performanceQuery,
        response: { 200: performanceResponse, ...errors },
      },
    },
    async (request) => service.report(request.query),
  );
}
