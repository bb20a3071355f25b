import type { PerformanceResponse } from '../schema.js';

/** One closed trade as the report's Trades sheet lists it. */
export interface TradeLine {
  id: string;
  account: string;
  bot: string;
  strategy: string | null;
  symbol: string;
  direction: string;
  qty: number;
  entry_at: string;
  exit_at: string;
  avg_entry_price: number | null;
  avg_exit_price: number | null;
  gross_pnl: number;
  fees: number;
  net_pnl: number;
  /** Percent of the entry value, as the trades API gives it. */
  return_pct: number | null;
  duration_s: number | null;
  fill_count: number;
}

export const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** Monthly returns as a year × month table with each year's total (null where no period). */
export function monthlyTable(
  r: PerformanceResponse,
): { year: number; months: (number | null)[]; total: number | null }[] {
  const years = new Map<number, (number | null)[]>();
  for (const m of r.monthly) {
    let row = years.get(m.year);
    if (!row) {
      row = new Array<number | null>(12).fill(null);
      years.set(m.year, row);
    }
    row[m.month - 1] = m.return;
  }
  const totals = new Map(r.yearly.map((y) => [y.year, y.return]));
  return [...years.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([year, months]) => ({ year, months, total: totals.get(year) ?? null }));
}

/** Label, value and kind of every headline figure, in report order. */
export function metricRows(
  r: PerformanceResponse,
): { section: string; key: string; label: string; value: number | string | null; kind: Kind }[] {
  const rows: ReturnType<typeof metricRows> = [];
  const add = (
    section: string,
    key: string,
    label: string,
    value: number | string | null,
    kind: Kind,
  ) => rows.push({ section, key, label, value, kind });
  add('summary', 'start_equity', 'Start equity', r.summary.start_equity, 'money');
  add('summary', 'end_equity', 'End equity', r.summary.end_equity, 'money');
  add('summary', 'net_flows', 'Net deposits (− withdrawals)', r.summary.net_flows, 'money');
  add('summary', 'pnl', 'Profit and loss', r.summary.pnl, 'money');
  const m = r.metrics;
  add('metrics', 'periods', 'Periods', m.periods, 'int');
  add('metrics', 'observations', 'Observations', m.observations, 'int');
  add('metrics', 'total_return', 'Total return (time-weighted)', m.total_return, 'pct');
  add('metrics', 'annual_return', 'Annual return (CAGR)', m.annual_return, 'pct');
  add('metrics', 'annual_volatility', 'Annual volatility', m.annual_volatility, 'pct');
  add('metrics', 'sharpe_ratio', 'Sharpe ratio', m.sharpe_ratio, 'ratio');
  add('metrics', 'sortino_ratio', 'Sortino ratio', m.sortino_ratio, 'ratio');
  add('metrics', 'downside_risk', 'Downside risk', m.downside_risk, 'pct');
  add('metrics', 'max_drawdown', 'Max drawdown', m.max_drawdown, 'pct');
  add('metrics', 'calmar_ratio', 'Calmar ratio', m.calmar_ratio, 'ratio');
  add('metrics', 'omega_ratio', 'Omega ratio', m.omega_ratio, 'ratio');
  add('metrics', 'stability', 'Stability (R²)', m.stability, 'ratio');
  add('metrics', 'tail_ratio', 'Tail ratio', m.tail_ratio, 'ratio');
  add('metrics', 'value_at_risk', 'Daily value at risk (95%)', m.value_at_risk, 'pct');
  add(
    'metrics',
    'conditional_value_at_risk',
    'Conditional VaR (95%)',
    m.conditional_value_at_risk,
    'pct',
  );
  add('metrics', 'skew', 'Skew', m.skew, 'ratio');
  add('metrics', 'kurtosis', 'Excess kurtosis', m.kurtosis, 'ratio');
  add('metrics', 'ulcer_index', 'Ulcer index', m.ulcer_index, 'ratio');
  add('psr', 'probability', 'Probabilistic Sharpe ratio', r.psr.probability, 'pct');
  add(
    'psr',
    'min_track_record_periods',
    'Min track record (days)',
    r.psr.min_track_record_periods,
    'ratio',
  );
  add('psr', 'meaning', 'PSR meaning', r.psr.meaning, 'text');
  const t = r.trades;
  add('trades', 'count', 'Closed trades', t.count, 'int');
  add('trades', 'win_rate', 'Win rate', t.win_rate, 'pct');
  add('trades', 'net_profit', 'Net profit', t.net_profit, 'money');
  add('trades', 'gross_profit', 'Gross profit', t.gross_profit, 'money');
  add('trades', 'gross_loss', 'Gross loss', t.gross_loss, 'money');
  add('trades', 'profit_factor', 'Profit factor', t.profit_factor, 'ratio');
  add('trades', 'payoff_ratio', 'Payoff ratio', t.payoff_ratio, 'ratio');
  add('trades', 'expectancy', 'Expectancy per trade', t.expectancy, 'money');
  add('trades', 'expectancy_ratio', 'Expectancy ratio', t.expectancy_ratio, 'ratio');
  add('trades', 'average_win', 'Average win', t.average_win, 'money');
  add('trades', 'average_loss', 'Average loss', t.average_loss, 'money');
  add('trades', 'largest_win', 'Largest win', t.largest_win, 'money');
  add('trades', 'largest_loss', 'Largest loss', t.largest_loss, 'money');
  add('trades', 'sqn', 'SQN', t.sqn, 'ratio');
  add('trades', 'max_consecutive_wins', 'Max consecutive wins', t.max_consecutive_wins, 'int');
  add(
    'trades',
    'max_consecutive_losses',
    'Max consecutive losses',
    t.max_consecutive_losses,
    'int',
  );
  add('trades', 'average_duration_s', 'Average holding time', t.average_duration_s, 'duration');
  add('trades', 'average_return', 'Average trade return', t.average_return, 'pct');
  add('trades', 'kelly_criterion', 'Kelly criterion', t.kelly_criterion, 'pct');
  const b = r.benchmark;
  if (b) {
    add('benchmark', 'symbol', 'Benchmark', b.symbol, 'text');
    add('benchmark', 'total_return', 'Benchmark total return', b.total_return, 'pct');
    add('benchmark', 'excess_return', 'Excess return', b.excess_return, 'pct');
    add('benchmark', 'annual_excess_return', 'Annual excess return', b.annual_excess_return, 'pct');
    add('benchmark', 'beta', 'Beta', b.beta, 'ratio');
    add('benchmark', 'alpha', 'Alpha (annual)', b.alpha, 'pct');
    add('benchmark', 'correlation', 'Correlation', b.correlation, 'ratio');
    add('benchmark', 'max_drawdown', 'Benchmark max drawdown', b.max_drawdown, 'pct');
    add(
      'benchmark',
      'strategy_max_drawdown',
      'Strategy max drawdown',
      b.strategy_max_drawdown,
      'pct',
    );
    add('benchmark', 'information_ratio', 'Information ratio', b.information_ratio, 'ratio');
  }
  return rows;
}

