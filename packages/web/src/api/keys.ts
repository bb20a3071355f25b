/**
 * Query keys: the first element names the resource, the second its parameters. The live stream
 * patches caches by these names, so every page asking for positions sees the same updates.
 */
export interface KeyFilters {
  bot?: string | undefined;
  account?: string | undefined;
  symbol?: string | undefined;
  strategy?: string | undefined;
}

export const keys = {
  session: ['session'] as const,
  dashboard: ['dashboard'] as const,
  portfolio: ['portfolio'] as const,
  positions: (f: KeyFilters = {}) => ['positions', f] as const,
  orders: (f: KeyFilters & { status?: 'open' | 'closed' | undefined; limit?: number } = {}) =>
    ['orders', f] as const,
  fills: (f: KeyFilters & { limit?: number; cursor?: string | undefined } = {}) =>
    ['fills', f] as const,
  trades: (query: string) => ['trades', query] as const,
  trade: (id: string) => ['trade', id] as const,
  equity: (scope: string, range: string) => ['equity', scope, range] as const,
  daily: (scope: string) => ['daily', scope] as const,
  aggregate: (query: string) => ['aggregate', query] as const,
  bots: ['bots'] as const,
  bot: (id: string) => ['bot', id] as const,
  logs: (query: string) => ['logs', query] as const,
  hubEvents: (query: string) => ['logs', 'hub', query] as const,
  tokens: ['tokens'] as const,
  config: ['config'] as const,
  version: ['version'] as const,
  riskLimits: ['risk-limits'] as const,
  feed: ['live-feed'] as const,
};
