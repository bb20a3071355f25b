import type { PerformanceResponse } from '../schema.js';
import { metricRows } from './model.js';

/** One CSV field (RFC 4180); text starting like a formula gets an apostrophe (no formula injection). */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * The report as one long CSV table `section,key,field,value` — every figure on its own line, so
 * a spreadsheet can filter or pivot it: summary, metrics, psr, trades and benchmark figures,
 * drawdowns, monthly and yearly returns, attribution groups, rolling Sharpe and the daily series.
 */
export function csvReport(r: PerformanceResponse): string {
  const lines: string[] = ['section,key,field,value'];
  const row = (section: string, key: string, field: string, value: string | number | null) =>
    lines.push([section, key, field, value].map(csvField).join(','));
  row('report', r.scope, 'currency', r.currency);
  row('report', r.scope, 'from', r.from);
  row('report', r.scope, 'to', r.to);
  row('report', r.scope, 'calendar', r.calendar);
  row('report', r.scope, 'periods_per_year', r.periods_per_year);
  row('report', r.scope, 'basis', r.basis.description);
  for (const m of metricRows(r)) row(m.section, '', m.key, m.value);
  r.drawdowns.forEach((d, i) => {
    for (const [k, v] of Object.entries(d)) row('drawdown', String(i + 1), k, v);
  });
  for (const m of r.monthly) row('monthly', m.period, 'return', m.return);
  for (const y of r.yearly) row('yearly', String(y.year), 'return', y.return);
  const a = r.attribution;
  const groups: [
    string,
    { key: string; trades: number; wins: number; losses: number; net_pnl: number }[],
  ][] = [
    ['by_bot', a.by_bot],
    ['by_strategy', a.by_strategy],
    ['by_symbol', a.by_symbol],
    ['by_direction', a.by_direction],
    ['by_hour', a.by_hour],
    ['by_weekday', a.by_weekday],
    ['by_weekday_hour', a.by_weekday_hour],
  ];
  for (const [section, list] of groups) {
    for (const g of list) {
      row(`attribution.${section}`, g.key, 'trades', g.trades);
      row(`attribution.${section}`, g.key, 'wins', g.wins);
      row(`attribution.${section}`, g.key, 'losses', g.losses);
      row(`attribution.${section}`, g.key, 'net_pnl', g.net_pnl);
    }
  }
  for (const x of r.rolling.items) {
    row('rolling', x.date, 'sharpe', x.sharpe);
    row('rolling', x.date, 'volatility', x.volatility);
  }
  for (const s of r.series) {
    for (const [k, v] of Object.entries(s)) if (k !== 'date') row('daily', s.date, k, v ?? null);
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
