import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelegramUpdate } from '../telegram/api.js';

export interface SentMessage {
  method: string;
  token: string;
  params: Record<string, unknown>;
}

/**
 * A fake Telegram Bot API on loopback: `getUpdates` hands out queued updates (long-polling
 * like the real one), `sendMessage`, `editMessageText` and `answerCallbackQuery` are recorded.
 */
export async function startFakeTelegram() {
  const updates: TelegramUpdate[] = [];
  const sent: SentMessage[] = [];
  let nextId = 1;
  let messageId = 100;
  const waiting = new Set<() => void>();
  const sentWaiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      const reply = (result: unknown) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, result }));
      };
      if (!m) {
        res.statusCode = 404;
        return res.end('{"ok":false,"description":"Not Found"}');
      }
      const [, token, method] = m as unknown as [string, string, string];
      const params = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      if (method === 'getUpdates') {
        const offset = Number(params.offset ?? 0);
        const pending = () => updates.filter((u) => u.update_id >= offset);
        const answer = () => reply(pending());
        if (pending().length > 0 || !params.timeout) return answer();
        const timer = setTimeout(
          () => {
            waiting.delete(wake);
            answer();
          },
          Number(params.timeout) * 1000,
        );
        const wake = () => {
          clearTimeout(timer);
          waiting.delete(wake);
          answer();
        };
        waiting.add(wake);
        res.on('close', () => {
          clearTimeout(timer);
          waiting.delete(wake);
        });
        return;
      }
      sent.push({ method, token, params });
      for (const w of [...sentWaiters]) w();
      if (method === 'sendMessage')
        return reply({ message_id: ++messageId, chat: { id: params.chat_id }, text: params.text });
      return reply(true);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const push = (u: Omit<TelegramUpdate, 'update_id'>) => {
    updates.push({ ...u, update_id: nextId++ });
    for (const w of [...waiting]) w();
  };
  return {
    url,
    sent,
    /** A text message from a chat. */
    say(chatId: number, text: string, username = 'trader') {
      push({
        message: { message_id: nextId, chat: { id: chatId }, from: { id: chatId, username }, text },
      });
    },
    /** A press on an inline button. */
    press(chatId: number, data: string, messageId = 1, username = 'trader') {
      push({
        callback_query: {
          id: `cb${nextId}`,
          from: { id: chatId, username },
          message: { message_id: messageId, chat: { id: chatId } },
          data,
        },
      });
    },
    messages(method = 'sendMessage') {
      return sent.filter((s) => s.method === method);
    },
    /** Resolves once `count` calls of `method` were made. */
    waitFor(count: number, method = 'sendMessage'): Promise<SentMessage[]> {
      return new Promise((resolve) => {
        const check = () => {
          const list = sent.filter((s) => s.method === method);
          if (list.length >= count) {
            sentWaiters.delete(check);
            resolve(list);
          }
        };
        sentWaiters.add(check);
        check();
      });
    },
    close() {
      for (const w of [...waiting]) w();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
