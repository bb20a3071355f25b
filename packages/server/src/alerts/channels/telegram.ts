import type { ChannelConfig } from '../config.js';
import { TelegramApi } from '../telegram/api.js';
import { DeliveryError, type Channel } from './channel.js';

type TelegramConfig = Extract<ChannelConfig, { type: 'telegram' }>;

/** Messages to one Telegram chat (HTML parse mode; falls back to plain text if Telegram cannot parse it). */
export function telegramChannel(config: TelegramConfig): Channel {
  const api = new TelegramApi(config.api_url, config.bot_token);
  return {
    name: config.name,
    type: 'telegram',
    async send(n, ctx) {
      try {
        await api.sendMessage(config.chat_id, ctx.renderer.chat(n, 'telegram'), {
          signal: ctx.signal,
        });
      } catch (error) {
        if (
          error instanceof DeliveryError &&
          error.statusCode === 400 &&
          /parse/i.test(error.message)
        ) {
          await api.sendMessage(config.chat_id, ctx.renderer.chat(n, 'plain'), {
            html: false,
            signal: ctx.signal,
          });
        } else {
          throw error;
        }
      }
      return { statusCode: 200 };
    },
  };
}
