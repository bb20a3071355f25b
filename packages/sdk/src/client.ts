import { randomBytes } from 'node:crypto';
import {
  INGEST_LIMITS,
  ingestEvent,
  type BotCommand,
  type CommandAction,
  type IngestEventInput,
  type ProblemDetail,
} from '@tradewatch/protocol';
import {
  EventValidationError,
  FlushTimeoutError,
  HubRejectedError,
  HubUnavailableError,
  TradewatchError,
} from './errors.js';
import {
  FileSpool,
  MemorySpool,
  SpoolFullError,
  type FileSpoolOptions,
  type Spool,
} from './spool.js';

/** `online`: the last request reached the hub; `offline`: events are spooling until it returns. */
export type ConnectionState = 'starting' | 'online' | 'offline' | 'closed';

type EventType = IngestEventInput['type'];
/** An event as a bot writes it: `bot`, `ts` and `id` are filled in when omitted. */
export type EventInput<T extends EventType = EventType> = T extends EventType
  ? Omit<Extract<IngestEventInput, { type: T }>, 'bot' | 'ts' | 'id'> & {
      bot?: string;
      ts?: number | string | Date;
      id?: string;
    }
  : never;
/** The same without `type`, for the typed helpers (`client.fill({...})`). */
export type EventFields<T extends EventType> = Omit<EventInput<T>, 'type'>;

export type CommandHandler = (command: BotCommand) => void | Promise<void>;

export interface TradewatchClientOptions {
  /** Hub base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** An ingest token (ideally bound to this bot). */
  token: string;
  /** This bot's id. */
  bot: string;
  /** Default account for fills, orders, positions, balances and cash flows. */
  account?: string;
  /** Default strategy for fills, orders and signals. */
  strategy?: string;
  /** Reported in heartbeats. */
  version?: string;
  /** Events per request (at most 10,000; default 1,000). */
  batchSize?: number;
  /** Bytes per request (at most 5 MB; default 1 MB). */
  maxBatchBytes?: number;
  /** Queued events are written to the spool and sent at least this often (default 1,000 ms). */
  flushIntervalMs?: number;
  /** Retry backoff: doubles from `baseDelayMs` up to `maxDelayMs`, with jitter. */
  retry?: { baseDelayMs?: number; maxDelayMs?: number };
  requestTimeoutMs?: number;
  /**
   * Where events wait for the hub. With `dir`, an append-only spool on disk (fsynced; survives
   * bot restarts too); without, a bounded in-memory spool (`memoryBytes`, default 64 MiB).
   */
  spool?: FileSpoolOptions | { memoryBytes?: number };
  /** Long-poll wait for commands in seconds (default 25); `false` never polls. */
  commands?: { waitS?: number } | false;
  onError?: (error: TradewatchError) => void;
  onStateChange?: (state: ConnectionState) => void;
  /** For tests: the fetch and clock to use. */
  fetch?: typeof fetch;
  now?: () => number;
}

export interface HeartbeatOptions {
  /** Seconds between heartbeats (default 30); the hub expects one at least this often. */
  intervalS?: number;
  /** Reported status text (`running`, `paused` …) or a function giving it. */
  status?: string | (() => string);
}

export interface ClientStats {
  /** Events created and not yet acknowledged by the hub. */
  pending: number;
  /** Of those, events in the spool. */
  spooled: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  requests: number;
  failedRequests: number;
}

const HOLDER_TYPES = new Set<EventType>(['fill', 'order', 'position', 'balance', 'cash_flow']);
const STRATEGY_TYPES = new Set<EventType>(['fill', 'order', 'signal']);

let idCounter = 0;
/** Sortable, unique event ids, assigned when the event is created (never at send time). */
export function newEventId(now = Date.now()): string {
  idCounter = (idCounter + 1) % 0x100000;
  return `tw${now.toString(36)}${idCounter.toString(36).padStart(4, '0')}${randomBytes(6).toString('base64url')}`;
}

