import { Cron } from 'croner';
import type { Hub } from '../../hub.js';
import { tradingDay } from '../../time/index.js';
import type { AlertsConfig } from '../config.js';
import { hashOf } from '../model.js';
import type { AlertService } from '../service.js';
import type { Renderer } from '../templates/render.js';
import type { Notification } from '../engine/types.js';
import { buildSummary } from './build.js';

const CHAT_AND_EMAIL = new Set(['email', 'telegram', 'slack', 'discord']);

/** The daily summary: built from the query API, sent through the outbox on a croner schedule. */
export class SummaryJob {
  private cron: Cron | null = null;

  constructor(
    private readonly hub: Hub,
    private readonly service: AlertService,
    private readonly renderer: Renderer,
    private readonly config: AlertsConfig,
  ) {}

  /** The configured summary channels (default: every email, Telegram, Slack and Discord channel). */
  channels(): string[] {
    return (
      this.config.summary.channels ??
      this.config.channels.filter((c) => CHAT_AND_EMAIL.has(c.type)).map((c) => c.name)
    );
  }

  today(): string {
    return tradingDay(this.hub.clock.now(), this.hub.config.timezone);
  }

  async data(date = this.today()): Promise<Record<string, unknown>> {
    return buildSummary(
      this.hub.query,
      this.service.repo,
      date,
      {
        timezone: this.hub.config.timezone,
        currency: this.hub.config.base_currency,
        signals: this.config.summary.signals,
      },
      this.hub.clock.now(),
    );
  }

  notification(data: Record<string, unknown>, channel: string, now: number): Notification {
    const n = this.service.core.blank(
      'summary',
      channel,
      { id: 'summary' } as never,
      `summary:${String(data.date)}`,
      now,
    );
    n.summary = data;
    return n;
  }

  /** Subject, text, HTML and chat text of a day's summary (`tradewatch summary --print`). */
  async render(date?: string) {
    const data = await this.data(date);
    const n = this.notification(data, 'print', this.hub.clock.now());
    return {
      date: String(data.date),
      ...this.renderer.render(n),
      markdown: this.renderer.chat(n, 'plain'),
      data,
    };
  }

  /** Queues the summary on its channels; the scheduled run of a day uses one dedup key per channel. */
  async send(
    date?: string,
    options: { channels?: string[]; manual?: boolean } = {},
  ): Promise<{ date: string; channels: string[] }> {
    const data = await this.data(date);
    const channels = options.channels ?? this.channels();
    await this.service.enqueue('summary', channels, (channel, now) => ({
      payload: this.notification(data, channel, now),
      dedupKey: hashOf([
        'summary',
        String(data.date),
        channel,
        options.manual ? String(now) : 'scheduled',
      ]),
    }));
    return { date: String(data.date), channels };
  }

  start(): void {
    if (!this.config.summary.enabled || this.channels().length === 0) return;
    this.cron = new Cron(
      this.config.summary.cron,
      { timezone: this.config.summary.timezone, protect: true },
      () => {
        this.send().catch((error: unknown) =>
          this.hub.logger.error({ err: error }, 'daily summary failed'),
        );
      },
    );
  }

  nextRun(): Date | null {
    return this.cron?.nextRun() ?? null;
  }

  stop(): void {
    this.cron?.stop();
    this.cron = null;
  }
}
