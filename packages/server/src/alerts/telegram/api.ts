import { DeliveryError } from '../channels/channel.js';
import { networkReason } from '../channels/http.js';

/** The parts of the Telegram Bot API the hub uses. The base URL is configurable (tests use loopback). */
export interface TelegramUpdate {
  update_id: number;
  message?: {
    message_id: number;
    chat: { id: number | string };
    from?: { id: number; username?: string; first_name?: string };
    text?: string;
  };
  callback_query?: {
    id: string;
    from: { id: number; username?: string; first_name?: string };
    message?: { message_id: number; chat: { id: number | string } };
    data?: string;
  };
}

export interface InlineButton {
  text: string;
  callback_data: string;
}

/**
 * A Bot API client. The bot token is part of every URL, so errors never include the URL: they
 * carry the HTTP status and Telegram's own `description`.
 */
export class TelegramApi {
  private readonly base: string;

  constructor(apiUrl: string, token: string) {
    this.base = `${apiUrl.replace(/\/+$/, '')}/bot${token}`;
  }

  async call<T>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw new DeliveryError(`Telegram ${method}: ${networkReason(error)}`);
    }
    let body: { ok?: boolean; result?: T; description?: string } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      // not JSON
    }
    if (res.status < 200 || res.status >= 300 || body.ok === false) {
      const why = typeof body.description === 'string' ? `: ${body.description.slice(0, 200)}` : '';
      throw new DeliveryError(`Telegram ${method}: HTTP ${res.status}${why}`, res.status);
    }
    return body.result as T;
  }

  sendMessage(
    chatId: string,
    text: string,
    options: { html?: boolean; buttons?: InlineButton[][]; signal?: AbortSignal } = {},
  ): Promise<{ message_id: number }> {
    return this.call(
      'sendMessage',
      {
        chat_id: chatId,
        text: text.slice(0, 4096),
        ...(options.html === false ? {} : { parse_mode: 'HTML' }),
        disable_web_page_preview: true,
        ...(options.buttons ? { reply_markup: { inline_keyboard: options.buttons } } : {}),
      },
      options.signal,
    );
  }

  editMessageText(chatId: string, messageId: number, text: string): Promise<unknown> {
    return this.call('editMessageText', {
      chat_id: chatId,
      message_id: messageId,
      text: text.slice(0, 4096),
      parse_mode: 'HTML',
    });
  }

  answerCallbackQuery(id: string, text: string): Promise<unknown> {
    return this.call('answerCallbackQuery', { callback_query_id: id, text: text.slice(0, 200) });
  }

  getUpdates(offset: number, timeoutS: number, signal: AbortSignal): Promise<TelegramUpdate[]> {
    return this.call(
      'getUpdates',
      { offset, timeout: timeoutS, allowed_updates: ['message', 'callback_query'] },
      signal,
    );
  }
}
