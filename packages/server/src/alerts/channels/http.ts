import { DeliveryError } from './channel.js';

/**
 * POSTs for the HTTP-based channels. Errors name the status or the network failure, never the
 * URL (Telegram and Slack keep their secret in it).
 */
export async function post(
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
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': options.contentType ?? 'application/json', ...options.headers },
      body,
      signal: options.signal,
      redirect: 'error',
    });
  } catch (error) {
    throw new DeliveryError(networkReason(error));
  }
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status >= 300) {
    const why = options.explain?.(text) ?? null;
    throw new DeliveryError(`HTTP ${res.status}${why ? `: ${why.slice(0, 200)}` : ''}`, res.status);
  }
  return res.status;
}

export function networkReason(error: unknown): string {
  const e = error as { name?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.cause?.name === 'AbortError') {
    return 'timed out';
  }
  const code = e.cause?.code;
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
