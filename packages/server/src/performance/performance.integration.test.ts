import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../testing/stores.js';
import { startTestHub, type TestHub } from '../testing/test-hub.js';
import { performanceModule } from './index.js';
import type { PerformanceResponse } from './schema.js';
import { at, fill, WEEK, WEEK_CONFIG } from './week.test-util.js';

describe.each(dialects)('GET /api/v1/performance on %s', (kind) => {
  let t: TestHub;
  const get = async (query: string) => t.get<PerformanceResponse>(`/api/v1/performance?${query}`);

  beforeAll(async () => {
    t = await startTestHub(kind, WEEK_CONFIG, undefined, { modules: [performanceModule] });
    for (const events of WEEK) {
      const res = await t.ingest(events);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    t.clock.set(at(9, 20));
  });
  afterAll(async () => t.close());

  it('builds time-weighted daily returns with deposits and withdrawals removed', async () => {
    const { status, body } = await get('scope=portfolio');
    expect(status).toBe(200);
    expect(body.from).toBe('2026-01-05');
    expect(body.to).toBe('2026-01-09');
    expect(body.series.map((s) => s.date)).toEqual([
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
      '2026-01-08',
      '2026-01-09',
    ]);
    const fri = 10 / 12_128.49;
    expect(body.series.map((s) => s.return)).toEqual([
      0.01,
      0.01,
      -0.01,
      0,
      expect.closeTo(fri, 15),
    ]);
    expect(body.series.map((s) => s.flows)).toEqual([0, 5000, -3000, 0, 0]);
    expect(body.series.map((s) => s.equity)).toEqual([
      10_100, 15_251, 12_128.49, 12_128.49, 12_138.49,
    ]);
    expect(body.summary).toEqual({
      start_equity: 10_000,
      end_equity: 12_138.49,
      net_flows: 2_000,
      pnl: 138.49,
    });
    expect(body.metrics.periods).toBe(5);
    expect(body.metrics.total_return).toBeCloseTo(1.01 * 1.01 * 0.99 * (1 + fri) - 1, 14);
    expect(body.metrics.max_drawdown).toBeCloseTo(-0.01, 14);
    expect(body.basis.kind).toBe('own');
    expect(body.calendar).toBe('weekdays');
    expect(body.periods_per_year).toBe(252);
  });

  it('reports trade statistics and exact attribution of closed trades', async () => {
    const { body } = await get('scope=portfolio');
    expect(body.trades).toMatchObject({
      count: 3,
      wins: 2,
      losses: 1,
      net_profit: 128.49,
      gross_profit: 251,
      gross_loss: 122.51,
      largest_win: 151,
      largest_loss: -122.51,
      max_consecutive_wins: 2,
      max_consecutive_losses: 1,
    });
    expect(body.trades.win_rate).toBeCloseTo(2 / 3, 15);
    expect(body.trades.profit_factor).toBeCloseTo(251 / 122.51, 12);
    const a = body.attribution;
    expect(a.total).toEqual({ key: 'total', trades: 3, wins: 2, losses: 1, net_pnl: 128.49 });
    expect(a.by_bot.map((g) => [g.key, g.net_pnl])).toEqual([
      ['beta', 151],
      ['alpha', -22.51],
    ]);
    expect(a.by_strategy.map((g) => [g.key, g.net_pnl])).toEqual([
      ['swing', 151],
      ['(none)', -22.51],
    ]);
    expect(a.by_symbol.map((g) => [g.key, g.net_pnl])).toEqual([
      ['ETH', 151],
      ['BTC', -22.51],
    ]);
    expect(a.by_direction.map((g) => [g.key, g.trades])).toEqual([['long', 3]]);
    expect(a.by_hour.filter((g) => g.trades > 0).map((g) => [g.hour, g.net_pnl])).toEqual([
      [11, 100],
      [14, 151],
      [16, -122.51],
    ]);
    expect(a.by_weekday.map((g) => g.net_pnl)).toEqual([100, 151, -122.51, 0, 0, 0, 0]);
    expect(a.by_weekday_hour.map((g) => g.key)).toEqual(['Mon 11', 'Tue 14', 'Wed 16']);
  });

  it('compares with buy-and-hold of a benchmark from its marks', async () => {
    const { status, body } = await get('scope=portfolio&benchmark=SPY');
    expect(status).toBe(200);
    // No SPY close before Monday: the first benchmark return is missing.
    expect(body.series.map((s) => s.benchmark_return)).toEqual([
      null,
      expect.closeTo(400 / 404 - 1, 15),
      expect.closeTo(0.02, 15),
      0,
      expect.closeTo(412 / 408 - 1, 15),
    ]);
    const b = body.benchmark!;
    expect(b.symbol).toBe('SPY');
    expect(b.observations).toBe(4);
    expect(b.total_return).toBeCloseTo(412 / 404 - 1, 14);
    expect(b.excess_return).toBeCloseTo(body.metrics.total_return! - (412 / 404 - 1), 14);
    expect(b.max_drawdown).toBeCloseTo(400 / 404 - 1, 14);
    expect(b.strategy_max_drawdown).toBeCloseTo(-0.01, 14);
    expect(b.beta).not.toBeNull();
    expect(b.correlation).toBeGreaterThanOrEqual(-1);
  });

  it('measures a bot as its contribution to its account, or on a given capital', async () => {
    const alpha = (await get('scope=bot:alpha')).body;
    const beta = (await get('scope=bot:beta')).body;
    const account = (await get('scope=account:main')).body;
    expect(alpha.basis).toMatchObject({ kind: 'scope', scope: 'account:main' });
    expect(alpha.series.map((s) => s.return)).toEqual([
      0.01,
      0,
      -0.01,
      0,
      expect.closeTo(10 / 12_128.49, 15),
    ]);
    expect(beta.series.map((s) => s.return)).toEqual([0, 0.01, 0, 0, 0]);
    account.series.forEach((s, i) =>
      expect(alpha.series[i]!.return! + beta.series[i]!.return!).toBeCloseTo(s.return!, 15),
    );
    expect(alpha.trades.count).toBe(2);
    expect(alpha.attribution.by_bot.map((g) => g.key)).toEqual(['alpha']);

    const fixed = (await get('scope=bot:alpha&capital=1000')).body;
    expect(fixed.basis).toMatchObject({ kind: 'capital', capital: 1000 });
    expect(fixed.series.map((s) => s.return)).toEqual([
      0.1,
      0,
      expect.closeTo(-122.51 / 1100, 15),
      0,
      expect.closeTo(10 / 977.49, 15),
    ]);
  });

  it('restricts to a range and to every calendar day on request', async () => {
    const mid = (await get('scope=portfolio&from=2026-01-06&to=2026-01-07')).body;
    expect(mid.series.map((s) => [s.date, s.return])).toEqual([
      ['2026-01-06', 0.01],
      ['2026-01-07', -0.01],
    ]);
    expect(mid.summary.start_equity).toBe(10_100);
    expect(mid.trades.count).toBe(2);
    const all = (await get('scope=portfolio&calendar=all&to=2026-01-11')).body;
    expect(all.periods_per_year).toBe(365);
    expect(all.series.map((s) => s.date).slice(-3)).toEqual([
      '2026-01-09',
      '2026-01-10',
      '2026-01-11',
    ]);
  });

  it('fills monthly and yearly tables and leaves short rolling windows empty', async () => {
    const { body } = await get('scope=portfolio');
    expect(body.monthly).toEqual([
      {
        period: '2026-01',
        year: 2026,
        month: 1,
        return: expect.closeTo(body.metrics.total_return!, 14),
      },
    ]);
    expect(body.yearly).toEqual([
      { year: 2026, return: expect.closeTo(body.metrics.total_return!, 14) },
    ]);
    expect(body.rolling).toEqual({ window: 63, items: [] });
    expect(body.drawdowns).toEqual([
      {
        depth: expect.closeTo(-0.01, 14),
        peak_date: '2026-01-06',
        valley_date: '2026-01-07',
        // Friday's +0.08% does not make up Wednesday's −1%: still underwater.
        recovery_date: null,
        decline_periods: 1,
        recovery_periods: null,
        duration_periods: null,
        underwater_periods: 3,
      },
    ]);
    expect(body.psr.meaning).toContain('5 daily returns');
  });

  it('follows new trades and rewritten history in later requests', async () => {
    expect((await get('scope=portfolio')).body.trades.count).toBe(3);
    // A new round trip closes on Friday: the newest trades are re-read.
    await t.ingest([
      fill({ ts: at(9, 16), bot: 'beta', symbol: 'ETH', qty: 1, price: 200 }),
      fill({ ts: at(9, 17), bot: 'beta', symbol: 'ETH', side: 'sell', qty: 1, price: 210 }),
    ]);
    const after = (await get('scope=portfolio')).body;
    expect(after.trades.count).toBe(4);
    expect(after.trades.net_profit).toBe(138.49);
    // A late fill lands inside Monday's BTC trade: history is replayed and everything re-read.
    await t.ingest([fill({ ts: at(5, 10, 30), qty: 10, price: 105 })]);
    const replayed = (await get('scope=portfolio')).body;
    const rows = await t.hub.store.db
      .selectFrom('trades')
      .select(['net'])
      .where('status', '=', 'closed')
      .execute();
    expect(replayed.trades.count).toBe(rows.length);
    expect(replayed.attribution.total.net_pnl).toBe(
      Math.round(rows.reduce((s, r) => s + Number(r.net), 0) * 100) / 100,
    );
  });

  it('answers clear errors', async () => {
    expect((await get('scope=bot:nobody')).status).toBe(404);
    const reversed = await t.get<{ message: string; details: { path: string }[] }>(
      '/api/v1/performance?from=2026-01-09&to=2026-01-05',
    );
    expect(reversed.status).toBe(400);
    expect(reversed.body.details[0]!.path).toBe('from');
    const capital = await t.get<{ message: string }>('/api/v1/performance?capital=5');
    expect(capital.status).toBe(400);
    expect(capital.body.message).toContain('capital');
    const bench = await t.get<{ message: string }>('/api/v1/performance?benchmark=NOPE');
    expect(bench.status).toBe(400);
    expect(bench.body.message).toContain('NOPE');
    expect((await t.get('/api/v1/performance?from=2026-1-5')).status).toBe(400);
    expect((await t.get('/api/v1/performance', 'not-a-token')).status).toBe(401);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await t.get<{ paths: Record<string, unknown> }>('/api/docs/json');
    expect(doc.body.paths['/api/v1/performance']).toBeDefined();
  });
});