export type Kind = 'money' | 'pct' | 'ratio' | 'int' | 'duration' | 'text';

/** A figure as the text and HTML reports print it (money with `decimals` decimals). */
export function show(value: number | string | null, kind: Kind, decimals = 2): string {
  if (value === null) return 'n/a';
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'money':
      return value.toLocaleString('en-US', {
        minimumFractionDigits: decimals,
        maximumFractionDigits: decimals,
      });
    case 'pct':
      return `${(value * 100).toFixed(2)}%`;
    case 'ratio':
      return value.toFixed(2);
    case 'int':
      return String(value);
    case 'duration':
      return duration(value);
    case 'text':
      return String(value);
  }
}

function duration(s: number): string {
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/** The attribution tables the reports print: title and rows. */
export function attributionTables(r: PerformanceResponse): {
  title: string;
  rows: { key: string; trades: number; wins: number; losses: number; net_pnl: number }[];
}[] {
  const a = r.attribution;
  return [
    { title: 'By strategy', rows: a.by_strategy },
    { title: 'By symbol', rows: a.by_symbol },
    { title: 'By bot', rows: a.by_bot },
    { title: 'Long / short', rows: a.by_direction },
    {
      title: 'By hour of day (close)',
      rows: a.by_hour.map((g) => ({ ...g, key: `${String(g.hour).padStart(2, '0')}:00` })),
    },
    { title: 'By day of week (close)', rows: a.by_weekday },
  ];
}
