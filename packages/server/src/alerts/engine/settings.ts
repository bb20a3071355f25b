import { randomUUID } from 'node:crypto';
import type { AlertsConfig } from '../config.js';
import { compileInhibitRules, type ChannelInfo, type CoreSettings } from './core.js';
import { compileRoutes } from './routing.js';

/** Compiles the `alerts:` section into the engine's settings. */
export function coreSettingsFrom(
  config: AlertsConfig,
  options: { timezone: string; externalUrl: string; newId?: () => string },
): CoreSettings {
  const channels = new Map<string, ChannelInfo>();
  const global = config.throttle
    ? { max: config.throttle.max, windowMs: config.throttle.window }
    : null;
  channels.set('log', {
    name: 'log',
    type: 'log',
    minSeverity: 'info',
    sendResolved: true,
    throttle: null,
  });
  for (const c of config.channels) {
    channels.set(c.name, {
      name: c.name,
      type: c.type,
      minSeverity: c.min_severity,
      sendResolved: c.send_resolved,
      throttle: c.throttle
        ? { max: c.throttle.max, windowMs: c.throttle.window }
        : c.type === 'log'
          ? null
          : global,
    });
  }
  return {
    routes: compileRoutes(config, options.timezone),
    inhibit: compileInhibitRules(config.inhibit_rules),
    channels,
    eventTtlMs: config.event_alert_ttl,
    maxAlertsPerMessage: config.max_alerts_per_message,
    externalUrl: options.externalUrl.replace(/\/+$/, ''),
    newId: options.newId ?? (() => randomUUID()),
  };
}
