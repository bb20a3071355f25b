import type { ChannelConfig } from '../config.js';
import { testAlert, type Channel } from './channel.js';
import { post } from './http.js';

type AlertmanagerConfig = Extract<ChannelConfig, { type: 'alertmanager' }>;

/** Forwards alerts to an existing Alertmanager (`POST <url>/api/v2/alerts`); it does the routing. */
export function alertmanagerChannel(config: AlertmanagerConfig): Channel {
  const url = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
  return {
    name: config.name,
    type: 'alertmanager',
    async send(n, ctx) {
      if (n.kind !== 'alert' && n.kind !== 'escalation' && n.kind !== 'test') {
        return { skipped: `Alertmanager takes alerts, not ${n.kind} messages` };
      }
      const alerts =
        n.kind === 'test'
          ? [{ ...testAlert(n), endsAt: new Date(Date.parse(n.createdAt) + 300_000).toISOString() }]
          : n.alerts;
      const body = alerts.map((a) => ({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        ...(a.endsAt ? { endsAt: a.endsAt } : {}),
        generatorURL: a.generatorURL,
      }));
      const statusCode = await post(url, JSON.stringify(body), {
        signal: ctx.signal,
        headers: { ...config.headers, 'x-tradewatch-dedup-key': ctx.dedupKey },
      });
      return { statusCode };
    },
  };
}
