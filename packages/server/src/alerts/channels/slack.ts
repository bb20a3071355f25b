import type { ChannelConfig } from '../config.js';
import type { Channel } from './channel.js';
import { post } from './http.js';

type SlackConfig = Extract<ChannelConfig, { type: 'slack' }>;

/** Slack incoming webhook with blocks (header, mrkdwn section, link). */
export function slackChannel(config: SlackConfig): Channel {
  return {
    name: config.name,
    type: 'slack',
    async send(n, ctx) {
      const title = ctx.renderer.subject(n);
      const body = {
        text: title,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
          {
            type: 'section',
            text: { type: 'mrkdwn', text: ctx.renderer.chat(n, 'slack').slice(0, 3000) || ' ' },
          },
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: `<${n.externalURL}|Tradewatch> · ${n.kind} · ${ctx.dedupKey.slice(0, 12)}`,
              },
            ],
          },
        ],
      };
      const statusCode = await post(config.webhook_url, JSON.stringify(body), {
        signal: ctx.signal,
        explain: (t) => t.slice(0, 100),
      });
      return { statusCode };
    },
  };
}
