import { z } from 'zod';
import { ACCOUNT_MODES } from '@tradewatch/protocol';
import { alertsConfig, riskConfig } from '../alerts/config.js';
import { clusterConfig } from '../cluster/config.js';
import { healthConfig, probesConfig } from '../health/config.js';
import { integrationsConfig } from '../integrations/config.js';
import { backupConfig, securityConfig } from '../ops/config.js';
import { webConfig } from '../web/config.js';

const decimalLike = z
  .union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal number')])
  .transform((v) => String(v));

export const accountConfig = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : -'),
  name: z.string().min(1).max(128).optional(),
  broker: z.string().max(128).optional(),
  currency: z.string().min(1).max(16).default('USD'),
  opening_balance: decimalLike.default('0'),
  mode: z.enum(ACCOUNT_MODES).default('paper'),
});
export type AccountConfig = z.output<typeof accountConfig>;

export const instrumentConfig = z.strictObject({
  symbol: z.string().min(1).max(64),
  multiplier: z.number().finite().positive().default(1),
  currency: z.string().min(1).max(16).optional(),
});
export type InstrumentConfig = z.output<typeof instrumentConfig>;

export const botConfig = z.strictObject({
  id: z.string().min(1).max(64),
  name: z.string().max(128).optional(),
  framework: z.string().max(64).optional(),
  account: z.string().max(64).optional(),
  heartbeat_interval_s: z.number().positive().max(86_400).optional(),
});

export const serverConfig = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8080),
  /** The URL users reach the hub at (links in notifications, the demo's login URL). */
  public_url: z.url().optional(),
  trust_proxy: z.boolean().default(false),
});

export const databaseConfig = z.strictObject({
  /** `sqlite:PATH` or `postgres://…`; default `sqlite:<data_dir>/tradewatch.db`. */
  url: z.string().min(1).optional(),
  /** SQLite fsync policy: `full` makes every acknowledged batch survive power loss (the default). */
  sqlite_synchronous: z.enum(['full', 'normal']).default('full'),
});

export const configSchema = z.strictObject({
  server: serverConfig.default(serverConfig.parse({})),
  data_dir: z.string().min(1).default('./data'),
  database: databaseConfig.default(databaseConfig.parse({})),
  /** IANA time zone that defines trading-day boundaries. */
  timezone: z
    .string()
    .default('UTC')
    .refine(isValidTimeZone, 'not an IANA time zone (e.g. UTC, America/New_York)'),
  base_currency: z.string().min(1).max(16).default('USD'),
  /** Currency precision for rounding money on output (decimals); default 2, crypto-style codes may set 8. */
  currency_decimals: z.record(z.string(), z.number().int().min(0).max(12)).default({}),
  default_heartbeat_interval_s: z.number().positive().max(86_400).default(30),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  accounts: z.array(accountConfig).default([]),
  instruments: z.array(instrumentConfig).default([]),
  bots: z.array(botConfig).default([]),
  // Sections owned by feature modules (each defined in the module's own config.ts).
  web: webConfig.default(webConfig.parse({})),
  alerts: alertsConfig.default(alertsConfig.parse({})),
  risk: riskConfig.default(riskConfig.parse({})),
  health: healthConfig.default(healthConfig.parse({})),
  probes: probesConfig.default([]),
  /** URL the hub pings every N seconds so an outside service notices when the hub dies. */
  self_heartbeat_url: z.url().optional(),
  backup: backupConfig.default(backupConfig.parse({})),
  security: securityConfig.default(securityConfig.parse({})),
  integrations: integrationsConfig.default(integrationsConfig.parse({})),
  cluster: clusterConfig.default(clusterConfig.parse({})),
});

export type TradewatchConfig = z.output<typeof configSchema>;
export type TradewatchConfigInput = z.input<typeof configSchema>;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