interface Outcome {
  kind: 'ok' | 'rejected' | 'too_large' | 'retry';
  status: number | null;
  accepted?: number;
  duplicates?: number;
  details?: ProblemDetail[];
  message?: string;
  code?: string;
  retryAfterMs?: number;
}

/**
 * The Tradewatch client for TypeScript bots: typed events, batching, stable ids, retries with
 * backoff, a spool that keeps every event until the hub acknowledges it, heartbeats and the
 * kill-switch command listener.
 *
 * @example
 * const tw = new TradewatchClient({ url: 'http://127.0.0.1:8080', token, bot: 'grid-1',
 *   spool: { dir: './tradewatch-spool' } });
 * tw.startHeartbeat({ intervalS: 30 });
 * tw.onHalt(async () => strategy.stop());
 * tw.fill({ symbol: 'BTCUSDT', side: 'buy', qty: 0.01, price: 42000, fee: 0.42 });
 * await tw.close();
 */
export class TradewatchClient {
  readonly bot: string;
  private readonly url: string;
  private readonly token: string;
  private readonly options: TradewatchClientOptions;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private batchSize: number;
  private readonly maxBatchBytes: number;
  private spool!: Spool;
  private readonly ready: Promise<void>;
  private pending: string[] = [];
  private persisting: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private appendedSeq = 0;
  private ackedSeq = 0;
  private readonly rejectedIds = new Set<string>();
  private stopped = false;
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | null = null;
  private readonly sender: Promise<void>;
  private flushWaiters: { seq: number; resolve: () => void }[] = [];
  private _state: ConnectionState = 'starting';
  private lastReported = '';
  readonly stats = { accepted: 0, duplicates: 0, rejected: 0, requests: 0, failedRequests: 0 };

  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatOptions: HeartbeatOptions = {};
  private status: string | undefined;
  private readonly connections: Record<string, 'up' | 'down'> = {};

  private readonly handlers = new Map<CommandAction, CommandHandler>();
  private commandLoop: Promise<void> | null = null;
  private readonly handledCommands = new Map<
    string,
    { acked: boolean; status: 'ok' | 'error'; message?: string }
  >();

  constructor(options: TradewatchClientOptions) {
    if (!options.url) throw new TypeError('TradewatchClient: url is required');
    if (!options.token) throw new TypeError('TradewatchClient: token is required');
    if (!options.bot) throw new TypeError('TradewatchClient: bot is required');
    this.options = options;
    this.url = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.bot = options.bot;
    this.fetchFn = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.batchSize = Math.min(options.batchSize ?? 1000, INGEST_LIMITS.maxEvents);
    this.maxBatchBytes = Math.min(
      options.maxBatchBytes ?? 1024 * 1024,
      INGEST_LIMITS.maxBodyBytes - 1024,
    );
    this.ready = this.openSpool();
    this.sender = this.run();
  }

