import { existsSync } from 'node:fs';
import { Cron } from 'croner';
import type { TradewatchConfig } from '../../config/index.js';
import { Renderer } from '../templates/render.js';

export interface ConfigReport {
  errors: string[];
  warnings: string[];
  lines: string[];
}

/**
 * Checks of the `alerts:` and `risk:` sections beyond the schema (which the config loader has
 * already applied): templates compile, the summary schedule parses, and likely mistakes.
 */
export function checkAlertsConfig(config: TradewatchConfig): ConfigReport {
  const a = config.alerts;
  const errors: string[] = [];
  const warnings: string[] = [];
  const lines: string[] = [];
  if (a.templates_dir !== undefined) {
    if (!existsSync(a.templates_dir))
      errors.push(`alerts.templates_dir: ${a.templates_dir} does not exist`);
    else {
      try {
        Renderer.load(a.templates_dir);
      } catch (error) {
        errors.push(`alerts.templates_dir: ${(error as Error).message}`);
      }
    }
  }
  try {
    new Cron(a.summary.cron, { paused: true, timezone: a.summary.timezone }).stop();
  } catch (error) {
    errors.push(
      `alerts.summary.cron: "${a.summary.cron}" is not a cron pattern (${(error as Error).message})`,
    );
  }
  const routed = new Set(a.routes.flatMap((r) => [...r.channels, ...(r.escalate?.channels ?? [])]));
  const failovers = new Set(a.channels.flatMap((c) => (c.failover ? [c.failover] : [])));
  const summaryChannels =
    a.summary.channels ??
    a.channels
      .filter((c) => ['email', 'telegram', 'slack', 'discord'].includes(c.type))
      .map((c) => c.name);
  if (a.routes.length > 0) {
    for (const c of a.channels) {
      if (!routed.has(c.name) && !failovers.has(c.name) && !summaryChannels.includes(c.name)) {
        warnings.push(
          `channel "${c.name}" is not used by any route, failover or the daily summary`,
        );
      }
    }
  }
  if (a.channels.length === 0) warnings.push('no channels: alerts only reach the hub log');
  if (a.dry_run) warnings.push('alerts.dry_run is on: every message goes to the log only');
  if (!a.enabled)
    warnings.push(
      "alerts.enabled is false: no rule is evaluated (other modules' alerts and the kill switch still work)",
    );
  if (a.summary.enabled && summaryChannels.length === 0)
    warnings.push('the daily summary has no channel (configure an email or chat channel)');
  if (
    a.telegram.enabled &&
    a.telegram.allowed_chat_ids.length === 0 &&
    a.telegram.channel === undefined
  ) {
    warnings.push('alerts.telegram has no allowed_chat_ids: the bot answers nobody');
  }
  if (config.risk.stale_market_data_s === undefined)
    lines.push('StaleMarketData is off (set risk.stale_market_data_s to turn it on)');
  lines.push(
    `${a.channels.length} channel${a.channels.length === 1 ? '' : 's'}: ${a.channels.map((c) => `${c.name} (${c.type})`).join(', ') || 'none'}`,
    `${a.routes.length === 0 ? 'no routes: every alert goes to every channel' : `${a.routes.length} route${a.routes.length === 1 ? '' : 's'}`}`,
    `${a.rules.length} rule${a.rules.length === 1 ? '' : 's'}, ${a.runbook.length} runbook entr${a.runbook.length === 1 ? 'y' : 'ies'}, ${a.inhibit_rules.length} inhibit rule${a.inhibit_rules.length === 1 ? '' : 's'}`,
    `daily summary: ${a.summary.enabled ? `${a.summary.cron} ${a.summary.timezone} to ${summaryChannels.join(', ') || 'nobody'}` : 'off'}`,
    `Telegram bot: ${a.telegram.enabled ? 'on' : 'off'}`,
  );
  return { errors, warnings, lines };
}
