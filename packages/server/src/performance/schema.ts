import { z } from 'zod';
import { scopeParam } from '../query/routes.js';

/** A statistic: a number, or null where it is undefined (too little data, division by zero, ±∞). */
const stat = z.number().nullable();
const money = z.number();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

export const CALENDARS = ['weekdays', 'all'] as const;

export const performanceQuery = z.object({
  scope: scopeParam.describe('portfolio, account:ID or bot:ID'),
  from: date
    .optional()
    .describe('first trading day (YYYY-MM-DD, inclusive); default: the scope’s first activity'),
  to: date.optional().describe('last trading day (YYYY-MM-DD, inclusive); default: today'),
  benchmark: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('symbol whose marks give the buy-and-hold comparison'),
  calendar: z
    .enum(CALENDARS)
    .default('weekdays')
    .describe('weekdays: Mon–Fri periods, 252 a year; all: every day, 365 a year'),
  risk_free: z.coerce
    .number()
    .min(-0.5)
    .max(1)
    .default(0)
    .describe('ANNUAL risk-free rate (0.04 = 4%), compounded down to a daily rate'),
  psr_benchmark: z.coerce
    .number()
    .min(-10)
    .max(10)
    .default(0)
    .describe('annualised Sharpe ratio the probabilistic Sharpe ratio tests against'),
  capital: z.coerce
    .number()
    .positive()
    .finite()
    .optional()
    .describe('bot scopes: measure returns on this fixed allocation plus accumulated P&L'),
});
export type PerformanceQuery = z.output<typeof performanceQuery>;

const returnMetrics = z.object({
  periods: z.number().int(),
  observations: z.number().int(),
  total_return: stat,
  annual_return: stat,
  annual_volatility: stat,
  sharpe_ratio: stat,
  sortino_ratio: stat,
  downside_risk: stat,
  max_drawdown: stat,
  calmar_ratio: stat,
  omega_ratio: stat,
  stability: stat,
  tail_ratio: stat,
  value_at_risk: stat,
  conditional_value_at_risk: stat,
  skew: stat,
  kurtosis: stat.describe('excess kurtosis (normal = 0)'),
  ulcer_index: stat,
});

const psr = z.object({
  probability: stat.describe('P(true Sharpe ratio > benchmark_sharpe)'),
  observed_sharpe: stat.describe('annualised'),
  benchmark_sharpe: z.number().describe('annualised'),
  observations: z.number().int(),
  min_track_record_periods: stat.describe('returns needed for 95% confidence'),
  meaning: z.string(),
});

const tradeStats = z.object({
  count: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  breakevens: z.number().int(),
  win_rate: stat,
  loss_rate: stat,
  gross_profit: money,
  gross_loss: money,
  net_profit: money.describe('exact sum of the trades’ net P&L'),
  profit_factor: stat,
  average_win: stat,
  average_loss: stat,
  payoff_ratio: stat,
  largest_win: stat,
  largest_loss: stat,
  expectancy: stat,
  expectancy_ratio: stat,
  sqn: stat,
  max_consecutive_wins: z.number().int(),
  max_consecutive_losses: z.number().int(),
  average_duration_s: stat,
  average_win_duration_s: stat,
  average_loss_duration_s: stat,
  average_return: stat.describe('mean trade return as a fraction'),
  average_win_return: stat,
  average_loss_return: stat,
  kelly_criterion: stat,
});

const drawdown = z.object({
  depth: z.number(),
  peak_date: date.nullable().describe('close the decline started from; null: the starting capital'),
  valley_date: date,
  recovery_date: date.nullable(),
  decline_periods: z.number().int(),
  recovery_periods: z.number().int().nullable(),
  duration_periods: z.number().int().nullable(),
  underwater_periods: z.number().int(),
});

const group = z.object({
  key: z.string(),
  trades: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  net_pnl: money,
});

const benchmark = z.object({
  symbol: z.string(),
  observations: z.number().int(),
  total_return: stat,
  strategy_total_return: stat,
  excess_return: stat,
  annual_return: stat,
  strategy_annual_return: stat,
  annual_excess_return: stat,
  beta: stat,
  alpha: stat,
  correlation: stat,
  max_drawdown: stat,
  strategy_max_drawdown: stat,
  information_ratio: stat,
});

export const performanceResponse = z.object({
  scope: z.string(),
  currency: z.string(),
  money_decimals: z.number().int().describe('decimals money figures are rounded to'),
  calendar: z.enum(CALENDARS),
  periods_per_year: z.number(),
  from: date.nullable().describe('first return period of the series'),
  to: date.nullable().describe('last return period of the series'),
  basis: z.object({
    kind: z.enum(['own', 'scope', 'capital']),
    scope: z.string().nullable(),
    capital: money.nullable(),
    description: z.string(),
  }),
  summary: z.object({
    start_equity: money,
    end_equity: money,
    net_flows: money,
    pnl: money,
  }),
  metrics: returnMetrics,
  psr,
  trades: tradeStats,
  drawdowns: z.array(drawdown).describe('the five deepest, deepest first'),
  monthly: z.array(
    z.object({ period: z.string(), year: z.number().int(), month: z.number().int(), return: stat }),
  ),
  yearly: z.array(z.object({ year: z.number().int(), return: stat })),
  rolling: z.object({
    window: z.number().int(),
    items: z.array(z.object({ date, sharpe: stat, volatility: stat })),
  }),
  series: z.array(
    z.object({
      date,
      return: stat,
      equity: money,
      flows: money,
      pnl: money,
      drawdown: z.number(),
      benchmark_return: stat.optional(),
    }),
  ),
  attribution: z.object({
    total: group,
    by_bot: z.array(group),
    by_strategy: z.array(group),
    by_symbol: z.array(group),
    by_direction: z.array(group),
    by_hour: z.array(group.extend({ hour: z.number().int() })),
    by_weekday: z.array(group.extend({ weekday: z.string() })),
    by_weekday_hour: z.array(group.extend({ weekday: z.string(), hour: z.number().int() })),
  }),
  benchmark: benchmark.nullable(),
});
export type PerformanceResponse = z.output<typeof performanceResponse>;
