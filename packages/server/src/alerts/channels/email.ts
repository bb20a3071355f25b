import nodemailer from 'nodemailer';
import type { ChannelConfig } from '../config.js';
import { DeliveryError, type Channel, type ChannelDeps } from './channel.js';

type EmailConfig = Extract<ChannelConfig, { type: 'email' }>;

/** SMTP through nodemailer: HTML and plain-text bodies, the dedup key as a header. */
export function emailChannel(config: EmailConfig, deps: ChannelDeps): Channel {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(config.user !== undefined
      ? { auth: { user: config.user, pass: config.password ?? '' } }
      : {}),
    tls: { rejectUnauthorized: config.tls_reject_unauthorized },
    connectionTimeout: deps.timeoutMs,
    greetingTimeout: deps.timeoutMs,
    socketTimeout: deps.timeoutMs,
  });
  return {
    name: config.name,
    type: 'email',
    async send(n, ctx) {
      const rendered = ctx.renderer.render(n);
      try {
        await transport.sendMail({
          from: config.from,
          to: config.to,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          headers: { 'X-Tradewatch-Dedup-Key': ctx.dedupKey },
        });
      } catch (error) {
        const e = error as { code?: string; responseCode?: number; response?: string };
        const parts = [e.code, e.responseCode, e.response?.slice(0, 120)].filter(
          (p) => p !== undefined && p !== '',
        );
        throw new DeliveryError(
          `SMTP: ${parts.length > 0 ? parts.join(' ') : 'failed'}`,
          e.responseCode,
        );
      }
      return { statusCode: 250 };
    },
    async close() {
      transport.close();
    },
  };
}