  private async openSpool(): Promise<void> {
    const s = this.options.spool;
    if (s && 'dir' in s) {
      this.spool = await FileSpool.open(s);
    } else {
      this.spool = new MemorySpool(s?.memoryBytes ?? 64 * 1024 * 1024);
    }
    // Events left by a previous run are sent first, in order.
    this.appendedSeq = this.spool.size();
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** Events not yet acknowledged (queued, spooled or in flight). */
  get pendingCount(): number {
    return this.pending.length + (this.appendedSeq - this.ackedSeq);
  }

  private setState(state: ConnectionState): void {
    if (this._state === state) return;
    this._state = state;
    this.options.onStateChange?.(state);
  }

  private report(error: TradewatchError, onceKey?: string): void {
    if (onceKey !== undefined) {
      if (this.lastReported === onceKey) return;
      this.lastReported = onceKey;
    }
    if (this.options.onError) this.options.onError(error);
  }

  // -------------------------------------------------------------------------------------------
  // Events

  /**
   * Queues one event and returns its id. The event is validated now (an invalid event throws
   * EventValidationError and is never queued); its id is fixed now, so retries and replays of it
   * are recognised by the hub as the same event.
   */
  send(event: EventInput): string {
    if (this.stopped) throw new TradewatchError('the client is closed');
    const raw: Record<string, unknown> = { ...event };
    raw.bot ??= this.bot;
    const ts = event.ts ?? this.now();
    raw.ts = ts instanceof Date ? ts.getTime() : ts;
    raw.id ??= newEventId(this.now());
    if (this.options.account && HOLDER_TYPES.has(event.type) && raw.account === undefined) {
      raw.account = this.options.account;
    }
    if (this.options.strategy && STRATEGY_TYPES.has(event.type) && raw.strategy === undefined) {
      raw.strategy = this.options.strategy;
    }
    const parsed = ingestEvent.safeParse(raw);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({
        path: i.path.join('.'),
        message: i.message,
      }));
      throw new EventValidationError(
        `invalid ${event.type} event: ${details.map((d) => `${d.path || 'event'} ${d.message}`).join('; ')}`,
        details,
      );
    }
    const line = JSON.stringify(parsed.data);
    if (line.length + 32 > this.maxBatchBytes) {
      throw new EventValidationError(
        `the ${event.type} event is larger than a batch (${line.length} bytes)`,
        [],
      );
    }
    if (this.pending.length >= 100_000) {
      throw new SpoolFullError(
        '100,000 events are waiting for a full spool; the event was not queued',
      );
    }
    this.pending.push(line);
    if (this.pending.length >= this.batchSize || event.type === 'heartbeat') this.persistSoon(0);
    else this.persistSoon(this.options.flushIntervalMs ?? 1000);
    return raw.id as string;
  }

  fill(fields: EventFields<'fill'>): string {
    return this.send({ type: 'fill', ...fields });
  }
  order(fields: EventFields<'order'>): string {
    return this.send({ type: 'order', ...fields });
  }
  position(fields: EventFields<'position'>): string {
    return this.send({ type: 'position', ...fields });
  }
  balance(fields: EventFields<'balance'>): string {
    return this.send({ type: 'balance', ...fields });
  }
  cashFlow(fields: EventFields<'cash_flow'>): string {
    return this.send({ type: 'cash_flow', ...fields });
  }
  mark(fields: EventFields<'mark'>): string {
    return this.send({ type: 'mark', ...fields });
  }
  signal(fields: EventFields<'signal'>): string {
    return this.send({ type: 'signal', ...fields });
  }
  metric(name: string, value: number, labels?: Record<string, string>): string {
    return this.send({
      type: 'metric',
      name,
      value,
      ...(labels ? { labels } : {}),
    });
  }
  log(
    level: 'debug' | 'info' | 'warning' | 'error' | 'critical',
    message: string,
    context?: Record<string, unknown>,
  ): string {
    return this.send({
      type: 'log',
      level,
      message,
      ...(context ? { context } : {}),
    });
  }

  private persistSoon(delayMs: number): void {
    if (delayMs === 0) {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = null;
      void this.persist();
      return;
    }
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.persist();
    }, delayMs);
    this.flushTimer.unref?.();
  }

  /** Moves queued events into the spool (durably, for a file spool) and wakes the sender. */
  private persist(): Promise<void> {
    const run = this.persisting.then(async () => {
      await this.ready;
      if (this.pending.length === 0) return;
      const lines = this.pending;
      this.pending = [];
      try {
        await this.spool.append(lines);
        this.appendedSeq += lines.length;
        this.wake();
      } catch (error) {
        this.pending = lines.concat(this.pending);
        this.report(
          error instanceof TradewatchError ? error : new TradewatchError((error as Error).message),
          'spool',
        );
      }
    });
    this.persisting = run.catch(() => undefined);
    return run;
  }

  /**
   * Resolves when every event created before the call has been acknowledged by the hub. While
   * the hub is unreachable it keeps waiting (the events are safe in the spool); with `timeoutMs`
   * it rejects with FlushTimeoutError instead, and the events stay spooled.
   */
  async flush(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.persist();
    if (this.pending.length > 0)
      throw new TradewatchError('the spool is full; events are still queued in memory');
    const target = this.appendedSeq;
    if (this.ackedSeq >= target) return;
    this.wake();
    await new Promise<void>((resolve, reject) => {
      const waiter = { seq: target, resolve };
      this.flushWaiters.push(waiter);
      if (options.timeoutMs !== undefined) {
        setTimeout(() => {
          this.flushWaiters = this.flushWaiters.filter((w) => w !== waiter);
          reject(
            new FlushTimeoutError(
              `the hub did not acknowledge ${target - this.ackedSeq} events within ${options.timeoutMs} ms; they stay spooled`,
            ),
          );
        }, options.timeoutMs).unref?.();
      }
    });
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    await this.ready;
    const base = this.options.retry?.baseDelayMs ?? 250;
    const max = this.options.retry?.maxDelayMs ?? 30_000;
    let failures = 0;
    while (!this.stopped) {
      if (this.spool.size() === 0) {
        await this.sleep(60_000);
        continue;
      }
      const lines = await this.spool.peek(this.batchSize, this.maxBatchBytes);
      const toSend =
        this.rejectedIds.size === 0 ? lines : lines.filter((l) => !this.rejectedIds.has(idOf(l)));
      const outcome: Outcome =
        toSend.length === 0
          ? { kind: 'ok', status: 200, accepted: 0, duplicates: 0 }
          : await this.post(toSend);
      if (this.stopped && outcome.kind === 'retry') break;
      switch (outcome.kind) {
        case 'ok': {
          failures = 0;
          for (const l of lines) if (this.rejectedIds.size > 0) this.rejectedIds.delete(idOf(l));
          await this.spool.ack(lines.length);
          this.ackedSeq += lines.length;
          this.stats.accepted += outcome.accepted ?? 0;
          this.stats.duplicates += outcome.duplicates ?? 0;
          this.lastReported = '';
          this.setState('online');
          this.flushWaiters = this.flushWaiters.filter((w) => {
            if (this.ackedSeq < w.seq) return true;
            w.resolve();
            return false;
          });
          break;
        }
        case 'rejected': {
          // Retrying cannot fix these events: drop exactly them and send the rest again.
          const indexed = (outcome.details ?? []).filter((d) => d.index !== undefined);
          const bad =
            indexed.length > 0
              ? [...new Set(indexed.map((d) => d.index!))].map((i) => toSend[i]!).filter(Boolean)
              : toSend;
          for (const l of bad) this.rejectedIds.add(idOf(l));
          this.stats.rejected += bad.length;
          this.setState('online');
          this.report(
            new HubRejectedError(
              outcome.status ?? 400,
              outcome.code ?? 'invalid',
              `the hub refused ${bad.length} event${bad.length === 1 ? '' : 's'} (${outcome.status}): ${outcome.message ?? ''}`,
              outcome.details ?? [],
              bad.map((l) => JSON.parse(l) as unknown),
            ),
          );
          break;
        }
        case 'too_large':
          this.batchSize = Math.max(1, Math.floor(toSend.length / 2));
          break;
        case 'retry': {
          failures++;
          this.setState('offline');
          this.report(
            new HubUnavailableError(
              `the hub is unavailable (${outcome.message ?? outcome.status}); ${this.spool.size()} events spooled, retrying`,
              outcome.status,
            ),
            `retry:${outcome.status}`,
          );
          const backoff = Math.min(max, base * 2 ** Math.min(failures - 1, 16));
          const jittered = backoff / 2 + Math.random() * (backoff / 2);
          await this.sleep(Math.max(jittered, outcome.retryAfterMs ?? 0));
          break;
        }
      }
    }
  }

  private async post(lines: string[]): Promise<Outcome> {
    this.stats.requests++;
    let res: Response;
    try {
      res = await this.fetchFn(`${this.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: `{"events":[${lines.join(',')}]}`,
        signal: AbortSignal.any([
          AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
          this.abort.signal,
        ]),
      });
    } catch (error) {
      this.stats.failedRequests++;
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { kind: 'retry', status: null, message: cause ?? (error as Error).message };
    }
    let body: {
      accepted?: number;
      duplicates?: number;
      error?: string;
      message?: string;
      details?: ProblemDetail[];
    } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      // not JSON (a proxy's error page)
    }
    if (res.ok)
      return {
        kind: 'ok',
        status: res.status,
        accepted: body.accepted ?? 0,
        duplicates: body.duplicates ?? 0,
      };
    this.stats.failedRequests++;
    const common = {
      status: res.status,
      message: body.message ?? res.statusText,
      code: body.error ?? 'error',
      details: body.details ?? [],
    };
    if (res.status === 413) return { kind: 'too_large', ...common };
    if (res.status === 400 || res.status === 409 || res.status === 403 || res.status === 422)
      return { kind: 'rejected', ...common };
    const retryAfter = Number(res.headers.get('retry-after'));
    return {
      kind: 'retry',
      ...common,
      ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Heartbeats

  /** Sends a heartbeat now and then every `intervalS` seconds until close(). */
  startHeartbeat(options: HeartbeatOptions = {}): void {
    this.heartbeatOptions = options;
    this.stopHeartbeat();
    this.heartbeat();
    const ms = (options.intervalS ?? 30) * 1000;
    this.heartbeatTimer = setInterval(() => this.heartbeat(), ms);
    this.heartbeatTimer.unref?.();
  }

  stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** Sends one heartbeat with the current status, version and connection states. */
  heartbeat(): string {
    const s = this.heartbeatOptions.status;
    const status = this.status ?? (typeof s === 'function' ? s() : s);
    return this.send({
      type: 'heartbeat',
      interval_s: this.heartbeatOptions.intervalS ?? 30,
      ...(status ? { status: status.slice(0, 64) } : {}),
      ...(this.options.version ? { version: this.options.version.slice(0, 64) } : {}),
      ...(Object.keys(this.connections).length > 0 ? { connections: { ...this.connections } } : {}),
    });
  }

  /** Sets the reported status; a heartbeat goes out at once when it changes. */
  setStatus(status: string): void {
    if (this.status === status) return;
    this.status = status;
    if (this.heartbeatTimer) this.heartbeat();
  }

  /** Records a connection's state (exchange, data feed …); a change is reported at once. */
  setConnection(name: string, state: 'up' | 'down'): void {
    if (this.connections[name] === state) return;
    this.connections[name] = state;
    if (this.heartbeatTimer) this.heartbeat();
  }

  // -------------------------------------------------------------------------------------------
  // Commands (kill switch)

  /** Runs `handler` when a halt command arrives; it is acknowledged when the handler resolves. */
  onHalt(handler: CommandHandler): this {
    return this.onCommand('halt', handler);
  }
  onResume(handler: CommandHandler): this {
    return this.onCommand('resume', handler);
  }
  onFlatten(handler: CommandHandler): this {
    return this.onCommand('flatten', handler);
  }

  onCommand(action: CommandAction, handler: CommandHandler): this {
    this.handlers.set(action, handler);
    if (this.options.commands !== false && !this.commandLoop && !this.stopped) {
      this.commandLoop = this.pollCommands();
    }
    return this;
  }

  private async pollCommands(): Promise<void> {
    const c = this.options.commands;
    const waitS = (c ? c.waitS : undefined) ?? 25;
    // A kill switch must not wait long after an outage: command polls back off 5 s at most.
    const max = Math.min(this.options.retry?.maxDelayMs ?? 30_000, 5_000);
    let failures = 0;
    while (!this.stopped) {
      try {
        const res = await this.fetchFn(
          `${this.url}/api/v1/commands?bot=${encodeURIComponent(this.bot)}&wait=${waitS}`,
          {
            headers: { authorization: `Bearer ${this.token}` },
            signal: AbortSignal.any([
              AbortSignal.timeout(waitS * 1000 + 15_000),
              this.abort.signal,
            ]),
          },
        );
        if (res.status === 404) {
          await res.body?.cancel();
          this.report(
            new HubUnavailableError(
              'the hub has no command endpoint (GET /api/v1/commands answered 404); retrying in a minute',
              404,
            ),
            'commands:404',
          );
          await this.commandSleep(60_000);
          continue;
        }
        if (!res.ok)
          throw new HubUnavailableError(`GET /api/v1/commands answered ${res.status}`, res.status);
        const body = (await res.json()) as { items?: BotCommand[] };
        failures = 0;
        for (const command of body.items ?? []) await this.handleCommand(command);
      } catch (error) {
        if (this.stopped) break;
        failures++;
        this.report(
          error instanceof TradewatchError
            ? error
            : new HubUnavailableError(`command poll failed: ${(error as Error).message}`, null),
          'commands:error',
        );
        await this.commandSleep(Math.min(max, 500 * 2 ** Math.min(failures, 10)));
      }
    }
  }

  private commandSleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(finish, ms);
      const signal = this.abort.signal;
      function finish() {
        clearTimeout(t);
        signal.removeEventListener('abort', finish);
        resolve();
      }
      signal.addEventListener('abort', finish);
    });
  }

  private async handleCommand(command: BotCommand): Promise<void> {
    let done = this.handledCommands.get(command.id);
    if (!done) {
      const handler = this.handlers.get(command.action);
      let status: 'ok' | 'error' = 'ok';
      let message: string | undefined;
      if (!handler) {
        status = 'error';
        message = `this bot has no handler for "${command.action}"`;
      } else {
        try {
          await handler(command);
        } catch (error) {
          status = 'error';
          message = ((error as Error).message ?? String(error)).slice(0, 2000);
        }
      }
      done = { acked: false, status, ...(message ? { message } : {}) };
      this.handledCommands.set(command.id, done);
      if (this.handledCommands.size > 1000) {
        const oldest = this.handledCommands.keys().next().value;
        if (oldest !== undefined) this.handledCommands.delete(oldest);
      }
    }
    if (done.acked) return;
    // The hub sends an unacknowledged command again, so a lost ack is retried on the next poll.
    const res = await this.fetchFn(
      `${this.url}/api/v1/commands/${encodeURIComponent(command.id)}/ack`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          bot: this.bot,
          status: done.status,
          ...(done.message ? { message: done.message } : {}),
        }),
        signal: AbortSignal.any([
          AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
          this.abort.signal,
        ]),
      },
    );
    await res.body?.cancel();
    if (res.ok || res.status === 409) done.acked = true;
    else
      throw new HubUnavailableError(
        `acknowledging command ${command.id} failed (${res.status})`,
        res.status,
      );
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Stops heartbeats and command polling, tries for `timeoutMs` (default 10 s) to deliver what is
   * pending, and closes the spool. Undelivered events stay in a file spool for the next start.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopHeartbeat();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    try {
      await this.flush({ timeoutMs: options.timeoutMs ?? 10_000 });
    } catch (error) {
      if (this.spool instanceof MemorySpool && this.pendingCount > 0) {
        this.report(
          new TradewatchError(
            `${this.pendingCount} events were not delivered and are lost (in-memory spool)`,
          ),
        );
      } else if (!(error instanceof FlushTimeoutError)) {
        this.report(error instanceof TradewatchError ? error : new TradewatchError(String(error)));
      }
    }
    this.stopped = true;
    this.abort.abort();
    this.wake();
    await this.sender;
    await this.commandLoop;
    await this.spool.close();
    this.setState('closed');
  }
}

function idOf(line: string): string {
  const m = /"id":"((?:[^"\\]|\\.)*)"/.exec(line);
  return m ? m[1]! : line;
}
