import type { ErrorResponse } from '@tradewatch/protocol';

/** An API error with the hub's message (safe to show: the hub never puts secrets in them). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when any request answers 401: the session ended (logout elsewhere, expiry, revoke). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function notifyUnauthorized(): void {
  for (const l of unauthorizedListeners) l();
}

async function errorOf(res: Response): Promise<HttpError> {
  let code = 'internal';
  let message = `the hub answered ${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as Partial<ErrorResponse>;
    if (typeof body.message === 'string') message = body.message;
    if (typeof body.error === 'string') code = body.error;
  } catch {
    // not JSON: keep the status line
  }
  return new HttpError(res.status, code, message);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Do not report a 401 (the login page asks who is logged in without being redirected). */
  quiet401?: boolean;
}

/**
 * A same-origin JSON request: the session cookie authenticates it. Writes always send JSON
 * (the hub refuses cookie-authenticated writes of any other type).
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new HttpError(0, 'network', 'the hub cannot be reached; retrying');
  }
  if (res.status === 401 && !options.quiet401) notifyUnauthorized();
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** `path?query` without empty values. */
export function withQuery(
  path: string,
  query: Record<string, string | number | undefined | null> | URLSearchParams,
): string {
  const p =
    query instanceof URLSearchParams
      ? query
      : new URLSearchParams(
          Object.entries(query).flatMap(([k, v]) =>
            v === undefined || v === null || v === '' ? [] : [[k, String(v)]],
          ),
        );
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}
