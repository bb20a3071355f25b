import { dec, ONE, type Dec } from '../ledger/index.js';
import type { TradewatchConfig } from '../config/index.js';

/** What ingest needs from the configuration, resolved once. */
export interface IngestSettings {
  timezone: string;
  baseCurrency: string;
  defaultHeartbeatIntervalS: number;
  multiplier(symbol: string): Dec;
}

export function ingestSettings(config: TradewatchConfig): IngestSettings {
  const multipliers = new Map(config.instruments.map((i) => [i.symbol, dec(i.multiplier)]));
  return {
    timezone: config.timezone,
    baseCurrency: config.base_currency,
    defaultHeartbeatIntervalS: config.default_heartbeat_interval_s,
    multiplier: (symbol) => multipliers.get(symbol) ?? ONE,
  };
}

/** Account used when neither the event nor the bot names one. */
export const DEFAULT_ACCOUNT = 'default';
