/**
 * The fields of a closed round trip that {@link tradeStats} reads. Any object with them will
 * do; other fields (symbol, side, times…) are ignored.
 */
export interface RoundTripTrade {
  /** Realised profit or loss in account currency, after fees. */
  pnl: number;
  /** Return of the trade as a fraction (0.02 = +2%), if known. */
  returnPct?: number | null;
  /** Holding time in milliseconds, if known. */
  durationMs?: number | null;
}

/** Round-trip statistics; see {@link tradeStats} for the definitions. */
export interface TradeStats {
  count: number;
  wins: number;
  losses: number;
  /** Trades with pnl exactly 0. */
  breakevens: number;
  /** wins / count (breakevens count as trades, as in freqtrade and backtesting.py). */
  winRate: number;
  /** losses / count. */
  lossRate: number;
  /** Sum of winning pnl (≥ 0). */
  grossProfit: number;
  /** Sum of losing pnl as a positive number. */
  grossLoss: number;
  netProfit: number;
  /** grossProfit / grossLoss; Infinity with no losses, NaN with neither. */
  profitFactor: number;
  /** Mean pnl of winners; NaN without winners. */
  averageWin: number;
  /** Mean pnl of losers (negative); NaN without losers. */
  averageLoss: number;
  /** averageWin / |averageLoss| (risk–reward); 0 without winners, Infinity without losers. */
  payoffRatio: number;
  /** Best trade pnl and worst trade pnl (negative when there are losses); NaN when empty. */
  largestWin: number;
  largestLoss: number;
  /** Mean pnl per trade = winRate·averageWin + lossRate·averageLoss. */
  expectancy: number;
  /**
   * freqtrade's expectancy ratio (1 + payoffRatio)·winRate − 1: expected profit per unit of
   * average loss risked. Infinity with winners and no losers; NaN with neither.
   */
  expectancyRatio: number;
  /** System Quality Number (Van Tharp): sqrt(count)·mean(pnl)/std(pnl, ddof 1). */
  sqn: number;
  /** Longest runs of consecutive winners and losers (a breakeven ends both). */
  maxConsecutiveWins: number;
  maxConsecutiveLosses: number;
  /** Mean holding time over trades that carry `durationMs`; NaN when none do. */
  averageDurationMs: number;
  averageWinDurationMs: number;
  averageLossDurationMs: number;
  /** Mean `returnPct` over trades that carry it (all, winners by pnl, losers by pnl). */
  averageReturnPct: number;
  averageWinReturnPct: number;
  averageLossReturnPct: number;
  /** Kelly fraction winRate − (1 − winRate)/payoffRatio; NaN without both winners and losers. */
  kellyCriterion: number;
}

class MeanAccumulator {
  private sum = 0;
  private count = 0;
  add(v: number | null | undefined): void {
    if (typeof v === 'number' && Number.isFinite(v)) {
      this.sum += v;
      this.count++;
    }
  }
  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }
}

/**
 * Statistics of closed round trips, in the order given (streaks depend on it; pass trades
 * ordered by close time). pnl must be finite; a trade is a win when pnl > 0, a loss when
 * pnl < 0. Definitions follow freqtrade (win rate, expectancy, expectancy ratio) and
 * backtesting.py (SQN, Kelly).
 *
 * @example
 * tradeStats([{ pnl: 120 }, { pnl: -50 }, { pnl: 80 }, { pnl: -30 }]);
 * // { count: 4, winRate: 0.5, profitFactor: 2.5, payoffRatio: 2.5, expectancy: 30, … }
 */
export function tradeStats<T extends RoundTripTrade>(trades: readonly T[]): TradeStats {
  let wins = 0;
  let losses = 0;
  let breakevens = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let largestWin = -Infinity;
  let largestLoss = Infinity;
  let winStreak = 0;
  let lossStreak = 0;
  let maxWinStreak = 0;
  let maxLossStreak = 0;
  let sum = 0;
  const duration = new MeanAccumulator();
  const winDuration = new MeanAccumulator();
  const lossDuration = new MeanAccumulator();
  const ret = new MeanAccumulator();
  const winRet = new MeanAccumulator();
  const lossRet = new MeanAccumulator();
  trades.forEach((t, i) => {
    const pnl = t.pnl;
    if (typeof pnl !== 'number' || !Number.isFinite(pnl)) {
      throw new RangeError(`trades[${i}].pnl must be a finite number, got ${String(pnl)}`);
    }
    sum += pnl;
    if (pnl > largestWin) largestWin = pnl;
    if (pnl < largestLoss) largestLoss = pnl;
    duration.add(t.durationMs);
    ret.add(t.returnPct);
    if (pnl > 0) {
      wins++;
      grossProfit += pnl;
      winDuration.add(t.durationMs);
      winRet.add(t.returnPct);
      winStreak++;
      lossStreak = 0;
    } else if (pnl < 0) {
      losses++;
      grossLoss -= pnl;
      lossDuration.add(t.durationMs);
      lossRet.add(t.returnPct);
      lossStreak++;
      winStreak = 0;
    } else {
      breakevens++;
      winStreak = 0;
      lossStreak = 0;
    }
    if (winStreak > maxWinStreak) maxWinStreak = winStreak;
    if (lossStreak > maxLossStreak) maxLossStreak = lossStreak;
  });
  const count = trades.length;
  const mean = count === 0 ? NaN : sum / count;
  let ss = 0;
  for (const t of trades) ss += (t.pnl - mean) ** 2;
  const std = count > 1 ? Math.sqrt(ss / (count - 1)) : NaN;
  const averageWin = wins === 0 ? NaN : grossProfit / wins;
  const averageLoss = losses === 0 ? NaN : -grossLoss / losses;
  const winRate = count === 0 ? NaN : wins / count;
  // freqtrade counts a missing side as an average of 0.
  const payoffRatio =
    losses > 0 ? (wins > 0 ? averageWin : 0) / -averageLoss : wins > 0 ? Infinity : NaN;
  return {
    count,
    wins,
    losses,
    breakevens,
    winRate,
    lossRate: count === 0 ? NaN : losses / count,
    grossProfit,
    grossLoss,
    netProfit: sum,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : NaN,
    averageWin,
    averageLoss,
    payoffRatio,
    largestWin: count === 0 ? NaN : largestWin,
    largestLoss: count === 0 ? NaN : largestLoss,
    expectancy: mean,
    expectancyRatio: losses > 0 ? (1 + payoffRatio) * winRate - 1 : wins > 0 ? Infinity : NaN,
    sqn: std > 0 ? (Math.sqrt(count) * mean) / std : NaN,
    maxConsecutiveWins: maxWinStreak,
    maxConsecutiveLosses: maxLossStreak,
    averageDurationMs: duration.mean,
    averageWinDurationMs: winDuration.mean,
    averageLossDurationMs: lossDuration.mean,
    averageReturnPct: ret.mean,
    averageWinReturnPct: winRet.mean,
    averageLossReturnPct: lossRet.mean,
    kellyCriterion: wins > 0 && losses > 0 ? winRate - (1 - winRate) / payoffRatio : NaN,
  };
}
