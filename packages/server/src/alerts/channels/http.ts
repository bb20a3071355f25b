import http from 'node:http';
import https from 'node:https';
import { DeliveryError } from './channel.js';

// Keep-alive agents: a busy channel reuses its connection instead of a handshake per message.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 8 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 8 }),
};

/**
 * POSTs for the HTTP-based channels (node:http with keep-alive: a fraction of fetch's cost per
 * message). Errors name the status or the network failure, never the URL (Telegram and Slack
 * keep their secret in it).
 */
export function post(
  url: string,
  body: string,
  options: {
    headers?: Record<string, string>;
    signal: AbortSignal;
    contentType?: string;
    /** Include this much of an error response's text (services whose errors explain themselves). */
    explain?: (text: string) => string | null;
  },
): Promise<number> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new DeliveryError('the channel URL is not valid'));
      return;
    }
    const lib = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null;
    if (!lib) {
      reject(new DeliveryError(`unsupported URL scheme ${target.protocol}`));
      return;
    }
    const payload = Buffer.from(body, 'utf8');
    const req = lib.request(
      target,
      {
        method: 'POST',
        agent: agents[target.protocol as 'http:' | 'https:'],
        headers: {
          'content-type': options.contentType ?? 'application/json',
          'content-length': String(payload.length),
          'user-agent': 'tradewatch',
          ...options.headers,
        },
        signal: options.signal,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (text.length < 4096) text += d;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve(status);
            return;
          }
          const why = options.explain?.(text) ?? null;
          reject(new DeliveryError(`HTTP ${status}${why ? `: ${why.slice(0, 200)}` : ''}`, status));
        });
        res.on('error', (error) => reject(new DeliveryError(networkReason(error))));
      },
    );
    req.on('error', (error) => reject(new DeliveryError(networkReason(error))));
    req.end(payload);
  });
}

export function networkReason(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (
    e.name === 'AbortError' ||
    e.name === 'TimeoutError' ||
    e.code === 'ABORT_ERR' ||
    e.cause?.name === 'AbortError' ||
    e.cause?.name === 'TimeoutError'
  ) {
    return 'timed out';
  }
  const code = e.code ?? e.cause?.code;
  return code ? `connection failed (${code})` : 'connection failed';
}

export function jsonField(field: string) {
  return (text: string): string | null => {
    try {
      const v = (JSON.parse(text) as Record<string, unknown>)[field];
      return typeof v === 'string' ? v : null;
    } catch {
      return null;
    }
  };
}
