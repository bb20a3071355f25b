import type { ChannelConfig } from '../config.js';
import type { Notification } from '../engine/types.js';
import { testAlert, type Channel } from './channel.js';
import { post } from './http.js';

type WebhookConfig = Extract<ChannelConfig, { type: 'webhook' }>;

const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * Alertmanager's webhook payload (version 4), so receivers written for Alertmanager work as
 * they are; Tradewatch's own fields sit under `tradewatch`.
 */
export function alertmanagerPayload(
  n: Notification,
  dedupKey: string,
  text: string,
  maxAlerts = 50,
) {
  const alerts = n.kind === 'test' ? [testAlert(n)] : n.alerts;
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.truncated + Math.max(0, alerts.length - maxAlerts),
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalURL,
    alerts: alerts.slice(0, maxAlerts).map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? ZERO_TIME,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    tradewatch: {
      kind: n.kind,
      dedup_key: dedupKey,
      text,
      ...(n.suppressed ? { suppressed: n.suppressed } : {}),
      ...(n.digest ? { digest: n.digest } : {}),
      ...(n.summary ? { summary: n.summary } : {}),
    },
  };
}

export function webhookChannel(config: WebhookConfig): Channel {
  return {
    name: config.name,
    type: 'webhook',
    async send(n, ctx) {
      const body = JSON.stringify(
        alertmanagerPayload(n, ctx.dedupKey, ctx.renderer.text(n), config.max_alerts),
      );
      const statusCode = await post(config.url, body, {
        signal: ctx.signal,
        headers: {
          ...config.headers,
          'x-tradewatch-dedup-key': ctx.dedupKey,
          'idempotency-key': ctx.dedupKey,
        },
      });
      return { statusCode };
    },
  };
}
