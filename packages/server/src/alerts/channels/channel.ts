import type { Logger } from 'pino';
import type { ChannelConfig, ChannelType } from '../config.js';
import type { Notification } from '../engine/types.js';
import type { Renderer } from '../templates/render.js';

/** What a channel is given for one delivery attempt. */
export interface SendContext {
  /** Same notification, same channel, same alerts: same key (receivers may drop repeats). */
  dedupKey: string;
  outboxId: number;
  /** Aborted at the delivery timeout. */
  signal: AbortSignal;
  renderer: Renderer;
}

export interface SendResult {
  statusCode?: number;
  /** Why nothing was sent although the attempt counts as done (e.g. not applicable). */
  skipped?: string;
}

/**
 * A failed attempt. Its message is shown in the delivery history and logs, so it never holds
 * a secret or a URL (tokens live in some services' URLs).
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/** One notification channel. Implementations live one per file in this folder. */
export interface Channel {
  readonly name: string;
  readonly type: ChannelType;
  /** Resolves on a 2xx / accepted; throws DeliveryError otherwise. */
  send(notification: Notification, ctx: SendContext): Promise<SendResult>;
  close?(): Promise<void>;
}

export interface ChannelDeps {
  logger: Logger;
  timeoutMs: number;
}

export type ChannelFactory<T extends ChannelConfig = ChannelConfig> = (
  config: T,
  deps: ChannelDeps,
) => Channel | Promise<Channel>;

/** A synthetic alert so that receivers which only show alerts still show a test message. */
export function testAlert(n: Notification) {
  return {
    status: 'firing' as const,
    labels: { alertname: 'TradewatchTest', severity: 'info' },
    annotations: { summary: n.message ?? 'Test message from Tradewatch' },
    startsAt: n.createdAt,
    endsAt: null,
    generatorURL: n.externalURL,
    fingerprint: 'tradewatch-test',
  };
}
