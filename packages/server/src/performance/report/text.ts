import type { PerformanceResponse } from '../schema.js';
import { attributionTables, metricRows, monthlyTable, MONTHS, show } from './model.js';

function table(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const pct = (v: number | null) => (v === null ? '' : `${(v * 100).toFixed(1)}%`);

/** The report as plain text (fixed-width tables). */
export function textReport(r: PerformanceResponse, generatedAt: string): string {
  const out: string[] = [];
  out.push(`Performance report — ${r.scope}`);
  out.push(
    `${r.from ?? 'no data'} to ${r.to ?? ''} · ${r.calendar} periods (${r.periods_per_year} a year) · ${r.currency} · generated ${generatedAt}`,
  );
  out.push(
    `Returns: time-weighted daily, deposits and withdrawals removed; ${r.basis.description}.`,
  );
  const sections: Record<string, string> = {
    summary: 'Summary',
    metrics: 'Return metrics',
    psr: 'Probabilistic Sharpe ratio',
    trades: 'Trades',
    benchmark: 'Benchmark (buy and hold)',
  };
  const rows = metricRows(r);
  for (const [section, title] of Object.entries(sections)) {
    const part = rows.filter((x) => x.section === section && x.kind !== 'text');
    const texts = rows.filter((x) => x.section === section && x.kind === 'text');
    if (part.length === 0 && texts.length === 0) continue;
    out.push('', title);
    const width = Math.max(0, ...part.map((x) => x.label.length));
    for (const x of part)
      out.push(`  ${x.label.padEnd(width)}  ${show(x.value, x.kind, r.money_decimals)}`);
    for (const x of texts) out.push(`  ${x.label}: ${show(x.value, x.kind, r.money_decimals)}`);
  }
  if (r.drawdowns.length > 0) {
    out.push('', 'Drawdowns (deepest first)');
    out.push(
      table(
        ['Depth', 'Peak', 'Valley', 'Recovered', 'Periods'],
        r.drawdowns.map((d) => [
          pct(d.depth),
          d.peak_date ?? 'start',
          d.valley_date,
          d.recovery_date ?? 'not yet',
          String(d.duration_periods ?? d.underwater_periods),
        ]),
        [true, false, false, false, true],
      ),
    );
  }
  const monthly = monthlyTable(r);
  if (monthly.length > 0) {
    out.push('', 'Monthly returns');
    out.push(
      table(
        ['Year', ...MONTHS, 'Year'],
        monthly.map((y) => [String(y.year), ...y.months.map(pct), pct(y.total)]),
        [false, ...MONTHS.map(() => true), true],
      ),
    );
  }
  for (const t of attributionTables(r)) {
    if (t.rows.length === 0) continue;
    out.push('', `Net P&L ${t.title.toLowerCase()}`);
    out.push(
      table(
        ['', 'Trades', 'Wins', 'Losses', `Net (${r.currency})`],
        t.rows.map((g) => [
          g.key,
          String(g.trades),
          String(g.wins),
          String(g.losses),
          show(g.net_pnl, 'money', r.money_decimals),
        ]),
        [false, true, true, true, true],
      ),
    );
  }
  return out.join('\n') + '\n';
}
