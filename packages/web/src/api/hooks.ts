import type {
  BotRow,
  DailyRow,
  EquityResponse,
  FillRow,
  LogRow,
  OrderRow,
  Page,
  PortfolioResponse,
  PositionRow,
  TokenRow,
  TradeRow,
} from '@tradewatch/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, HttpError, withQuery } from './client.js';
import { keys, type KeyFilters } from './keys.js';
import type {
  AggregateRow,
  DashboardInfo,
  FeedItem,
  HubEventRow,
  RiskLimits,
  SessionInfo,
  VersionInfo,
} from './types.js';

export type TradeDetail = TradeRow & { fills: FillRow[] };

export function useSession() {
  return useQuery({
    queryKey: keys.session,
    queryFn: ({ signal }) => api<SessionInfo>('/api/v1/session', { signal, quiet401: true }),
    retry: false,
    staleTime: 5 * 60_000,
  });
}

export function hasScope(
  session: SessionInfo | undefined,
  scope: 'read' | 'journal' | 'admin' | 'ingest',
) {
  return !!session && (session.scopes.includes(scope) || session.scopes.includes('admin'));
}

export function usePortfolio() {
  return useQuery({
    queryKey: keys.portfolio,
    queryFn: ({ signal }) => api<PortfolioResponse>('/api/v1/portfolio', { signal }),
  });
}

export function usePositions(f: KeyFilters = {}) {
  return useQuery({
    queryKey: keys.positions(f),
    queryFn: ({ signal }) =>
      api<Page<PositionRow>>(withQuery('/api/v1/positions', { ...f }), { signal }),
  });
}

export function useOrders(f: KeyFilters & { status?: 'open' | 'closed'; limit?: number } = {}) {
  return useQuery({
    queryKey: keys.orders(f),
    queryFn: ({ signal }) => api<Page<OrderRow>>(withQuery('/api/v1/orders', { ...f }), { signal }),
  });
}

export function useFills(f: KeyFilters & { limit?: number; cursor?: string | undefined } = {}) {
  return useQuery({
    queryKey: keys.fills(f),
    queryFn: ({ signal }) => api<Page<FillRow>>(withQuery('/api/v1/fills', { ...f }), { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useTrades(query: string, enabled = true) {
  return useQuery({
    queryKey: keys.trades(query),
    queryFn: ({ signal }) => api<Page<TradeRow>>(`/api/v1/trades?${query}`, { signal }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useTrade(id: string) {
  return useQuery({
    queryKey: keys.trade(id),
    queryFn: ({ signal }) =>
      api<TradeDetail>(`/api/v1/trades/${encodeURIComponent(id)}`, { signal }),
  });
}

export const EQUITY_RANGES = {
  '1D': 86_400_000,
  '1W': 7 * 86_400_000,
  '1M': 30 * 86_400_000,
  '3M': 91 * 86_400_000,
  '1Y': 365 * 86_400_000,
  All: null,
} as const;
export type EquityRange = keyof typeof EQUITY_RANGES;

export function useEquity(scope: string, range: EquityRange) {
  return useQuery({
    queryKey: keys.equity(scope, range),
    queryFn: ({ signal }) => {
      const span = EQUITY_RANGES[range];
      return api<EquityResponse>(
        withQuery('/api/v1/equity', {
          scope,
          limit: 5000,
          from: span === null ? undefined : new Date(Date.now() - span).toISOString(),
        }),
        { signal },
      );
    },
    placeholderData: keepPreviousData,
  });
}

export function useDaily(scope: string) {
  return useQuery({
    queryKey: keys.daily(scope),
    queryFn: ({ signal }) =>
      api<{ items: DailyRow[] }>(withQuery('/api/v1/daily', { scope, limit: 90 }), { signal }),
  });
}

export function useAggregate(query: string, enabled = true) {
  return useQuery({
    queryKey: keys.aggregate(query),
    queryFn: ({ signal }) =>
      api<{ period: 'day' | 'week'; items: AggregateRow[] }>(`/api/v1/journal/aggregate?${query}`, {
        signal,
      }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useBots() {
  return useQuery({
    queryKey: keys.bots,
    queryFn: ({ signal }) => api<{ items: BotRow[] }>('/api/v1/bots', { signal }),
  });
}

export function useBot(id: string) {
  return useQuery({
    queryKey: keys.bot(id),
    queryFn: ({ signal }) => api<BotRow>(`/api/v1/bots/${encodeURIComponent(id)}`, { signal }),
  });
}

export function useLogs(query: string, enabled = true) {
  return useQuery({
    queryKey: keys.logs(query),
    queryFn: ({ signal }) => api<Page<LogRow>>(`/api/v1/logs?${query}`, { signal }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** The hub's own event log (health module): refreshed with the bot logs. */
export function useHubEvents(query: string, enabled = true) {
  return useQuery({
    queryKey: keys.hubEvents(query),
    queryFn: ({ signal }) => api<Page<HubEventRow>>(`/api/v1/events?${query}`, { signal }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useTokens(enabled: boolean) {
  return useQuery({
    queryKey: keys.tokens,
    queryFn: ({ signal }) => api<{ items: TokenRow[] }>('/api/v1/tokens', { signal }),
    enabled,
  });
}

export function useConfig(enabled: boolean) {
  return useQuery({
    queryKey: keys.config,
    queryFn: ({ signal }) => api<Record<string, unknown>>('/api/v1/config', { signal }),
    enabled,
    staleTime: Infinity,
  });
}

export function useVersion() {
  return useQuery({
    queryKey: keys.version,
    queryFn: ({ signal }) => api<VersionInfo>('/api/v1/version', { signal }),
    staleTime: Infinity,
  });
}

/** Which optional routes of other modules this hub has (asked once). */
export function useDashboardInfo() {
  return useQuery({
    queryKey: keys.dashboard,
    queryFn: ({ signal }) => api<DashboardInfo>('/api/v1/dashboard', { signal }),
    staleTime: Infinity,
  });
}

/** Limits come from the alerts module when it is installed; until then: not configured (null). */
export function useRiskLimits() {
  const info = useDashboardInfo();
  return useQuery({
    queryKey: keys.riskLimits,
    enabled: info.data?.capabilities.risk_limits === true,
    queryFn: async ({ signal }) => {
      try {
        return await api<RiskLimits>('/api/v1/risk/limits', { signal });
      } catch (error) {
        if (error instanceof HttpError && (error.status === 404 || error.status === 403))
          return null;
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

/** The Overview's feed: the latest fills and log lines, then whatever the stream brings. */
export function useFeed() {
  return useQuery({
    queryKey: keys.feed,
    queryFn: async ({ signal }): Promise<FeedItem[]> => {
      const [fills, logs] = await Promise.all([
        api<Page<FillRow>>('/api/v1/fills?limit=20', { signal }),
        api<Page<LogRow>>('/api/v1/logs?limit=20', { signal }),
      ]);
      const items: FeedItem[] = [
        ...fills.items.map((f) => ({
          key: `fill:${f.bot}:${f.id}`,
          ts: f.ts,
          kind: 'fill',
          bot: f.bot,
          summary: `${f.side === 'buy' ? 'Bought' : 'Sold'} ${f.qty} ${f.symbol} @ ${f.price}`,
        })),
        ...logs.items.map((l) => ({
          key: `log:${l.id}`,
          ts: l.ts,
          kind: `log.${l.level}`,
          bot: l.bot,
          summary: l.message,
          level: l.level,
        })),
      ];
      return items.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0)).slice(0, 30);
    },
  });
}
