import { describe, expect, it } from 'vitest';
import { expectClose } from './empyrical.fixtures.js';
import { tradeStats } from './trades.js';

const hour = 3_600_000;
// W L W L B W L L; expected values checked by hand and with numpy (freqtrade's
// calculate_expectancy, backtesting.py's SQN and Kelly formulas).
const trades = [
  { pnl: 120, durationMs: 1 * hour, returnPct: 0.012, symbol: 'BTC/USDT' },
  { pnl: -50, durationMs: 2 * hour, returnPct: -0.005 },
  { pnl: 80, durationMs: 0.5 * hour, returnPct: 0.008 },
  { pnl: -30, returnPct: -0.003 },
  { pnl: 0, durationMs: (1 / 6) * hour, returnPct: 0 },
  { pnl: 200, durationMs: 24 * hour, returnPct: 0.02 },
  { pnl: -40, durationMs: 1 * hour, returnPct: -0.004 },
  { pnl: -60, durationMs: 1.5 * hour },
];

describe('tradeStats', () => {
  const s = tradeStats(trades);

  it('counts wins, losses and breakevens; win rate is wins over all trades (freqtrade)', () => {
    expect(s).toMatchObject({ count: 8, wins: 3, losses: 4, breakevens: 1 });
    expect(s.winRate).toBe(0.375);
    expect(s.lossRate).toBe(0.5);
  });

  it('sums gross profit and loss and gives the profit factor', () => {
    expect(s).toMatchObject({ grossProfit: 400, grossLoss: 180, netProfit: 220 });
    expectClose(s.profitFactor, 2.2222222222222223, 14);
  });

  it('gives average and largest win and loss and the payoff ratio', () => {
    expectClose(s.averageWin, 400 / 3, 12);
    expect(s.averageLoss).toBe(-45);
    expectClose(s.payoffRatio, 2.9629629629629632, 14);
    expect(s).toMatchObject({ largestWin: 200, largestLoss: -60 });
  });

  it("gives expectancy and freqtrade's expectancy ratio", () => {
    expect(s.expectancy).toBe(27.5);
    expectClose(s.expectancyRatio, 0.48611111111111116, 14);
  });

  it('gives SQN = √n · mean / sample std and the Kelly fraction', () => {
    expectClose(s.sqn, 0.817623560871883, 14);
    expectClose(s.kellyCriterion, 0.16406250000000003, 14);
  });

  it('finds the longest streaks in the given order, a breakeven ending both', () => {
    expect(s.maxConsecutiveWins).toBe(1);
    expect(s.maxConsecutiveLosses).toBe(2);
    expect(tradeStats([{ pnl: 1 }, { pnl: 2 }, { pnl: 0 }, { pnl: 3 }]).maxConsecutiveWins).toBe(2);
  });

  it('averages durations and returns over the trades that carry them', () => {
    expectClose(s.averageDurationMs, 15514285.714285715, 6);
    expectClose(s.averageWinDurationMs, 30_600_000, 6);
    expectClose(s.averageLossDurationMs, 5_400_000, 6);
    expectClose(s.averageReturnPct, 0.004, 15);
    expectClose(s.averageWinReturnPct, 0.013333333333333334, 15);
    expectClose(s.averageLossReturnPct, -0.004, 15);
  });

  it('handles no trades, all winners and all losers', () => {
    const none = tradeStats([]);
    expect(none.count).toBe(0);
    expect(none.winRate).toBeNaN();
    expect(none.profitFactor).toBeNaN();
    expect(none.sqn).toBeNaN();
    const winners = tradeStats([{ pnl: 10 }, { pnl: 20 }]);
    expect(winners.profitFactor).toBe(Infinity);
    expect(winners.expectancyRatio).toBe(Infinity);
    expect(winners.averageLoss).toBeNaN();
    expect(winners.kellyCriterion).toBeNaN();
    const losers = tradeStats([{ pnl: -10 }, { pnl: -20 }]);
    expect(losers.profitFactor).toBe(0);
    expect(losers.expectancyRatio).toBe(-1);
  });

  it('accepts any trade type that carries the fields, with nulls for unknowns', () => {
    interface LedgerTrip {
      symbol: string;
      pnl: number;
      durationMs: number | null;
    }
    const trips: LedgerTrip[] = [
      { symbol: 'ETH/USDT', pnl: 5, durationMs: null },
      { symbol: 'ETH/USDT', pnl: -2, durationMs: 1000 },
    ];
    const stats = tradeStats(trips);
    expect(stats.netProfit).toBe(3);
    expect(stats.averageDurationMs).toBe(1000);
  });

  it('rejects a trade without a finite pnl, naming it', () => {
    expect(() => tradeStats([{ pnl: 1 }, { pnl: NaN }])).toThrow(/trades\[1\]\.pnl/);
  });
});
