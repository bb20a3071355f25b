import { describe, expect, it } from 'vitest';
import {
  applyFill,
  dec,
  decToNumber,
  emptyState,
  ZERO,
  type KeyState,
} from '../../ledger/index.js';
import { keyString, PortfolioState } from '../../portfolio/index.js';
import { riskConfig } from '../config.js';
import { evaluateLimits, utilization } from './evaluate.js';
import { buildSnapshots, scopeMetrics, type StopOrder } from './snapshot.js';

const T0 = Date.UTC(2026, 0, 5, 14, 30);

/** A portfolio with one account (opening 10,000) and positions bought at `price`. */
function portfolio(
  positions: {
    bot: string;
    symbol: string;
    qty: number;
    price: number;
    mark?: number;
    side?: 'buy' | 'sell';
  }[],
) {
  const state = new PortfolioState();
  state.accounts.set('acc', {
    id: 'acc',
    name: 'acc',
    broker: null,
    currency: 'USD',
    mode: 'paper',
    opening: dec(10_000),
    cashFlows: ZERO,
    configured: true,
    createdAt: T0,
  });
  let seq = 0;
  for (const p of positions) {
    const key = { account: 'acc', bot: p.bot, symbol: p.symbol };
    const existing: KeyState = state.keys.get(keyString(key)) ?? emptyState(key, dec(1));
    const r = applyFill(existing, {
      seq: ++seq,
      id: `f${seq}`,
      ts: T0 + seq,
      side: p.side ?? 'buy',
      qty: dec(p.qty),
      price: dec(p.price),
      fee: ZERO,
      strategy: null,
    });
    state.keys.set(keyString(key), r.state);
    if (p.mark !== undefined) {
      state.marks.set(p.symbol, {
        price: dec(p.mark),
        bid: null,
        ask: null,
        ts: T0,
        bot: p.bot,
        receivedAt: T0,
        bar: null,
      });
    }
    if (!state.bots.has(p.bot)) {
      state.bots.set(p.bot, {
        id: p.bot,
        name: p.bot,
        framework: null,
        account: 'acc',
        heartbeatIntervalS: null,
        firstSeenAt: T0,
        lastEventAt: T0,
        lastHeartbeatAt: T0,
        reportedStatus: null,
        version: null,
        connections: {},
        halted: false,
        updatedAt: T0,
      });
    }
  }
  return state;
}

function snapshots(
  state: PortfolioState,
  day: Record<string, number> = {},
  stops: StopOrder[] = [],
) {
  return buildSnapshots({
    state,
    day: new Map(Object.entries(day).map(([k, v]) => [k, { start: dec(v), cashFlows: ZERO }])),
    stops,
    now: T0 + 10_000,
  });
}

const stop = (bot: string, symbol: string, qty: number, price: number): StopOrder => ({
  bot,
  account: 'acc',
  symbol,
  side: 'sell',
  qty: dec(qty),
  filledQty: ZERO,
  stopPrice: dec(price),
});

