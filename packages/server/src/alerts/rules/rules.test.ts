import { describe, expect, it } from 'vitest';
import { dec, ZERO } from '../../ledger/index.js';
import { PortfolioState, type BotInfo } from '../../portfolio/index.js';
import { ManualClock } from '../../time/index.js';
import { ruleConfig } from '../config.js';
import type { AlertRecord } from '../model.js';
import { buildSnapshots } from '../risk/snapshot.js';
import { builtinsFrom } from './builtins.js';
import { eventSignals } from './events.js';
import { botDownResolution, livenessSignals } from './liveness.js';
import { RuleEvaluator } from './threshold.js';

const T0 = Date.UTC(2026, 0, 5, 14, 30);
const builtins = builtinsFrom({});

function bot(over: Partial<BotInfo> = {}): BotInfo {
  return {
    id: 'alpha',
    name: 'alpha',
    framework: null,
    account: 'acc',
    heartbeatIntervalS: 30,
    firstSeenAt: T0,
    lastEventAt: T0,
    lastHeartbeatAt: T0,
    reportedStatus: null,
    version: null,
    connections: {},
    halted: false,
    updatedAt: T0,
    ...over,
  };
}

function stateWith(...bots: BotInfo[]) {
  const state = new PortfolioState();
  for (const b of bots) state.bots.set(b.id, b);
  return state;
}

const settings = { defaultIntervalS: 30, staleMarketDataS: null };

describe("dead-man's switch", () => {
  it('raises BotDown only once no heartbeat came for more than twice the interval', () => {
    const clock = new ManualClock(T0);
    const state = stateWith(bot({ heartbeatIntervalS: 1 }));
    clock.set(T0 + 2_000);
    expect(livenessSignals(state, clock.now(), settings, builtins).signals).toEqual([]);
    clock.set(T0 + 2_001);
    const [down] = livenessSignals(state, clock.now(), settings, builtins).signals;
    expect(down).toMatchObject({
      name: 'BotDown',
      severity: 'critical',
      labels: { bot: 'alpha', account: 'acc' },
    });
  });

  it("uses the hub's default interval when the bot never said one", () => {
    const state = stateWith(bot({ heartbeatIntervalS: null }));
    expect(livenessSignals(state, T0 + 60_000, settings, builtins).signals).toEqual([]);
    expect(livenessSignals(state, T0 + 60_001, settings, builtins).signals).toHaveLength(1);
  });

  it('never raises BotDown for a bot that has not sent a heartbeat yet', () => {
    const state = stateWith(bot({ lastHeartbeatAt: null }));
    expect(livenessSignals(state, T0 + 86_400_000, settings, builtins).signals).toEqual([]);
  });

  it('tells the downtime when the bot is back', () => {
    const down = livenessSignals(stateWith(bot()), T0 + 61_000, settings, builtins).signals[0]!;
    const alert = {
      name: 'BotDown',
      labels: { bot: 'alpha' },
      annotations: down.annotations,
    } as unknown as AlertRecord;
    const back = stateWith(bot({ lastHeartbeatAt: T0 + 125_000 }));
    expect(botDownResolution(alert, back)).toEqual({
      resolved: 'Bot alpha is back after 2m 5s without heartbeats',
      downtime_s: '125',
    });
  });

  it('raises ConnectionLost per connection reported down', () => {
    const state = stateWith(bot({ connections: { broker: 'down', data: 'up' } }));
    const { signals } = livenessSignals(state, T0, settings, builtins);
    expect(signals).toEqual([
      expect.objectContaining({
        name: 'ConnectionLost',
        labels: { bot: 'alpha', account: 'acc', connection: 'broker' },
      }),
    ]);
  });

  it('can be switched off per built-in', () => {
    const off = builtinsFrom({ BotDown: { enabled: false } });
    expect(livenessSignals(stateWith(bot()), T0 + 3_600_000, settings, off).signals).toEqual([]);
  });
});

