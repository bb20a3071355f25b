import type { Logger } from 'pino';
import type pg from 'pg';
import { closeSession, openSession, type SessionOptions } from './pg-session.js';

export interface ListenerOptions {
  session: SessionOptions;
  channel: string;
  /** How often the idle session is pinged (a dead one is only noticed when written to). */
  pingMs: number;
  logger: Logger;
  onNotification(payload: string): void;
  /** Called after every (re)connect: notifications sent while disconnected are lost, catch up. */
  onConnected(): void;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 2_000;

/**
 * LISTENs on a dedicated session and reconnects by itself (PostgreSQL restarted, a network
 * blip), retrying quickly so fan-out resumes within a couple of seconds of the server.
 */
export class CommitListener {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private stopped = false;
  private retryMs = RETRY_MIN_MS;
  private connecting: Promise<void> | null = null;
  private warned = false;
  /** Times the session was (re)established. */
  connects = 0;

  constructor(private readonly options: ListenerOptions) {}

  get listening(): boolean {
    return this.client !== null;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
    this.pinger = setInterval(() => {
      const c = this.client;
      if (c) c.query('select 1').catch((error: unknown) => this.lost(c, error));
    }, this.options.pingMs);
    this.pinger.unref();
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (this.stopped || this.client) return;
    let opened: pg.Client | null = null;
    try {
      const client: pg.Client = await openSession(this.options.session, (error) =>
        this.lost(client, error),
      );
      opened = client;
      client.on('notification', (msg) => {
        if (msg.channel === this.options.channel && msg.payload !== undefined)
          this.options.onNotification(msg.payload);
      });
      await client.query(`LISTEN "${this.options.channel}"`);
      if (this.stopped) {
        await closeSession(client);
        return;
      }
      this.client = client;
      this.connects += 1;
      this.retryMs = RETRY_MIN_MS;
      if (this.warned) this.options.logger.info('cluster: listening for commits again');
      this.warned = false;
      this.options.onConnected();
    } catch (error) {
      await closeSession(opened);
      if (!this.warned) {
        this.options.logger.warn(
          { err: { message: error instanceof Error ? error.message : String(error) } },
          'cluster: cannot LISTEN for commits of other instances; retrying',
        );
        this.warned = true;
      }
      this.retry();
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    void closeSession(client);
    if (this.stopped) return;
    if (!this.warned) {
      this.options.logger.warn(
        { err: { message: error instanceof Error ? error.message : 'session ended' } },
        'cluster: the LISTEN session was lost; reconnecting',
      );
      this.warned = true;
    }
    this.retry();
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, wait);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pinger) clearInterval(this.pinger);
    this.timer = null;
    this.pinger = null;
    await this.connecting?.catch(() => undefined);
    const c = this.client;
    this.client = null;
    await closeSession(c);
  }
}
