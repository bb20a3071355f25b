import { z } from 'zod';

/** `alerts:` — channels, routes, silences, inhibition, daily summary (issue 4). */
export const alertsConfig = z.strictObject({});
/** `risk:` — limits, portfolio-wide with per-account and per-bot overrides (issue 4). */
export const riskConfig = z.strictObject({});
export type AlertsConfig = z.output<typeof alertsConfig>;
export type RiskConfig = z.output<typeof riskConfig>;
