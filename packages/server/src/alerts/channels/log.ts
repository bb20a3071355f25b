import type { ChannelConfig } from '../config.js';
import type { Channel, ChannelDeps } from './channel.js';

type LogConfig = Extract<ChannelConfig, { type: 'log' }>;

/** Writes notifications to the hub's log (always available; `dry_run` sends everything here). */
export function logChannel(config: Pick<LogConfig, 'name' | 'level'>, deps: ChannelDeps): Channel {
  return {
    name: config.name,
    type: 'log',
    async send(n, ctx) {
      const text = ctx.renderer.text(n);
      deps.logger[config.level](
        {
          notification: {
            channel: n.receiver,
            kind: n.kind,
            status: n.status,
            group: n.groupKey,
            alerts: n.alerts.map((a) => a.labels.alertname),
            dedup_key: ctx.dedupKey,
          },
        },
        text,
      );
      return {};
    },
  };
}
