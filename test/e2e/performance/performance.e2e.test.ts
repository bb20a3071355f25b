import { writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEEK } from '../../../packages/server/src/performance/week.test-util.js';
import { runCli, startHubProcess, type HubProcess } from '../../support/hub-process.js';

interface Performance {
  series: { date: string; return: number | null }[];
  trades: { count: number; net_profit: number };
  benchmark: { symbol: string; beta: number | null } | null;
  psr: { meaning: string };
}

/**
 * The built hub on a real port: a week of fills, marks and cash flows over HTTP, the
 * performance endpoint, then `tradewatch report` and `tradewatch metrics` as a user runs them.
 */
describe('performance end to end', () => {
  let hub: HubProcess;
  let config: string;

  beforeAll(async () => {
    hub = await startHubProcess({
      configYaml: `
accounts:
  - { id: main, opening_balance: 10000 }
bots:
  - { id: alpha, account: main }
  - { id: beta, account: main }
`,
    });
    config = path.join(hub.dir, 'tradewatch.yaml');
    for (const events of WEEK) {
      const res = await hub.api('POST', '/api/v1/ingest', { events });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('serves time-weighted returns, trades and a benchmark comparison', async () => {
    const res = await hub.api<Performance>(
      'GET',
      '/api/v1/performance?scope=portfolio&from=2026-01-05&to=2026-01-09&benchmark=SPY',
    );
    expect(res.status).toBe(200);
    expect(res.body.series.map((s) => s.return).slice(0, 4)).toEqual([0.01, 0.01, -0.01, 0]);
    expect(res.body.trades).toMatchObject({ count: 3, net_profit: 128.49 });
    expect(res.body.benchmark?.symbol).toBe('SPY');
    expect(res.body.psr.meaning).toContain('5 daily returns');
  });

  it('writes an XLSX report from the command line while the hub runs', async () => {
    const out = path.join(hub.dir, 'week.xlsx');
    const run = await runCli(
      [
        '--config',
        config,
        'report',
        '--from',
        '2026-01-05',
        '--to',
        '2026-01-09',
        '--format',
        'xlsx',
        '--out',
        out,
      ],
      { cwd: hub.dir, env: { TRADEWATCH_DATA_DIR: hub.dir } },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Wrote ${out}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Trades',
      'Metrics',
      'Attribution',
      'Monthly',
    ]);
    expect(wb.getWorksheet('Trades')!.rowCount).toBe(4);
  });

  it('prints a text report and names a bad option', async () => {
    const env = { TRADEWATCH_DATA_DIR: hub.dir };
    const text = await runCli(
      ['--config', config, 'report', '--scope', 'bot:beta', '--to', '2026-01-09'],
      {
        cwd: hub.dir,
        env,
      },
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Performance report — bot:beta');
    const bad = await runCli(['--config', config, 'report', '--from', 'yesterday'], {
      cwd: hub.dir,
      env,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('tradewatch: --from: expected YYYY-MM-DD\n');
  });

  it('computes metrics of a returns file and explains a bad one', async () => {
    const file = path.join(hub.dir, 'returns.json');
    writeFileSync(file, '[0.01, 0.02, null, -0.01, 0.015]');
    const ok = await runCli(['metrics', '--returns', file, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const json = JSON.parse(ok.stdout) as { observations: number; sharpeRatio: number };
    expect(json.observations).toBe(4);
    expect(json.sharpeRatio).toBeGreaterThan(0);
    writeFileSync(file, '{"returns": []}');
    const bad = await runCli(['metrics', '--returns', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^tradewatch: .*returns\.json: expected a JSON array of returns/);
  });
});
