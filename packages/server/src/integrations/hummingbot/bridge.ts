import type { MqttClient } from 'mqtt';
import type { Hub } from '../../hub.js';
import { validateIngestBody } from '../../ingest/validate.js';
import { tagFramework } from '../routes.js';
import type { HummingbotConfig } from '../config.js';
import { sanitizeBotId, type Obj } from '../mapping.js';
import {
  HUMMINGBOT_CHANNELS,
  mapHummingbot,
  type HummingbotChannel,
  type KnownOrder,
} from './map.js';

/**
 * Subscribes to Hummingbot's MQTT topics and ingests what they say. Messages are batched for
 * `batch_ms` into one ingest transaction; a message that cannot be mapped is logged (never the
 * broker password) and skipped. The session is persistent (clean: false, QoS 1), so messages
 * published with QoS 1 while the hub was down are delivered when it reconnects.
 */
export class HummingbotBridge {
  private client: MqttClient | null = null;
  private pending: Obj[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly orders = new Map<string, Map<string, KnownOrder>>();
  /** Counters for tests and the logs. */
  readonly stats = { messages: 0, ingested: 0, skipped: 0, failed: 0 };
  private waiters: { n: number; resolve: () => void }[] = [];
  private markSubscribed: () => void = () => undefined;
  private readonly subscribed = new Promise<void>((resolve) => {
    this.markSubscribed = resolve;
  });

  constructor(
    private readonly hub: Hub,
    private readonly config: HummingbotConfig,
  ) {}

  async start(): Promise<void> {
    const { config } = this;
    // mqtt is loaded only when the bridge is configured (~190 ms of start-up otherwise).
    const { connect } = await import('mqtt');
    const client = connect(config.url, {
      ...(config.username ? { username: config.username } : {}),
      ...(config.password ? { password: config.password } : {}),
      clientId: config.client_id ?? 'tradewatch-hub',
      clean: !config.persistent_session,
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
    });
    this.client = client;
    const topics = HUMMINGBOT_CHANNELS.map((c) => `${config.topic_prefix}/+/${c}`);
    client.on('connect', () => {
      client.subscribe(topics, { qos: 1 }, (error) => {
        if (error)
          this.hub.logger.warn({ err: error.message }, 'hummingbot bridge: subscribe failed');
        else this.hub.logger.info({ topics }, 'hummingbot bridge subscribed');
        this.markSubscribed();
      });
    });
    client.on('error', (error) => {
      // mqtt.js errors name the broker and the reason, never the credentials.
      this.hub.logger.warn({ err: error.message }, 'hummingbot bridge: broker error');
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  /** Resolves once the bridge is subscribed to the broker. */
  ready(): Promise<void> {
    return this.subscribed;
  }

  /** Resolves when at least `n` messages have arrived since start (tests). */
  received(n: number): Promise<void> {
    if (this.stats.messages >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  private onMessage(topic: string, payload: Buffer): void {
    this.stats.messages++;
    this.waiters = this.waiters.filter((w) => {
      if (this.stats.messages < w.n) return true;
      w.resolve();
      return false;
    });
    const parts = topic.split('/');
    const prefixParts = this.config.topic_prefix.split('/').length;
    const instance = parts[prefixParts];
    const channel = parts.slice(prefixParts + 1).join('/') as HummingbotChannel;
    if (!instance || !(HUMMINGBOT_CHANNELS as readonly string[]).includes(channel)) return;
    const mapped = this.config.instances[instance];
    if (!mapped && this.config.only_listed) return;
    const bot = mapped ?? sanitizeBotId(instance);
    let body: unknown = {};
    const text = payload.toString('utf8');
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        this.stats.skipped++;
        this.hub.logger.warn({ topic }, 'hummingbot bridge: message is not JSON; skipped');
        return;
      }
    }
    let orders = this.orders.get(instance);
    if (!orders) {
      orders = new Map();
      this.orders.set(instance, orders);
    }
    const result = mapHummingbot(channel, body, {
      bot,
      instance,
      now: this.hub.clock.now(),
      account: this.config.account,
      orders,
    });
    if (result.problem) {
      this.stats.skipped++;
      this.hub.logger.warn(
        { topic, problem: result.problem },
        'hummingbot bridge: message skipped',
      );
    }
    if (result.events.length === 0) return;
    this.pending.push(...result.events);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.config.batch_ms);
    }
  }

  /** Ingests everything received so far (one transaction). */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushNow());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let result = validateIngestBody({ events: batch });
    let events = batch;
    if (!result.ok) {
      // Drop only the events that do not validate; the rest of the batch still counts.
      const bad = new Set(result.details.map((d) => d.index));
      this.stats.skipped += bad.size;
      this.hub.logger.warn(
        { problems: result.details.slice(0, 5) },
        'hummingbot bridge: invalid events skipped',
      );
      events = batch.filter((_e, i) => !bad.has(i));
      result = validateIngestBody({ events });
      if (!result.ok) return;
    }
    try {
      const r = await this.hub.ingest.ingest(result.events);
      this.stats.ingested += r.accepted;
      for (const bot of new Set(result.events.map((e) => e.bot))) {
        await tagFramework(this.hub, bot, 'hummingbot');
      }
    } catch (error) {
      this.stats.failed += events.length;
      this.hub.logger.error({ err: (error as Error).message }, 'hummingbot bridge: ingest failed');
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync();
    await this.flush();
  }
}
