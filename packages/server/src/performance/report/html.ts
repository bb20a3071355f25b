import type { PerformanceResponse } from '../schema.js';
import { attributionTables, metricRows, monthlyTable, MONTHS, show } from './model.js';

/** Escapes text for HTML content and attribute values. */
export function esc(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d2330}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem;border-bottom:1px solid #dde1e8;padding-bottom:.25rem}
.muted{color:#667085}table{border-collapse:collapse;margin:.25rem 0}td,th{padding:.2rem .6rem;text-align:right;border-bottom:1px solid #eef0f4}
th{font-weight:600;background:#f6f7f9}td:first-child,th:first-child{text-align:left}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:0 2rem}
.pos{color:#0a7d32}.neg{color:#b42318}svg{max-width:100%;height:auto;background:#fbfbfc;border:1px solid #eef0f4}
.psr{background:#f1f6ff;border-left:4px solid #2e6ce6;padding:.5rem .75rem}
`;

function signClass(v: number | null): string {
  return v === null || v === 0 ? '' : v > 0 ? 'pos' : 'neg';
}

/** Heat-map background for a monthly return: green up, red down, stronger with size. */
function heat(v: number | null): string {
  if (v === null) return '';
  const a = Math.min(1, Math.abs(v) / 0.1) * 0.6 + 0.08;
  return v >= 0
    ? `background:rgba(10,125,50,${a.toFixed(2)})`
    : `background:rgba(180,35,24,${a.toFixed(2)})`;
}

/** A polyline path of values scaled into a box (null values break nothing: they are skipped). */
function path(
  values: (number | null)[],
  x0: number,
  w: number,
  y0: number,
  h: number,
  min: number,
  max: number,
): string {
  const n = values.length;
  const span = max - min || 1;
  let d = '';
  values.forEach((v, i) => {
    if (v === null) return;
    const x = x0 + (n <= 1 ? 0 : (i / (n - 1)) * w);
    const y = y0 + h - ((v - min) / span) * h;
    d += `${d === '' ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
  });
  return d;
}

/** Growth of 1 (strategy and benchmark) and the underwater curve, as inline SVG. */
function chart(r: PerformanceResponse): string {
  if (r.series.length < 2) return '';
  let g = 1;
  let gb = 1;
  const growth: number[] = [];
  const bench: (number | null)[] = [];
  const hasBench = r.series.some((s) => s.benchmark_return !== undefined);
  for (const s of r.series) {
    g *= 1 + (s.return ?? 0);
    growth.push(g);
    if (hasBench) {
      gb *= 1 + (s.benchmark_return ?? 0);
      bench.push(gb);
    }
  }
  const all = [...growth, ...bench.filter((v): v is number => v !== null)];
  const min = Math.min(...all);
  const max = Math.max(...all);
  const dd = r.series.map((s) => s.drawdown);
  const ddMin = Math.min(...dd, -0.0001);
  const W = 1000;
  return `<svg viewBox="0 0 ${W} 330" role="img" aria-label="Growth of 1 and drawdown">
<text x="8" y="16" font-size="12" fill="#667085">Growth of 1 (time-weighted)${hasBench ? ' — strategy (blue) vs benchmark (grey)' : ''}: ${min.toFixed(2)} – ${max.toFixed(2)}</text>
${hasBench ? `<path d="${path(bench, 8, W - 16, 24, 190, min, max)}" fill="none" stroke="#98a2b3" stroke-width="1.5"/>` : ''}
<path d="${path(growth, 8, W - 16, 24, 190, min, max)}" fill="none" stroke="#2e6ce6" stroke-width="2"/>
<text x="8" y="236" font-size="12" fill="#667085">Underwater (drawdown from peak), worst ${(ddMin * 100).toFixed(1)}%</text>
<path d="${path(dd, 8, W - 16, 244, 80, ddMin, 0)}" fill="none" stroke="#b42318" stroke-width="1.5"/>
</svg>`;
}

/** The report as one self-contained HTML page: inline CSS and SVG, no scripts, no external resources. */
export function htmlReport(r: PerformanceResponse, generatedAt: string): string {
  const rows = metricRows(r);
  const section = (name: string, title: string) => {
    const part = rows.filter((x) => x.section === name && x.kind !== 'text');
    if (part.length === 0) return '';
    return `<div><h2>${esc(title)}</h2><table>${part
      .map(
        (x) =>
          `<tr><td>${esc(x.label)}</td><td class="${typeof x.value === 'number' && x.kind !== 'int' ? signClass(x.kind === 'ratio' ? null : x.value) : ''}">${esc(show(x.value, x.kind, r.money_decimals))}</td></tr>`,
      )
      .join('')}</table></div>`;
  };
  const monthly = monthlyTable(r);
  const pct = (v: number | null) => (v === null ? '' : `${(v * 100).toFixed(1)}%`);
  const body: string[] = [];
  body.push(`<h1>Performance — ${esc(r.scope)}</h1>`);
  body.push(
    `<p class="muted">${esc(r.from ?? 'no data')} to ${esc(r.to ?? '')} · ${esc(r.calendar)} periods (${r.periods_per_year} a year) · ${esc(r.currency)} · generated ${esc(generatedAt)}<br>Time-weighted daily returns, deposits and withdrawals removed; ${esc(r.basis.description)}.</p>`,
  );
  body.push(chart(r));
  body.push(
    `<p class="psr"><strong>Probabilistic Sharpe ratio:</strong> ${esc(r.psr.meaning)}</p>`,
  );
  body.push(
    `<div class="grid">${section('summary', 'Summary')}${section('metrics', 'Return metrics')}${section('trades', 'Trades')}${section('benchmark', 'Benchmark (buy and hold)')}${section('psr', 'Sharpe inference')}</div>`,
  );
  if (r.drawdowns.length > 0) {
    body.push(
      `<h2>Drawdowns</h2><table><tr><th>Depth</th><th>Peak</th><th>Valley</th><th>Recovered</th><th>Periods</th></tr>${r.drawdowns
        .map(
          (d) =>
            `<tr><td class="neg">${pct(d.depth)}</td><td>${esc(d.peak_date ?? 'start')}</td><td>${esc(d.valley_date)}</td><td>${esc(d.recovery_date ?? 'not yet')}</td><td>${d.duration_periods ?? d.underwater_periods}</td></tr>`,
        )
        .join('')}</table>`,
    );
  }
  if (monthly.length > 0) {
    body.push(
      `<h2>Monthly returns</h2><table><tr><th>Year</th>${MONTHS.map((m) => `<th>${m}</th>`).join('')}<th>Year</th></tr>${monthly
        .map(
          (y) =>
            `<tr><td>${y.year}</td>${y.months.map((v) => `<td style="${heat(v)}">${pct(v)}</td>`).join('')}<td class="${signClass(y.total)}"><strong>${pct(y.total)}</strong></td></tr>`,
        )
        .join('')}</table>`,
    );
  }
  const tables = attributionTables(r).filter((t) => t.rows.length > 0);
  if (tables.length > 0) {
    body.push(
      `<h2>Attribution of net P&amp;L (${esc(r.currency)})</h2><div class="grid">${tables
        .map(
          (t) =>
            `<div><h3>${esc(t.title)}</h3><table><tr><th></th><th>Trades</th><th>Win</th><th>Net</th></tr>${t.rows
              .map(
                (g) =>
                  `<tr><td>${esc(g.key)}</td><td>${g.trades}</td><td>${g.trades > 0 ? `${((g.wins / g.trades) * 100).toFixed(0)}%` : ''}</td><td class="${signClass(g.net_pnl)}">${esc(show(g.net_pnl, 'money', r.money_decimals))}</td></tr>`,
              )
              .join('')}</table></div>`,
        )
        .join('')}</div>`,
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Performance — ${esc(r.scope)}</title><style>${CSS}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}
