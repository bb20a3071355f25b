import type { ChannelConfig } from '../config.js';
import type { Channel } from './channel.js';
import { jsonField, post } from './http.js';

type DiscordConfig = Extract<ChannelConfig, { type: 'discord' }>;

const COLOR = {
  critical: 0xd32f2f,
  warning: 0xf57c00,
  info: 0x1976d2,
  resolved: 0x388e3c,
  other: 0x607d8b,
};

/** Discord webhook with one embed (title, markdown description, colour by severity). */
export function discordChannel(config: DiscordConfig): Channel {
  return {
    name: config.name,
    type: 'discord',
    async send(n, ctx) {
      const firing = n.alerts.filter((a) => a.status === 'firing');
      const color =
        n.status === 'resolved'
          ? COLOR.resolved
          : firing.some((a) => a.labels.severity === 'critical')
            ? COLOR.critical
            : firing.some((a) => a.labels.severity === 'warning')
              ? COLOR.warning
              : firing.length > 0
                ? COLOR.info
                : COLOR.other;
      const body = {
        username: 'Tradewatch',
        embeds: [
          {
            title: ctx.renderer.subject(n).slice(0, 256),
            description: ctx.renderer.chat(n, 'discord').slice(0, 4000),
            color,
            url: n.externalURL,
            timestamp: n.createdAt,
            footer: { text: `Tradewatch · ${ctx.dedupKey.slice(0, 12)}` },
          },
        ],
        allowed_mentions: { parse: [] },
      };
      const statusCode = await post(config.webhook_url, JSON.stringify(body), {
        signal: ctx.signal,
        explain: jsonField('message'),
      });
      return { statusCode };
    },
  };
}
