import { parseMessage, type LiveMessage } from './patch.js';

/**
 * The dashboard's one WebSocket to `/api/v1/stream`, as a small state machine with injected
 * socket, timers and randomness (so its behaviour is tested without a browser).
 *
 * - `live`: the socket is open; messages are delivered in bursts (every `flushMs`).
 * - `connecting` / `reconnecting`: waiting to (re)open, with exponential backoff and jitter.
 * - `polling`: the socket failed `pollAfterFailures` times in a row; the page polls every 5 s
 *   while reconnection keeps being tried.
 * After any reconnect the page refetches everything, so nothing said while it was away is lost.
 */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'stopped';

export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface ConnectionDeps {
  createSocket(url: string): SocketLike;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
  random(): number;
}

export interface ConnectionHandlers {
  onMessages(messages: LiveMessage[]): void;
  onStatus(status: LiveStatus): void;
  /** The socket is open again after having been lost: refetch what may have been missed. */
  onReconnect(): void;
  /** The hub refused the session (code 4401): log in again. */
  onUnauthorized(): void;
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffDelay(attempt: number, random: number, o: BackoffOptions): number {
  const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random);
}

export class LiveConnection {
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private flushTimer: unknown = null;
  private buffer: LiveMessage[] = [];
  private failures = 0;
  private everOpen = false;
  private stopped = true;
  private statusValue: LiveStatus = 'stopped';
  /** When the last message (or poll) arrived; null before any. */
  lastUpdateAt: number | null = null;

  constructor(
    private readonly url: string,
    private readonly deps: ConnectionDeps,
    private readonly handlers: ConnectionHandlers,
    private readonly options = {
      flushMs: 100,
      pollAfterFailures: 2,
      backoff: { baseMs: 500, maxMs: 30_000 },
    },
  ) {}

  get status(): LiveStatus {
    return this.statusValue;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.deps.clearTimeout(this.timer);
    if (this.flushTimer !== null) this.deps.clearTimeout(this.flushTimer);
    this.timer = null;
    this.flushTimer = null;
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close(1000, 'page closed');
    }
    this.setStatus('stopped');
  }

  /** Reconnect now (the page became visible, the network came back). */
  retryNow(): void {
    if (this.stopped || this.socket) return;
    if (this.timer !== null) this.deps.clearTimeout(this.timer);
    this.timer = null;
    this.open();
  }

  /** A successful poll counts as an update for "last update N s ago". */
  markUpdated(): void {
    this.lastUpdateAt = this.deps.now();
  }

  private setStatus(s: LiveStatus): void {
    if (s === this.statusValue) return;
    this.statusValue = s;
    this.handlers.onStatus(s);
  }

  private open(): void {
    if (this.stopped) return;
    if (this.failures === 0) this.setStatus(this.everOpen ? 'reconnecting' : 'connecting');
    let socket: SocketLike;
    try {
      socket = this.deps.createSocket(this.url);
    } catch {
      this.failed();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.failures = 0;
      const reconnect = this.everOpen;
      this.everOpen = true;
      this.lastUpdateAt = this.deps.now();
      this.setStatus('live');
      if (reconnect) this.handlers.onReconnect();
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      const m = parseMessage(ev.data);
      this.lastUpdateAt = this.deps.now();
      if (!m || m.type === 'hello') return;
      this.buffer.push(m);
      this.flushTimer ??= this.deps.setTimeout(() => this.flush(), this.options.flushMs);
    };
    socket.onerror = () => undefined;
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.flush();
      if (this.stopped) return;
      if (ev.code === 4401) {
        this.stop();
        this.handlers.onUnauthorized();
        return;
      }
      // A socket that opened and then dropped is a fresh start; one that never opened counts.
      if (opened) this.failures = 0;
      this.failed();
    };
  }

  private failed(): void {
    this.failures += 1;
    this.setStatus(this.failures >= this.options.pollAfterFailures ? 'polling' : 'reconnecting');
    const delay = backoffDelay(this.failures, this.deps.random(), this.options.backoff);
    this.timer = this.deps.setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }

  private flush(): void {
    if (this.flushTimer !== null) this.deps.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.handlers.onMessages(batch);
  }
}