describe('risk limits', () => {
  it('breaches the daily loss limit when the day loss reaches it (amount or % of start-of-day equity)', () => {
    // Bought 100 @ 50, now 44: -600 on the day.
    const state = portfolio([{ bot: 'b1', symbol: 'X', qty: 100, price: 50, mark: 44 }]);
    const snaps = snapshots(state, { portfolio: 10_000, 'bot:b1': 0 });
    const risk = riskConfig.parse({
      daily_loss_limit: 500,
      bots: { b1: { daily_loss_limit: '2%' } },
    });
    const [portfolioLimit] = evaluateLimits(risk, snaps);
    expect(portfolioLimit).toMatchObject({
      alert: 'DailyLossLimit',
      scope: 'portfolio',
      breached: true,
      labels: { scope: 'portfolio' },
    });
    expect(decToNumber(portfolioLimit!.current!)).toBe(600);
    expect(utilization(portfolioLimit!)).toBe(120);
    // 2% of a bot's start-of-day equity of 0 cannot be resolved: reported, never breached.
    const botLimit = evaluateLimits(risk, snaps).find((s) => s.scope === 'bot:b1')!;
    expect(botLimit).toMatchObject({ threshold: null, breached: false });
  });

  it('does not breach on a gain or a loss short of the limit', () => {
    const state = portfolio([{ bot: 'b1', symbol: 'X', qty: 100, price: 50, mark: 46 }]);
    const [s] = evaluateLimits(
      riskConfig.parse({ daily_loss_limit: 500 }),
      snapshots(state, { portfolio: 10_000 }),
    );
    expect(s!.breached).toBe(false);
  });

  it('measures exposure over equity and flags positions above the value or quantity limit', () => {
    const state = portfolio([
      { bot: 'b1', symbol: 'X', qty: 100, price: 100, mark: 100 },
      { bot: 'b2', symbol: 'Y', qty: 300, price: 50, mark: 50 },
    ]);
    const risk = riskConfig.parse({
      max_gross_exposure_pct: 200,
      max_position_value: '100%',
      symbols: { X: { max_position_qty: 50 } },
    });
    const statuses = evaluateLimits(risk, snapshots(state));
    const byKey = Object.fromEntries(
      statuses.map((s) => [`${s.alert}:${s.limit}:${s.symbol ?? ''}`, s]),
    );
    // 25,000 gross over 10,000 equity = 250 %.
    expect(decToNumber(byKey['ExposureLimit:max_gross_exposure_pct:']!.current!)).toBe(250);
    expect(byKey['ExposureLimit:max_gross_exposure_pct:']!.breached).toBe(true);
    expect(byKey['PositionLimit:max_position_value:Y']).toMatchObject({
      breached: true,
      labels: { symbol: 'Y', limit: 'value' },
    });
    expect(byKey['PositionLimit:max_position_value:X']!.breached).toBe(false);
    expect(byKey['PositionLimit:max_position_qty:X']).toMatchObject({ breached: true });
  });

  it('counts open positions and cash below the minimum (opening + cash flows + realized)', () => {
    const state = portfolio([
      { bot: 'b1', symbol: 'X', qty: 1, price: 10 },
      { bot: 'b1', symbol: 'Y', qty: 1, price: 10 },
    ]);
    const statuses = evaluateLimits(
      riskConfig.parse({ max_open_positions: 1, min_balance: 10_001 }),
      snapshots(state),
    );
    expect(statuses.map((s) => [s.alert, s.breached])).toEqual([
      ['MaxOpenPositions', true],
      ['LowBalance', true],
    ]);
  });

  it('applies "*" under an id’s own limits', () => {
    const state = portfolio([
      { bot: 'b1', symbol: 'X', qty: 10, price: 10 },
      { bot: 'b2', symbol: 'X', qty: 10, price: 10 },
    ]);
    const risk = riskConfig.parse({
      bots: { '*': { max_open_positions: 5 }, b2: { max_open_positions: 0 } },
    });
    const statuses = evaluateLimits(risk, snapshots(state));
    expect(statuses.map((s) => [s.scope, s.breached])).toEqual([
      ['bot:b1', false],
      ['bot:b2', true],
    ]);
  });
});

describe('portfolio heat', () => {
  it('is the loss to each protective stop, plus the whole value of what no stop covers', () => {
    const state = portfolio([
      { bot: 'b1', symbol: 'X', qty: 100, price: 50, mark: 50 }, // stop at 45 on 60 of 100
      { bot: 'b1', symbol: 'Y', qty: 10, price: 100, mark: 100 }, // no stop
    ]);
    const snaps = snapshots(state, {}, [stop('b1', 'X', 60, 45)]);
    const p = snaps.find((s) => s.scope === 'portfolio')!;
    // X: 60 × 5 = 300 covered, 40 × 50 = 2,000 uncovered; Y: 1,000 uncovered.
    expect(decToNumber(p.heat)).toBe(3_300);
    expect(p.unprotected).toEqual(['X', 'Y']);
    expect(decToNumber(scopeMetrics(p).heat_pct!)).toBe(33);
    const [heat] = evaluateLimits(riskConfig.parse({ max_portfolio_heat_pct: 6 }), snaps);
    expect(heat).toMatchObject({ alert: 'PortfolioHeat', breached: true });
    expect(heat!.summary()).toContain('without a stop: X, Y');
  });

  it('ignores stops on the wrong side and counts a stop above the mark as no loss', () => {
    const state = portfolio([{ bot: 'b1', symbol: 'X', qty: 10, price: 50, mark: 60 }]);
    const trailing = stop('b1', 'X', 10, 61);
    const wrongSide = { ...stop('b1', 'X', 10, 40), side: 'buy' };
    const p = snapshots(state, {}, [trailing, wrongSide]).find((s) => s.scope === 'portfolio')!;
    expect(decToNumber(p.heat)).toBe(0);
    expect(p.unprotected).toEqual([]);
  });
});

describe('drawdown', () => {
  it('is measured from the stored peak of cash-flow-adjusted equity', () => {
    const state = portfolio([{ bot: 'b1', symbol: 'X', qty: 100, price: 50, mark: 40 }]);
    state.peaks.set('portfolio', dec(10_000));
    const p = snapshots(state).find((s) => s.scope === 'portfolio')!;
    expect(decToNumber(scopeMetrics(p).drawdown_pct!)).toBe(10);
    const [dd] = evaluateLimits(riskConfig.parse({ max_drawdown_pct: 10 }), [p]);
    expect(dd!.breached).toBe(true);
  });
});