describe('event alerts', () => {
  const money = (v: bigint) => (Number(v / 10n ** 16n) / 100).toFixed(2);
  const order = (over: Record<string, unknown>) => ({
    bot: 'alpha',
    order_id: 'o1',
    account: 'acc',
    symbol: 'AAPL',
    side: 'sell',
    qty: '10',
    order_type: 'market',
    limit_price: null,
    stop_price: null,
    status: 'accepted',
    is_open: 1,
    reason: null,
    strategy: null,
    filled_qty: '0',
    filled_value: '0',
    created_at: T0,
    updated_at: T0,
    status_ts: T0,
    status_seq: 1,
    first_fill_at: null,
    last_event_id: 'e1',
    ...over,
  });
  const run = (input: Partial<Parameters<typeof eventSignals>[0]>, b = builtins) =>
    eventSignals(
      { fills: [], orders: [], trades: [], signals: [], ...input },
      { orderLatencyMs: 5_000, money },
      b,
    );

  it('reports rejected orders, filled stops and slow market orders once each', () => {
    const signals = run({
      orders: [
        order({ status: 'rejected', reason: 'insufficient margin' }),
        order({
          order_id: 'o2',
          order_type: 'stop',
          stop_price: '95',
          status: 'filled',
          filled_qty: '10',
          filled_value: '949',
        }),
        order({ order_id: 'o3', first_fill_at: T0 + 6_000 }),
        order({ order_id: 'o4', first_fill_at: T0 + 4_000 }),
      ],
    });
    expect(signals.map((s) => [s.name, s.labels.order_id, s.oneshot])).toEqual([
      ['OrderRejected', 'o1', true],
      ['StopLossHit', 'o2', true],
      ['OrderLatencyHigh', 'o3', true],
    ]);
    expect(signals[0]!.annotations.summary).toContain('insufficient margin');
    expect(signals[1]!.annotations.summary).toContain('at 94.9');
  });

  it('leaves TradeExecuted and SignalReceived off unless enabled', () => {
    const signal = { bot: 'alpha', ts: T0, symbol: 'AAPL', direction: 'long' };
    expect(run({ signals: [signal] })).toEqual([]);
    const on = builtinsFrom({ SignalReceived: { enabled: true } });
    expect(run({ signals: [signal] }, on)).toEqual([
      expect.objectContaining({
        name: 'SignalReceived',
        severity: 'info',
        labels: expect.objectContaining({ direction: 'long' }),
      }),
    ]);
  });
});

describe('user threshold rules', () => {
  function snaps(equity: number, now: number) {
    const state = new PortfolioState();
    state.accounts.set('acc', {
      id: 'acc',
      name: 'acc',
      broker: null,
      currency: 'USD',
      mode: 'paper',
      opening: dec(equity),
      cashFlows: ZERO,
      configured: true,
      createdAt: T0,
    });
    return buildSnapshots({
      state,
      day: new Map([['portfolio', { start: dec(10_000), cashFlows: ZERO }]]),
      stops: [],
      now,
    });
  }

  it('fires once the condition has held for `for`, and forgets it when it stops holding', () => {
    const rules = new RuleEvaluator([
      ruleConfig.parse({
        name: 'DayLoss',
        metric: 'day_pnl',
        op: '<',
        value: -100,
        for: '1m',
        severity: 'critical',
      }),
    ]);
    expect(rules.evaluate(snaps(9_850, T0), T0)).toEqual([]);
    expect(rules.evaluate(snaps(9_850, T0 + 59_000), T0 + 59_000)).toEqual([]);
    const [fired] = rules.evaluate(snaps(9_850, T0 + 60_000), T0 + 60_000);
    expect(fired).toMatchObject({
      name: 'DayLoss',
      severity: 'critical',
      labels: { scope: 'portfolio', rule: 'DayLoss' },
    });
    expect(fired!.annotations.summary).toBe('day_pnl is -150 (< -100) on portfolio');
    // The condition lapses: the wait starts over.
    expect(rules.evaluate(snaps(10_000, T0 + 61_000), T0 + 61_000)).toEqual([]);
    expect(rules.evaluate(snaps(9_850, T0 + 62_000), T0 + 62_000)).toEqual([]);
  });
});
