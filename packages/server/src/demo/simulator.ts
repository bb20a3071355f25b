import type { IngestEventInput } from '@tradewatch/protocol';
import { INGEST_LIMITS } from '@tradewatch/protocol';
import type { Logger } from 'pino';
import type { Hub } from '../hub.js';
import { VERSION } from '../version.js';
import { DEMO_BOTS, SimulatedBot } from './bots.js';
import { seededRandom } from './market.js';

export interface DemoOptions {
  /** Days of history generated at start, so charts and the journal have content at once. */
  historyDays: number;
  /** Live step interval. */
  stepMs: number;
  /** The futures bot stops heartbeating after this long (the dead-man's switch should notice). */
  stopHeartbeatAfterMs: number;
  seed: number;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  historyDays: 5,
  stepMs: 1_000,
  stopHeartbeatAfterMs: 3 * 60_000,
  seed: 7,
};

/**
 * Runs the demo bots against a hub over its real HTTP API (each bot with its own bot-bound
 * ingest token), first backfilling some history, then trading live until stopped.
 */
export class DemoSimulator {
  private timer: NodeJS.Timeout | null = null;
  private readonly bots: SimulatedBot[];
  private readonly tokens = new Map<string, string>();
  private readonly startedAt: number;
  private lastHeartbeat = 0;
  private depositDone = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly hub: Hub,
    private readonly url: string,
    private readonly options: DemoOptions,
    private readonly logger: Logger,
  ) {
    const random = seededRandom(options.seed);
    const runId = hub.clock.now().toString(36);
    this.bots = DEMO_BOTS.map((spec) => new SimulatedBot(spec, random, runId));
    this.startedAt = hub.clock.now();
  }

  async start(): Promise<void> {
    for (const bot of this.bots) {
      const { token } = await this.hub.tokens.create({
        name: `demo-${bot.spec.id}`,
        scopes: ['ingest'],
        bot: bot.spec.id,
      });
      this.tokens.set(bot.spec.id, token);
      await this.request('PUT', `/api/v1/bots/${bot.spec.id}`, token, {
        name: bot.spec.name,
        framework: bot.spec.framework,
        account: bot.spec.account,
        heartbeat_interval_s: bot.spec.heartbeatIntervalS,
      });
    }
    await this.backfill();
    this.timer = setInterval(() => {
      this.inFlight = this.inFlight
        .then(() => this.tick())
        .catch((error: unknown) => {
          this.logger.warn({ err: error }, 'demo step failed; retrying on the next one');
        });
    }, this.options.stepMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /**
   * History is sent a day at a time for all bots together, as bots trading side by side would
   * have sent it, so every day's start-of-day equity includes every bot.
   */
  private async backfill(): Promise<void> {
    const now = this.hub.clock.now();
    const from = now - this.options.historyDays * 86_400_000;
    const stepMs = 10 * 60_000;
    for (const bot of this.bots) {
      await this.post(this.tokens.get(bot.spec.id)!, [
        {
          type: 'cash_flow',
          id: `demo-deposit-${bot.spec.account}-${from}`,
          bot: bot.spec.id,
          ts: from,
          account: bot.spec.account,
          amount: 25_000,
          kind: 'deposit',
          note: 'initial funding',
        },
      ]);
    }
    for (let day = from; day < now - stepMs; day += 86_400_000) {
      const dayEnd = Math.min(day + 86_400_000, now - stepMs);
      for (const bot of this.bots) {
        const batch: IngestEventInput[] = [];
        for (let ts = day + stepMs; ts < dayEnd; ts += stepMs)
          bot.step(ts, 0.25, (events) => batch.push(...events));
        for (let i = 0; i < batch.length; i += INGEST_LIMITS.maxEvents) {
          await this.post(
            this.tokens.get(bot.spec.id)!,
            batch.slice(i, i + INGEST_LIMITS.maxEvents),
          );
        }
      }
    }
  }

  private async tick(): Promise<void> {
    const now = this.hub.clock.now();
    const heartbeat = now - this.lastHeartbeat >= 5_000;
    if (heartbeat) this.lastHeartbeat = now;
    for (const bot of this.bots) {
      const events: IngestEventInput[] = [];
      bot.step(now, 0.06, (e) => events.push(...e));
      if (bot.spec.id === 'es-trend' && now - this.startedAt > this.options.stopHeartbeatAfterMs) {
        if (!bot.heartbeatsStopped) {
          bot.heartbeatsStopped = true;
          this.logger.info(
            'demo: es-trend stops sending heartbeats now (it will look dead to the hub)',
          );
        }
      } else if (heartbeat) {
        events.push(bot.heartbeat(now, VERSION));
      }
      if (!this.depositDone && bot.spec.id === 'crypto-grid' && now - this.startedAt > 30_000) {
        this.depositDone = true;
        events.push({
          type: 'cash_flow',
          id: `demo-topup-${now}`,
          bot: bot.spec.id,
          ts: now,
          account: bot.spec.account,
          amount: 5_000,
          kind: 'deposit',
          note: 'top-up during the demo',
        });
      }
      if (events.length > 0) await this.post(this.tokens.get(bot.spec.id)!, events);
    }
  }

  private async post(token: string, events: IngestEventInput[]): Promise<void> {
    await this.request('POST', '/api/v1/ingest', token, { events });
  }

  private async request(method: string, path: string, token: string, body: unknown): Promise<void> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok)
      throw new Error(
        `${method} ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`,
      );
    await res.arrayBuffer();
  }
}
