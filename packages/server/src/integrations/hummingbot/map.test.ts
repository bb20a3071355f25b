import { describe, expect, it } from 'vitest';
import { hummingbotFee, mapHummingbot, type KnownOrder } from './map.js';

const ctx = () => ({
  bot: 'b',
  instance: 'i',
  now: 1_704_189_600_000,
  orders: new Map<string, KnownOrder>(),
});

describe('Hummingbot fees', () => {
  it('computes a percentage fee on the notional exactly, in the percent token', () => {
    expect(
      hummingbotFee(
        { percent: '0.001', percent_token: 'USDT', flat_fees: [] },
        '42000.10',
        '0.01',
        'USDT',
      ),
    ).toEqual({
      fee: 0.420001,
      currency: 'USDT',
    });
  });

  it('adds flat fees in the same token and ignores others', () => {
    const fee = {
      percent: '0.001',
      percent_token: null,
      flat_fees: [
        { token: 'USDT', amount: '0.1' },
        { token: 'BNB', amount: '0.001' },
      ],
    };
    expect(hummingbotFee(fee, '100', '2', 'USDT')).toEqual({ fee: 0.3, currency: 'USDT' });
  });

  it('takes the first flat fee token when there is no percentage', () => {
    expect(
      hummingbotFee({ percent: '0', flat_fees: [['BNB', '0.00002']] }, '1', '1', 'USDT'),
    ).toEqual({
      fee: 0.00002,
      currency: 'BNB',
    });
  });
});

describe('Hummingbot messages', () => {
  it('remembers created orders so a cancel becomes an order update', () => {
    const c = ctx();
    mapHummingbot(
      'events',
      {
        timestamp: 1,
        type: 'SellOrderCreated',
        data: { order_id: 'o1', trading_pair: 'ETH-USDT', amount: '1', price: '2000', type: 2 },
      },
      c,
    );
    const r = mapHummingbot(
      'events',
      { timestamp: 2, type: 'OrderCancelled', data: { order_id: 'o1' } },
      c,
    );
    expect(r.events[0]).toMatchObject({
      type: 'order',
      status: 'cancelled',
      side: 'sell',
      symbol: 'ETH-USDT',
      qty: 1,
    });
    expect(c.orders.size).toBe(0);
  });

  it('logs a cancel of an order it never saw', () => {
    const r = mapHummingbot(
      'events',
      { timestamp: 2, type: 'OrderCancelled', data: { order_id: 'x' } },
      ctx(),
    );
    expect(r.events[0]).toMatchObject({ type: 'log', message: 'OrderCancelled x' });
  });

  it('reads trade types as numbers or names', () => {
    const fill = (trade_type: unknown) =>
      mapHummingbot(
        'events',
        {
          timestamp: 3,
          type: 'OrderFilled',
          data: { trading_pair: 'A-B', trade_type, price: '1', amount: '1' },
        },
        ctx(),
      ).events[0];
    expect(fill(2)).toMatchObject({ side: 'sell' });
    expect(fill('BUY')).toMatchObject({ side: 'buy' });
    expect(fill('TradeType.SELL')).toMatchObject({ side: 'sell' });
  });
});
