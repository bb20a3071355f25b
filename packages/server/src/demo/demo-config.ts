/** Accounts and instruments of the demo (used when no configuration file names its own). */
export const DEMO_CONFIG = {
  accounts: [
    {
      id: 'binance-paper',
      name: 'Binance (paper)',
      broker: 'Binance',
      currency: 'USD',
      opening_balance: 0,
      mode: 'paper',
    },
    {
      id: 'ibkr-paper',
      name: 'IBKR (paper)',
      broker: 'Interactive Brokers',
      currency: 'USD',
      opening_balance: 0,
      mode: 'paper',
    },
    {
      id: 'futures-paper',
      name: 'Futures (paper)',
      broker: 'NinjaTrader',
      currency: 'USD',
      opening_balance: 0,
      mode: 'paper',
    },
  ],
  instruments: [{ symbol: 'ES', multiplier: 50, currency: 'USD' }],
} as const;
